/*
 * Before the run: each env's interpreter, the pip blitz runs for it, its
 * steps and environment, and the fingerprints that say whether its venv
 * and project can be reused (runner.c then runs what is left to do).
 */
#include "run_internal.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "envvars.h"
#include "steps.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/pyproject.h"
#include "../config/tox.h"
#include "../env/fingerprint.h"
#include "../env/interp.h"
#include "../env/seed.h"
#include "../env/venv.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

extern char **environ;

/* The file naming what builds wrote into the project's tree (see run_tree). */
static char *outputs_path(const struct ctx *c)
{
	return xconcat(c->o->state_dir, "/build-outputs", NULL);
}

/*
 * What the tree leaves out: the work folder, and the files the project's
 * builds write into it (a version file setuptools_scm writes at each
 * build), as .blitz/build-outputs lists them (one path a line, relative).
 */
static void tree_skip(struct ctx *c)
{
	char *path = outputs_path(c), *text = read_file(path, NULL);

	strvec_push(&c->tree_skip, c->t->workdir);
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (*line && *line != '/' && !strstr(line, ".."))
			strvec_push_owned(&c->tree_skip, xconcat(c->t->toxinidir, "/", line, NULL));
	free(text);
	free(path);
}

/*
 * The commit git has checked out (HEAD and the ref it names): a version
 * taken from git (setuptools_scm, hatch-vcs) changes with it, not with the files.
 */
static uint64_t git_head(uint64_t h, const char *root)
{
	char *head = xconcat(root, "/.git/HEAD", NULL), *text = read_file(head, NULL);

	h = fp_file(h, head);
	if (text && strncmp(text, "ref: ", 5) == 0) {
		text[strcspn(text, "\r\n")] = '\0';
		char *ref = xconcat(root, "/.git/", text + 5, NULL), *packed = xconcat(root, "/.git/packed-refs", NULL);
		if (!strstr(text, ".."))
			h = fp_file(fp_file(h, ref), packed);
		free(ref);
		free(packed);
	}
	free(text);
	free(head);
	return h;
}

uint64_t run_tree(struct ctx *c, int code)
{
	int *have = code ? &c->have_code_tree : &c->have_tree;
	uint64_t *tree = code ? &c->code_tree : &c->tree;

	if (!c->tree_skip.n)
		tree_skip(c);
	if (!*have) {
		if (code) {
			*tree = fp_code_tree(FP_INIT, c->t->toxinidir, &c->tree_skip);
		} else {
			char *cache = xconcat(c->o->state_dir, "/tree-hashes", NULL);
			strvec_clear(&c->tree_entries);
			*tree = git_head(fp_tree_content(FP_INIT, c->t->toxinidir, &c->tree_skip, cache, &c->tree_entries),
					 c->t->toxinidir);
			free(cache);
		}
		*have = 1;
	}
	return *tree;
}

