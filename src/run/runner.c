/*
 * blitz run's engine: each env's steps (venv, deps, project, commands) run as
 * jobs of the pool, one step after the other, several envs at once, in the
 * order the scheduler gives. Returns data; the front end reports.
 */
#include "run_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "steps.h"
#include "../config/diag.h"
#include "../config/tox.h"
#include "../env/interp.h"
#include "../plan/sched.h"
#include "../plan/width.h"
#include "../state/db.h"
#include "../util/strvec.h"
#include "../util/util.h"

static void start_env(struct ctx *c, struct envrun *er)
{
	er->started = 1;
	er->start_ns = now_ns();
	if (er->ready != ENV_PASSED) {
		envrun_finish(er, er->ready, er->error);
		return;
	}
	services_env_start(c, er);	/* its services start while its venv is set up */
	if (!envrun_lock(c, er, 0)) {
		FILE *f = fopen(er->r->log_path, "w");
		if (f) {
			fprintf(f, "[blitz] %s: waiting for another blitz run that is building %s\n", er->r->name,
				er->e.env_dir);
			fclose(f);
		}
		er->waiting_lock = 1;
		return;
	}
	envrun_build(c, er);
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
	/* a command silent for long may be stuck (a prompt, a deadlock): say which, once past a minute */
	long long now = now_ns();
	for (size_t i = 0; i < c->p->n; i++) {
		const struct job *j = c->p->jobs[i];
		double quiet = (double)(now - (j->output_ns ? j->output_ns : j->start_ns)) / 1e9;
		const struct envrun *er = j->tag >= 0 ? j->data : NULL;
		if (er && er->r && er->r->name && j->pid > 0 && quiet >= 60 && quiet > st.silent_s) {
			st.silent = er->r->name;
			st.silent_s = quiet;
		}
	}
	c->progress(c->pctx, r, &st);
	free((void *)st.running);
}

/* Env er has finished; was_running: it had started a step. */
static void env_finished(struct ctx *c, struct envrun *er, int was_running)
{
	c->done++;
	services_env_end(c, er);
	sched_done(c->s, (size_t)(er - c->runs));
	if (was_running && (er->r->status == ENV_PASSED || er->r->status == ENV_FAILED))
		db_record_env(c->db, er->r->name, er->r->seconds, er->r->status == ENV_PASSED);
	report(c, er->r);
	if (er->r->status == ENV_FAILED && c->first_failed < 0)
		c->first_failed = er - c->runs;
	/* tox 4: fail-fast stops starting envs, and lets those running finish */
	if ((c->o->fail_fast || er->e.fail_fast) && er->r->status == ENV_FAILED)
		c->no_new_envs = 1;
}

/*
 * What takes a slot: envs started and not finished (also those waiting for
 * another run's lock) but for those waiting for a task, and running tasks.
 */
static size_t count_running(const struct ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->runs[i].started && !c->runs[i].finished && !c->runs[i].waiting)
			n += c->runs[i].split ? shard_running(&c->runs[i]) : 1;
	for (size_t i = 0; i < c->ntasks; i++)
		n += c->tasks[i]->state == TASK_RUNNING && !c->tasks[i]->run.waiting;
	return n;
}

/*
 * Tasks waiting for another task (a wheel for its sdist, a build for its
 * packaging env) start once it has ended; then envs whose task has ended go
 * on, as slots allow (at once when it failed: they only finish).
 */
static void resume_waiting(struct ctx *c)
{
	for (size_t i = 0; i < c->ntasks; i++) {
		struct task *t = c->tasks[i];
		if (t->state != TASK_RUNNING || !t->run.waiting || t->run.waiting->state == TASK_RUNNING)
			continue;
		if (c->stopping) {
			t->run.waiting = NULL;
			snprintf(t->result.reason, sizeof(t->result.reason), "stopped before it started");
			t->result.status = ENV_NOT_RUN;
			t->state = TASK_FAILED;
			continue;
		}
		package_task_start(c, t);
	}
	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (!er->waiting || er->waiting->state == TASK_RUNNING)
			continue;
		if (er->waiting->state == TASK_DONE && !c->stopping && c->running >= c->slots)
			continue;
		er->waiting = NULL;
		if (c->stopping && !er->finished)
			envrun_finish(er, ENV_NOT_RUN, "stopped while it waited for work shared with other envs");
		else
			envrun_start_step(c, er);
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
			envrun_finish(er, ENV_NOT_RUN, "stopped while waiting for another blitz run to build its env");
		else if (envrun_lock(c, er, er->waiting_lock == 2))
			envrun_build(c, er);
		if (er->finished)
			env_finished(c, er, 1);
		else
			waiting += er->waiting_lock;
	}
	return waiting;
}

