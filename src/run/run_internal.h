#ifndef BLITZ_RUN_INTERNAL_H
#define BLITZ_RUN_INTERNAL_H

/*
 * What the files of the run share: the run (runner.c), each env's steps
 * (envrun.c, prepare.c, build.c), work done once for several envs (shared.c:
 * layers of shared deps; package.c: the project's package), shards
 * (shard.c), services (services.c) and the run's test report (report.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runner.h"
#include "steps.h"
#include "../config/tox.h"
#include "../env/interp.h"
#include "../env/seed.h"
#include "../report/junit.h"
#include "../util/strvec.h"

struct pool;
struct job;
struct sched;
struct db;

struct ctx;
struct task;
struct pkgenv;
struct seeding;
struct split;
struct share;
struct services;
struct job_spec;

struct envrun {
	struct toxenv e;
	int resolved;
	char error[512];		/* why it could not be resolved, or cannot run (see ready) */
	enum env_status ready;		/* ENV_PASSED: prepared and ready to start; else how it ends when started */
	struct interp in;		/* its interpreter */
	const struct seeding *seeding;	/* how its venv is seeded (the run's, per interpreter) */
	int clear;			/* its venv is made again over an old one */
	struct steps steps;
	size_t next;			/* the step to run next */
	struct strvec envp;		/* its commands' environment (and tox 4's set-up's) */
	struct strvec envp_setup;	/* tox 3: its set-up's environment (everything but PYTHONPATH); else empty */
	struct env_result *r;
	long long start_ns;
	int started, finished;
	long long timeout_ns;		/* for its commands */
	size_t setup_end;		/* its first command step (steps before it set the env up) */
	uint64_t fp_setup, fp_package;	/* what its venv and deps, and its project, are built from */
	uint64_t fp_install;		/* the PIP_/UV_/VIRTUALENV_ settings it installs with */
	int building;			/* set-up steps run: when done, the env is marked built */
	int lock_fd;			/* its env_dir's lock (build.c), held from its start to its end; -1: none */
	int lock_excl;			/* held exclusive (checking, building), else shared (using it) */
	int waiting_lock;		/* waiting for another blitz run: 1 building the env_dir, 2 using it (to rebuild it) */
	struct task *layer;		/* the layer of shared deps its STEP_LAYER clones */
	struct task *pkg_task;		/* what its STEP_WHEEL waits for: the project's package for it */
	char *pkg_error;		/* why its package cannot be built: its STEP_WHEEL fails with it; or NULL */
	char *constraints;		/* constrain_package_deps: the constraints file of its project's install, or NULL */
	uint64_t fp_reqs;		/* its project's requirements (from the package's metadata), once known; 0 none */
	uint64_t mark_reqs;		/* the same as its reused venv's mark says */
	int venv_reused;		/* its venv and deps are in place (the project may be installed again) */
	uint64_t deps_key;		/* its STEP_DEPS running: the key of what pip resolves, or 0 */
	struct task *waiting;		/* the task it waits for (it holds no slot meanwhile) */
	struct task *task;		/* this is no env but the steps of this task */
	int together;			/* its project's wheel goes in with its deps, in one pip run */
	size_t together_at, together_words;	/* where the project's words went into its STEP_DEPS, how many */
	int package_in_deps;		/* its STEP_DEPS installs the project too: STEP_PACKAGE is skipped */
	long split_step;		/* its pytest command that may run in shards, or -1 */
	size_t shards;			/* how many the plan gives it (1: run as written) */
	struct split *split;		/* that command, running in shards; NULL otherwise */
	struct share *share;		/* --shard: its tests are split among CI nodes; this node's */
	long svc_slot;			/* the slot whose services it holds (blitz_services), or -1 */
	int retries;			/* commands_retry: times its current command ran again */
	int log_id;			/* the process logs written to its env_log_dir this run (-1: none can be) */
	size_t log_from;		/* where its current job's output starts in its log */
	int dirs_ready;			/* its env_tmp_dir emptied and change_dir made, as tox does before commands */
	char fail_why[512];		/* the first command that failed (commands_post still runs), or "" */
	int fail_code;			/* its code */
	char svc_note[512];		/* a service that died while its job ran, or "" */
};

