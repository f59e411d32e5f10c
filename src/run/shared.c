/*
 * Work done once for several envs of a run: tasks, whose steps run in the
 * pool like an env's while the envs that need them wait without holding a
 * slot; built in a folder of their own and renamed into place when
 * complete, kept for later runs while their key is unchanged. Layers are
 * tasks of this file (the deps several envs share, installed once into a
 * venv of their own and cloned into each); the project's package builds
 * are package.c's.
 */
#define _GNU_SOURCE	/* renameat2 */
#include "run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../env/fingerprint.h"
#include "../env/layer.h"
#include "../util/util.h"

/* a wheel or layer no run has used for this long is removed */
#define UNUSED_FOR (7 * 24 * 3600)

/* Mark a task's folder used now, so that pruning keeps it. */
static void touch(const char *dir)
{
	utimensat(AT_FDCWD, dir, NULL, 0);
}

struct task *task_get(struct ctx *c, enum task_kind kind, uint64_t key, const char *root)
{
	struct task *t;

	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i]->kind == kind && c->tasks[i]->key == key)
			return c->tasks[i];
	t = xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->key = key;
	t->dir = xasprintf("%s/%016llx", root, (unsigned long long)key);
	t->tmp = xasprintf("%s/%016llx.tmp-%ld", root, (unsigned long long)key, (long)getpid());
	t->run.lock_fd = -1;
	t->run.task = t;
	t->run.r = &t->result;
	t->result.name = xstrdup(kind == TASK_LAYER ? "layer" : kind == TASK_BUILD ? "package" : "wheel");
	t->result.log_path = xasprintf("%s/.%s-%016llx.log", c->o->run_dir, t->result.name, (unsigned long long)key);
	c->tasks = xrealloc(c->tasks, (c->ntasks + 1) * sizeof(*c->tasks));
	c->tasks[c->ntasks++] = t;
	if (c->o->recreate) {
		/* -r: nothing an earlier run made is taken; what this run makes replaces it */
	} else if (kind == TASK_LAYER) {
		char *built_at = layer_built_at(t->dir);
		if (built_at)
			t->state = TASK_DONE;
		free(built_at);
	} else if (package_task_found(t) == 0) {
		t->state = TASK_DONE;
	}
	if (t->state == TASK_DONE)
		touch(t->dir);
	return t;
}

void task_free(struct task *t)
{
	steps_release(&t->run.steps);
	strvec_clear(&t->run.envp);
	strvec_clear(&t->deps);
	for (size_t k = 0; k < t->result.nsteps; k++) {
		free(t->result.steps[k].what);
		free(t->result.steps[k].cmd);
	}
	free(t->result.steps);
	free(t->result.name);
	free(t->result.log_path);
	toxenv_release(&t->run.e);
	free(t->artifact);
	free(t->metadata);
	free(t->dir);
	free(t->tmp);
	free(t);
}

static char *layers_root(const struct ctx *c)
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

/* Start task t's steps (t->run's, already in place), its log made anew. */
void task_run_steps(struct ctx *c, struct task *t)
{
	struct envrun *run = &t->run;
	FILE *log;

	if (!run->setup_end)
		run->setup_end = run->steps.n;
	if ((log = fopen(t->result.log_path, "w")))
		fclose(log);
	t->state = TASK_RUNNING;
	run->started = 1;
	run->start_ns = now_ns();
	/* steps done in this process (a venv) may finish it, or fail it, before any job */
	if (envrun_start_step(c, run) < 0 && run->finished)
		task_done(c, t);
}

/* Start layer t with what env er installs with: its interpreter, seeds, install command and environment. */
static void layer_start(struct ctx *c, struct task *t, struct envrun *er)
{
	struct envrun *run = &t->run;
	struct step *st;
	char *root = layers_root(c);

	mkdirs(root);
	free(root);
	remove_tree(t->tmp);	/* this process's own, from a step that failed: never another run's */
	run->in = er->in;
	run->seeding = er->seeding;
	/* a venv like er's, its deps installed as er installs them */
	retarget_envp(er, t->tmp, &run->envp);
	run->e.env_dir = xstrdup(t->tmp);
	run->e.system_site_packages = er->e.system_site_packages;
	run->steps.direct_venv = 1;
	st = steps_insert(&run->steps, 0, STEP_CREATE);
	strvec_push(&st->argv, "venv");
	strvec_push(&st->argv, t->tmp);
	steps_install(&run->steps, STEP_DEPS, &er->e, &t->deps);
	task_run_steps(c, t);
}