int run_tree_outputs(struct ctx *c, const char *version)
{
	struct strvec after = STRVEC_INIT;
	struct strmap before = STRMAP_INIT;
	char *path = outputs_path(c);
	FILE *f = NULL;
	int found = 0;

	run_tree(c, 0);
	for (size_t i = 0; i < c->tree_entries.n; i++)
		strmap_intern(&before, c->tree_entries.v[i], strlen(c->tree_entries.v[i]));
	char *cache = xconcat(c->o->state_dir, "/tree-hashes", NULL);
	fp_tree_content(FP_INIT, c->t->toxinidir, &c->tree_skip, cache, &after);
	free(cache);
	/* when this run started, by the clock file times are in (a second early: coarse time stamps) */
	time_t run_start = time(NULL) - (time_t)((now_ns() - c->t0) / 1000000000LL) - 1;
	for (size_t i = 0; i < after.n; i++) {
		const char *rel = after.v[i] + 17, *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		if (strmap_get(&before, after.v[i], strlen(after.v[i])) >= 0)
			continue;
		/* the files a project is configured by are never a build's output, whatever they hold */
		if (!strcmp(base, "pyproject.toml") || !strcmp(base, "setup.cfg") || !strcmp(base, "setup.py") ||
		    !strcmp(base, "tox.ini") || !strcmp(base, "tox.toml") || strchr(rel, '\n'))
			continue;
		/*
		 * written during this run's build: the build's own only when it
		 * names the version built and was written since the run started
		 * (not a user's edit of an older file, nor a file of earlier days)
		 */
		char *abs = xconcat(c->t->toxinidir, "/", rel, NULL), *text = NULL;
		struct stat st;
		if (*version && lstat(abs, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime >= run_start)
			text = read_file(abs, NULL);
		if (text && strstr(text, version)) {
			if (!f)
				f = fopen(path, "a");
			if (f)
				fprintf(f, "%s\n", rel);
			strvec_push_owned(&c->tree_skip, abs);
			abs = NULL;
			found++;
		}
		free(abs);
		free(text);
	}
	if (f)
		fclose(f);
	if (found) {
		/* the tree as later runs will see it */
		c->have_tree = 0;
		run_tree(c, 0);
	}
	strvec_clear(&after);
	strmap_clear(&before);
	free(path);
	return found;
}

void envrun_package_fp(struct ctx *c, struct envrun *er)
{
	er->fp_package = 0;
	for (size_t i = 0; i < er->steps.n; i++) {
		if (er->steps.v[i].kind != STEP_PACKAGE)
			continue;
		uint64_t ph = fp_strvec(fp_str(FP_INIT, "blitz package 1"), &er->steps.v[i].argv);
		const char *type = er->e.package_type ? er->e.package_type : "";
		if (strncmp(type, "editable", 8) == 0) {
			/* an editable install runs the tree itself: only what says how to build it counts */
			static const char *const build_files[] = { "pyproject.toml", "setup.py", "setup.cfg" };
			const char *root = er->e.package_root && er->e.package_root[0] ? er->e.package_root : c->t->toxinidir;
			for (size_t k = 0; k < sizeof(build_files) / sizeof(*build_files); k++) {
				char *f = xconcat(root, "/", build_files[k], NULL);
				ph = fp_file(ph, f);
				free(f);
			}
		} else {
			uint64_t tree = run_tree(c, 0);
			ph = fp_bytes(ph, &tree, sizeof(tree));
		}
		er->fp_package = ph ? ph : 1;	/* 0 means "no project installed" */
	}
}
/*
 * What env er is built from. Its set-up: the interpreter (path, and the
 * file's size and time, which change when it is upgraded), the venv and
 * deps commands, the contents of the requirement files they name, and the
 * PIP_/UV_/VIRTUALENV_ settings they run with. Its project: the install
 * command and the source tree (for an editable install only the files that
 * say how to build it, since the env runs the tree itself).
 */
static void fingerprints(struct ctx *c, struct envrun *er, const struct interp *in)
{
	struct strvec files = STRVEC_INIT;
	uint64_t h = fp_str(FP_INIT, "blitz env 1");

	h = fp_stat(h, in->path);
	h = fp_str(h, in->impl);
	h = fp_bytes(h, &in->major, sizeof(in->major));
	h = fp_bytes(h, &in->minor, sizeof(in->minor));
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_CREATE || er->steps.v[i].kind == STEP_DEPS)
			h = fp_strvec(h, &er->steps.v[i].argv);
	/* what its venv is seeded with: another pip is another venv */
	for (int i = 0; i < SEED_DISTS && er->steps.direct_venv; i++)
		h = fp_str(h, er->seeding->image[i]);
	tox_env_requirement_files(c->t, &er->e, &files);
	for (size_t i = 0; i < files.n; i++)
		h = fp_file(h, files.v[i]);
	strvec_clear(&files);
	/* sorted: the order of the variables in blitz's own environment depends on the shell that started it */
	struct strvec install_env = STRVEC_INIT;
	const struct strvec *setup_env = er->envp_setup.n ? &er->envp_setup : &er->envp;
	for (size_t i = 0; i < setup_env->n; i++) {
		const char *kv = setup_env->v[i];
		if (!strncmp(kv, "PIP_", 4) || !strncmp(kv, "UV_", 3) || !strncmp(kv, "VIRTUALENV_", 11))
			strvec_push(&install_env, kv);
	}
	strvec_sort(&install_env);
	h = fp_strvec(h, &install_env);
	er->fp_install = fp_strvec(FP_INIT, &install_env);
	strvec_clear(&install_env);
	er->fp_setup = h;
	envrun_package_fp(c, er);
}