/* Job tags (struct job_spec.tag): which job of an env's step it is. */
enum { TAG_STEP = 0, TAG_COLLECT = 1, TAG_SHARD = 2 /* + the shard's index */ };

/*
 * Work several envs of a run wait for, done once: the project's wheel
 * (built by the first env that needs it), a layer of the deps several envs
 * share (installed once, then cloned into each). Built in a folder of its
 * own (tmp) and renamed into place when complete, so a concurrent blitz run
 * never sees half of it; reused by later runs while its key is unchanged.
 */
struct task {
	/*
	 * TASK_LAYER: deps several envs share (shared.c). TASK_BUILD: the
	 * project's sdist, wheel or editable wheel, built by its build backend
	 * in a packaging env; TASK_PIP_WHEEL: the wheel pip builds from that
	 * sdist for one interpreter (package.c).
	 */
	enum task_kind { TASK_LAYER, TASK_BUILD, TASK_PIP_WHEEL } kind;
	uint64_t key;
	char *dir;			/* where it lives when done: the layer's venv, the package's folder */
	char *tmp;			/* where it is built */
	enum { TASK_IDLE, TASK_RUNNING, TASK_DONE, TASK_FAILED } state;
	struct task *needs;		/* a task that must be done before this one starts, or NULL */
	struct strvec deps;		/* TASK_LAYER: the deps it holds */
	const char *build_kind;		/* TASK_BUILD: "sdist", "wheel" or "editable" */
	struct pkgenv *pkg;		/* TASK_BUILD: the packaging env it is built in */
	struct envrun *for_env;		/* TASK_PIP_WHEEL: the env whose interpreter and settings it builds with */
	char *artifact;			/* TASK_BUILD, TASK_PIP_WHEEL, done: the file */
	char *metadata;			/* done: the wheel's METADATA, copied out, or NULL */
	struct envrun run;		/* its steps, run as an env's are */
	struct env_result result;
};

/*
 * How the venvs of one interpreter (and one set of VIRTUALENV_* settings) are
 * seeded: the images of the wheels chosen (env/seed.h), made once per
 * machine; and a pip image blitz runs from outside any venv to build wheels.
 */
struct seeding {
	char python[4096];
	uint64_t key;			/* the interpreter and the VIRTUALENV_* settings */
	struct seed_plan plan;
	char image[SEED_DISTS][4096];	/* "" for a dist not seeded */
	char builder_pip[4096];		/* "" when there is none */
	char error[512];		/* why an image could not be made, or "" */
};

/* How venvs of interpreter in, with the VIRTUALENV_* settings of envp, are seeded (prepare.c). */
const struct seeding *run_seeding(struct ctx *c, const struct interp *in, const struct strvec *envp);

/* What every env of a run shares, and where the run stands. */
struct ctx {
	struct pool *p;
	struct tox *t;
	const struct run_opts *o;
	uint64_t tree;			/* the project's source tree (fp_tree), once computed */
	int have_tree;
	uint64_t code_tree;		/* its Python and pytest configuration files only (fp_code_tree) */
	int have_code_tree;
	struct strvec tree_skip;	/* what the tree leaves out: the work folder, files builds write (absolute) */
	struct strvec tree_entries;	/* the tree's files as fp_tree_content lists them */
	struct sched *s;
	struct db *db;
	struct envrun *runs;
	size_t n;
	const double *predicted;	/* seconds per env from history, -1: unknown */
	run_progress_fn progress;
	void *pctx;
	long long t0;
	size_t slots, running, done;
	int stopping;			/* Ctrl-C, SIGTERM: every job is being stopped */
	int no_new_envs;		/* --fail-fast after a failure: envs not started stay so; the others finish */
	long first_failed;		/* the env that failed first, or -1 */
	struct task **tasks;
	size_t ntasks;
	struct junit junit;		/* every env's tests, as their pytest reported them */
	char *plugin_dir;		/* where blitz's pytest plugin is written, once needed */
	struct services *svc;		/* the services of blitz_services (services.c), or NULL */
	struct seeding **seedings;	/* one per interpreter and VIRTUALENV_* settings met */
	size_t nseedings;
	struct pkgenv **pkgenvs;	/* the packaging envs the run's envs name (package.c) */
	size_t npkgenvs;
	char *backend_script;		/* blitz's PEP 517 front end, written once needed (package.c) */
};

