/*
 * blitz run's engine: each env's steps (venv, deps, project, commands) run as
 * jobs of the pool, one step after the other, several envs at once, in the
 * order the scheduler gives. Returns data; the front end reports.
 */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envvars.h"
#include "pool.h"
#include "steps.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../env/fingerprint.h"
#include "../env/interp.h"
#include "../env/layer.h"
#include "../env/pipcache.h"
#include "../plan/sched.h"
#include "../plan/width.h"
#include "../state/db.h"
#include "../util/strvec.h"
#include "../util/util.h"

extern char **environ;

struct task;

struct envrun {
	struct toxenv e;
	int resolved;
	char error[512];		/* why it could not be resolved, or cannot run (see ready) */
	enum env_status ready;		/* ENV_PASSED: prepared and ready to start; else how it ends when started */
	struct interp in;		/* its interpreter */
	char *pip_dir;			/* the pip blitz runs from outside its venv, or NULL */
	struct steps steps;
	size_t next;			/* the step to run next */
	struct strvec envp;
	struct env_result *r;
	long long start_ns;
	int started, finished;
	long long timeout_ns;		/* for its commands */
	size_t setup_end;		/* its first command step (steps before it set the env up) */
	uint64_t fp_setup, fp_package;	/* what its venv and deps, and its project, are built from */
	uint64_t fp_install;		/* the PIP_/UV_/VIRTUALENV_ settings it installs with */
	int building;			/* set-up steps run: when done, the env is marked built */
	int lock_fd;			/* held while its env is checked and built; -1: none */
	int waiting_lock;		/* another blitz run is building the same env_dir */
	struct task *layer;		/* the layer of shared deps its STEP_LAYER clones */
	struct task *waiting;		/* the task it waits for (it holds no slot meanwhile) */
	struct task *task;		/* this is no env but the steps of this task */
};

/*
 * Work several envs of a run wait for, done once: the project's wheel
 * (built by the first env that needs it), a layer of the deps several envs
 * share (installed once, then cloned into each). Built in a folder of its
 * own (tmp) and renamed into place when complete, so a concurrent blitz run
 * never sees half of it; reused by later runs while its key is unchanged.
 */
struct task {
	enum task_kind { TASK_WHEEL, TASK_LAYER } kind;
	uint64_t key;
	char *dir;			/* where it lives when done: the wheel's folder, the layer's venv */
	char *tmp;			/* where it is built */
	enum { TASK_IDLE, TASK_RUNNING, TASK_DONE, TASK_FAILED } state;
	char *wheel;			/* TASK_WHEEL, done: the wheel file */
	int pure;			/* TASK_WHEEL, done: a *-none-any wheel, for every interpreter of its major */
	struct strvec deps;		/* TASK_LAYER: the deps it holds */
	struct envrun run;		/* its steps, run as an env's are */
	struct env_result result;
};

/* What every env of a run shares, and where the run stands. */
struct ctx {
	struct pool *p;
	struct tox *t;
	const struct run_opts *o;
	uint64_t tree;			/* the project's source tree (fp_tree), once computed */
	int have_tree;
	struct sched *s;
	struct db *db;
	struct envrun *runs;
	size_t n;
	const double *predicted;	/* seconds per env from history, -1: unknown */
	run_progress_fn progress;
	void *pctx;
	long long t0;
	size_t slots, running, done;
	int stopping;
	struct task **tasks;
	size_t ntasks;
};

static const char *step_name(enum step_kind k)
{
	switch (k) {
	case STEP_CREATE: return "creating the venv";
	case STEP_DEPS: return "installing deps";
	case STEP_PACKAGE: return "installing the project";
	case STEP_LAYER: return "cloning the deps installed once for several envs";
	case STEP_WHEEL: return "building the project's wheel";
	default: return "command";
	}
}

/* tox runs only programs of the env or in allowlist_externals: say which it is not. */
static int allowed(const struct envrun *er, const char *argv0, const char *path)
{
	char *prog = pool_find_program(argv0, path);
	int ok = 0;

	if (prog && strncmp(prog, er->e.env_dir, strlen(er->e.env_dir)) == 0 && prog[strlen(er->e.env_dir)] == '/')
		ok = 1;
	for (size_t i = 0; i < er->e.allowlist_externals.n && !ok; i++) {
		const char *pat = er->e.allowlist_externals.v[i];
		ok = tox_glob_match(pat, argv0, 0) || (prog && tox_glob_match(pat, prog, 0));
	}
	free(prog);
	return ok || !prog;	/* not found at all: the pool says so */
}

static const char *env_path_of(const struct strvec *envp)
{
	for (size_t i = 0; i < envp->n; i++)
		if (strncmp(envp->v[i], "PATH=", 5) == 0)
			return envp->v[i] + 5;
	return NULL;
}

/* Let other blitz runs build this env_dir. */
static void unlock_env(struct envrun *er)
{
	if (er->lock_fd >= 0) {
		close(er->lock_fd);
		er->lock_fd = -1;
	}
	er->waiting_lock = 0;
}