/* The VIRTUALENV_* settings of envp, which decide how a venv is seeded. */
static uint64_t virtualenv_settings(const struct strvec *envp)
{
	uint64_t h = FP_INIT;

	for (size_t i = 0; i < envp->n; i++)
		if (strncmp(envp->v[i], "VIRTUALENV_", 11) == 0)
			h = fp_str(h, envp->v[i]);
	return h;
}

/*
 * How venvs of interpreter in, with the VIRTUALENV_* settings of envp, are
 * seeded: chosen and their images made (once per machine) the first time a
 * run asks, then shared by its envs.
 */
const struct seeding *run_seeding(struct ctx *c, const struct interp *in, const struct strvec *envp)
{
	uint64_t key = fp_str(virtualenv_settings(envp), in->path);
	struct seeding *s;
	struct seed_plan builder;
	char err[512];

	for (size_t i = 0; i < c->nseedings; i++)
		if (c->seedings[i]->key == key)
			return c->seedings[i];
	s = xcalloc(1, sizeof(*s));
	s->key = key;
	snprintf(s->python, sizeof(s->python), "%s", in->path);
	seed_choose(in, envp->v, &s->plan);
	for (int i = 0; i < SEED_DISTS; i++) {
		/* the newest wheel whose Requires-Python admits this interpreter */
		int rc = 1;
		for (size_t k = 0; k < s->plan.wheels[i].n && rc == 1; k++)
			rc = seed_image(in, s->plan.wheels[i].v[k], s->image[i], sizeof(s->image[i]), err, sizeof(err));
		if (rc == 1 && s->plan.wheels[i].n)
			snprintf(err, sizeof(err), "no wheel found is for Python %d.%d (the newest: %s)", in->major,
				 in->minor, s->plan.wheels[i].v[0]);
		if (rc != 0) {
			s->image[i][0] = '\0';
			if (s->plan.wheels[i].n && !s->error[0])
				snprintf(s->error, sizeof(s->error), "%s", err);
		}
	}
	/* the pip blitz builds wheels with runs from outside any venv, whatever the envs are seeded with */
	if (s->image[SEED_PIP][0]) {
		snprintf(s->builder_pip, sizeof(s->builder_pip), "%s", s->image[SEED_PIP]);
	} else {
		seed_choose(in, NULL, &builder);
		int rc = 1;
		for (size_t k = 0; k < builder.wheels[SEED_PIP].n && rc == 1; k++)
			rc = seed_image(in, builder.wheels[SEED_PIP].v[k], s->builder_pip, sizeof(s->builder_pip), err,
					sizeof(err));
		if (rc != 0)
			s->builder_pip[0] = '\0';
		seed_plan_release(&builder);
	}
	c->seedings = xrealloc(c->seedings, (c->nseedings + 1) * sizeof(*c->seedings));
	c->seedings[c->nseedings++] = s;
	return s;
}

/* This machine's sys.platform, as Python names it. */
static const char *sys_platform(void)
{
#if defined(__linux__)
	return "linux";
#elif defined(__APPLE__)
	return "darwin";
#elif defined(__FreeBSD__)
	return "freebsd";
#else
	return "unknown";
#endif
}

/*
 * platform: a regular expression sys.platform must match whole, else the
 * env is skipped, as tox does. Returns 1 (er->ready and er->error set)
 * when it skips er.
 */
