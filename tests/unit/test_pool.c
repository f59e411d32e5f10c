/*
 * The job pool with real child processes (sh, sleep): exit codes, output
 * captured, a death by signal, timeouts, a grandchild holding the output pipe,
 * stopping everything, and jobs running side by side.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/run/pool.h"
#include "../../src/util/util.h"

/* Start `sh -c script` with its log in the fixture's folder. */
static struct job *start_sh(struct pool *p, struct fx *f, const char *script, long long timeout_ms)
{
	static int n;
	char name[32];
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct job_spec spec = { .argv = argv, .timeout_ns = timeout_ms * 1000000LL };

	snprintf(name, sizeof(name), "job%d.log", n++);
	spec.log_path = fx_path(f, name);
	spec.owner = (void *)spec.log_path;
	return pool_start(p, &spec);
}

/* Wait for the next job (test limit 10 s). */
static struct job *next(struct pool *p)
{
	int intr;
	struct job *j = pool_wait(p, 10000, &intr);

	CHECK(j != NULL);
	return j;
}

static const char *log_of(struct fx *f, struct job *j)
{
	char *text = read_file(j->owner, NULL);
	struct strvec keep = STRVEC_INIT;
	const char *s;

	strvec_push_owned(&keep, text ? text : xstrdup(""));
	s = fx_join(f, &keep);
	strvec_clear(&keep);
	return s;
}

static void test_pool_exit_code_and_output(void)
{
	struct fx f;
	struct pool p;
	struct job *j;

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	start_sh(&p, &f, "echo out; echo err >&2; exit 3", 0);
	j = next(&p);
	CHECK_INT(j->end, JOB_EXITED);
	CHECK_INT(j->exit_code, 3);
	CHECK_STR(log_of(&f, j), "out\nerr\n");
	CHECK_INT(pool_running(&p), 0);
	job_free(j);
	pool_release(&p);
	fx_release(&f);
}

static void test_pool_killed_by_signal(void)
{
	struct fx f;
	struct pool p;
	struct job *j;

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	start_sh(&p, &f, "kill -SEGV $$", 0);
	j = next(&p);
	CHECK_INT(j->end, JOB_SIGNALED);
	CHECK_INT(j->signo, SIGSEGV);
	job_free(j);
	pool_release(&p);
	fx_release(&f);
}

static void test_pool_timeout(void)
{
	struct fx f;
	struct pool p;
	struct job *j;
	long long t0 = now_ns();

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	start_sh(&p, &f, "echo started; exec sleep 30", 200);
	j = next(&p);
	CHECK_INT(j->end, JOB_TIMED_OUT);
	CHECK((now_ns() - t0) < 5000000000LL);
	CHECK_STR(log_of(&f, j), "started\n");
	job_free(j);
	pool_release(&p);
	fx_release(&f);
}

/* The child exits at once; a grandchild in its group keeps the pipe: the job still ends, and the grandchild goes. */
static void test_pool_grandchild_holding_output(void)
{
	struct fx f;
	struct pool p;
	struct job *j;
	long long t0 = now_ns();

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	p.grace_ns = 300000000LL;
	start_sh(&p, &f, "sleep 30 & echo $!", 0);
	j = next(&p);
	CHECK_INT(j->end, JOB_EXITED);
	CHECK_INT(j->exit_code, 0);
	CHECK((now_ns() - t0) < 5000000000LL);
	long grandchild = atol(log_of(&f, j));
	CHECK(grandchild > 0);
	/* gone (or a zombie of init's): kill(0) fails, or /proc says it is a zombie */
	usleep(100000);
	char stat[64], *text;
	snprintf(stat, sizeof(stat), "/proc/%ld/stat", grandchild);
	text = read_file(stat, NULL);
	CHECK(!text || strstr(text, ") Z ") != NULL);
	free(text);
	job_free(j);
	pool_release(&p);
	fx_release(&f);
}

static void test_pool_command_not_found(void)
{
	struct fx f;
	struct pool p;
	struct job *j;
	char *argv[] = { "no-such-command-blitz", NULL };
	struct job_spec spec = { .argv = argv };

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	spec.log_path = fx_path(&f, "missing.log");
	/* two failures before anyone waits: both come back as failures, not as exits */
	pool_start(&p, &spec);
	pool_start(&p, &spec);
	for (int i = 0; i < 2; i++) {
		j = next(&p);
		CHECK_INT(j->end, JOB_SPAWN_FAILED);
		CHECK(strstr(j->error, "no-such-command-blitz") != NULL);
		job_free(j);
	}
	CHECK_INT(pool_running(&p), 0);
	pool_release(&p);
	fx_release(&f);
}