static int cache_lookup(void *db, const char *real, long long size, long long mtime_ns, int version[3],
			char *impl, size_t implsz)
{
	return db_interp_lookup(db, real, size, mtime_ns, version, impl, implsz);
}

static void cache_store(void *db, const char *real, long long size, long long mtime_ns, const int version[3],
			const char *impl)
{
	db_interp_store(db, real, size, mtime_ns, version, impl);
}

/* What env er holds, but for its result. */
static void envrun_release(struct envrun *er)
{
	shard_free(er);
	shard_share_free(er);
	if (er->resolved)
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

/* Keep only the envs keep marks (--shard: this node's), in their order; the others are forgotten. */
static void keep_envs(struct ctx *c, struct run_result *res, struct strvec *deps, double *predicted,
		      const unsigned char *keep)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (!keep[i]) {
			envrun_release(&c->runs[i]);
			strvec_clear(&deps[i]);
			free(res->envs[i].name);
			free(res->envs[i].log_path);
			continue;
		}
		c->runs[k] = c->runs[i];
		res->envs[k] = res->envs[i];
		c->runs[k].r = &res->envs[k];
		deps[k] = deps[i];
		predicted[k] = predicted[i];
		k++;
	}
	c->n = res->n = k;
}

/* Whether a command runs coverage's subcommand sub ("coverage combine", "python -m coverage run"). */
static int runs_coverage(const struct strvec *argv, const char *sub)
{
	for (size_t k = 0; k + 1 < argv->n; k++) {
		const char *w = strrchr(argv->v[k], '/') ? strrchr(argv->v[k], '/') + 1 : argv->v[k];
		if (strncmp(w, "coverage", 8) == 0 && strcmp(argv->v[k + 1], sub) == 0)
			return 1;
	}
	return 0;
}

/* Whether env e collects coverage data (coverage run, pytest --cov), or (combine) combines it. */
static int env_coverage(const struct toxenv *e, int combine)
{
	const struct tox_commands *lists[] = { &e->commands_pre, &e->commands, &e->commands_post };

	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct strvec *argv = &lists[l]->v[i].argv;
			if (combine && runs_coverage(argv, "combine"))
				return 1;
			if (combine)
				continue;
			if (runs_coverage(argv, "run"))
				return 1;
			for (size_t k = 0; k < argv->n; k++)
				if (strncmp(argv->v[k], "--cov", 5) == 0 && strncmp(argv->v[k], "--cov-", 6) != 0)
					return 1;
		}
	return 0;
}

/*
 * An env that combines coverage data and names no depends runs after the
 * envs of the run that collect it (tox starts envs in the order they are
 * listed, so such a file works there as long as the combining env comes
 * last and the others finish first; blitz starts them by their length).
 */
static void coverage_order(struct envrun *runs, size_t n, struct strvec *deps)
{
	for (size_t i = 0; i < n; i++) {
		if (!runs[i].resolved || runs[i].e.depends.n || !env_coverage(&runs[i].e, 1))
			continue;
		for (size_t k = 0; k < n; k++)
			if (k != i && runs[k].resolved && env_coverage(&runs[k].e, 0) && !env_coverage(&runs[k].e, 1))
				strvec_push(&deps[i], runs[k].r->name);
		if (deps[i].n)
			envrun_log_line(&runs[i], "combines coverage and names no depends: it runs after", "the envs that collect it");
	}
}

/*
 * The exit status tox gives these results (the run got as far as its envs).
 * tox 4: 0 when every env passed (or failed with ignore_outcome) and not
 * every one was skipped; else one env's own code when it was the only one
 * selected (1 when skipped), the first failed env's with --fail-fast, or
 * 1. tox 3: 1 when an env failed.
 */