static int platform_skips(struct envrun *er)
{
	const char *want = er->e.platform;
	regex_t re;
	int rc;

	if (!want || !*want)
		return 0;
	char *whole = xconcat("^(", want, ")$", NULL);
	rc = regcomp(&re, whole, REG_EXTENDED | REG_NOSUB);
	free(whole);
	if (rc != 0) {
		snprintf(er->error, sizeof(er->error), "platform = %s is not a regular expression blitz can read", want);
		er->ready = ENV_FAILED;
		return 1;
	}
	rc = regexec(&re, sys_platform(), 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		return 0;
	snprintf(er->error, sizeof(er->error), "platform %s does not match %s", sys_platform(), want);
	er->ready = ENV_SKIPPED;
	return 1;
}

/*
 * tox 4's dependency_groups: their requirements (pyproject.toml, PEP 735)
 * installed by a pip run of their own after the deps. Returns -1 with
 * er->error when they cannot be read.
 */
static int dependency_groups(struct ctx *c, struct envrun *er)
{
	struct strvec reqs = STRVEC_INIT;
	struct diag d = { 0 };
	const char *root = er->e.package_root && er->e.package_root[0] ? er->e.package_root : c->t->toxinidir;
	size_t at = 1;

	if (pyproject_dependency_groups(root, &er->e.dependency_groups, &reqs, &d) < 0) {
		char *msg = diag_format(&d);
		snprintf(er->error, sizeof(er->error), "dependency_groups: %s", msg);
		free(msg);
		return -1;
	}
	if (reqs.n) {
		while (at < er->steps.n && er->steps.v[at].kind == STEP_DEPS)
			at++;
		steps_install_at(&er->steps, at, STEP_DEPS, &er->e, &reqs);
	}
	strvec_clear(&reqs);
	return 0;
}

/*
 * Before the run starts: find env er's interpreter and the pip blitz runs
 * for it, and work out its steps, environment and fingerprints. An env that
 * cannot run gets er->ready (how it ends) and er->error (why) instead.
 */
void envrun_prepare(struct ctx *c, struct envrun *er)
{
	struct tox *t = c->t;
	struct strvec problems = STRVEC_INIT;
	int found = -1;

	er->ready = ENV_FAILED;
	if (!er->resolved)
		return;
	if (tox_env_check(t, &er->e, &problems) > 0) {
		snprintf(er->error, sizeof(er->error), "%s", problems.v[0]);
		strvec_clear(&problems);
		return;
	}
	if (platform_skips(er))
		return;
	/* a base_python written empty: the interpreter envs without one get, as tox runs its own */
	if (!er->e.base_python.n && tox_default_python(t))
		strvec_push(&er->e.base_python, tox_default_python(t));
	for (size_t i = 0; i < er->e.base_python.n && found < 0; i++) {
		/*
		 * "python" and "python3" name no version: tox takes the interpreter it
		 * runs on, blitz the one envs without a base_python get
		 */
		const char *spec = er->e.base_python.v[i];
		if (strcmp(spec, "python") == 0 || strcmp(spec, "python3") == 0) {
			const char *dflt = tox_default_python(t);
			if (dflt && interp_find(dflt, &er->in) == 0 && er->in.major == 3) {
				found = 0;
				break;
			}
		}
		found = interp_find(spec, &er->in);
	}
	if (found < 0) {
		snprintf(er->error, sizeof(er->error), "no interpreter for base_python '%s' (looked on PATH and in pyenv's versions)",
			 er->e.base_python.n ? er->e.base_python.v[0] : "");
		if (c->o->skip_missing != SKIP_MISSING_CONFIG)
			er->e.skip_missing_interpreters = c->o->skip_missing == SKIP_MISSING_YES;
		er->ready = er->e.skip_missing_interpreters ? ENV_SKIPPED : ENV_FAILED;
		return;
	}
	envvars_build(&er->e, t->workdir, t->tox3, environ, &er->envp);
	if (t->tox3)
		envvars_build_install_tox3(&er->e, t->workdir, environ, &er->envp_setup);
	er->seeding = run_seeding(c, &er->in, er->envp_setup.n ? &er->envp_setup : &er->envp);
	/*
	 * blitz makes the venv itself where it can (CPython 3.3+) and all its
	 * seed images are there; else Python's venv module makes it, with pip
	 */
	int direct = !er->seeding->error[0] && strcmp(er->in.impl, "cpython") == 0 &&
		     (er->in.major > 3 || (er->in.major == 3 && er->in.minor >= 3));
	if (er->seeding->error[0])
		envrun_log_line(er, "cannot seed venvs as virtualenv does, making them with python -m venv:", er->seeding->error);
	if (er->seeding->plan.note[0])
		envrun_log_line(er, "seeding its venv:", er->seeding->plan.note);
	steps_build(&er->e, er->in.path, direct, t->toxinidir, t->tox3, &er->steps);
	if (dependency_groups(c, er) < 0)
		return;
	fingerprints(c, er, &er->in);
	report_junit_options(c, er);
	/* the project's package, built once for the envs that install it */
	if (package_prepare(c, er) < 0)
		return;
	package_constraints(c, er);
	er->ready = ENV_PASSED;
}
