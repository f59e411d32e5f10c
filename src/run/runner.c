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
#include "../plan/shards.h"
#include "../plan/width.h"
#include "../state/db.h"
#include "../util/strvec.h"
#include "../util/util.h"

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
		if (j->label && j->pid > 0 && quiet >= 60 && quiet > st.silent_s) {
			st.silent = j->label;
			st.silent_s = quiet;
		}
	}
	c->progress(c->pctx, r, &st);
	free((void *)st.running);
}

/* Env er has finished. */
static void env_finished(struct ctx *c, struct envrun *er)
{
	int was_running = er->r->nsteps > 0;	/* it ran something */

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
 * What finished since the last look: tasks whose steps ended are published
 * (or failed), envs that ended are counted, once each.
 */
static void settle(struct ctx *c)
{
	/* a task an env waits for starts (taking the env's interpreter and settings) */
	for (size_t i = 0; i < c->n && !c->stopping; i++)
		if (c->runs[i].waiting && c->runs[i].waiting->state == TASK_IDLE)
			task_start(c, c->runs[i].waiting, &c->runs[i]);
	for (size_t i = 0; i < c->tasks.n; i++)
		if (c->tasks.v[i]->state == TASK_RUNNING && c->tasks.v[i]->run.finished)
			task_done(c, c->tasks.v[i]);
	for (size_t i = 0; i < c->n; i++)
		if (c->runs[i].finished && !c->counted[i]) {
			c->counted[i] = 1;
			env_finished(c, &c->runs[i]);
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
		if (c->runs[i].started && !c->runs[i].finished && !c->runs[i].waiting)
			n += c->runs[i].split ? shard_running(c->runs[i].split) : 1;
	for (size_t i = 0; i < c->tasks.n; i++)
		n += c->tasks.v[i]->state == TASK_RUNNING && !c->tasks.v[i]->run.waiting;
	return n;
}

/*
 * Tasks waiting for another task (a wheel for its sdist, a build for its
 * packaging env) start once it has ended; then envs whose task has ended go
 * on, as slots allow (at once when it failed: they only finish).
 */
static size_t resume_waiting(struct ctx *c)
{
	size_t resumed = 0;

	for (size_t i = 0; i < c->tasks.n; i++) {
		struct task *t = c->tasks.v[i];
		if (t->state != TASK_RUNNING || !t->run.waiting || t->run.waiting->state == TASK_RUNNING)
			continue;
		if (c->stopping)
			envrun_resume(c, &t->run);	/* it ends, not started */
		else
			task_start(c, t, NULL);
	}
	settle(c);
	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (!er->waiting || er->waiting->state == TASK_RUNNING)
			continue;
		if (er->waiting->state == TASK_DONE && !c->stopping && c->running >= c->slots)
			continue;
		envrun_resume(c, er);
		settle(c);
		c->running = count_running(c);
		resumed++;
	}
	return resumed;
}

/* Envs waiting for another run's lock: try again (or give up, when the run is stopping). */
static int retry_locks(struct ctx *c)
{
	int waiting = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->runs[i].waiting_lock) {
			waiting += envrun_retry_lock(c, &c->runs[i]);
			settle(c);
		}
	for (size_t i = 0; i < c->tasks.n; i++)
		if (c->tasks.v[i]->run.waiting_lock) {
			waiting += envrun_retry_lock(c, &c->tasks.v[i]->run);
			settle(c);
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

/*
 * The envs as the shard planner sees them (plan/shards.h): what runs,
 * its pytest command that may be split, its history (tests allocated: the
 * caller frees them with plan_envs_release).
 */
static struct shard_env *plan_envs(struct ctx *c)
{
	struct shard_env *v = xcalloc(c->n ? c->n : 1, sizeof(*v));

	for (size_t i = 0; i < c->n; i++) {
		const struct envrun *er = &c->runs[i];
		v[i].name = er->r->name;
		v[i].runs = er->ready == ENV_PASSED;
		v[i].split_step = v[i].runs ? plugin_split_step(&er->steps, &v[i].why_not) : -1;
		v[i].predicted = c->predicted[i];
		v[i].cost = db_process_cost(c->db, er->r->name);
		v[i].share = er->share;
		if (v[i].split_step >= 0 && !c->o->no_split)
			v[i].ntests = db_env_tests(c->db, er->r->name, &v[i].tests, &v[i].secs);
	}
	return v;
}

static void plan_envs_release(struct shard_env *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t t = 0; t < v[i].ntests; t++)
			free(v[i].tests[t]);
		free(v[i].tests);
		free(v[i].secs);
	}
	free(v);
}