static void finish(struct envrun *er, enum env_status status, const char *reason)
{
	unlock_env(er);
	er->finished = 1;
	er->r->status = status;
	if (reason)
		snprintf(er->r->reason, sizeof(er->r->reason), "%s", reason);
	if (status == ENV_FAILED && er->resolved && er->e.ignore_outcome) {
		er->r->ignored_failure = 1;
		er->r->status = ENV_PASSED;
	}
	if (er->started)
		er->r->seconds = (double)(now_ns() - er->start_ns) / 1e9;
}

/*
 * The step's words, shell-quoted so a person can paste them, joined
 * (allocated). A word holding ' but nothing a shell expands inside "..." is
 * put in double quotes, which reads better than shlex's '"'"'.
 */
static char *step_cmd(const struct step *st)
{
	char *cmd = xstrdup("");

	for (size_t i = 0; i < st->argv.n; i++) {
		const char *w = st->argv.v[i];
		char *q = strchr(w, '\'') && !strpbrk(w, "\"$`\\!") ? xconcat("\"", w, "\"", NULL) : shlex_quote(w);
		char *next = xconcat(cmd, i ? " " : "", q, NULL);
		free(cmd);
		free(q);
		cmd = next;
	}
	return cmd;
}

/*
 * Before each step, a line in the env's log saying what runs where, so that a
 * log read alone tells which command printed what.
 */
static void log_header(const struct envrun *er, const struct step *st, const char *cwd)
{
	FILE *f = fopen(er->r->log_path, "a");
	char *cmd = step_cmd(st);

	if (f) {
		fprintf(f, "[blitz] %s: %s in %s\n[blitz] $ %s\n", er->r->name, step_name(st->kind), cwd ? cwd : ".", cmd);
		fclose(f);
	}
	free(cmd);
}

/* A wheel file pip made in dir (allocated), or NULL. */
static char *find_wheel(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 4 && strcmp(de->d_name + n - 4, ".whl") == 0)
			found = xconcat(dir, "/", de->d_name, NULL);
	}
	closedir(d);
	return found;
}

/* A wheel any interpreter of its major version installs: its tags end in -none-any. */
static int wheel_pure(const char *path)
{
	size_t n = strlen(path);

	return n > 13 && strcmp(path + n - 13, "-none-any.whl") == 0;
}

/* Mark a task's folder used now, so that pruning keeps it. */
static void touch(const char *dir)
{
	utimensat(AT_FDCWD, dir, NULL, 0);
}

/* The task of kind and key, made idle when there is none yet (or done, when an earlier run left its result). */
static struct task *task_get(struct ctx *c, enum task_kind kind, uint64_t key, const char *root)
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
	t->result.name = xstrdup(kind == TASK_WHEEL ? "wheel" : "layer");
	t->result.log_path = xasprintf("%s/.%s-%016llx.log", c->o->run_dir, t->result.name, (unsigned long long)key);
	c->tasks = xrealloc(c->tasks, (c->ntasks + 1) * sizeof(*c->tasks));
	c->tasks[c->ntasks++] = t;
	if (kind == TASK_LAYER) {
		char *built_at = layer_built_at(t->dir);
		if (built_at)
			t->state = TASK_DONE;
		free(built_at);
	} else if ((t->wheel = find_wheel(t->dir))) {
		t->state = TASK_DONE;
		t->pure = wheel_pure(t->wheel);
	}
	if (t->state == TASK_DONE)
		touch(t->dir);
	return t;
}

static void task_free(struct task *t)
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
	free(t->run.pip_dir);
	free(t->wheel);
	free(t->dir);
	free(t->tmp);
	free(t);
}

static char *wheels_root(const struct ctx *c)
{
	return xconcat(c->o->state_dir, "/wheels", NULL);
}

static char *layers_root(const struct ctx *c)
{
	return xconcat(c->t->workdir, "/.blitz-layers", NULL);
}

/*
 * The wheel env er installs: one built from this source tree for its major
 * version when that one is pure (or not yet built: it decides), else one
 * built with er's interpreter.
 */
static struct task *wheel_task(struct ctx *c, struct envrun *er)
{
	char *root = wheels_root(c);
	uint64_t key = fp_bytes(fp_str(FP_INIT, "blitz wheel 1"), &c->tree, sizeof(c->tree));
	struct task *t;

	key = fp_bytes(key, &er->in.major, sizeof(er->in.major));
	t = task_get(c, TASK_WHEEL, key, root);
	if (t->state == TASK_DONE && !t->pure && !(t->run.pip_dir && strcmp(t->run.in.path, er->in.path) == 0))
		t = task_get(c, TASK_WHEEL, fp_str(key, er->in.path), root);
	free(root);
	return t;
}

static int start_step(struct ctx *c, struct envrun *er);