/*
 * Before the run (prepare.c): find env er's interpreter and the pip blitz
 * runs for it, and work out its steps, environment and fingerprints. An env
 * that cannot run gets er->ready (how it ends) and er->error (why) instead.
 */
void envrun_prepare(struct ctx *c, struct envrun *er);

/*
 * The fingerprint of the project's source tree (code: of its Python and
 * pytest config files only), once per run, and the commit git has checked
 * out (prepare.c). Files the project's builds write are left out:
 * run_tree_outputs, after a build of the given version, finds the files it
 * changed that name that version (a version file), lists them in
 * .blitz/build-outputs and takes them out of the tree from now on; returns
 * how many.
 */
uint64_t run_tree(struct ctx *c, int code);
int run_tree_outputs(struct ctx *c, const char *version);

/* What env er's project is built from (er->fp_package), from the tree as run_tree sees it now (prepare.c). */
void envrun_package_fp(struct ctx *c, struct envrun *er);

/* Record in er's result that step st ran as job j, described as cmd (or st's words when NULL). */
void envrun_record_step(struct envrun *er, const struct step *st, const struct job *j, const char *cmd);

/* Why job j of step st failed, into why ("" when it did not). */
void step_failure(const struct step *st, const struct job *j, char *why, size_t whysz);

/*
 * Tests split into shards (shard.c runs them; shard_plan.c plans them, and
 * shard_nodes below). shard_plan: before the run, decide
 * how many shards each env's pytest command gets (history, measured
 * process costs); with dry, print the plan instead. shard_start: er's
 * split step is next: collect its node ids (or take them from the cache)
 * and start its shards; 0 started, 1 none of its tests is this node's
 * (--shard: the step is done), -1 run it as written. shard_job_done: a
 * collection or shard job of er ended. shard_start_pending: start waiting
 * shards while slots are free. shard_running: the slots er's shards hold.
 * shard_rerun: er's pytest command (run as written) failed with why, its
 * tests in the run's report from index from on: rerun those that failed
 * (--reruns); 0 when a rerun started, -1 when none did.
 */
void shard_plan(struct ctx *c, FILE *dry);
int shard_start(struct ctx *c, struct envrun *er);
void shard_job_done(struct ctx *c, struct envrun *er, struct job *j);
void shard_start_pending(struct ctx *c);
size_t shard_running(const struct envrun *er);
int shard_rerun(struct ctx *c, struct envrun *er, size_t from, const char *why);
void shard_free(struct envrun *er);

/*
 * --shard I/N (shard_plan.c): share the envs among the nodes by their history;
 * keep[i] set for the envs this node runs (an env split among nodes gets a
 * share of its tests); a line about it to out. shard_share_free: at the end.
 */
void shard_nodes(struct ctx *c, unsigned char *keep, FILE *out);
void shard_share_free(struct envrun *er);

/*
 * Services (services.c): a real server per parallel slot for the jobs of
 * envs that name it in blitz_services, started from [blitz:service:NAME].
 * services_init: before the run, read the definitions, check each env's
 * names, stop what a killed run left; 2 when the run cannot go on (printed).
 * services_env_start: env er starts; take a slot and start its services
 * while its venv is set up. services_start_job: start job spec of er (holder
 * -1: the env's own step; else the shard of that index) now, or once its
 * slot's services are ready and reset (fresh: reset even when the env's
 * own steps used them last: a rerun); jobs of envs needing none start at
 * once. services_job_done: a job of the services ended (tag < 0).
 * services_job_end: er's holder's job ended (a shard frees its slot).
 * services_env_end: er finished. services_poll: each turn of the loop;
 * returns the ms until it wants to look again, -1 when nothing waits.
 * services_finish: stop them all, remove their folders, fill res.
 */
