/*
 * An env's life, and the only writer of struct envrun: prepared before the
 * run (what prepare.c, package.c and the planners answer, put into it); its
 * lock and build (build.c answers); its steps, as tox runs them: the next
 * started (venv, deps, project, commands, or the wait for work shared with
 * other envs), one ended and what follows (tox's rules for failing
 * commands), the folders tox makes before the commands and the logs it
 * keeps of each process. The jobs of its steps are its own (their owner);
 * a split of its tests into shards reports its end here.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "envvars.h"
#include "pool.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/shlex.h"
#include "../env/fingerprint.h"
#include "../env/layer.h"
#include "../state/db.h"
#include "../util/util.h"

extern char **environ;

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

static void build(struct ctx *c, struct envrun *er);

/* Take env er's lock, shared or exclusive, without waiting (build.h): 1 held, 0 another run holds it. */
static int lock(const struct ctx *c, struct envrun *er, int exclusive)
{
	return envlock_take(&er->lock, c->o->state_dir, er->e.env_dir, er->r->name, exclusive);
}

/* Let other blitz runs build env er's env_dir. */
static void unlock(struct envrun *er)
{
	envlock_drop(&er->lock);
	er->waiting_lock = 0;
}

/* Env er ends: its lock let go, its result recorded (code: tox's, for a failure; 0 keeps the one it has, or 1). */
static void end(struct envrun *er, enum env_status status, int code, const char *reason)
{
	unlock(er);
	er->finished = 1;
	record_end(er->r, status, reason, er->svc_note, code, status == ENV_FAILED && er->resolved && er->e.ignore_outcome,
		   er->started ? (double)(now_ns() - er->start_ns) / 1e9 : -1);
}

void envrun_finish(struct envrun *er, enum env_status status, const char *reason)
{
	end(er, status, 0, reason);
}