/* Start task t with what env er installs with: its interpreter, pip and environment. */
static void task_start(struct ctx *c, struct task *t, struct envrun *er)
{
	struct envrun *run = &t->run;
	struct step *st;
	char *root = t->kind == TASK_WHEEL ? wheels_root(c) : layers_root(c);
	FILE *log;

	mkdirs(root);
	free(root);
	remove_tree(t->tmp);	/* this process's own, from a step that failed: never another run's */
	run->in = er->in;
	run->pip_dir = xstrdup(er->pip_dir);
	strvec_extend(&run->envp, &er->envp);
	if (t->kind == TASK_WHEEL) {
		st = steps_insert(&run->steps, 0, STEP_WHEEL);
		strvec_push(&st->argv, er->in.path);
		strvec_push(&st->argv, "-I");
		strvec_push_owned(&st->argv, xconcat(er->pip_dir, "/pip", NULL));
		strvec_push(&st->argv, "wheel");
		strvec_push(&st->argv, "--no-deps");
		strvec_push(&st->argv, "-w");
		strvec_push(&st->argv, t->tmp);
		strvec_push(&st->argv, c->t->toxinidir);
	} else {
		st = steps_insert(&run->steps, 0, STEP_CREATE);
		strvec_push(&st->argv, er->in.path);
		strvec_push(&st->argv, "-m");
		strvec_push(&st->argv, "venv");
		strvec_push(&st->argv, "--without-pip");
		strvec_push(&st->argv, t->tmp);
		st = steps_insert(&run->steps, 1, STEP_DEPS);
		strvec_push_owned(&st->argv, xconcat(t->tmp, "/bin/python", NULL));
		strvec_push(&st->argv, "-I");
		strvec_push_owned(&st->argv, xconcat(er->pip_dir, "/pip", NULL));
		strvec_push(&st->argv, "install");
		strvec_extend(&st->argv, &t->deps);
	}
	run->setup_end = run->steps.n;
	if ((log = fopen(t->result.log_path, "w")))
		fclose(log);
	t->state = TASK_RUNNING;
	run->started = 1;
	run->start_ns = now_ns();
	start_step(c, run);
}

/* Put what task t built in place; 0, or -1 with why in t's result. */
static int task_install(struct task *t)
{
	int rc = 0;

	if (t->kind == TASK_WHEEL) {
		char *w = find_wheel(t->tmp);
		if (!w) {
			snprintf(t->result.reason, sizeof(t->result.reason), "pip wheel made no wheel in %s", t->tmp);
			return -1;
		}
		free(w);
	} else if (layer_mark(t->tmp, t->tmp) < 0) {
		snprintf(t->result.reason, sizeof(t->result.reason), "cannot mark the layer %s: %s", t->tmp, strerror(errno));
		return -1;
	}
	if (rename(t->tmp, t->dir) < 0) {
		/* another blitz run finished the same first: use its */
		int theirs = errno == EEXIST || errno == ENOTEMPTY;
		char *b = theirs && t->kind == TASK_LAYER ? layer_built_at(t->dir) : NULL;
		char *w = theirs && t->kind == TASK_WHEEL ? find_wheel(t->dir) : NULL;
		if (!b && !w) {
			snprintf(t->result.reason, sizeof(t->result.reason), "cannot move %s to %s: %s", t->tmp, t->dir,
				 strerror(errno));
			rc = -1;
		}
		free(b);
		free(w);
		remove_tree(t->tmp);
	}
	if (rc == 0 && t->kind == TASK_WHEEL) {
		t->wheel = find_wheel(t->dir);
		t->pure = t->wheel && wheel_pure(t->wheel);
		rc = t->wheel ? 0 : -1;
	}
	return rc;
}

/* Task t's steps have ended: it is done, or failed; the envs waiting for it go on when slots allow. */
static void task_done(struct task *t)
{
	if (t->result.status == ENV_PASSED && task_install(t) == 0) {
		t->state = TASK_DONE;
		return;
	}
	if (t->result.status == ENV_PASSED)
		t->result.status = ENV_FAILED;
	t->state = TASK_FAILED;
	remove_tree(t->tmp);
}

/* Copy the log of what er waited for into er's own, which the report shows. */
static void append_log(const char *to, const char *from)
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

static void log_line(const struct envrun *er, const char *what, const char *path)
{
	FILE *f = fopen(er->r->log_path, "a");

	if (f) {
		fprintf(f, "[blitz] %s: %s %s\n", er->r->name, what, path);
		fclose(f);
	}
}

static void record_inproc(struct env_result *r, const char *what, const char *cmd, long long t0)
{
	struct step_result *sr;

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	sr = &r->steps[r->nsteps++];
	memset(sr, 0, sizeof(*sr));
	sr->what = xstrdup(what);
	sr->cmd = xstrdup(cmd);
	sr->seconds = (double)(now_ns() - t0) / 1e9;
}

static void finish(struct envrun *er, enum env_status status, const char *reason);

/*
 * Env er's STEP_LAYER or STEP_WHEEL: wait for its task (starting it when no
 * env has yet), then clone the layer, or point the project's install at the
 * wheel. Returns 0 to go on with the next step, 1 while waiting, -1 when the
 * env finished (its task failed or was stopped).
 */