/* Four jobs of 0.4 s each finish together, not one after the other. */
static void test_pool_runs_jobs_side_by_side(void)
{
	struct fx f;
	struct pool p;
	long long t0 = now_ns();

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	for (int i = 0; i < 4; i++)
		start_sh(&p, &f, "sleep 0.4", 0);
	for (int i = 0; i < 4; i++) {
		struct job *j = next(&p);
		CHECK_INT(j->end, JOB_EXITED);
		job_free(j);
	}
	CHECK((now_ns() - t0) < 1200000000LL);
	pool_release(&p);
	fx_release(&f);
}

/* Stopping everything (Ctrl-C) ends every job, even one that ignores TERM. */
static void test_pool_stop_all(void)
{
	struct fx f;
	struct pool p;

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	p.grace_ns = 300000000LL;
	start_sh(&p, &f, "exec sleep 30", 0);
	start_sh(&p, &f, "trap '' TERM; while :; do sleep 0.05; done", 0);
	usleep(100000);
	pool_stop_all(&p);
	for (int i = 0; i < 2; i++) {
		struct job *j = next(&p);
		CHECK_INT(j->end, JOB_STOPPED);
		job_free(j);
	}
	CHECK_INT(pool_running(&p), 0);
	pool_release(&p);
	fx_release(&f);
}

/* Each job's CPU time is its own: a busy loop shows it, a sleep does not. */
static void test_pool_cpu_time(void)
{
	struct fx f;
	struct pool p;

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	start_sh(&p, &f, "i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done; echo busy", 0);
	start_sh(&p, &f, "sleep 0.3; echo idle", 0);
	for (int k = 0; k < 2; k++) {
		struct job *j = next(&p);
		if (!j)
			break;
		const char *out = log_of(&f, j);
		if (strcmp(out, "busy\n") == 0)
			CHECK(j->cpu_ns > 50000000LL);
		else
			CHECK(strcmp(out, "idle\n") == 0 && j->cpu_ns < 50000000LL &&
			      j->end_ns - j->start_ns >= 300000000LL);
		job_free(j);
	}
	pool_release(&p);
	fx_release(&f);
}

/* What an owner's callback saw. */
struct seen {
	void *run;
	int calls, exit_code;
};

static void owner_done(void *run, void *owner, struct job *j)
{
	struct seen *s = owner;

	s->run = run;
	s->calls++;
	s->exit_code = j->exit_code;
}

/* Each job goes back to its own owner's callback, with the waiter's context; a job without one is only freed. */
static void test_pool_job_owners(void)
{
	struct fx f;
	struct pool p;
	struct seen a = { 0 }, b = { 0 };
	int run_ctx = 0;
	char *argv_a[] = { "sh", "-c", "exit 4", NULL }, *argv_b[] = { "sh", "-c", "exit 5", NULL };
	char *argv_c[] = { "true", NULL };

	fx_init(&f);
	CHECK_INT(pool_init(&p), 0);
	struct job_spec sa = { .argv = argv_a, .log_path = fx_path(&f, "a.log"), .done = owner_done, .owner = &a,
			       .label = "a" };
	struct job_spec sb = { .argv = argv_b, .log_path = fx_path(&f, "b.log"), .done = owner_done, .owner = &b };
	struct job_spec sc = { .argv = argv_c, .log_path = fx_path(&f, "c.log") };
	CHECK_STR(pool_start(&p, &sa)->label, "a");
	pool_start(&p, &sb);
	pool_start(&p, &sc);
	for (int i = 0; i < 3; i++)
		job_done(next(&p), &run_ctx);
	CHECK_INT(a.calls, 1);
	CHECK_INT(a.exit_code, 4);
	CHECK(a.run == &run_ctx);
	CHECK_INT(b.calls, 1);
	CHECK_INT(b.exit_code, 5);
	CHECK_INT(pool_running(&p), 0);
	pool_release(&p);
	fx_release(&f);
}

const struct test pool_tests[] = {
	{ "pool_job_owners", test_pool_job_owners },
	{ "pool_cpu_time", test_pool_cpu_time },
	{ "pool_exit_code_and_output", test_pool_exit_code_and_output },
	{ "pool_killed_by_signal", test_pool_killed_by_signal },
	{ "pool_timeout", test_pool_timeout },
	{ "pool_grandchild_holding_output", test_pool_grandchild_holding_output },
	{ "pool_command_not_found", test_pool_command_not_found },
	{ "pool_runs_jobs_side_by_side", test_pool_runs_jobs_side_by_side },
	{ "pool_stop_all", test_pool_stop_all },
	{ NULL, NULL },
};
