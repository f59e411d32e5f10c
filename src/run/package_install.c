/*
 * The project's package into an env, as tox 4 installs it: the file built
 * for the env (package.c) with the extras it asks for (which must be the
 * package's), with its deps in one pip run when the env is new, else over
 * the old one (--force-reinstall --no-deps); constrain_package_deps's
 * constraints. What to install comes back as plain data; the env's state
 * machine (envrun.c) puts it into the env's steps.
 */
#include "run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../config/pyproject.h"
#include "../env/fingerprint.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* What use_frozen_constraints writes: pip freeze --all of the env, into the file argv[1]. */
#define FREEZE \
	"import subprocess, sys\n" \
	"out = subprocess.check_output([sys.executable, '-m', 'pip', 'freeze', '--all'])\n" \
	"open(sys.argv[1], 'wb').write(out)\n"

const char *package_freeze_script(void)
{
	return FREEZE;
}

/* The constraints file of constrain_package_deps without use_frozen_constraints: the deps as written. */
static void write_constraints(const struct envrun *er)
{
	FILE *f = fopen(er->constraints, "w");

	if (!f)
		return;
	for (size_t i = 0; i < er->e.deps.n; i++) {
		const char *d = er->e.deps.v[i];
		if (strncmp(d, "-c", 2) == 0) {
			d += 2;
			while (*d == ' ' || *d == '=')
				d++;
			fprintf(f, "%s\n", d);
		} else if (d[0] != '-') {
			fprintf(f, "%s\n", d);
		}
	}
	fclose(f);
}

/* Name, extras and requirements of the wheel whose METADATA is at path. */
struct metadata {
	char *name;
	struct strvec extras;		/* Provides-Extra, normalised */
	struct strvec requires;		/* Requires-Dist, as written */
};

/* The headers of a METADATA file that say what the project needs (its body, after a blank line, is not read). */
static int metadata_read(const char *path, struct metadata *m)
{
	size_t len;
	char *text = read_file(path, &len);

	memset(m, 0, sizeof(*m));
	if (!text)
		return -1;
	for (char *line = text, *next; line && *line && *line != '\n'; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		char *colon = strchr(line, ':');
		if (!colon || line[0] == ' ' || line[0] == '\t')
			continue;
		*colon = '\0';
		char *value = colon + 1;
		while (*value == ' ' || *value == '\t')
			value++;
		if (strcasecmp(line, "Name") == 0 && !m->name)
			m->name = xstrdup(value);
		else if (strcasecmp(line, "Provides-Extra") == 0)
			strvec_push_owned(&m->extras, pyname_normalise(value, strlen(value)));
		else if (strcasecmp(line, "Requires-Dist") == 0)
			strvec_push(&m->requires, value);
	}
	free(text);
	return m->name ? 0 : -1;
}

static void metadata_release(struct metadata *m)
{
	free(m->name);
	strvec_clear(&m->extras);
	strvec_clear(&m->requires);
}

/*
 * The install of env er's package (its STEP_PACKAGE's packages): the file
 * with the extras it asks for; an env whose venv is reused gets it as tox
 * installs it (--force-reinstall --no-deps), its dependencies already in.
 */
static void package_words(const struct envrun *er, const char *artifact, int reinstall, struct strvec *out)
{
	if (er->constraints && !reinstall)
		strvec_push_owned(out, xconcat("-c", er->constraints, NULL));	/* glued, as tox writes it */
	if (reinstall) {
		strvec_push(out, "--force-reinstall");
		strvec_push(out, "--no-deps");
		strvec_push(out, artifact);
		return;
	}
	if (!er->e.extras.n) {
		strvec_push(out, artifact);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s[", artifact);
	for (size_t i = 0; i < er->e.extras.n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", er->e.extras.v[i]);
	strbuf_addch(&sb, ']');
	strvec_push_owned(out, strbuf_detach(&sb));
}


int package_install_plan(const struct envrun *er, const struct task *t, int has_step, struct pkg_install *pi, char *why,
			 size_t whysz)
{
	struct metadata m = { 0 };

	memset(pi, 0, sizeof(*pi));
	/* the extras it asks for must be the project's, as tox checks */
	if (t->metadata && metadata_read(t->metadata, &m) == 0) {
		pi->reqs = fp_str(FP_INIT, "blitz reqs 1");
		struct strbuf missing = STRBUF_INIT;
		for (size_t i = 0; i < er->e.extras.n; i++) {
			char *x = pyname_normalise(er->e.extras.v[i], strlen(er->e.extras.v[i]));
			if (strvec_find(&m.extras, x) < 0)
				strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", x);
			free(x);
		}
		if (missing.len) {
			struct strvec sorted = STRVEC_INIT;
			strvec_extend(&sorted, &m.extras);
			strvec_sort(&sorted);
			struct strbuf avail = STRBUF_INIT;
			for (size_t i = 0; i < sorted.n; i++)
				strbuf_addf(&avail, "%s%s", i ? ", " : "", sorted.v[i]);
			snprintf(why, whysz, "extras not found for package %s: %s (available: %s)", m.name,
				 strbuf_str(&missing), strbuf_str(&avail));
			strbuf_release(&avail);
			strvec_clear(&sorted);
			strbuf_release(&missing);
			metadata_release(&m);
			return -1;
		}
		strbuf_release(&missing);
		pi->reqs = fp_strvec(pi->reqs, &m.requires);
		pi->reqs = fp_strvec(pi->reqs, &er->e.extras);
		metadata_release(&m);
	}
	/* 0: unknown (no metadata read): installed as if they changed */
	if (!has_step)
		return 0;
	int reused = er->venv_reused;
	if (er->constraints && !er->e.use_frozen_constraints)
		write_constraints(er);
	if (reused && (er->mark_reqs != pi->reqs || !pi->reqs)) {
		/* its requirements changed: they go in first, then the project over the old one */
		package_words(er, t->artifact, 0, &pi->words);
		pi->again = 1;
		package_words(er, t->artifact, 1, &pi->again_words);
	} else {
		package_words(er, t->artifact, reused, &pi->words);
	}
	return 0;
}

void package_install_release(struct pkg_install *pi)
{
	strvec_clear(&pi->words);
	strvec_clear(&pi->again_words);
}