/* --shard I/N: share the envs and their tests among the nodes; keep[i] set for this node's. */
static void plan_nodes(struct ctx *c, unsigned char *keep)
{
	struct shard_env *v = plan_envs(c);
	struct share **shares = xcalloc(c->n ? c->n : 1, sizeof(*shares));

	shards_nodes(v, c->n, c->o->node, c->o->nodes, keep, shares, stdout);
	for (size_t i = 0; i < c->n; i++)
		envrun_give_share(&c->runs[i], shares[i]);
	free(shares);
	plan_envs_release(v, c->n);
}

/* How many shards each env's pytest command gets (with --dry-run, the plan printed instead of run). */
static void plan_shards(struct ctx *c)
{
	struct shard_env *v = plan_envs(c);
	size_t *shards = xcalloc(c->n ? c->n : 1, sizeof(*shards));

	shards_plan(v, c->n, c->slots, c->o->split_by, c->o->no_split, shards, c->o->dry_run ? stdout : NULL);
	for (size_t i = 0; i < c->n; i++)
		envrun_plan_split(&c->runs[i], c->o->no_split ? -1 : v[i].split_step, shards[i]);
	free(shards);
	plan_envs_release(v, c->n);
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
			record_release(&res->envs[i]);
			continue;
		}
		res->envs[k] = res->envs[i];
		envrun_move(&c->runs[k], &c->runs[i], &res->envs[k]);
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
			record_line(runs[i].r, "combines coverage and names no depends: it runs after", "the envs that collect it");
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
		char *log = xconcat(o->run_dir, "/", envs->v[i], ".log", NULL);
		record_init(&res->envs[i], envs->v[i], log);
		free(log);
		envrun_init(er, t, envs->v[i], &res->envs[i], o->timeout_ns);
		if (er->resolved)
			strvec_extend(&deps[i], &er->e.depends);
		predicted[i] = db_env_duration(&db, envs->v[i]);
	}
	coverage_order(runs, envs->n, deps);
	for (size_t i = 0; i < envs->n; i++) {
		struct package_choice pc;
		envrun_prepare(&c, &runs[i]);
		if (runs[i].ready != ENV_PASSED)
			continue;
		/* the project's package, built once for the envs that install it */
		package_choose(&c, &runs[i], &pc);
		envrun_use_package(&c, &runs[i], &pc);
		free(pc.pkg_error);
	}
	if (o->nodes > 1) {
		/* --shard I/N: only this node's share of the envs and their tests */
		unsigned char *keep = xcalloc(c.n ? c.n : 1, 1);
		plan_nodes(&c, keep);
		keep_envs(&c, res, deps, predicted, keep);
		free(keep);
	}
	char (*unable)[512] = xcalloc(c.n ? c.n : 1, sizeof(*unable));
	int svc_rc = services_init(&c, unable);
	for (size_t i = 0; i < c.n; i++)
		if (unable[i][0])
			envrun_refuse(&runs[i], ENV_FAILED, unable[i]);
	free(unable);
	if (svc_rc != 0) {
		rc = 2;
		goto out_nosched;
	}
	c.counted = xcalloc(c.n ? c.n : 1, 1);
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
	layers_plan(&c);
	plan_shards(&c);
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
		/* an env's shards before new envs: its set-up is paid */
		c.running += shard_start_pending(&c, c.running < c.slots ? c.slots - c.running : 0);
		while (!c.stopping && !c.no_new_envs && c.running < c.slots) {
			long i = sched_next(&s);
			if (i < 0)
				break;
			envrun_start(&c, &runs[i]);
			settle(&c);
			c.running = count_running(&c);
		}
		int waiting = retry_locks(&c);
		while (resume_waiting(&c))
			;	/* a task that failed at once (or was there already): its envs go on */
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
		job_done(j, &c);	/* its owner's: an env's step, a shard, a service */
		settle(&c);
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
		if (c.no_new_envs && !runs[i].started) {
			char why[600];
			snprintf(why, sizeof(why), "not started: fail-fast stopped the run after %.400s failed",
				 res->envs[c.first_failed].name);
			envrun_finish(&runs[i], ENV_NOT_RUN, why);
		}
		envrun_release(&runs[i]);
		strvec_clear(&deps[i]);
	}
	tests_finish(&c.tests, &db, o->run_dir, o->durations, res);
	tests_release(&c.tests);
	char *packages = package_root_dir(&c), *layers = layers_root(&c);
	task_prune(packages);
	task_prune(layers);
	free(packages);
	free(layers);
	tasks_release(&c);
	tree_release(&c);
	package_release(&c);
	seeding_release(&c);
	plugin_release(&c);
	free(c.counted);
	if (res->interrupted && rc != 2)
		rc = 130;
	interp_set_cache(NULL);
	db_close(&db);
	free(runs);
	free(deps);
	free(predicted);
	return rc;
}
