/*
 * Before the run, what an env needs to know of itself: its interpreter,
 * whether its platform matches, its dependency groups' requirements, and
 * the fingerprints that say whether its venv and project can be reused.
 * Answers only: envrun_prepare (envrun.c) puts them into the env.
 */
#include "run_internal.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/pyproject.h"
#include "../config/tox.h"
#include "../env/fingerprint.h"
#include "../env/interp.h"
#include "../env/seed.h"
#include "../util/strvec.h"
#include "../util/util.h"

/*
 * What env er is built from. Its set-up: the interpreter (path, and the
 * file's size and time, which change when it is upgraded), the venv and
 * deps commands, the contents of the requirement files they name, and the
 * PIP_/UV_/VIRTUALENV_ settings they run with. Its project: the install
 * command and the source tree (for an editable install only the files that
 * say how to build it, since the env runs the tree itself).
 */
void prepare_fingerprints(struct ctx *c, const struct envrun *er, struct env_fps *out)
{
	const struct interp *in = &er->in;
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
	out->install = fp_strvec(FP_INIT, &install_env);
	strvec_clear(&install_env);
	out->setup = h;
	out->package = tree_package_fp(c, er);
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

enum env_status prepare_platform(const struct toxenv *e, char *why, size_t whysz)
{
	const char *want = e->platform;
	regex_t re;
	int rc;

	if (!want || !*want)
		return ENV_PASSED;
	char *whole = xconcat("^(", want, ")$", NULL);
	rc = regcomp(&re, whole, REG_EXTENDED | REG_NOSUB);
	free(whole);
	if (rc != 0) {
		snprintf(why, whysz, "platform = %s is not a regular expression blitz can read", want);
		return ENV_FAILED;
	}
	rc = regexec(&re, sys_platform(), 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		return ENV_PASSED;
	snprintf(why, whysz, "platform %s does not match %s", sys_platform(), want);
	return ENV_SKIPPED;
}

int prepare_dependency_groups(const struct ctx *c, const struct toxenv *e, struct strvec *reqs, char *why, size_t whysz)
{
	struct diag d = { 0 };
	const char *root = e->package_root && e->package_root[0] ? e->package_root : c->t->toxinidir;

	if (pyproject_dependency_groups(root, &e->dependency_groups, reqs, &d) < 0) {
		char *msg = diag_format(&d);
		snprintf(why, whysz, "dependency_groups: %s", msg);
		free(msg);
		return -1;
	}
	return 0;
}

int prepare_interp(struct tox *t, const struct strvec *base_python, struct interp *in)
{
	int found = -1;

	for (size_t i = 0; i < base_python->n && found < 0; i++) {
		/*
		 * "python" and "python3" name no version: tox takes the interpreter it
		 * runs on, blitz the one envs without a base_python get
		 */
		const char *spec = base_python->v[i];
		if (strcmp(spec, "python") == 0 || strcmp(spec, "python3") == 0) {
			const char *dflt = tox_default_python(t);
			if (dflt && interp_find(dflt, in) == 0 && in->major == 3)
				return 0;
		}
		found = interp_find(spec, in);
	}
	return found;
}
