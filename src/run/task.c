/*
 * Work done once for several envs of a run: tasks, whose steps run in the
 * pool like an env's (envrun.c runs them) while the envs that need them
 * wait without holding a slot; built in a folder of their own and renamed
 * into place when complete, kept for later runs while their key is
 * unchanged. What a task builds is its kind's (struct task_ops): layers of
 * shared deps (layers.c), the project's package (package.c).
 */
#define _GNU_SOURCE	/* renameat2 */
#include "run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/rundir.h"
#include "../util/util.h"

/* a wheel or layer no run has used for this long is removed */
#define UNUSED_FOR (7 * 24 * 3600)

/* Mark a task's folder used now, so that pruning keeps it. */
static void touch(const char *dir)
{
	utimensat(AT_FDCWD, dir, NULL, 0);
}

struct task *task_get(struct ctx *c, enum task_kind kind, const struct task_ops *ops, uint64_t key, const char *root)
{
	struct task *t;

	for (size_t i = 0; i < c->tasks.n; i++)
		if (c->tasks.v[i]->kind == kind && c->tasks.v[i]->key == key)
			return c->tasks.v[i];
	t = xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->ops = ops;
	t->key = key;
	t->dir = xasprintf("%s/%016llx", root, (unsigned long long)key);
	t->tmp_lock = -1;	/* t->tmp: made when it starts (task_make_tmp) */
	char *log = xasprintf("%s/.%s-%016llx.log", c->o->run_dir, ops->name, (unsigned long long)key);
	record_init(&t->result, ops->name, log);
	free(log);
	envrun_init_task(&t->run, t, &t->result);
	c->tasks.v = xrealloc(c->tasks.v, (c->tasks.n + 1) * sizeof(*c->tasks.v));
	c->tasks.v[c->tasks.n++] = t;
	/* -r: nothing an earlier run made is taken; what this run makes replaces it */
	if (!c->o->recreate && ops->found(t) == 0) {
		t->state = TASK_DONE;
		touch(t->dir);
	}
	return t;
}

static void task_free(struct task *t)
{
	envrun_release(&t->run);
	strvec_clear(&t->deps);
	strvec_clear(&t->envp);
	record_release(&t->result);
	free(t->artifact);
	free(t->metadata);
	free(t->root);
	free(t->dir);
	free(t->tmp);
	if (t->tmp_lock >= 0)
		close(t->tmp_lock);
	free(t);
}

void task_rekey(struct task *t, uint64_t key, const char *root)
{
	t->key = key;
	free(t->dir);
	t->dir = xasprintf("%s/%016llx", root, (unsigned long long)key);
}

int task_make_tmp(struct task *t, char *why, size_t whysz)
{
	char *root = xstrndup(t->dir, (size_t)(strrchr(t->dir, '/') - t->dir));
	char *prefix = xasprintf("%016llx.tmp", (unsigned long long)t->key), err[600];

	if (t->tmp_lock >= 0) {
		remove_tree(t->tmp);	/* its own, from a start before */
		close(t->tmp_lock);
	}
	free(t->tmp);
	t->tmp = NULL;
	if (mkdirs(root) == 0)
		t->tmp = rundir_claim(root, prefix, 0755, &t->tmp_lock, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "cannot create %s: %s", root, strerror(errno));
	if (!t->tmp)
		snprintf(why, whysz, "%s", err);
	free(root);
	free(prefix);
	return t->tmp ? 0 : -1;
}

void task_start(struct ctx *c, struct task *t, const struct envrun *er)
{
	if (t->state == TASK_IDLE || (t->state == TASK_RUNNING && t->run.waiting))
		t->ops->start(c, t, er);
}

void task_run(struct ctx *c, struct task *t, struct task_setup *ts)
{
	FILE *log;

	if ((log = fopen(t->result.log_path, "w")))
		fclose(log);
	t->state = TASK_RUNNING;
	/* steps done in this process (a venv) may finish it, or fail it, before any job */
	if (envrun_begin_task(c, &t->run, ts) < 0 && t->run.finished)
		task_done(c, t);
}

void task_wait_for(struct task *t, struct task *other)
{
	t->state = TASK_RUNNING;
	envrun_wait_for(&t->run, other);
}

void task_fail_early(struct task *t, enum env_status status, const char *why)
{
	record_end(&t->result, status, why, NULL, 1, 0, -1);
	envrun_wait_for(&t->run, NULL);
	t->state = TASK_FAILED;
}

/*
 * Where the file system cannot swap two names (RENAME_EXCHANGE: NFS, older
 * ZFS): dir moves aside, tmp into its place, the old one is removed; a
 * kill between leaves the new one or none in place, either of which a later
 * run builds on. 0, or -1 with errno.
 */
static int replace_aside(const char *tmp, const char *dir)
{
	char *aside = xconcat(tmp, ".old", NULL);	/* tmp's name is this run's alone */
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

/* Put what task t built in place; 0, or -1 with why (into why). */
static int task_install(struct ctx *c, struct task *t, char *why, size_t whysz)
{
	if (t->ops->built(c, t, why, whysz) < 0)
		return -1;
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
		int complete = there && t->ops->found(t) == 0;
		if (complete && !c->o->recreate) {
			remove_tree(t->tmp);	/* another blitz run finished the same first: use its */
		} else if (there && (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->dir, RENAME_EXCHANGE) == 0 ||
				     ((errno == EINVAL || errno == ENOSYS) && replace_aside(t->tmp, t->dir) == 0))) {
			if (!complete)
				record_line(&t->result, "replaced what a run that was stopped half-way left in", t->dir);
			remove_tree(t->tmp);	/* now the old one */
		} else {
			snprintf(why, whysz, "cannot move %s to %s: %s", t->tmp, t->dir, strerror(there ? errno : err));
			remove_tree(t->tmp);
			return -1;
		}
	}
	if (t->ops->found(t) < 0) {
		snprintf(why, whysz, "%s holds no package after its build", t->dir);
		return -1;
	}
	return 0;
}

void task_done(struct ctx *c, struct task *t)
{
	char why[1024] = "";

	if (t->result.status == ENV_PASSED && task_install(c, t, why, sizeof(why)) == 0) {
		t->state = TASK_DONE;
	} else {
		if (t->result.status == ENV_PASSED)
			record_end(&t->result, ENV_FAILED, why, NULL, 1, 0, -1);
		t->state = TASK_FAILED;
		remove_tree(t->tmp);
	}
	if (t->tmp_lock >= 0)
		close(t->tmp_lock);	/* what it held is published, or gone */
	t->tmp_lock = -1;
}

void task_prune(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *de;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;
		if (strspn(n, "0123456789abcdef") != 16 || n[16] != '\0')
			continue;
		char *path = xconcat(root, "/", n, NULL);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > UNUSED_FOR)
			remove_tree(path);
		free(path);
	}
	closedir(d);
	/*
	 * what a run that died left half-built: KEY.tmp-..., which its run
	 * held locked while it lived (whatever its pid means in this PID
	 * namespace)
	 */
	rundir_reap(root, "*.tmp", NULL, NULL, NULL);
}

void tasks_release(struct ctx *c)
{
	for (size_t i = 0; i < c->tasks.n; i++) {
		if (c->tasks.v[i]->tmp_lock >= 0)
			remove_tree(c->tasks.v[i]->tmp);	/* an interrupted one's */
		task_free(c->tasks.v[i]);
	}
	free(c->tasks.v);
	c->tasks.v = NULL;
	c->tasks.n = 0;
}
