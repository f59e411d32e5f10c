/*
 * One env's steps, as tox runs them: the next started (venv, deps, project,
 * commands, or the wait for work shared with other envs), one ended and what
 * follows (tox's rules for failing commands), the folders tox makes before
 * the commands and the logs it keeps of each process.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "../config/shlex.h"
#include "../env/fingerprint.h"
#include "../state/db.h"
#include "../util/util.h"

static const char *step_name(enum step_kind k)
{
	switch (k) {
	case STEP_CREATE: return "creating the venv";
	case STEP_DEPS: return "installing deps";
	case STEP_PACKAGE: return "installing the project";
	case STEP_LAYER: return "cloning the deps installed once for several envs";
	case STEP_WHEEL: return "building the project's package";
	case STEP_BUILD: return "building the project's package";
	case STEP_FREEZE: return "writing the installed versions as constraints";
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

void envrun_finish(struct envrun *er, enum env_status status, const char *reason)
{
	envrun_unlock(er);
	er->finished = 1;
	er->r->status = status;
	if (reason && status == ENV_FAILED && er->svc_note[0])	/* what made it fail, most likely */
		snprintf(er->r->reason, sizeof(er->r->reason), "%.200s; %.300s", er->svc_note, reason);
	else if (reason)
		snprintf(er->r->reason, sizeof(er->r->reason), "%s", reason);
	if (status == ENV_FAILED && !er->r->code)
		er->r->code = 1;
	if (status == ENV_FAILED && er->resolved && er->e.ignore_outcome) {
		er->r->ignored_failure = 1;
		er->r->status = ENV_PASSED;
	}
	if (er->started)
		er->r->seconds = (double)(now_ns() - er->start_ns) / 1e9;
}

void envrun_stop_plan(const struct envrun *er, struct job_spec *spec)
{
	if (!er->resolved)
		return;
	spec->suicide_ns = (long long)(er->e.suicide_timeout * 1e9);
	spec->interrupt_ns = (long long)(er->e.interrupt_timeout * 1e9);
	spec->terminate_ns = (long long)(er->e.terminate_timeout * 1e9);
}

char *const *envrun_envp(const struct envrun *er, const struct step *st)
{
	return st->kind != STEP_COMMAND && er->envp_setup.n ? er->envp_setup.v : er->envp.v;
}

void envrun_fail(struct envrun *er, int code, const char *reason)
{
	er->r->code = code;
	envrun_finish(er, ENV_FAILED, reason);
}

int job_tox_code(const struct job *j)
{
	switch (j->end) {
	case JOB_EXITED: return j->exit_code;
	case JOB_SIGNALED: return -j->signo;
	case JOB_SPAWN_FAILED: return 2;	/* tox: the errno of the missing program */
	default: return 1;
	}
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
			envrun_lock(c, er, 0);	/* built: shared while its commands run (no other run rebuilds it) */
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
			if (envrun_create(c, er) < 0)
				return -1;
			er->next++;
			continue;
		}
		if (st->kind == STEP_DEPS && envrun_deps_cached(c, er, st) == 0) {
			er->next++;
			continue;
		}
		if (!er->task && (st->kind == STEP_LAYER || st->kind == STEP_WHEEL)) {
			int rc = st->kind == STEP_LAYER ? layer_step(c, er) : package_step(c, er);
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
			envrun_log_line(er, "not run:", why);
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
			int rc = shard_start(c, er);
			if (rc == 0)
				return 0;	/* its tests run in shards */
			if (rc == 1) {
				er->next++;	/* none of them is this node's (--shard) */
				continue;
			}
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
			envrun_stop_plan(er, &spec);
		spec.data = er;
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

void envrun_record_step(struct envrun *er, const struct step *st, const struct job *j, const char *cmd_as)
{
	static const char *const kinds[] = { "create", "deps", "package", "command", "layer", "wheel", "build", "freeze" };
	struct env_result *r = er->r;
	struct step_result *sr;
	char *cmd = cmd_as ? xstrdup(cmd_as) : step_cmd(st);

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	sr = &r->steps[r->nsteps++];
	sr->what = xstrdup(kinds[st->kind]);
	sr->cmd = cmd;
	sr->exit_code = j->end == JOB_EXITED ? j->exit_code : -1;
	sr->signo = j->end == JOB_SIGNALED ? j->signo : 0;
	sr->seconds = (double)(j->end_ns - j->start_ns) / 1e9;
	sr->cpu_seconds = (double)j->cpu_ns / 1e9;
	if (j->lost_bytes)
		warn("%s: %zu bytes of its output could not be written to %s (%s): the log is cut short", r->name,
		     j->lost_bytes, r->log_path, strerror(j->log_errno));
}

void step_failure(const struct step *st, const struct job *j, char *why, size_t whysz)
{
	char *cmd = step_cmd(st);

	why[0] = '\0';
	if (strlen(cmd) > 100)
		strcpy(cmd + 97, "...");
	if (j->end == JOB_EXITED && j->exit_code == 0) {
		/* fine */
	} else if (j->end == JOB_SPAWN_FAILED) {
		snprintf(why, whysz, "%s: %s", step_name(st->kind), j->error);
	} else if (j->end == JOB_EXITED) {
		snprintf(why, whysz, "%s failed with exit code %d: %s", step_name(st->kind), j->exit_code, cmd);
	} else if (j->end == JOB_SIGNALED) {
		snprintf(why, whysz, "%s was killed by signal %d (%s): %s", step_name(st->kind), j->signo,
			 strsignal(j->signo), cmd);
	} else if (j->end == JOB_TIMED_OUT) {
		snprintf(why, whysz, "%s ran out of time (--timeout) and was stopped: %s", step_name(st->kind), cmd);
	} else {
		snprintf(why, whysz, "stopped while %s ran: %s", step_name(st->kind), cmd);
	}
	free(cmd);
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
		envrun_log_line(er, "not writing its process logs:", why);
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
void envrun_job_done(struct ctx *c, struct envrun *er, struct job *j)
{
	struct step *st = &er->steps.v[er->next];
	char why[512];

	step_failure(st, j, why, sizeof(why));
	envrun_record_step(er, st, j, NULL);
	env_log_write(c, er, st, j);
	if (st->kind == STEP_DEPS && !why[0])
		envrun_deps_ran(c, er, st);
	if (st->junit && (j->end == JOB_EXITED || j->end == JOB_SIGNALED || j->end == JOB_TIMED_OUT)) {
		size_t from = c->junit.n;
		double tests = report_read_junit(c, er, st->junit, 0);
		if (tests >= 0 && j->end == JOB_EXITED)	/* what the process cost besides its tests */
			db_record_cost(c->db, er->r->name, (double)(j->end_ns - j->start_ns) / 1e9 - tests);
		/* tests failed (pytest's exit code 1): rerun them, as --reruns allows */
		if (j->end == JOB_EXITED && j->exit_code == 1 && shard_rerun(c, er, from, why) == 0)
			return;
	}
	if (why[0] && st->kind == STEP_DEPS && er->package_in_deps && j->end == JOB_EXITED) {
		/* deps and project did not go in together: one after the other, as tox installs them */
		for (size_t k = 0; k < er->together_words; k++)
			strvec_remove(&st->argv, er->together_at);
		er->package_in_deps = 0;
		envrun_log_line(er, "the deps and the project did not install together; installing them one after the other in",
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
		envrun_log_line(er, "command failed", line);
		envrun_start_step(c, er);
		return;
	}
	er->retries = 0;
	envrun_step_ended(c, er, why, job_tox_code(j), j->end == JOB_STOPPED);
}