int services_init(struct ctx *c);
void services_env_start(struct ctx *c, struct envrun *er);
void services_start_job(struct ctx *c, struct envrun *er, const struct job_spec *spec, long holder, int fresh);
void services_job_done(struct ctx *c, struct job *j);
void services_job_end(struct ctx *c, struct envrun *er, long holder);
void services_env_end(struct ctx *c, struct envrun *er);
int services_poll(struct ctx *c);
void services_finish(struct ctx *c, struct run_result *res);

/* Job tags of the services: negative, apart from the envs' */
enum { TAG_SVC_PROC = -1, TAG_SVC_SETUP = -2, TAG_SVC_READY = -3, TAG_SVC_RESET = -4, TAG_SVC_COPY = -5 };

/*
 * An env's building (build.c). envrun_lock: take the lock on er's env_dir,
 * shared (using it) or exclusive (building it), not waiting (1 held, or
 * locks cannot be had; 0 another run holds it the other way); envrun_unlock:
 * let it go. envrun_build: er holds its lock: decide whether it is reused or
 * built (waiting, exclusive, for other runs using it to be done), and start
 * its first step.
 */
int envrun_lock(struct ctx *c, struct envrun *er, int exclusive);
void envrun_unlock(struct envrun *er);
void envrun_build(struct ctx *c, struct envrun *er);

/*
 * Env er's STEP_CREATE when blitz makes the venv itself (build.c): the venv
 * and its seeds, in this process, recorded as the step. Returns 0, or -1
 * when it failed (the env is finished).
 */
int envrun_create(struct ctx *c, struct envrun *er);

/*
 * Env er's STEP_DEPS st in a venv it is building (build.c):
 * envrun_deps_cached installs what pip resolved for the same install before
 * (env/resolved.h) in this process, recorded as the step: 0 done, 1 run
 * pip. envrun_deps_ran: pip ran it and passed: keep what it installed.
 */
int envrun_deps_cached(struct ctx *c, struct envrun *er, const struct step *st);
void envrun_deps_ran(struct ctx *c, struct envrun *er, const struct step *st);

/* Start env er's next step (envrun.c): 0 started, 1 waiting for a task, -1 finished. */
int envrun_start_step(struct ctx *c, struct envrun *er);

/* A job of env er's current step ended (envrun.c): go on with the env, or record why it failed. */
void envrun_job_done(struct ctx *c, struct envrun *er, struct job *j);

/* Env er ends with status; reason says why it did not pass (envrun.c); code: tox's exit code for it. */
void envrun_finish(struct envrun *er, enum env_status status, const char *reason);
void envrun_fail(struct envrun *er, int code, const char *reason);

/*
 * Env er's current step (steps.v[er->next]) has ended (envrun.c): why is
 * "" when it passed, else why it failed and code the exit code tox gives
 * that failure; stopped: Ctrl-C or --fail-fast stopped it. Goes on as tox
 * does: a failing command of commands_pre or commands skips to
 * commands_post (all of them run with ignore_errors), a failing set-up step
 * ends the env; and starts what comes next.
 */
void envrun_step_ended(struct ctx *c, struct envrun *er, const char *why, int code, int stopped);

/*
 * How env er's commands are stopped on Ctrl-C, as tox stops them: SIGINT
 * after suicide_timeout, SIGTERM interrupt_timeout later, SIGKILL
 * terminate_timeout later (into spec).
 */
void envrun_stop_plan(const struct envrun *er, struct job_spec *spec);

/* The environment env er's step st runs in. */
char *const *envrun_envp(const struct envrun *er, const struct step *st);

