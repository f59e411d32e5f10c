/*
 * Layers: the deps several envs of a run share, installed once into a venv
 * of their own (a task, task.c) and cloned into each env (its STEP_LAYER,
 * envrun.c). Planned before the run from the envs' deps and settings.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/fingerprint.h"
#include "../env/layer.h"
#include "../util/util.h"

char *layers_root(const struct ctx *c)
{
	return xconcat(c->t->workdir, "/.blitz-layers", NULL);
}

/*
 * er's set-up environment for a venv at dir instead of its own: PATH with
 * dir's bin first, VIRTUAL_ENV naming dir.
 */
static void retarget_envp(const struct envrun *er, const char *dir, struct strvec *out)
{
	const struct strvec *from = er->envp_setup.n ? &er->envp_setup : &er->envp;
	char *old_bin = xconcat(er->e.env_dir, "/bin", NULL);
	size_t n = strlen(old_bin);

	for (size_t i = 0; i < from->n; i++) {
		const char *kv = from->v[i];
		if (strncmp(kv, "PATH=", 5) == 0 && strncmp(kv + 5, old_bin, n) == 0)
			strvec_push_owned(out, xconcat("PATH=", dir, "/bin", kv + 5 + n, NULL));
		else if (strncmp(kv, "VIRTUAL_ENV=", 12) == 0)
			strvec_push_owned(out, xconcat("VIRTUAL_ENV=", dir, NULL));
		else
			strvec_push(out, kv);
	}
	free(old_bin);
}

/* Start layer t with what env er installs with: its interpreter, seeds, install command and environment. */
static void layer_start(struct ctx *c, struct task *t, const struct envrun *er)
{
	struct task_setup ts = { 0 };
	struct step *st;
	char why[700];

	(void)c;
	if (task_make_tmp(t, why, sizeof(why)) < 0) {
		task_fail_early(t, ENV_FAILED, why);
		return;
	}
	ts.in = er->in;
	ts.seeding = er->seeding;
	/* a venv like er's, its deps installed as er installs them */
	retarget_envp(er, t->tmp, &ts.envp);
	ts.env_dir = xstrdup(t->tmp);
	ts.system_site_packages = er->e.system_site_packages;
	ts.steps.direct_venv = 1;
	st = steps_insert(&ts.steps, 0, STEP_CREATE);
	strvec_push(&st->argv, "venv");
	strvec_push(&st->argv, t->tmp);
	steps_install(&ts.steps, STEP_DEPS, &er->e, &t->deps);
	task_run(c, t, &ts);
}

static int layer_found(struct task *t)
{
	char *built_at = layer_built_at(t->dir);

	free(built_at);
	return built_at ? 0 : -1;
}

static int layer_built(struct ctx *c, struct task *t, char *why, size_t whysz)
{
	(void)c;
	if (layer_mark(t->tmp, t->tmp) == 0)
		return 0;
	snprintf(why, whysz, "cannot mark the layer %s: %s", t->tmp, strerror(errno));
	return -1;
}

static const struct task_ops layer_ops = { "layer", layer_start, layer_found, layer_built };

/* The env's deps as layers can hold them: requirements only, no -r/-c/-e or other options. */
static int plain_deps(const struct envrun *er)
{
	for (size_t i = 0; i < er->e.deps.n; i++)
		if (er->e.deps.v[i][0] == '-')
			return 0;
	return er->e.deps.n > 0;
}

/* Whether er's venv will be built (not reused): what a layer is for. */
static int will_build(const struct ctx *c, const struct envrun *er)
{
	uint64_t setup, package;

	return c->o->recreate || er->e.recreate || envmark_read(er->e.env_dir, &setup, &package, NULL) < 0 || setup != er->fp_setup;
}

void layers_plan(struct ctx *c)
{
	size_t *group = xcalloc(c->n ? c->n : 1, sizeof(*group));
	uint64_t *gkey = xcalloc(c->n ? c->n : 1, sizeof(*gkey));
	char *root = layers_root(c);

	for (size_t i = 0; i < c->n; i++) {
		const struct envrun *er = &c->runs[i];
		if (er->ready != ENV_PASSED || !er->steps.direct_venv || !plain_deps(er) || !will_build(c, er))
			continue;
		uint64_t k = fp_stat(fp_str(FP_INIT, "blitz layer 2"), er->in.path);
		k = fp_str(k, er->in.path);
		k = fp_bytes(k, &er->fp_install, sizeof(er->fp_install));
		k = fp_strvec(k, &er->e.install_command);
		k = fp_bytes(k, &er->e.system_site_packages, sizeof(er->e.system_site_packages));
		for (int s = 0; s < SEED_DISTS; s++)
			k = fp_str(k, er->seeding->image[s]);
		gkey[i] = k;
		group[i] = 1;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct strvec common = STRVEC_INIT;
		size_t members = 0;
		if (group[i] != 1)
			continue;
		strvec_extend(&common, &c->runs[i].e.deps);
		for (size_t j = i; j < c->n; j++) {
			if (group[j] != 1 || gkey[j] != gkey[i])
				continue;
			members++;
			for (size_t k = 0; k < common.n;) {
				if (strvec_find(&c->runs[j].e.deps, common.v[k]) >= 0)
					k++;
				else
					strvec_remove(&common, k);
			}
		}
		uint64_t key = fp_strvec(gkey[i], &common);
		struct task *t = NULL;
		if (members >= 2 && common.n) {
			t = task_get(c, TASK_LAYER, &layer_ops, key, root);
			if (!t->deps.n)
				strvec_extend(&t->deps, &common);
		}
		for (size_t j = i; j < c->n; j++) {
			struct envrun *er = &c->runs[j];
			if (group[j] != 1 || gkey[j] != gkey[i])
				continue;
			group[j] = 2;
			if (!t)
				continue;
			int all = 1;
			for (size_t k = 0; k < er->e.deps.n && all; k++)
				all = strvec_find(&common, er->e.deps.v[k]) >= 0;
			envrun_use_layer(er, t, all);
		}
		strvec_clear(&common);
	}
	free(root);
	free(group);
	free(gkey);
}