static int shared_step(struct ctx *c, struct envrun *er, const struct step *st)
{
	struct task *t = st->kind == STEP_LAYER ? er->layer : wheel_task(c, er);
	char why[512];

	switch (t->state) {
	case TASK_IDLE:
		task_start(c, t, er);
		if (t->state != TASK_RUNNING)
			return shared_step(c, er, st);
		/* fall through */
	case TASK_RUNNING:
		er->waiting = t;
		return 1;
	case TASK_FAILED:
		append_log(er->r->log_path, t->result.log_path);
		snprintf(why, sizeof(why), "%.400s (done once for several envs)", t->result.reason);
		finish(er, t->result.status == ENV_NOT_RUN ? ENV_NOT_RUN : ENV_FAILED, why);
		return -1;
	case TASK_DONE:
		break;
	}
	if (t->kind == TASK_LAYER) {
		long long t0 = now_ns();
		char err[512];
		char *cmd = xconcat("clone ", t->dir, NULL);
		log_line(er, "cloning the deps installed once for several envs from", t->dir);
		int rc = layer_clone(t->dir, er->e.env_dir, err, sizeof(err));
		record_inproc(er->r, "layer", cmd, t0);
		free(cmd);
		if (rc < 0) {
			snprintf(why, sizeof(why), "cloning the deps installed once for several envs failed: %.400s", err);
			finish(er, ENV_FAILED, why);
			return -1;
		}
		return 0;
	}
	/* the project's install names the source tree: the wheel instead, extras kept */
	struct step *pkg = er->next + 1 < er->steps.n ? &er->steps.v[er->next + 1] : NULL;
	size_t rootlen = strlen(c->t->toxinidir);
	log_line(er, "installing the project from the wheel built once for this run:", t->wheel);
	for (size_t i = 0; pkg && pkg->kind == STEP_PACKAGE && i < pkg->argv.n; i++) {
		const char *w = pkg->argv.v[i];
		if (strncmp(w, c->t->toxinidir, rootlen) == 0 && (w[rootlen] == '\0' || w[rootlen] == '[')) {
			char *nw = xconcat(t->wheel, w + rootlen, NULL);
			free(pkg->argv.v[i]);
			pkg->argv.v[i] = nw;
		}
	}
	return 0;
}

/*
 * Start env er's next step; returns 0, 1 when it waits for a task (it holds
 * no slot then), or -1 when it finished without one (check r->status).
 */
static int start_step(struct ctx *c, struct envrun *er)
{
	while (er->next < er->steps.n) {
		struct step *st = &er->steps.v[er->next];
		struct job_spec spec = { 0 };
		if (!er->task && (st->kind == STEP_LAYER || st->kind == STEP_WHEEL)) {
			int rc = shared_step(c, er, st);
			if (rc != 0)
				return rc;
			er->next++;
			continue;
		}
		if (st->kind == STEP_COMMAND && !allowed(er, st->argv.v[0], env_path_of(&er->envp))) {
			char why[512];
			snprintf(why, sizeof(why), "'%s' is not installed in the env and not in allowlist_externals: add it there or to deps",
				 st->argv.v[0]);
			finish(er, ENV_FAILED, why);
			return -1;
		}
		spec.argv = st->argv.v;
		spec.envp = er->envp.v;
		spec.cwd = st->kind == STEP_COMMAND ? er->e.change_dir : c->t->toxinidir;
		spec.log_path = er->r->log_path;
		spec.append = 1;
		log_header(er, st, spec.cwd);
		spec.timeout_ns = st->kind == STEP_COMMAND ? er->timeout_ns : 0;
		spec.data = er;
		pool_start(c->p, &spec);
		return 0;
	}
	finish(er, ENV_PASSED, NULL);
	return -1;
}

/* pip installs a folder with a pyproject.toml or a setup.py. */
static int installable(const char *root)
{
	char *a = xconcat(root, "/pyproject.toml", NULL), *b = xconcat(root, "/setup.py", NULL);
	int ok = access(a, F_OK) == 0 || access(b, F_OK) == 0;

	free(a);
	free(b);
	return ok;
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
	tox_env_requirement_files(c->t, &er->e, &files);
	for (size_t i = 0; i < files.n; i++)
		h = fp_file(h, files.v[i]);
	strvec_clear(&files);
	/* sorted: the order of the variables in blitz's own environment depends on the shell that started it */
	struct strvec install_env = STRVEC_INIT;
	for (size_t i = 0; i < er->envp.n; i++) {
		const char *kv = er->envp.v[i];
		if (!strncmp(kv, "PIP_", 4) || !strncmp(kv, "UV_", 3) || !strncmp(kv, "VIRTUALENV_", 11))
			strvec_push(&install_env, kv);
	}
	strvec_sort(&install_env);
	h = fp_strvec(h, &install_env);
	er->fp_install = fp_strvec(FP_INIT, &install_env);
	strvec_clear(&install_env);
	er->fp_setup = h;
	er->fp_package = 0;
	for (size_t i = 0; i < er->steps.n; i++) {
		if (er->steps.v[i].kind != STEP_PACKAGE)
			continue;
		uint64_t ph = fp_strvec(fp_str(FP_INIT, "blitz package 1"), &er->steps.v[i].argv);
		if (er->e.use_develop || strcmp(er->e.package, "editable") == 0) {
			static const char *const build_files[] = { "pyproject.toml", "setup.py", "setup.cfg" };
			for (size_t k = 0; k < sizeof(build_files) / sizeof(*build_files); k++) {
				char *f = xconcat(c->t->toxinidir, "/", build_files[k], NULL);
				ph = fp_file(ph, f);
				free(f);
			}
		} else {
			if (!c->have_tree) {
				struct strvec skip = STRVEC_INIT;
				strvec_push(&skip, c->t->workdir);
				c->tree = fp_tree(FP_INIT, c->t->toxinidir, &skip);
				c->have_tree = 1;
				strvec_clear(&skip);
			}
			ph = fp_bytes(ph, &c->tree, sizeof(c->tree));
		}
		er->fp_package = ph ? ph : 1;	/* 0 means "no project installed" */
	}
}