static int exit_status(const struct ctx *c, const struct run_result *res)
{
	size_t failed = 0, skipped = 0;

	for (size_t i = 0; i < res->n; i++) {
		failed += res->envs[i].status == ENV_FAILED;
		skipped += res->envs[i].status == ENV_SKIPPED || res->envs[i].status == ENV_NOT_RUN;
	}
	if (c->t->tox3)
		return failed ? 1 : 0;
	if (!failed && (skipped < res->n || !res->n))
		return 0;
	/* under fail-fast (the option, or any env's fail_fast) the first failure's code is the run's */
	int fail_fast = c->o->fail_fast;
	for (size_t i = 0; i < c->n; i++)
		fail_fast |= c->runs[i].resolved && c->runs[i].e.fail_fast;
	const struct env_result *which = res->n == 1 ? &res->envs[0] :
					 fail_fast && c->first_failed >= 0 ? &res->envs[c->first_failed] : NULL;
	/* a code that reads as success to the shell (256) is still a failure */
	if (which && which->status == ENV_FAILED && (which->code & 0xff))
		return which->code & 0xff;
	return 1;
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
			 .slots = o->slots ? o->slots : 1, .first_failed = -1 };

	memset(res, 0, sizeof(*res));
	res->n = envs->n;
	res->envs = xcalloc(envs->n ? envs->n : 1, sizeof(*res->envs));
	if (!o->dry_run && mkdirs(o->run_dir) < 0) {
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
	coverage_order(runs, envs->n, deps);
	for (size_t i = 0; i < envs->n; i++)
		envrun_prepare(&c, &runs[i]);
	if (o->nodes > 1) {
		/* --shard I/N: only this node's share of the envs and their tests */
		unsigned char *keep = xcalloc(c.n ? c.n : 1, 1);
		shard_nodes(&c, keep, stdout);
		keep_envs(&c, res, deps, predicted, keep);
		free(keep);
	}
	if (services_init(&c) != 0) {
		rc = 2;
		goto out_nosched;
	}
	const char **names = xcalloc(c.n ? c.n : 1, sizeof(*names));
	for (size_t i = 0; i < c.n; i++)
		names[i] = res->envs[i].name;
	/*
	 * Under fail-fast the order decides what runs at all: envs start in the
	 * order asked for, as tox starts them, rather than the longest first
	 */
	int in_order = o->fail_fast;
	for (size_t i = 0; i < c.n; i++)
		in_order |= runs[i].resolved && runs[i].e.fail_fast;
	int sched_rc = sched_init(&s, c.n, names, in_order ? NULL : predicted, deps, &d);
	free(names);
	if (sched_rc < 0) {
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
	shared_plan_layers(&c);
	shard_plan(&c, o->dry_run ? stdout : NULL);
	if (o->dry_run)
		goto stop;
	width_init(&w, c.slots);
	if (o->auto_width) {
		struct width_sample ws;
		width_sample(&w, &ws);	/* the first reading: a baseline for the next */
	}
	while (!sched_finished(&s)) {
		c.running = count_running(&c);
		resume_waiting(&c);
		shard_start_pending(&c);	/* an env's shards before new envs: its set-up is paid */
		while (!c.stopping && !c.no_new_envs && c.running < c.slots) {
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
		int sv = services_poll(&c);	/* services becoming ready, jobs waiting for them */
		if (sv >= 0 && (timeout < 0 || sv < timeout))
			timeout = sv;
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
			if (intr == SIGINT)
				pool_interrupt_all(&p);
			else
				pool_stop_all(&p);
			continue;
		}
		if (j->tag < 0) {
			services_job_done(&c, j);
			job_free(j);
			continue;
		}
		struct envrun *er = j->data;
		if (j->tag != TAG_STEP)
			shard_job_done(&c, er, j);
		else
			envrun_job_done(&c, er, j);
		job_free(j);
		if (er->finished && er->task)
			task_done(&c, er->task);
		else if (er->finished)
			env_finished(&c, er, 1);
	}
stop:
	services_finish(&c, res);
	pool_release(&p);
out:
	sched_release(&s);
out_nosched:
	res->seconds = (double)(now_ns() - c.t0) / 1e9;
	if (rc == 0 && !o->dry_run)
		rc = exit_status(&c, res);
	for (size_t i = 0; i < c.n; i++) {
		if (c.no_new_envs && !runs[i].started)
			snprintf(res->envs[i].reason, sizeof(res->envs[i].reason), "not started: fail-fast stopped the run after %s failed",
				 res->envs[c.first_failed].name);
		envrun_unlock(&runs[i]);
		envrun_release(&runs[i]);
		strvec_clear(&deps[i]);
	}
	report_write(&c, res);
	junit_release(&c.junit);
	shared_prune(&c);
	for (size_t i = 0; i < c.ntasks; i++) {
		remove_tree(c.tasks[i]->tmp);	/* an interrupted one's */
		task_free(c.tasks[i]);
	}
	free(c.tasks);
	strvec_clear(&c.tree_skip);
	strvec_clear(&c.tree_entries);
	for (size_t i = 0; i < c.npkgenvs; i++)
		pkgenv_free(c.pkgenvs[i]);
	free(c.pkgenvs);
	free(c.backend_script);
	for (size_t i = 0; i < c.nseedings; i++) {
		seed_plan_release(&c.seedings[i]->plan);
		free(c.seedings[i]);
	}
	free(c.seedings);
	free(c.plugin_dir);
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
	for (size_t i = 0; i < res->nslowest; i++) {
		free(res->slowest[i].env);
		free(res->slowest[i].test);
	}
	free(res->slowest);
	for (size_t i = 0; i < res->nflaky; i++) {
		free(res->flaky[i].env);
		free(res->flaky[i].test);
	}
	free(res->flaky);
	free(res->junit);
	for (size_t i = 0; i < res->nservices; i++) {
		free(res->services[i].service);
		free(res->services[i].log_path);
		free(res->services[i].error);
	}
	free(res->services);
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
