/*
 * The project's package into an env, as tox 4 installs it: the file built
 * for the env (package.c) with the extras it asks for (which must be the
 * package's), with its deps in one pip run when the env is new, else over
 * the old one (--force-reinstall --no-deps); constrain_package_deps's
 * constraints; TOX_PACKAGE for the commands.
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

/*
 * constrain_package_deps (tox 4): the project's own requirements are
 * installed constrained by what the deps asked for ({env_dir}/constraints.txt:
 * the deps' requirements and their -c files, or with use_frozen_constraints
 * what pip freeze says after the deps went in, written by a STEP_FREEZE).
 */
void package_constraints(struct ctx *c, struct envrun *er)
{
	size_t at = 0;

	if (c->t->tox3 || !er->e.constrain_package_deps || (!er->pkg_task && !er->pkg_error))
		return;
	er->constraints = xconcat(er->e.env_dir, "/constraints.txt", NULL);
	if (!er->e.use_frozen_constraints)
		return;
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_DEPS || er->steps.v[i].kind == STEP_CREATE)
			at = i + 1;
	struct step *st = steps_insert(&er->steps, at, STEP_FREEZE);
	strvec_push(&st->argv, "python");
	strvec_push(&st->argv, "-c");
	strvec_push(&st->argv, FREEZE);
	strvec_push(&st->argv, er->constraints);
}

/* The constraints file of constrain_package_deps without use_frozen_constraints: the deps as written. */
static void write_constraints(struct envrun *er)
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

/* Replace the packages of install step st by words. */
static void set_packages(struct step *st, const struct strvec *words)
{
	for (size_t i = 0; i < st->pkg_n; i++)
		strvec_remove(&st->argv, st->pkg_at);
	for (size_t i = 0; i < words->n; i++)
		strvec_insert(&st->argv, st->pkg_at + i, words->v[i]);
	st->pkg_n = words->n;
}

/* env er's envp, and its set-up's, with KEY=VALUE set. */
static void set_var(struct envrun *er, const char *key, const char *value)
{
	struct strvec *vs[2] = { &er->envp, &er->envp_setup };
	size_t n = strlen(key);

	for (int k = 0; k < 2; k++) {
		if (!vs[k]->n)
			continue;
		size_t i = 0;
		while (i < vs[k]->n && !(strncmp(vs[k]->v[i], key, n) == 0 && vs[k]->v[i][n] == '='))
			i++;
		if (i < vs[k]->n)
			strvec_remove(vs[k], i);
		strvec_push_owned(vs[k], xconcat(key, "=", value, NULL));
	}
}

int package_step(struct ctx *c, struct envrun *er)
{
	struct task *t = er->pkg_task;
	struct metadata m = { 0 };
	struct step *pkg = NULL, *deps = NULL;
	char why[1024];
	size_t pkg_index = 0;

	if (er->pkg_error) {
		envrun_log_line(er, "cannot build its package:", er->pkg_error);
		envrun_fail(er, 1, er->pkg_error);
		return -1;
	}
	int rc = task_wait(c, t, er);

	if (rc != 0)
		return rc;
	/* the extras it asks for must be the project's, as tox checks */
	uint64_t reqs = 0;	/* 0: unknown (no metadata read): installed as if they changed */
	if (t->metadata && metadata_read(t->metadata, &m) == 0) {
		reqs = fp_str(FP_INIT, "blitz reqs 1");
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
			snprintf(why, sizeof(why), "extras not found for package %s: %s (available: %s)", m.name,
				 strbuf_str(&missing), strbuf_str(&avail));
			strbuf_release(&avail);
			strvec_clear(&sorted);
			strbuf_release(&missing);
			metadata_release(&m);
			envrun_fail(er, 1, why);
			return -1;
		}
		strbuf_release(&missing);
		reqs = fp_strvec(reqs, &m.requires);
		reqs = fp_strvec(reqs, &er->e.extras);
		metadata_release(&m);
	}
	er->fp_reqs = reqs;
	for (size_t i = er->next + 1; i < er->steps.n && !pkg; i++) {
		if (er->steps.v[i].kind == STEP_PACKAGE) {
			pkg = &er->steps.v[i];
			pkg_index = i;
		} else if (er->steps.v[i].kind == STEP_DEPS) {
			deps = &er->steps.v[i];
		}
	}
	envrun_log_line(er, "installing the project from the package built for this run:", t->artifact);
	set_var(er, "TOX_PACKAGE", t->artifact);
	if (!pkg)
		return 0;
	struct strvec words = STRVEC_INIT;
	int reused = er->venv_reused;
	if (er->constraints && !er->e.use_frozen_constraints)
		write_constraints(er);
	if (reused && (er->mark_reqs != reqs || !reqs)) {
		/* its requirements changed: they go in first, then the project over the old one */
		package_words(er, t->artifact, 0, &words);
		struct step *again = steps_insert(&er->steps, pkg_index + 1, STEP_PACKAGE);
		pkg = &er->steps.v[pkg_index];
		strvec_extend(&again->argv, &pkg->argv);
		again->pkg_at = pkg->pkg_at;
		again->pkg_n = pkg->pkg_n;
		set_packages(pkg, &words);
		strvec_clear(&words);
		package_words(er, t->artifact, 1, &words);
		set_packages(again, &words);
	} else {
		package_words(er, t->artifact, reused, &words);
		set_packages(pkg, &words);
	}
	strvec_clear(&words);
	/*
	 * Together: one pip run for the deps and the project (what pip starts
	 * costs as much as what it installs here). Both run the env's
	 * install_command: the project's packages go in after the deps'.
	 */
	if (er->together && deps && pkg->pkg_n && deps->pkg_n) {
		size_t at = deps->pkg_at + deps->pkg_n;
		for (size_t i = 0; i < pkg->pkg_n; i++)
			strvec_insert(&deps->argv, at + i, pkg->argv.v[pkg->pkg_at + i]);
		er->together_at = at;
		er->together_words = pkg->pkg_n;
		er->package_in_deps = 1;
	}
	return 0;
}