/* A folder that holds nothing, or nothing at all. */
static int empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return errno == ENOENT;
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/*
 * Decide where env er starts: an env whose mark matches its set-up is reused
 * (no venv, no deps; the project again only when it changed); any other is
 * built from scratch over its old venv (--clear), but never over a folder that
 * is not a venv. Returns 0, or -1 when the env cannot be built (finished).
 */
static int plan_build(struct ctx *c, struct envrun *er)
{
	uint64_t setup, package;
	const char *dir = er->e.env_dir;

	er->setup_end = er->steps.n;
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_COMMAND) {
			er->setup_end = i;
			break;
		}
	if (!c->o->recreate && envmark_read(dir, &setup, &package) == 0 && setup == er->fp_setup) {
		er->r->reused = 1;
		while (er->next < er->setup_end && er->steps.v[er->next].kind != STEP_PACKAGE &&
		       er->steps.v[er->next].kind != STEP_WHEEL)
			er->next++;
		if (er->next < er->setup_end && package == er->fp_package)
			er->next = er->setup_end;
		else if (er->next < er->setup_end)
			envmark_write(dir, setup, 0);	/* the project is being replaced */
	} else {
		char *cfg = xconcat(dir, "/pyvenv.cfg", NULL);
		int is_venv = access(cfg, F_OK) == 0;
		free(cfg);
		envmark_clear(dir);
		if (is_venv) {
			struct strvec *argv = &er->steps.v[0].argv;
			strvec_insert(argv, argv->n - 1, "--clear");
		} else if (!empty_dir(dir)) {
			char why[512];
			snprintf(why, sizeof(why), "env_dir %s exists and is not a virtual environment (no pyvenv.cfg): "
				 "blitz will not delete it; remove it or point env_dir elsewhere", dir);
			finish(er, ENV_FAILED, why);
			return -1;
		}
	}
	er->building = er->next < er->setup_end;
	return 0;
}

/*
 * Take env er's lock, a file under .blitz/locks named after its env_dir (which
 * a rebuild clears): two blitz runs on one project never build or check the
 * same venv at once. Returns 1 when held (or when locks cannot be had: a
 * warning, and the run goes on), 0 when another run holds it.
 */