/*
 * Where the file system cannot swap two names (RENAME_EXCHANGE: NFS, older
 * ZFS): dir moves aside, tmp into its place, the old one is removed; a
 * kill between leaves the new one or none in place, either of which a later
 * run builds on. 0, or -1 with errno.
 */
static int replace_aside(const char *tmp, const char *dir)
{
	char *aside = xasprintf("%s.old-%ld", tmp, (long)getpid());
	int rc = -1;

	remove_tree(aside);
	if (rename(dir, aside) == 0) {
		int err = 0;
		if (rename(tmp, dir) == 0)
			rc = 0;
		else
			err = errno;
		remove_tree(aside);	/* the old one (the caller's removal of tmp finds nothing) */
		if (err)
			errno = err;
	}
	free(aside);
	return rc;
}

/* Put what task t built in place; 0, or -1 with why in t's result. */
static int task_install(struct ctx *c, struct task *t)
{
	int rc = 0;

	if (t->kind != TASK_LAYER) {
		if (package_task_built(c, t) < 0)
			return -1;
	} else if (layer_mark(t->tmp, t->tmp) < 0) {
		snprintf(t->result.reason, sizeof(t->result.reason), "cannot mark the layer %s: %s", t->tmp, strerror(errno));
		return -1;
	}
	/*
	 * Published by one rename: a kill at any instant leaves the old one
	 * or the new one in place, never half of either. Over one already there
	 * (an earlier run's, replaced by -r; or a half-made one a killed run
	 * left, without its completion mark): both swapped in one step
	 * (RENAME_EXCHANGE), then the old one removed from where the new was.
	 */
	if (rename(t->tmp, t->dir) < 0) {
		int err = errno;
		int there = err == EEXIST || err == ENOTEMPTY;
		char *b = there && t->kind == TASK_LAYER ? layer_built_at(t->dir) : NULL;
		int complete = b || (there && t->kind != TASK_LAYER && package_task_found(t) == 0);
		free(b);
		if (there && complete && !c->o->recreate) {
			remove_tree(t->tmp);	/* another blitz run finished the same first: use its */
		} else if (there && (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->dir, RENAME_EXCHANGE) == 0 ||
				     ((errno == EINVAL || errno == ENOSYS) && replace_aside(t->tmp, t->dir) == 0))) {
			if (!complete)
				envrun_log_line(&t->run, "replaced what a run that was stopped half-way left in", t->dir);
			remove_tree(t->tmp);	/* now the old one */
		} else {
			snprintf(t->result.reason, sizeof(t->result.reason), "cannot move %s to %s: %s", t->tmp, t->dir,
				 strerror(there ? errno : err));
			remove_tree(t->tmp);
			rc = -1;
		}
	}
	if (rc == 0 && t->kind != TASK_LAYER && package_task_found(t) < 0) {
		snprintf(t->result.reason, sizeof(t->result.reason), "%s holds no package after its build", t->dir);
		rc = -1;
	}
	return rc;
}

/* Task t's steps have ended: it is done, or failed; the envs waiting for it go on when slots allow. */
void task_done(struct ctx *c, struct task *t)
{
	if (t->result.status == ENV_PASSED && task_install(c, t) == 0) {
		t->state = TASK_DONE;
		return;
	}
	if (t->result.status == ENV_PASSED)
		t->result.status = ENV_FAILED;
	t->state = TASK_FAILED;
	remove_tree(t->tmp);
}

void append_log(const char *to, const char *from)
{
	size_t len;
	char *text = read_file(from, &len);
	FILE *f = fopen(to, "a");

	if (f && text)
		fwrite(text, 1, len, f);
	if (f)
		fclose(f);
	free(text);
}

void envrun_log_line(const struct envrun *er, const char *what, const char *path)
{
	FILE *f = fopen(er->r->log_path, "a");

	if (f) {
		fprintf(f, "[blitz] %s: %s %s\n", er->r->name, what, path);
		fclose(f);
	}
}