/* The exit code tox gives a failed job: the process's code, -N when signal N killed it, 2 when it never started. */
int job_tox_code(const struct job *j);

/* A line "[blitz] ENV: WHAT PATH" in env er's log (shared.c). */
void envrun_log_line(const struct envrun *er, const char *what, const char *path);

/*
 * Work shared by envs (shared.c). shared_plan_layers: before the run, group
 * the envs to be built whose deps overlap and give them a layer (a
 * STEP_LAYER after their venv). layer_step: run env er's STEP_LAYER (0 go
 * on, 1 waiting, -1 finished). task_get: the task of kind and key, made
 * idle when the run has none yet (done, when an earlier run left its
 * result under root). task_wait: env er needs task t: start it when idle; 0
 * when it is done, 1 while er waits (er->waiting), -1 when it failed (er
 * finished). task_run_steps: start the steps a task's run holds.
 * task_done: a task's steps ended. shared_prune: remove packages and
 * layers no run has used for a week, and what dead runs left half-built.
 * task_free: at the end of the run.
 */
void shared_plan_layers(struct ctx *c);
int layer_step(struct ctx *c, struct envrun *er);
struct task *task_get(struct ctx *c, enum task_kind kind, uint64_t key, const char *root);
int task_wait(struct ctx *c, struct task *t, struct envrun *er);
void task_run_steps(struct ctx *c, struct task *t);
void task_done(struct ctx *c, struct task *t);
void task_free(struct task *t);
void shared_prune(struct ctx *c);

/* Copy the log at from to the end of the log at to. */
void append_log(const char *to, const char *from);

/* Record in r a step blitz did in its own process (what, cmd), which started at t0. */
void record_inproc(struct env_result *r, const char *what, const char *cmd, long long t0);

/*
 * The project's package, built as tox 4 builds it (package.c) and
 * installed into each env (package_install.c). package_prepare: before the
 * run, env er's package steps: for sdist, wheel, sdist-wheel, editable and
 * external a STEP_WHEEL before its STEP_PACKAGE and the tasks that build
 * the package (returns -1 with er->error when it cannot).
 * package_constraints: constrain_package_deps's file, and the STEP_FREEZE
 * that writes it with use_frozen_constraints. package_step: er's
 * STEP_WHEEL: wait for the package, then point its install at it (0 go
 * on, 1 waiting, -1 finished).
 * package_task_start: start a package task (or make it wait for the one it
 * needs). package_task_found: a package task's folder holds what it
 * builds (0, with artifact and metadata set), else -1. package_task_built:
 * its steps passed: read what it made in its tmp folder (-1 with why).
 * package_root_dir: where packages are kept between runs (allocated).
 * pkgenv_free: at the end of the run.
 */
int package_prepare(struct ctx *c, struct envrun *er);
void package_constraints(struct ctx *c, struct envrun *er);
int package_step(struct ctx *c, struct envrun *er);
void package_task_start(struct ctx *c, struct task *t);
int package_task_found(struct task *t);
int package_task_built(struct ctx *c, struct task *t);
char *package_root_dir(const struct ctx *c);
void pkgenv_free(struct pkgenv *p);

/*
 * The run's test report (report.c). report_junit_options: before the run,
 * give each pytest command of er a JUnit XML path (step->junit).
 * report_read_junit: a pytest command ended, read what it wrote at path
 * (returns the sum of its tests' seconds, or -1 when there was nothing);
 * rerun: it reran failed tests, and those that passed are flaky.
 * report_write_cases: suite's cases from index from, as JUnit XML at path.
 * report_write: at the end, the merged JUnit XML and the slowest tests in res.
 */
void report_junit_options(struct ctx *c, struct envrun *er);
double report_read_junit(struct ctx *c, struct envrun *er, const char *path, int rerun);
void report_write_cases(struct ctx *c, const char *suite, size_t from, const char *path);
void report_write(struct ctx *c, struct run_result *res);

#endif