static int lock_env(struct ctx *c, struct envrun *er)
{
	if (er->lock_fd < 0) {
		char *dir = xconcat(c->o->state_dir, "/locks", NULL);
		char *path = xasprintf("%s/%016llx.lock", dir, (unsigned long long)fp_str(FP_INIT, er->e.env_dir));
		mkdirs(dir);
		er->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (er->lock_fd < 0)
			warn("cannot open the lock '%s' of env %s (%s): building it without one", path, er->r->name,
			     strerror(errno));
		free(path);
		free(dir);
		if (er->lock_fd < 0)
			return 1;
	}
	if (flock(er->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	if (errno != EWOULDBLOCK && errno != EINTR) {
		close(er->lock_fd);
		er->lock_fd = -1;
		return 1;
	}
	return 0;
}

/* Env er holds its lock: decide what to build and start its first step. */
static void build_env(struct ctx *c, struct envrun *er)
{
	er->waiting_lock = 0;
	if (plan_build(c, er) < 0)
		return;
	if (!er->building)
		unlock_env(er);	/* reused as it is: nothing to guard */
	start_step(c, er);
}

/*
 * Before the run starts: find env er's interpreter and the pip blitz runs
 * for it, and work out its steps, environment and fingerprints. An env that
 * cannot run gets er->ready (how it ends) and er->error (why) instead.
 */
static void prepare_env(struct ctx *c, struct envrun *er)
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
	for (size_t i = 0; i < er->e.base_python.n && found < 0; i++)
		found = interp_find(er->e.base_python.v[i], &er->in);
	if (found < 0) {
		snprintf(er->error, sizeof(er->error), "no interpreter for base_python '%s' (looked on PATH and in pyenv's versions)",
			 er->e.base_python.n ? er->e.base_python.v[0] : "");
		if (c->o->skip_missing != SKIP_MISSING_CONFIG)
			er->e.skip_missing_interpreters = c->o->skip_missing == SKIP_MISSING_YES;
		er->ready = er->e.skip_missing_interpreters ? ENV_SKIPPED : ENV_FAILED;
		return;
	}
	if (!er->e.skip_install && strcmp(er->e.package, "skip") != 0 && !installable(t->toxinidir)) {
		snprintf(er->error, sizeof(er->error), "no pyproject.toml or setup.py in %s to install the project from: "
			 "set skip_install = true for an env that tests no package", t->toxinidir);
		return;
	}
	char wheel[4096], pip[4096];
	if (interp_pip_wheel(&er->in, wheel, sizeof(wheel)) == 0 && pipcache_dir(&er->in, wheel, pip, sizeof(pip)) == 0)
		er->pip_dir = xstrdup(pip);
	steps_build(&er->e, er->in.path, er->pip_dir, t->toxinidir, t->tox3, &er->steps);
	envvars_build(&er->e, t->workdir, environ, &er->envp);
	fingerprints(c, er, &er->in);
	/* the project as a wheel built once for the run (with blitz's pip), unless installed editable */
	for (size_t i = 0; i < er->steps.n && er->pip_dir; i++)
		if (er->steps.v[i].kind == STEP_PACKAGE && !er->e.use_develop && strcmp(er->e.package, "editable") != 0) {
			steps_insert(&er->steps, i, STEP_WHEEL);
			break;
		}
	er->ready = ENV_PASSED;
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

	return c->o->recreate || envmark_read(er->e.env_dir, &setup, &package) < 0 || setup != er->fp_setup;
}

/*
 * Envs to be built that install with blitz's pip, with the same interpreter
 * and install settings, share the deps all of them name: those go into one
 * layer, installed once and cloned into each (STEP_LAYER after the venv is
 * made). An env whose deps are all in the layer runs no pip for them.
 */
static void plan_layers(struct ctx *c)
{
	size_t *group = xcalloc(c->n ? c->n : 1, sizeof(*group));
	uint64_t *gkey = xcalloc(c->n ? c->n : 1, sizeof(*gkey));
	char *root = layers_root(c);

	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (er->ready != ENV_PASSED || !er->steps.outside_pip || !plain_deps(er) || !will_build(c, er))
			continue;
		uint64_t k = fp_stat(fp_str(FP_INIT, "blitz layer 1"), er->in.path);
		k = fp_str(k, er->in.path);
		k = fp_bytes(k, &er->fp_install, sizeof(er->fp_install));
		gkey[i] = fp_str(k, er->pip_dir);
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

static void start_env(struct ctx *c, struct envrun *er)
{
	er->started = 1;
	er->start_ns = now_ns();
	if (er->ready != ENV_PASSED) {
		finish(er, er->ready, er->error);
		return;
	}
	if (!lock_env(c, er)) {
		FILE *f = fopen(er->r->log_path, "w");
		if (f) {
			fprintf(f, "[blitz] %s: waiting for another blitz run that is building %s\n", er->r->name,
				er->e.env_dir);
			fclose(f);
		}
		er->waiting_lock = 1;
		return;
	}
	build_env(c, er);
}

static void record_step(struct env_result *r, const struct step *st, const struct job *j)
{
	static const char *const kinds[] = { "create", "deps", "package", "command", "layer", "wheel" };
	struct step_result *sr;
	char *cmd = step_cmd(st);

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	sr = &r->steps[r->nsteps++];
	sr->what = xstrdup(kinds[st->kind]);
	sr->cmd = cmd;
	sr->exit_code = j->end == JOB_EXITED ? j->exit_code : -1;
	sr->signo = j->end == JOB_SIGNALED ? j->signo : 0;
	sr->seconds = (double)(j->end_ns - j->start_ns) / 1e9;
	sr->cpu_seconds = (double)j->cpu_ns / 1e9;
}

/* A step's job ended: go on with the env, or record why it failed. */
static void step_done(struct ctx *c, struct envrun *er, struct job *j)
{
	struct step *st = &er->steps.v[er->next];
	char why[512] = "";
	char *cmd = step_cmd(st);

	if (strlen(cmd) > 100)
		strcpy(cmd + 97, "...");
	if (j->end == JOB_EXITED && j->exit_code == 0) {
		/* fine */
	} else if (j->end == JOB_SPAWN_FAILED) {
		snprintf(why, sizeof(why), "%s: %s", step_name(st->kind), j->error);
	} else if (j->end == JOB_EXITED) {
		snprintf(why, sizeof(why), "%s failed with exit code %d: %s", step_name(st->kind), j->exit_code, cmd);
	} else if (j->end == JOB_SIGNALED) {
		snprintf(why, sizeof(why), "%s was killed by signal %d (%s): %s", step_name(st->kind), j->signo,
			 strsignal(j->signo), cmd);
	} else if (j->end == JOB_TIMED_OUT) {
		snprintf(why, sizeof(why), "%s ran out of time (--timeout) and was stopped: %s", step_name(st->kind), cmd);
	} else {
		snprintf(why, sizeof(why), "stopped while %s ran: %s", step_name(st->kind), cmd);
	}
	free(cmd);
	record_step(er->r, st, j);
	er->next++;
	if (why[0] && !(st->kind == STEP_COMMAND && st->ignore_exit && j->end != JOB_STOPPED)) {
		finish(er, j->end == JOB_STOPPED ? ENV_NOT_RUN : ENV_FAILED, why);
		return;
	}
	if (er->building && er->next == er->setup_end) {
		/* venv, deps and project in place: the next run may reuse them */
		envmark_write(er->e.env_dir, er->fp_setup, er->fp_package);
		er->building = 0;
		unlock_env(er);
	}
	start_step(c, er);
}

/*
 * Where the run stands. The time left is the predicted work not yet done
 * (history; envs never seen count as the mean of those seen) spread over the
 * slots; unknown while nothing has history. st->running is allocated.
 */
static void status(const struct envrun *runs, size_t n, const double *predicted,
		   size_t slots, long long t0, struct run_status *st)
{
	const char **names = xcalloc(n ? n : 1, sizeof(*names));
	double known = 0, left = 0;
	size_t nknown = 0, unknown = 0;
	long long now = now_ns();

	memset(st, 0, sizeof(*st));
	st->total = n;
	for (size_t i = 0; i < n; i++) {
		if (predicted[i] >= 0) {
			known += predicted[i];
			nknown++;
		}
		if (runs[i].finished) {
			st->done++;
			st->failed += runs[i].r->status == ENV_FAILED;
			continue;
		}
		if (runs[i].started)
			names[st->nrunning++] = runs[i].r->name;
		double p = predicted[i];
		if (p < 0) {
			unknown++;
			continue;
		}
		if (runs[i].started)
			p -= (double)(now - runs[i].start_ns) / 1e9;
		left += p > 0 ? p : 0;
	}
	if (nknown)
		left += (double)unknown * known / (double)nknown;
	st->elapsed = (double)(now - t0) / 1e9;
	st->left = nknown ? left / (double)(slots ? slots : 1) : -1;
	st->running = names;
}

/* Tell the front end where the run stands; r is the env that just finished, or NULL. */
static void report(struct ctx *c, const struct env_result *r)
{
	struct run_status st;

	if (!c->progress)
		return;
	status(c->runs, c->n, c->predicted, c->slots, c->t0, &st);
	c->progress(c->pctx, r, &st);
	free((void *)st.running);
}

/* Env er has finished; was_running: it had started a step. */
static void env_finished(struct ctx *c, struct envrun *er, int was_running)
{
	c->done++;
	sched_done(c->s, (size_t)(er - c->runs));
	if (was_running && (er->r->status == ENV_PASSED || er->r->status == ENV_FAILED))
		db_record_env(c->db, er->r->name, er->r->seconds, er->r->status == ENV_PASSED);
	report(c, er->r);
	if (c->o->fail_fast && er->r->status == ENV_FAILED && !c->stopping) {
		c->stopping = 1;
		pool_stop_all(c->p);
	}
}

/*
 * What takes a slot: envs started and not finished (also those waiting for
 * another run's lock) but for those waiting for a task, and running tasks.
 */
static size_t count_running(const struct ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->runs[i].started && !c->runs[i].finished && !c->runs[i].waiting;
	for (size_t i = 0; i < c->ntasks; i++)
		n += c->tasks[i]->state == TASK_RUNNING;
	return n;
}

/* Envs whose task has ended go on, as slots allow (at once when it failed: they only finish). */
static void resume_waiting(struct ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (!er->waiting || er->waiting->state == TASK_RUNNING)
			continue;
		if (er->waiting->state == TASK_DONE && !c->stopping && c->running >= c->slots)
			continue;
		er->waiting = NULL;
		if (c->stopping && !er->finished)
			finish(er, ENV_NOT_RUN, "stopped while it waited for work shared with other envs");
		else
			start_step(c, er);
		if (er->finished)
			env_finished(c, er, 1);
		c->running = count_running(c);
	}
}

/* Envs waiting for another run's lock: try again (or give up, when the run is stopping). */
static int retry_locks(struct ctx *c)
{
	int waiting = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (!er->waiting_lock)
			continue;
		if (c->stopping)
			finish(er, ENV_NOT_RUN, "stopped while waiting for another blitz run to build its env");
		else if (lock_env(c, er))
			build_env(c, er);
		if (er->finished)
			env_finished(c, er, 1);
		else
			waiting += er->waiting_lock;
	}
	return waiting;
}