void envrun_fail(struct envrun *er, int code, const char *reason)
{
	end(er, ENV_FAILED, code, reason);
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

/*
 * The work folder (.tox) as tox 4 leaves it: a .gitignore of "*" (git never
 * sees the envs) and a CACHEDIR.TAG (backup tools skip it), when missing.
 */
static void mark_work_dir(const char *dir)
{
	static const char *const files[][2] = {
		{ ".gitignore", "*\n" },
		{ "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
				  "# This file is a cache directory tag created by blitz.\n"
				  "# For information about cache directory tags, see https://bford.info/cachedir/\n" },
	};

	for (size_t i = 0; i < 2; i++) {
		char *p = xconcat(dir, "/", files[i][0], NULL);
		if (access(p, F_OK) != 0 && mkdirs(dir) == 0) {
			FILE *f = fopen(p, "w");
			if (f) {
				fputs(files[i][1], f);
				fclose(f);
			}
		}
		free(p);
	}
}

/*
 * dir made empty (made when missing), as tox empties env_tmp_dir and
 * env_log_dir; never a folder holding the project (tox_root or above it),
 * whatever the file says. Returns 0, or -1 with why.
 */
static int empty_folder(const char *dir, const char *root, const char *what, char *why, size_t whysz)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!*dir || (strncmp(root, dir, n) == 0 && (root[n] == '\0' || root[n] == '/' || n == 1))) {
		snprintf(why, whysz, "%s %s holds the project: blitz will not empty it; point %s elsewhere", what, dir, what);
		return -1;
	}
	if (remove_tree(dir) < 0 || mkdirs(dir) < 0) {
		snprintf(why, whysz, "cannot make %s %s: %s", what, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Before env er's first command, as tox 4 does: its env_tmp_dir emptied and
 * made, its change_dir made when missing. Returns 0, or -1 with why.
 */
static int prepare_dirs(struct ctx *c, struct envrun *er, char *why, size_t whysz)
{
	char *tmp = er->e.env_tmp_dir && er->e.env_tmp_dir[0] ? xstrdup(er->e.env_tmp_dir)
							     : xasprintf("%s/%s/tmp", c->t->workdir, er->e.name);
	int rc = 0;

	er->dirs_ready = 1;
	mark_work_dir(c->t->workdir);
	if (empty_folder(tmp, c->t->toxinidir, "env_tmp_dir", why, whysz) < 0) {
		rc = -1;
	} else if (er->e.change_dir[0] && mkdirs(er->e.change_dir) < 0) {
		snprintf(why, whysz, "cannot make change_dir %s: %s", er->e.change_dir, strerror(errno));
		rc = -1;
	}
	free(tmp);
	return rc;
}

/* The first step of env er's commands_post from step from on (its steps' end when it has none). */
static size_t post_commands(const struct envrun *er, size_t from)
{
	while (from < er->steps.n && !(er->steps.v[from].kind == STEP_COMMAND && er->steps.v[from].set == SET_POST))
		from++;
	return from;
}

/* What er's services said while its job ran (one died), kept for its failure's reason. */
static void heed_services(const struct ctx *c, struct envrun *er)
{
	if (!er->svc_note[0])
		snprintf(er->svc_note, sizeof(er->svc_note), "%s", services_note(c, er));
}

/*
 * Env er's split step is over before or instead of its shards: skipped
 * (none of its tests is this node's: the step is done), or to run as
 * written. Its share of a split among CI nodes is used up either way.
 */
static void split_over(struct envrun *er, enum split_end how)
{
	share_free(er->share);
	er->share = NULL;
	if (how == SPLIT_SKIPPED)
		er->next++;
	else
		er->shards = 1;
}

static void step_job_done(void *run, void *owner, struct job *j);

/* The split of env er's step reports its end (split_report_fn). */
static void split_ended(struct ctx *c, struct envrun *er, enum split_end how, const char *why, int code)
{
	heed_services(c, er);
	shard_free(er->split);
	er->split = NULL;
	if (how == SPLIT_ENDED || how == SPLIT_STOPPED) {
		envrun_step_ended(c, er, why, code, how == SPLIT_STOPPED);
		return;
	}
	split_over(er, how);
	envrun_start_step(c, er);
}

/*
 * Env er needs task t done (a layer, its package): 0 when it is; 1 while
 * er waits for it (the runner starts it when idle, and er goes on when it
 * ends); -1 when it failed (er finished with why, its log the task's).
 */
static int wait_task(struct envrun *er, struct task *t)
{
	char why[512];

	switch (t->state) {
	case TASK_IDLE:
	case TASK_RUNNING:
		er->waiting = t;
		return 1;
	case TASK_FAILED:
		/* what failed: the task, or the one it needed (a wheel's sdist) */
		if (t->needs && t->needs->state == TASK_FAILED)
			record_append_log(er->r->log_path, t->needs->result.log_path);
		record_append_log(er->r->log_path, t->result.log_path);
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

/* Env er's STEP_LAYER: clone the deps installed once for several envs (0 go on, 1 waiting, -1 finished). */
static int layer_step(struct envrun *er)
{
	struct task *t = er->layer;
	char err[512], why[600];
	int rc = wait_task(er, t);

	if (rc != 0)
		return rc;
	long long t0 = now_ns();
	char *cmd = xconcat("clone ", t->dir, NULL);
	record_line(er->r, "cloning the deps installed once for several envs from", t->dir);
	rc = layer_clone(t->dir, er->e.env_dir, err, sizeof(err));
	record_inproc(er->r, "layer", cmd, 0, t0);
	free(cmd);
	if (rc < 0) {
		snprintf(why, sizeof(why), "cloning the deps installed once for several envs failed: %.400s", err);
		envrun_fail(er, 1, why);
		return -1;
	}
	return 0;
}

/*
 * Env er's STEP_WHEEL: wait for the project's package, built once, then
 * point its STEP_PACKAGE at it (package_install.c says how); 0 go on, 1
 * waiting, -1 finished.
 */
static int wheel_step(struct envrun *er)
{
	struct task *t = er->pkg_task;
	struct step *pkg = NULL, *deps = NULL;
	struct pkg_install pi;
	size_t pkg_index = 0;
	char why[1024];

	if (er->pkg_error) {
		record_line(er->r, "cannot build its package:", er->pkg_error);
		envrun_fail(er, 1, er->pkg_error);
		return -1;
	}
	int rc = wait_task(er, t);
	if (rc != 0)
		return rc;
	for (size_t i = er->next + 1; i < er->steps.n && !pkg; i++) {
		if (er->steps.v[i].kind == STEP_PACKAGE) {
			pkg = &er->steps.v[i];
			pkg_index = i;
		} else if (er->steps.v[i].kind == STEP_DEPS) {
			deps = &er->steps.v[i];
		}
	}
	if (package_install_plan(er, t, pkg != NULL, &pi, why, sizeof(why)) < 0) {
		envrun_fail(er, 1, why);
		return -1;
	}
	er->fp_reqs = pi.reqs;
	record_line(er->r, "installing the project from the package built for this run:", t->artifact);
	envvars_set(&er->envp, "TOX_PACKAGE", t->artifact);
	envvars_set(&er->envp_setup, "TOX_PACKAGE", t->artifact);
	if (!pkg) {
		package_install_release(&pi);
		return 0;
	}
	if (pi.again) {
		/* its requirements changed: they go in first, then the project over the old one */
		struct step *again = steps_insert(&er->steps, pkg_index + 1, STEP_PACKAGE);
		pkg = &er->steps.v[pkg_index];
		strvec_extend(&again->argv, &pkg->argv);
		again->pkg_at = pkg->pkg_at;
		again->pkg_n = pkg->pkg_n;
		steps_set_packages(again, &pi.again_words);
		deps = NULL;
		for (size_t i = er->next + 1; i < pkg_index; i++)
			if (er->steps.v[i].kind == STEP_DEPS)
				deps = &er->steps.v[i];
	}
	steps_set_packages(pkg, &pi.words);
	package_install_release(&pi);
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

/*
 * Start env er's next step; returns 0, 1 when it waits for a task (it holds
 * no slot then), or -1 when it finished without one (check r->status).
 */
int envrun_start_step(struct ctx *c, struct envrun *er)
{
	for (;;) {
		if (er->building && er->next == er->setup_end) {
			/* venv, deps and project in place: the next run may reuse them */
			envmark_write(er->e.env_dir, er->fp_setup, er->fp_package, er->fp_reqs);
			er->building = 0;
			lock(c, er, 0);	/* built: shared while its commands run (no other run rebuilds it) */
		}
		if (er->next >= er->steps.n)
			break;
		struct step *st = &er->steps.v[er->next];
		struct job_spec spec = { 0 };
		if (st->kind == STEP_PACKAGE && er->package_in_deps) {
			er->next++;	/* it went in with the deps */
			continue;
		}
		if (st->kind == STEP_CREATE && er->steps.direct_venv) {
			char why[1200];
			if (build_create(er, why, sizeof(why)) < 0) {
				envrun_finish(er, ENV_FAILED, why);
				return -1;
			}
			er->next++;
			continue;
		}
		if (st->kind == STEP_DEPS) {
			int done = 0;
			er->deps_key = build_deps_cached(er, st, &done);
			if (done) {
				er->next++;
				continue;
			}
		}
		if (!er->task && (st->kind == STEP_LAYER || st->kind == STEP_WHEEL)) {
			int rc = st->kind == STEP_LAYER ? layer_step(er) : wheel_step(er);
			if (rc != 0)
				return rc;
			er->next++;
			continue;
		}
		if (st->kind == STEP_COMMAND && !er->dirs_ready && (!er->task || er->e.env_tmp_dir)) {
			char why[512];
			if (prepare_dirs(c, er, why, sizeof(why)) < 0) {
				envrun_fail(er, 1, why);
				return -1;
			}
		}
		if (st->kind == STEP_COMMAND && !allowed(er, st->argv.v[0], env_path_of(&er->envp))) {
			char why[512];
			snprintf(why, sizeof(why), "'%s' is not installed in the env and not in allowlist_externals: add it there or to deps",
				 st->argv.v[0]);
			record_line(er->r, "not run:", why);
			if (st->set == SET_NONE) {
				envrun_step_ended(c, er, why, 1, 0);
				return er->finished ? -1 : 0;
			}
			/*
			 * tox 4 raises its Fail here: neither a "-" nor ignore_errors
			 * lets the env go on; commands_post still runs, and the env
			 * ends with 1 whatever that does
			 */
			snprintf(er->fail_why, sizeof(er->fail_why), "%s", why);	/* what tox reports, with its code */
			er->fail_code = 1;
			er->next = st->set == SET_POST ? er->steps.n : post_commands(er, er->next + 1);
			continue;
		}
		if (st->kind == STEP_COMMAND && (long)er->next == er->split_step && (er->shards > 1 || er->share)) {
			enum split_end how = SPLIT_AS_WRITTEN;
			er->split = shard_start(c, er, split_ended, &how);
			if (er->split)
				return 0;	/* its tests run in shards */
			split_over(er, how);
			continue;	/* this node's share is none (skipped), or it runs as written */
		}
		spec.argv = st->argv.v;
		spec.envp = envrun_envp(er, st);
		spec.cwd = st->kind == STEP_COMMAND ? er->e.change_dir : c->t->toxinidir;
		spec.log_path = er->r->log_path;
		spec.append = 1;
		log_header(er, st, spec.cwd);
		struct stat ls;
		er->log_from = stat(er->r->log_path, &ls) == 0 ? (size_t)ls.st_size : 0;
		spec.timeout_ns = st->kind == STEP_COMMAND ? er->timeout_ns : 0;
		if (st->kind == STEP_COMMAND)
			steps_stop_plan(&er->e, &spec);
		spec.done = step_job_done;
		spec.owner = er;
		spec.label = er->r->name;
		if (st->kind == STEP_COMMAND)
			services_start_job(c, er, &spec, -1, 0);	/* once its services are ready, if it has any */
		else
			pool_start(c->p, &spec);
		return 0;
	}
	if (er->fail_why[0])
		envrun_fail(er, er->fail_code, er->fail_why);
	else
		envrun_finish(er, ENV_PASSED, NULL);
	return -1;
}

void envrun_step_ended(struct ctx *c, struct envrun *er, const char *why, int code, int stopped)
{
	const struct step *st = &er->steps.v[er->next];

	er->next++;
	if (stopped) {
		envrun_finish(er, ENV_NOT_RUN, why && why[0] ? why : "stopped");
		return;
	}
	if (why && why[0] && !(st->kind == STEP_COMMAND && st->ignore_exit)) {
		if (st->kind != STEP_COMMAND || st->set == SET_NONE) {
			/* the env is not set up: nothing more runs */
			if (st->kind == STEP_COMMAND && !er->task) {
				char more[600];
				snprintf(more, sizeof(more), "extra_setup_commands failed: %.500s", why);
				envrun_fail(er, 1, more);
			} else {
				envrun_fail(er, code, why);
			}
			return;
		}
		if (!er->fail_why[0]) {
			snprintf(er->fail_why, sizeof(er->fail_why), "%s", why);
			er->fail_code = code;
		}
		if (!er->e.ignore_errors)	/* the rest of commands_pre and commands is skipped; commands_post runs, but not after itself */
			er->next = st->set == SET_POST ? er->steps.n : post_commands(er, er->next);
	}
	envrun_start_step(c, er);
}

/* The name tox gives step st of er in its logs: install_deps, install_package, commands[2], ... */
static void run_id(const struct envrun *er, const struct step *st, char *out, size_t outsz)
{
	static const char *const sets[] = { "extra_setup_commands", "commands_pre", "commands", "commands_post" };
	size_t i = 0;

	if (st->kind != STEP_COMMAND) {
		snprintf(out, outsz, "%s", st->kind == STEP_DEPS ? "install_deps" : st->kind == STEP_PACKAGE ? "install_package"
					: st->kind == STEP_CREATE ? "venv" : st->kind == STEP_FREEZE ? "freeze" : "build");
		return;
	}
	for (const struct step *s = er->steps.v; s < st; s++)
		i += s->kind == STEP_COMMAND && s->set == st->set;
	snprintf(out, outsz, "%s[%zu]", sets[st->set], i);
}

/*
 * tox 4 keeps what each process of an env printed in env_log_dir, one file
 * a process (N-RUNID.log), the folder emptied at the run's first: blitz
 * writes the same from the part of the env's log job j wrote (from where
 * it started).
 */
static void env_log_write(struct ctx *c, struct envrun *er, const struct step *st, const struct job *j)
{
	char name[128], why[512];
	size_t len = 0;
	char *text;

	if (!er->resolved || !er->e.env_log_dir || !er->e.env_log_dir[0] || er->task)
		return;
	if (!er->log_id && empty_folder(er->e.env_log_dir, c->t->toxinidir, "env_log_dir", why, sizeof(why)) < 0) {
		record_line(er->r, "not writing its process logs:", why);
		er->log_id = -1;
	}
	if (er->log_id < 0)
		return;
	run_id(er, st, name, sizeof(name));
	char *path = xasprintf("%s/%d-%s.log", er->e.env_log_dir, ++er->log_id, name);
	FILE *f = fopen(path, "w");
	text = read_file(er->r->log_path, &len);
	if (f) {
		char *cmd = step_cmd(st);
		struct timespec wall;
		clock_gettime(CLOCK_REALTIME, &wall);
		fprintf(f, "name: %s\nrun_id: %s\ncmd: %s\nexit_code: %d\nseconds: %.6f\nended: %lld.%09ld\n", er->r->name,
			name, cmd, j->end == JOB_EXITED ? j->exit_code : -1, (double)(j->end_ns - j->start_ns) / 1e9,
			(long long)wall.tv_sec, wall.tv_nsec);
		if (text && er->log_from <= len)
			fwrite(text + er->log_from, 1, len - er->log_from, f);
		fclose(f);
		free(cmd);
	}
	free(text);
	free(path);
}

/* A step's job ended: go on with the env, or record why it failed. */
static void step_job_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct envrun *er = owner;
	struct step *st = &er->steps.v[er->next];
	char why[512];

	heed_services(c, er);

	step_failure(st, j, why, sizeof(why));
	step_record(er->r, st, j, NULL);
	env_log_write(c, er, st, j);
	if (st->kind == STEP_DEPS && !why[0])
		build_deps_ran(er, st, er->deps_key);
	er->deps_key = 0;
	if (st->junit && (j->end == JOB_EXITED || j->end == JOB_SIGNALED || j->end == JOB_TIMED_OUT)) {
		size_t from = c->tests.junit.n;
		char err[1024];
		double tests = tests_read(&c->tests, c->db, er->r->name, st->junit, 0, err, sizeof(err));
		if (err[0])
			record_line(er->r, "could not read the JUnit XML pytest wrote:", err);
		if (tests >= 0 && j->end == JOB_EXITED)	/* what the process cost besides its tests */
			db_record_cost(c->db, er->r->name, (double)(j->end_ns - j->start_ns) / 1e9 - tests);
		/* tests failed (pytest's exit code 1): rerun them, as --reruns allows */
		if (j->end == JOB_EXITED && j->exit_code == 1 && (er->split = shard_rerun(c, er, from, why, split_ended)))
			return;
	}
	if (why[0] && st->kind == STEP_DEPS && er->package_in_deps && j->end == JOB_EXITED) {
		/* deps and project did not go in together: one after the other, as tox installs them */
		for (size_t k = 0; k < er->together_words; k++)
			strvec_remove(&st->argv, er->together_at);
		er->package_in_deps = 0;
		record_line(er->r, "the deps and the project did not install together; installing them one after the other in",
			 er->e.env_dir);
		envrun_start_step(c, er);
		return;
	}
	/* commands_retry: a failing command (not a "-" one) runs again, up to that many times */
	if (why[0] && st->kind == STEP_COMMAND && !st->ignore_exit && j->end != JOB_STOPPED && !c->stopping &&
	    er->resolved && er->retries < er->e.commands_retry) {
		char line[640];
		er->retries++;
		snprintf(line, sizeof(line), "(attempt %d of %d), retrying: %.500s", er->retries, er->e.commands_retry + 1, why);
		record_line(er->r, "command failed", line);
		envrun_start_step(c, er);
		return;
	}
	er->retries = 0;
	envrun_step_ended(c, er, why, job_tox_code(j), j->end == JOB_STOPPED);
}

void envrun_start(struct ctx *c, struct envrun *er)
{
	er->started = 1;
	er->start_ns = now_ns();
	if (er->ready != ENV_PASSED) {
		envrun_finish(er, er->ready, er->error);
		return;
	}
	services_env_start(c, er);	/* its services start while its venv is set up */
	if (!lock(c, er, 0)) {
		FILE *f = fopen(er->r->log_path, "w");
		if (f) {
			fprintf(f, "[blitz] %s: waiting for another blitz run that is building %s\n", er->r->name,
				er->e.env_dir);
			fclose(f);
		}
		er->waiting_lock = 1;
		return;
	}
	build(c, er);
}

/* What env er holds, but for its result. */
void envrun_release(struct envrun *er)
{
	unlock(er);
	shard_free(er->split);
	er->split = NULL;
	share_free(er->share);
	er->share = NULL;
	if (er->resolved || er->task)
		toxenv_release(&er->e);
	er->resolved = 0;
	steps_release(&er->steps);
	strvec_clear(&er->envp);
	strvec_clear(&er->envp_setup);
	free(er->constraints);
	er->constraints = NULL;
	free(er->pkg_error);
	er->pkg_error = NULL;
}

void envrun_init(struct envrun *er, struct tox *t, const char *name, struct env_result *r, long long timeout_ns)
{
	struct diag d = { 0 };

	memset(er, 0, sizeof(*er));
	er->ready = ENV_FAILED;
	er->r = r;
	er->timeout_ns = timeout_ns;
	envlock_init(&er->lock);
	er->split_step = -1;
	er->shards = 1;
	er->resolved = tox_env_resolve(t, name, &er->e, &d) == 0;
	if (!er->resolved) {
		char *msg = diag_format(&d);
		snprintf(er->error, sizeof(er->error), "%s", msg);
		free(msg);
	}
}

void envrun_refuse(struct envrun *er, enum env_status status, const char *why)
{
	er->ready = status;
	snprintf(er->error, sizeof(er->error), "%s", why);
}

void envrun_move(struct envrun *to, struct envrun *from, struct env_result *r)
{
	if (to != from)
		*to = *from;
	to->r = r;
}

void envrun_resume(struct ctx *c, struct envrun *er)
{
	er->waiting = NULL;
	if (c->stopping && !er->finished)
		envrun_finish(er, ENV_NOT_RUN, er->task ? "stopped before it started" :
			      "stopped while it waited for work shared with other envs");
	else if (!er->task)
		envrun_start_step(c, er);
}

/*
 * Env er holds its lock: decide what to build (waiting, exclusive, for
 * other runs using it to be done) and start its first step.
 */
static void build(struct ctx *c, struct envrun *er)
{
	struct build_plan bp;
	size_t deps, wheel;

	er->waiting_lock = 0;
	if (er->lock.fd >= 0 && !er->lock.excl && !build_reusable(c, er) && !lock(c, er, 1)) {
		/*
		 * to be built again while another run's commands use it: after
		 * that run. Its own shared lock goes meanwhile, or two that both
		 * must build it would each wait for the other for good; once it
		 * holds the exclusive one, the mark is read again (the other may
		 * have built it as wanted).
		 */
		envlock_let_go(&er->lock);
		record_line(er->r, "waiting for another blitz run (or env) that uses", er->e.env_dir);
		fprintf(stderr, "blitz: %s: another blitz run (or env of this one) uses %s; it is built again when that is "
			"done with it\n", er->r->name, er->e.env_dir);
		er->waiting_lock = 2;
		return;
	}
	build_decide(c, er, &bp);
	if (bp.why[0]) {
		envrun_finish(er, ENV_FAILED, bp.why);
		return;
	}
	er->setup_end = bp.setup_end;
	er->next = bp.next;
	er->venv_reused = bp.reused;
	er->mark_reqs = bp.mark_reqs;
	if (bp.together && build_together(er, &deps, &wheel)) {
		steps_remove(&er->steps, wheel);
		steps_insert(&er->steps, deps, STEP_WHEEL);
		er->together = 1;
	}
	if (bp.clear) {
		er->clear = 1;
		if (!er->steps.direct_venv) {
			struct strvec *argv = &er->steps.v[0].argv;
			strvec_insert(argv, argv->n - 1, "--clear");
		}
	}
	/* "reused unchanged" only when nothing is installed again, the project included */
	record_reused(er->r, bp.reused && er->next == er->setup_end);
	er->building = er->next < er->setup_end;
	if (!er->building)
		lock(c, er, 0);	/* reused as it is: others may use it too, none rebuild it meanwhile */
	envrun_start_step(c, er);
}

int envrun_retry_lock(struct ctx *c, struct envrun *er)
{
	if (c->stopping)
		envrun_finish(er, ENV_NOT_RUN, "stopped while waiting for another blitz run to build its env");
	else if (er->task && lock(c, er, 1)) {
		er->waiting_lock = 0;
		envrun_start_step(c, er);	/* a task's packaging env, free now */
	} else if (!er->task && lock(c, er, er->waiting_lock == 2))
		build(c, er);
	return er->finished ? 0 : er->waiting_lock;
}

void envrun_use_layer(struct envrun *er, struct task *t, int all_deps)
{
	er->layer = t;
	steps_insert(&er->steps, 1, STEP_LAYER);
	for (size_t k = 0; k < er->steps.n && all_deps; k++)
		if (er->steps.v[k].kind == STEP_DEPS) {
			steps_remove(&er->steps, k);
			break;
		}
}

void envrun_init_task(struct envrun *run, struct task *t, struct env_result *r)
{
	memset(run, 0, sizeof(*run));
	envlock_init(&run->lock);
	run->task = t;
	run->r = r;
	run->split_step = -1;
	run->shards = 1;
}

int envrun_begin_task(struct ctx *c, struct envrun *run, struct task_setup *ts)
{
	/* what an earlier start left (it waited for another task, or failed early) */
	steps_release(&run->steps);
	strvec_clear(&run->envp);
	toxenv_release(&run->e);
	memset(&run->e, 0, sizeof(run->e));
	run->waiting = NULL;
	run->in = ts->in;
	run->seeding = ts->seeding;
	run->envp = ts->envp;
	run->e.env_dir = ts->env_dir;
	run->e.system_site_packages = ts->system_site_packages;
	run->e.env_tmp_dir = ts->env_tmp_dir;
	run->e.change_dir = ts->change_dir;
	run->e.allowlist_externals = ts->allowlist;
	run->steps = ts->steps;
	run->fp_setup = ts->fp_setup;
	run->building = ts->building;
	run->clear = ts->clear;
	run->setup_end = ts->setup_end ? ts->setup_end : run->steps.n;
	int want_lock = ts->lock;
	memset(ts, 0, sizeof(*ts));	/* all of it is run's now */
	run->next = 0;
	run->started = 1;
	run->start_ns = now_ns();
	if (want_lock && !lock(c, run, 1)) {
		record_line(run->r, "waiting for another blitz run that builds in", run->e.env_dir);
		run->waiting_lock = 1;	/* envrun_retry_lock goes on */
		return 0;
	}
	return envrun_start_step(c, run);
}

void envrun_wait_for(struct envrun *run, struct task *other)
{
	run->waiting = other;
}

void envrun_prepare(struct ctx *c, struct envrun *er)
{
	struct tox *t = c->t;
	struct strvec problems = STRVEC_INIT, reqs = STRVEC_INIT;
	struct env_fps fps;

	er->ready = ENV_FAILED;
	if (!er->resolved)
		return;
	if (tox_env_check(t, &er->e, &problems) > 0) {
		snprintf(er->error, sizeof(er->error), "%s", problems.v[0]);
		strvec_clear(&problems);
		return;
	}
	enum env_status here = prepare_platform(&er->e, er->error, sizeof(er->error));
	if (here != ENV_PASSED) {
		er->ready = here;
		return;
	}
	/* a base_python written empty: the interpreter envs without one get, as tox runs its own */
	if (!er->e.base_python.n && tox_default_python(t))
		strvec_push(&er->e.base_python, tox_default_python(t));
	if (prepare_interp(t, &er->e.base_python, &er->in) < 0) {
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
	er->seeding = seeding_get(c, &er->in, er->envp_setup.n ? &er->envp_setup : &er->envp);
	/*
	 * blitz makes the venv itself where it can (CPython 3.3+) and all its
	 * seed images are there; else Python's venv module makes it, with pip
	 */
	int direct = !er->seeding->error[0] && strcmp(er->in.impl, "cpython") == 0 &&
		     (er->in.major > 3 || (er->in.major == 3 && er->in.minor >= 3));
	if (er->seeding->error[0])
		record_line(er->r, "cannot seed venvs as virtualenv does, making them with python -m venv:", er->seeding->error);
	if (er->seeding->plan.note[0])
		record_line(er->r, "seeding its venv:", er->seeding->plan.note);
	steps_build(&er->e, er->in.path, direct, t->toxinidir, t->tox3, &er->steps);
	/* tox 4's dependency_groups (PEP 735): their requirements by a pip run of their own after the deps */
	if (prepare_dependency_groups(c, &er->e, &reqs, er->error, sizeof(er->error)) < 0)
		return;
	if (reqs.n) {
		size_t at = 1;
		while (at < er->steps.n && er->steps.v[at].kind == STEP_DEPS)
			at++;
		steps_install_at(&er->steps, at, STEP_DEPS, &er->e, &reqs);
	}
	strvec_clear(&reqs);
	prepare_fingerprints(c, er, &fps);
	er->fp_setup = fps.setup;
	er->fp_install = fps.install;
	er->fp_package = fps.package;
	/*
	 * Each pytest command writes JUnit XML blitz reads when it ends (the
	 * run's tests, results/tests.h): its own --junitxml when it has one,
	 * else one blitz adds (in the run's folder).
	 */
	for (size_t i = 0, k = 0; i < er->steps.n; i++) {
		struct step *st = &er->steps.v[i];
		long at = st->kind == STEP_COMMAND ? steps_pytest_args(&st->argv) : -1;
		if (at < 0)
			continue;
		const char *own = steps_junit_option(&st->argv, (size_t)at);
		if (own) {
			st->junit = own[0] == '/' ? xstrdup(own) : xconcat(er->e.change_dir, "/", own, NULL);
			continue;
		}
		st->junit = tests_junit_path(c->o->run_dir, er->r->name, ++k);
		char *opt = xconcat("--junitxml=", st->junit, NULL);
		strvec_insert(&st->argv, (size_t)at, opt);
		free(opt);
	}
	er->ready = ENV_PASSED;
}

void envrun_use_package(struct ctx *c, struct envrun *er, const struct package_choice *pc)
{
	size_t at;

	if (er->ready != ENV_PASSED || pc->none)
		return;
	if (pc->error[0]) {
		envrun_refuse(er, ENV_FAILED, pc->error);
		return;
	}
	er->pkg_task = pc->task;
	er->pkg_error = pc->pkg_error ? xstrdup(pc->pkg_error) : NULL;
	for (at = 0; at < er->steps.n && er->steps.v[at].kind != STEP_PACKAGE; at++)
		;
	if (at < er->steps.n)
		steps_insert(&er->steps, at, STEP_WHEEL);
	/*
	 * constrain_package_deps (tox 4): the project's own requirements are
	 * installed constrained by what the deps asked for
	 * ({env_dir}/constraints.txt: the deps' requirements and their -c
	 * files, or with use_frozen_constraints what pip freeze says after the
	 * deps went in, written by a STEP_FREEZE).
	 */
	if (c->t->tox3 || !er->e.constrain_package_deps)
		return;
	er->constraints = xconcat(er->e.env_dir, "/constraints.txt", NULL);
	if (!er->e.use_frozen_constraints)
		return;
	at = 0;
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_DEPS || er->steps.v[i].kind == STEP_CREATE)
			at = i + 1;
	struct step *st = steps_insert(&er->steps, at, STEP_FREEZE);
	strvec_push(&st->argv, "python");
	strvec_push(&st->argv, "-c");
	strvec_push(&st->argv, package_freeze_script());
	strvec_push(&st->argv, er->constraints);
}

void envrun_tree_changed(struct ctx *c, struct envrun *er)
{
	er->fp_package = tree_package_fp(c, er);
}

void envrun_plan_split(struct envrun *er, long step, size_t shards)
{
	er->split_step = step;
	er->shards = shards ? shards : 1;
}

void envrun_give_share(struct envrun *er, struct share *sh)
{
	share_free(er->share);
	er->share = sh;
}