void record_inproc(struct env_result *r, const char *what, const char *cmd, long long t0)
{
	struct step_result *sr;

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	sr = &r->steps[r->nsteps++];
	memset(sr, 0, sizeof(*sr));
	sr->what = xstrdup(what);
	sr->cmd = xstrdup(cmd);
	sr->seconds = (double)(now_ns() - t0) / 1e9;
}

int task_wait(struct ctx *c, struct task *t, struct envrun *er)
{
	char why[512];

	if (t->state == TASK_IDLE) {
		if (t->kind == TASK_LAYER)
			layer_start(c, t, er);
		else
			package_task_start(c, t);
	}
	switch (t->state) {
	case TASK_IDLE:
	case TASK_RUNNING:
		er->waiting = t;
		return 1;
	case TASK_FAILED:
		/* what failed: the task, or the one it needed (a wheel's sdist) */
		if (t->needs && t->needs->state == TASK_FAILED)
			append_log(er->r->log_path, t->needs->result.log_path);
		append_log(er->r->log_path, t->result.log_path);
		snprintf(why, sizeof(why), "%.400s (done once for several envs)", t->result.reason);
		if (t->result.status == ENV_NOT_RUN)
			envrun_finish(er, ENV_NOT_RUN, why);
		else
			envrun_fail(er, t->result.code ? t->result.code : 1, why);
		return -1;
	case TASK_DONE:
		break;
	}
	return 0;
}

int layer_step(struct ctx *c, struct envrun *er)
{
	struct task *t = er->layer;
	long long t0;
	char err[512], why[600];
	int rc = task_wait(c, t, er);

	if (rc != 0)
		return rc;
	t0 = now_ns();
	char *cmd = xconcat("clone ", t->dir, NULL);
	envrun_log_line(er, "cloning the deps installed once for several envs from", t->dir);
	rc = layer_clone(t->dir, er->e.env_dir, err, sizeof(err));
	record_inproc(er->r, "layer", cmd, t0);
	free(cmd);
	if (rc < 0) {
		snprintf(why, sizeof(why), "cloning the deps installed once for several envs failed: %.400s", err);
		envrun_fail(er, 1, why);
		return -1;
	}
	return 0;
}

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

/*
 * Envs to be built that install with blitz's pip, with the same interpreter
 * and install settings, share the deps all of them name: those go into one
 * layer, installed once and cloned into each (STEP_LAYER after the venv is
 * made). An env whose deps are all in the layer runs no pip for them.
 */
void shared_plan_layers(struct ctx *c)
{
	size_t *group = xcalloc(c->n ? c->n : 1, sizeof(*group));
	uint64_t *gkey = xcalloc(c->n ? c->n : 1, sizeof(*gkey));
	char *root = layers_root(c);

	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
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
			t = task_get(c, TASK_LAYER, key, root);
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
			er->layer = t;
			steps_insert(&er->steps, 1, STEP_LAYER);
			int all = 1;
			for (size_t k = 0; k < er->e.deps.n && all; k++)
				all = strvec_find(&common, er->e.deps.v[k]) >= 0;
			for (size_t k = 0; k < er->steps.n && all; k++)
				if (er->steps.v[k].kind == STEP_DEPS) {
					steps_remove(&er->steps, k);
					break;
				}
		}
		strvec_clear(&common);
	}
	free(root);
	free(group);
	free(gkey);
}

/*
 * In root (packages or layers): what no run has used for UNUSED_FOR, and what
 * a run that died left half-built (NAME.tmp-PID, its process gone). Only
 * names blitz gives are touched.
 */
static void prune_root(const char *root, time_t now)
{
	DIR *d = opendir(root);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t hex = strspn(n, "0123456789abcdef");
		struct stat st;
		int gone = 0;
		if (hex != 16)
			continue;
		char *path = xconcat(root, "/", n, NULL);
		if (n[16] == '\0')
			gone = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > UNUSED_FOR;
		else if (strncmp(n + 16, ".tmp-", 5) == 0) {
			char *end;
			long pid = strtol(n + 21, &end, 10);
			gone = !*end && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		}
		if (gone)
			remove_tree(path);
		free(path);
	}
	closedir(d);
}

void shared_prune(struct ctx *c)
{
	char *w = package_root_dir(c), *l = layers_root(c);
	time_t now = time(NULL);

	prune_root(w, now);
	prune_root(l, now);
	free(w);
	free(l);
}