static int cache_lookup(void *db, const char *real, long long size, long long mtime_ns, int *major, int *minor,
			char *impl, size_t implsz)
{
	return db_interp_lookup(db, real, size, mtime_ns, major, minor, impl, implsz);
}

static void cache_store(void *db, const char *real, long long size, long long mtime_ns, int major, int minor,
			const char *impl)
{
	db_interp_store(db, real, size, mtime_ns, major, minor, impl);
}

int runner_run(struct tox *t, const struct strvec *envs, const struct run_opts *o, struct run_result *res,
	       run_progress_fn progress, void *ctx)
{
	struct envrun *runs = xcalloc(envs->n ? envs->n : 1, sizeof(*runs));
	struct strvec *deps = xcalloc(envs->n ? envs->n : 1, sizeof(*deps));
	double *predicted = xcalloc(envs->n ? envs->n : 1, sizeof(*predicted));
	struct sched s;
	struct pool p;
	struct db db;
	struct diag d = { 0 };
	int rc = 0;
	struct width w;
	long long last_sample = 0;
	struct ctx c = { .p = &p, .t = t, .o = o, .s = &s, .db = &db, .runs = runs, .n = envs->n,
			 .predicted = predicted, .progress = progress, .pctx = ctx, .t0 = now_ns(),
			 .slots = o->slots ? o->slots : 1 };

	memset(res, 0, sizeof(*res));
	res->n = envs->n;
	res->envs = xcalloc(envs->n ? envs->n : 1, sizeof(*res->envs));
	if (mkdirs(o->run_dir) < 0) {
		error("cannot create '%s':", o->run_dir);
		free(runs);
		free(deps);
		free(predicted);
		return 2;
	}
	db_open(&db, o->state_dir);
	struct interp_cache icache = { cache_lookup, cache_store, &db };
	interp_set_cache(&icache);
	for (size_t i = 0; i < envs->n; i++) {
		struct envrun *er = &runs[i];
		struct diag ed = { 0 };
		er->ready = ENV_FAILED;
		er->r = &res->envs[i];
		er->r->name = xstrdup(envs->v[i]);
		er->r->status = ENV_NOT_RUN;
		er->r->log_path = xconcat(o->run_dir, "/", envs->v[i], ".log", NULL);
		er->timeout_ns = o->timeout_ns;
		er->lock_fd = -1;
		er->resolved = tox_env_resolve(t, envs->v[i], &er->e, &ed) == 0;
		if (!er->resolved) {
			char *msg = diag_format(&ed);
			snprintf(er->error, sizeof(er->error), "%s", msg);
			free(msg);
		} else {
			strvec_extend(&deps[i], &er->e.depends);
		}
		predicted[i] = db_env_duration(&db, envs->v[i]);
	}
	if (sched_init(&s, envs->n, (const char *const *)envs->v, predicted, deps, &d) < 0) {
		char *msg = diag_format(&d);
		error("%s", msg);
		free(msg);
		rc = 2;
		goto out_nosched;
	}
	if (pool_init(&p) < 0) {
		rc = 2;
		goto out;
	}
	for (size_t i = 0; i < envs->n; i++)
		prepare_env(&c, &runs[i]);
	plan_layers(&c);
	width_init(&w, c.slots);
	if (o->auto_width) {
		struct width_sample ws;
		width_sample(&w, &ws);	/* the first reading: a baseline for the next */
	}
	while (!sched_finished(&s)) {
		c.running = count_running(&c);
		resume_waiting(&c);
		while (!c.stopping && c.running < c.slots) {
			long i = sched_next(&s);
			if (i < 0)
				break;
			start_env(&c, &runs[i]);
			if (runs[i].finished)
				env_finished(&c, &runs[i], runs[i].r->nsteps > 0);
			c.running = count_running(&c);
		}
		int waiting = retry_locks(&c);
		c.running = count_running(&c);
		if (!c.running)
			break;
		int intr = 0;
		int timeout = waiting ? 200 : progress || o->auto_width ? 500 : -1;
		struct job *j = pool_wait(&p, timeout, &intr);
		if (o->auto_width && now_ns() - last_sample >= 500000000LL) {
			struct width_sample ws;
			last_sample = now_ns();
			if (width_sample(&w, &ws) == 0)
				w.now = c.slots = width_next(&w, &ws, c.running);
		}
		if (!j && !intr) {
			report(&c, NULL);
			continue;
		}
		if (!j) {
			res->interrupted = intr;
			c.stopping = 1;
			pool_stop_all(&p);
			continue;
		}
		struct envrun *er = j->data;
		step_done(&c, er, j);
		job_free(j);
		if (er->finished && er->task)
			task_done(er->task);
		else if (er->finished)
			env_finished(&c, er, 1);
	}
	pool_release(&p);
out:
	sched_release(&s);
out_nosched:
	res->seconds = (double)(now_ns() - c.t0) / 1e9;
	for (size_t i = 0; i < envs->n; i++) {
		if (rc == 0 && res->envs[i].status == ENV_FAILED)
			rc = 1;
		unlock_env(&runs[i]);
		if (runs[i].resolved)
			toxenv_release(&runs[i].e);
		steps_release(&runs[i].steps);
		strvec_clear(&runs[i].envp);
		strvec_clear(&deps[i]);
		free(runs[i].pip_dir);
	}
	for (size_t i = 0; i < c.ntasks; i++) {
		remove_tree(c.tasks[i]->tmp);	/* an interrupted one's */
		task_free(c.tasks[i]);
	}
	free(c.tasks);
	if (res->interrupted && rc != 2)
		rc = 130;
	interp_set_cache(NULL);
	db_close(&db);
	free(runs);
	free(deps);
	free(predicted);
	return rc;
}

void run_result_release(struct run_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		for (size_t k = 0; k < res->envs[i].nsteps; k++) {
			free(res->envs[i].steps[k].what);
			free(res->envs[i].steps[k].cmd);
		}
		free(res->envs[i].steps);
		free(res->envs[i].name);
		free(res->envs[i].log_path);
	}
	free(res->envs);
	memset(res, 0, sizeof(*res));
}
