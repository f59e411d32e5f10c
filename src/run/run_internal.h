#ifndef BLITZ_RUN_INTERNAL_H
#define BLITZ_RUN_INTERNAL_H

/*
 * What the files of the run share: each env's state (struct envrun, which
 * envrun.c alone writes), work done once for several envs (struct task),
 * and the run's context (struct ctx). The files' order, and who calls
 * whom, is below struct ctx.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "build.h"
#include "runner.h"
#include "steps.h"
#include "../config/tox.h"
#include "../env/interp.h"
#include "../env/seed.h"
#include "../plan/shards.h"
#include "../results/record.h"
#include "../results/tests.h"
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
	struct env_lock lock;		/* its env_dir's (build.h), held from its start to its end */
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
	int retries;			/* commands_retry: times its current command ran again */
	int log_id;			/* the process logs written to its env_log_dir this run (-1: none can be) */
	size_t log_from;		/* where its current job's output starts in its log */
	int dirs_ready;			/* its env_tmp_dir emptied and change_dir made, as tox does before commands */
	char fail_why[512];		/* the first command that failed (commands_post still runs), or "" */
	int fail_code;			/* its code */
	char svc_note[512];		/* what its services said: one died while its job ran (services_note), or "" */
};

/* The environment env er's step st runs in. */
static inline char *const *envrun_envp(const struct envrun *er, const struct step *st)
{
	return st->kind != STEP_COMMAND && er->envp_setup.n ? er->envp_setup.v : er->envp.v;
}

/*
 * Work several envs of a run wait for, done once: the project's wheel
 * (built by the first env that needs it), a layer of the deps several envs
 * share (installed once, then cloned into each). Built in a folder of its
 * own (tmp) and renamed into place when complete, so a concurrent blitz run
 * never sees half of it; reused by later runs while its key is unchanged.
 * task.c keeps tasks; their kind's ops say what each builds.
 */
struct task;
struct task_setup;

struct task_ops {
	const char *name;		/* "layer", "package", "wheel": its log's name */
	/*
	 * Start t, idle or waiting for another task (er: the env that wants
	 * it, or NULL): its steps (task_run), a wait for the task it needs
	 * (task_wait_for), or its failure (task_fail_early).
	 */
	void (*start)(struct ctx *c, struct task *t, const struct envrun *er);
	/* t's folder holds what it builds (0; a package's artifact and metadata set), else -1 */
	int (*found)(struct task *t);
	/* its steps passed: check (and mark) what it made in its tmp folder: 0, or -1 with why */
	int (*built)(struct ctx *c, struct task *t, char *why, size_t whysz);
};

/*
 * A task's state (key, folders, state, run, result) is task.c's to write;
 * what its kind needs (needs, deps, build_kind, root, pkg, in, seeding,
 * envp, artifact, metadata) the kind's file's (layers.c, package.c).
 */
struct task {
	/*
	 * TASK_LAYER: deps several envs share (layers.c). TASK_BUILD: the
	 * project's sdist, wheel or editable wheel, built by its build backend
	 * in a packaging env; TASK_PIP_WHEEL: the wheel pip builds from that
	 * sdist for one interpreter (package.c).
	 */
	enum task_kind { TASK_LAYER, TASK_BUILD, TASK_PIP_WHEEL } kind;
	const struct task_ops *ops;
	uint64_t key;
	char *dir;			/* where it lives when done: the layer's venv, the package's folder */
	char *tmp;			/* where it is built: KEY.tmp-PID-XXXXXX (util/rundir.h), once started; or NULL */
	int tmp_lock;			/* held on tmp while this run builds there, or -1 */
	enum { TASK_IDLE, TASK_RUNNING, TASK_DONE, TASK_FAILED } state;
	struct task *needs;		/* a task that must be done before this one starts, or NULL */
	struct strvec deps;		/* TASK_LAYER: the deps it holds */
	const char *build_kind;		/* TASK_BUILD: "sdist", "wheel" or "editable" */
	char *root;			/* TASK_BUILD: the project's folder it builds from */
	struct pkgenv *pkg;		/* TASK_BUILD: the packaging env it is built in */
	struct interp in;		/* TASK_PIP_WHEEL: the interpreter it builds with */
	const struct seeding *seeding;	/* and its pip */
	struct strvec envp;		/* and the environment (PIP_* settings) */
	char *artifact;			/* TASK_BUILD, TASK_PIP_WHEEL, done: the file */
	char *metadata;			/* done: the wheel's METADATA, copied out, or NULL */
	struct envrun run;		/* its steps, run as an env's are (envrun.c's) */
	struct env_result result;	/* record.c's */
};

/*
 * What a task's steps run with (task_run hands it to envrun_begin_task,
 * which takes what it holds): a venv of its own, its environment, its steps.
 */
struct task_setup {
	struct interp in;
	const struct seeding *seeding;
	struct strvec envp;
	char *env_dir;
	int system_site_packages;
	char *env_tmp_dir, *change_dir;	/* commands (package = external): where; else NULL */
	struct strvec allowlist;	/* and what they may run */
	struct steps steps;
	uint64_t fp_setup;		/* what its venv is built from (its mark, once built) */
	int building;			/* its venv is made (steps before setup_end), then marked */
	int clear;			/* over an old one */
	size_t setup_end;		/* its first step after the venv's set-up; 0: all of them */
	int lock;			/* env_dir is shared with other runs (a packaging env): held exclusive */
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

/* The project's source tree as the run sees it (tree.c's alone). */
struct tree {
	uint64_t all;			/* its fingerprint (fp_tree_content and git's HEAD), once computed */
	int have_all;
	uint64_t code;			/* its Python and pytest configuration files only (fp_code_tree) */
	int have_code;
	struct strvec skip;		/* what it leaves out: the work folder, files builds write (absolute) */
	struct strvec entries;		/* its files as fp_tree_content lists them */
};

/*
 * What every env of a run shares, and where the run stands. Each part has
 * one writer: the run itself (runner.c) for the fields not grouped below;
 * each group the file its comment names.
 */
struct ctx {
	struct pool *p;
	struct tox *t;
	const struct run_opts *o;
	struct sched *s;
	struct db *db;
	struct envrun *runs;
	size_t n;
	const double *predicted;	/* seconds per env from history, -1: unknown */
	run_progress_fn progress;
	void *pctx;
	long long t0;
	size_t slots, running, done;
	unsigned char *counted;		/* runs[i] has finished and been counted */
	int stopping;			/* Ctrl-C, SIGTERM: every job is being stopped */
	int no_new_envs;		/* --fail-fast after a failure: envs not started stay so; the others finish */
	long first_failed;		/* the env that failed first, or -1 */

	struct tree tree;		/* tree.c */
	struct {			/* seeding.c: one per interpreter and VIRTUALENV_* settings met */
		struct seeding **v;
		size_t n;
	} seeds;
	struct {			/* task.c */
		struct task **v;
		size_t n;
	} tasks;
	struct {			/* package.c */
		struct pkgenv **envs;	/* the packaging envs the run's envs name */
		size_t n;
		char *backend_script;	/* blitz's PEP 517 front end, written once needed */
	} pkg;
	char *plugin_dir;		/* plugin.c: where blitz's pytest plugin is written, once needed */
	struct test_report tests;	/* results/tests.c: every env's tests, as their pytest reported them */
	struct services *svc;		/* services.c: the services of blitz_services, or NULL */
};

/*
 * The files of this folder, each calling only those listed after it (no
 * call goes back up; what must go back up is a callback: a job's owner, a
 * split's report, a task kind's ops):
 *
 *   runner.c   the run: its loop, envs started in the scheduler's order
 *   prepare.c  (asked by envrun.c) an env's interpreter, platform, fingerprints
 *   layers.c   layers of shared deps: planned, and built as tasks
 *   package.c  the project's package: packaging envs, build tasks
 *   task.c     work done once for several envs, its steps run as an env's
 *   envrun.c   an env's state machine, the only writer of struct envrun
 *   build.c    whether an env is built or reused; its lock
 *   package_install.c  the package's install into an env
 *   shard.c    an env's pytest command in shards, reruns
 *   plugin.c   blitz's pytest plugin, and what a pytest process needs to load it
 *   services.c, service_instance.c  servers per slot
 *   tree.c, seeding.c, steps.c, envvars.c, pool.c
 */

/* ---- tree.c ---- */

/*
 * The fingerprint of the project's source tree (code: of its Python and
 * pytest config files only), once per run, and the commit git has checked
 * out. Files the project's builds write are left out: tree_outputs, after
 * a build of the given version, finds the files it changed that name that
 * version (a version file), lists them in .blitz/build-outputs and takes
 * them out of the tree from now on; returns how many. tree_package_fp:
 * what env er's project is built from, from the tree as it is seen now
 * (0: it installs none). tree_release: at the end.
 */
uint64_t tree_fp(struct ctx *c, int code);
int tree_outputs(struct ctx *c, const char *version);
uint64_t tree_package_fp(struct ctx *c, const struct envrun *er);
void tree_release(struct ctx *c);

/* ---- seeding.c ---- */

/* How venvs of interpreter in, with the VIRTUALENV_* settings of envp, are seeded; seeding_release at the end. */
const struct seeding *seeding_get(struct ctx *c, const struct interp *in, const struct strvec *envp);
void seeding_release(struct ctx *c);

/* ---- prepare.c: what envrun_prepare asks ---- */

/* What env er is built from: its set-up, its install settings, its project (0: none). */
struct env_fps {
	uint64_t setup, install, package;
};
void prepare_fingerprints(struct ctx *c, const struct envrun *er, struct env_fps *out);

/* Whether e's platform setting admits this machine: ENV_PASSED, else ENV_SKIPPED or ENV_FAILED with why. */
enum env_status prepare_platform(const struct toxenv *e, char *why, size_t whysz);

/* The first interpreter of base_python found (into in): 0, or -1 when none is. */
int prepare_interp(struct tox *t, const struct strvec *base_python, struct interp *in);

/* tox 4's dependency_groups of e (pyproject.toml, PEP 735): their requirements into reqs; -1 with why. */
int prepare_dependency_groups(const struct ctx *c, const struct toxenv *e, struct strvec *reqs, char *why, size_t whysz);

/* ---- package_install.c ---- */

/* The words constrain_package_deps's STEP_FREEZE runs with python -c: pip freeze --all into argv[1]. */
const char *package_freeze_script(void);

/*
 * How env er installs the package task t built (package_install_plan;
 * has_step: er has a STEP_PACKAGE to fill): -1 with why when the extras it
 * asks for are not the project's. Writes constrain_package_deps's file.
 */
struct pkg_install {
	uint64_t reqs;			/* the project's requirements (its metadata); 0 unknown */
	struct strvec words;		/* its STEP_PACKAGE's packages */
	int again;			/* a reused venv whose project's requirements changed: a second STEP_PACKAGE */
	struct strvec again_words;	/* with these (--force-reinstall --no-deps) */
};
int package_install_plan(const struct envrun *er, const struct task *t, int has_step, struct pkg_install *pi, char *why,
			 size_t whysz);
void package_install_release(struct pkg_install *pi);

/* ---- plugin.c ---- */

/*
 * plugin_dir: where blitz's pytest plugin is (written once a run, outside
 * the project), or NULL when it cannot be written (tests then run
 * unsplit). plugin_envp: er's environment for a pytest process that loads
 * it, with the variables of extra (NULL-ended), into out.
 * plugin_without_junit: a pytest command's words (its own arguments from
 * at) without any --junitxml option, into out. plugin_split_step: the
 * first pytest command of steps that may run in shards: its step, or -1
 * (why says why not). plugin_release: at the end of the run.
 */
const char *plugin_dir(struct ctx *c);
void plugin_envp(struct ctx *c, const struct envrun *er, const char *const *extra, struct strvec *out);
void plugin_without_junit(const struct strvec *argv, long at, struct strvec *out);
long plugin_split_step(const struct steps *steps, const char **why);
void plugin_release(struct ctx *c);

/* ---- shard.c ---- */

/*
 * A split is an env's step run in shards: it owns its jobs (collecting
 * the node ids, the shards, reruns) and tells the env's state machine
 * (envrun.c) its end through report, once: SPLIT_ENDED with why ("" when
 * it passed) and code, SPLIT_STOPPED (Ctrl-C, --fail-fast), or, before
 * any shard ran, SPLIT_SKIPPED (none of its tests is this node's under
 * --shard: the step is done) or SPLIT_AS_WRITTEN (its tests cannot be
 * split: run the step as written). The env frees it then (shard_free).
 *
 * shard_start: er's split step is next: collect its node ids (or take them
 * from the cache) and start its shards; returns the split, or NULL with
 * *how when it ended at once. shard_start_pending: start waiting shards
 * while slots are free (free of them); returns how many started.
 * shard_running: the slots a split holds. shard_rerun: er's pytest command
 * (run as written) failed with why, its tests in the run's report from
 * index from on: rerun those that failed (--reruns); the split, or NULL
 * when none started.
 */
enum split_end { SPLIT_ENDED, SPLIT_STOPPED, SPLIT_SKIPPED, SPLIT_AS_WRITTEN };
typedef void split_report_fn(struct ctx *c, struct envrun *er, enum split_end how, const char *why, int code);

struct split *shard_start(struct ctx *c, struct envrun *er, split_report_fn *report, enum split_end *how);
size_t shard_start_pending(struct ctx *c, size_t free);
size_t shard_running(const struct split *sp);
struct split *shard_rerun(struct ctx *c, struct envrun *er, size_t from, const char *why, split_report_fn *report);
void shard_free(struct split *sp);

/* ---- services.c ---- */

/*
 * Services: a real server per parallel slot for the jobs of envs that name
 * it in blitz_services, started from [blitz:service:NAME]. services_init:
 * before the run, read the definitions, check each env's names, stop what
 * a killed run left; unable[i] (one per env, "" on the way in) says why
 * env i cannot have its services; 2 when the run cannot go on (printed).
 * services_env_start: env er starts; take a slot and start its services
 * while its venv is set up. services_start_job: start job spec of er
 * (holder -1: the env's own step; else the shard of that index) now, or
 * once its slot's services are ready and reset (fresh: reset even when
 * the env's own steps used them last: a rerun); jobs of envs needing none
 * start at once. services_job_end: er's holder's job ended (a shard frees
 * its slot). services_env_end: er finished. services_note: what er should
 * be told of its services (one died while its job ran), or "".
 * services_poll: each turn of the loop; returns the ms until it wants to
 * look again, -1 when nothing waits. services_finish: stop them all,
 * remove their folders, fill res.
 */
int services_init(struct ctx *c, char (*unable)[512]);
void services_env_start(struct ctx *c, const struct envrun *er);
void services_start_job(struct ctx *c, const struct envrun *er, const struct job_spec *spec, long holder, int fresh);
void services_job_end(struct ctx *c, const struct envrun *er, long holder);
void services_env_end(struct ctx *c, const struct envrun *er);
const char *services_note(const struct ctx *c, const struct envrun *er);
int services_poll(struct ctx *c);
void services_finish(struct ctx *c, struct run_result *res);

/* ---- envrun.c: an env's life, and the only writer of struct envrun ---- */

/*
 * envrun_init: er is env name of t, resolved (or why not in er->error),
 * its result r (record_init'd), its commands' timeout. envrun_prepare:
 * before the run, its interpreter and the pip blitz runs for it, its
 * steps, environment and fingerprints (prepare.c answers); an env that
 * cannot run gets er->ready (how it ends) and er->error (why) instead.
 * envrun_refuse: er cannot run: it ends with status and why once started.
 * envrun_move: move the env at from to to, its result now r (keeping only
 * some envs). envrun_start: er's turn has come: take its lock and start
 * building it (or wait for another run's lock). envrun_resume: the task
 * er waited for has ended: go on (or end, when the run is stopping).
 * envrun_retry_lock: er waits for another run's lock: try again (or end,
 * when the run is stopping); returns what it still waits for
 * (waiting_lock). envrun_release: what er holds, but for its result.
 */
void envrun_init(struct envrun *er, struct tox *t, const char *name, struct env_result *r, long long timeout_ns);
void envrun_prepare(struct ctx *c, struct envrun *er);
void envrun_refuse(struct envrun *er, enum env_status status, const char *why);
void envrun_move(struct envrun *to, struct envrun *from, struct env_result *r);
void envrun_start(struct ctx *c, struct envrun *er);
void envrun_resume(struct ctx *c, struct envrun *er);
int envrun_retry_lock(struct ctx *c, struct envrun *er);
void envrun_release(struct envrun *er);

/*
 * What the planning before the run tells an env, and what it learns later.
 * envrun_use_layer: er clones layer t after its venv is made (a
 * STEP_LAYER), and installs no deps itself when all of them are in it.
 * envrun_use_package: er installs the package pc names (a STEP_WHEEL before
 * its STEP_PACKAGE), constrained as constrain_package_deps says.
 * envrun_plan_split: its pytest command at step (or -1) runs in shards
 * (1: as written). envrun_give_share: --shard: its part of the tests split
 * among CI nodes (taken; NULL: none). envrun_tree_changed: the project's
 * tree is seen anew (a build wrote a version file): its project's
 * fingerprint again.
 */
struct package_choice {
	int none;			/* it installs no package of blitz's building */
	char error[512];		/* it cannot run (a package type blitz does not support), or "" */
	char *pkg_error;		/* its package cannot be built: its STEP_WHEEL fails with this; or NULL */
	struct task *task;		/* else the task that builds it */
};
void envrun_use_layer(struct envrun *er, struct task *t, int all_deps);
void envrun_use_package(struct ctx *c, struct envrun *er, const struct package_choice *pc);
void envrun_plan_split(struct envrun *er, long step, size_t shards);
void envrun_give_share(struct envrun *er, struct share *sh);
void envrun_tree_changed(struct ctx *c, struct envrun *er);

/*
 * A task's steps, run as an env's. envrun_init_task: run is task t's, its
 * result r. envrun_begin_task: take what ts holds and start the steps (as
 * envrun_start_step returns). envrun_wait_for: the task's run waits for
 * task other (NULL: for none) before it starts.
 */
void envrun_init_task(struct envrun *run, struct task *t, struct env_result *r);
int envrun_begin_task(struct ctx *c, struct envrun *run, struct task_setup *ts);
void envrun_wait_for(struct envrun *run, struct task *other);

/* Start env er's next step: 0 started, 1 waiting for a task, -1 finished. */
int envrun_start_step(struct ctx *c, struct envrun *er);

/* Env er ends with status; reason says why it did not pass; code: tox's exit code for it. */
void envrun_finish(struct envrun *er, enum env_status status, const char *reason);
void envrun_fail(struct envrun *er, int code, const char *reason);

/*
 * Env er's current step (steps.v[er->next]) has ended: why is "" when it
 * passed, else why it failed and code the exit code tox gives that
 * failure; stopped: Ctrl-C or --fail-fast stopped it. Goes on as tox does:
 * a failing command of commands_pre or commands skips to commands_post
 * (all of them run with ignore_errors), a failing set-up step ends the
 * env; and starts what comes next.
 */
void envrun_step_ended(struct ctx *c, struct envrun *er, const char *why, int code, int stopped);

/* ---- task.c ---- */

/*
 * Tasks. task_get: the task of kind and key (its folder under root), made
 * idle when the run has none yet (done, when an earlier run left its
 * result there). task_rekey: t is kept under key from now on (its
 * build's inputs are seen anew), in root. task_start: start t (idle, or waiting for the task it
 * needs) for env er (or NULL). task_make_tmp: the folder t is built in,
 * named and locked as this run's alone (its kind's start makes it); 0, or
 * -1 with why. task_run: t's steps start, as ts says.
 * task_wait_for: t waits for other (its sdist, its packaging env's other
 * build). task_fail_early: t fails before any step (status, why).
 * task_done: t's steps ended: it is published, or failed. task_prune: in
 * root (packages or layers), remove what no run has used for a week, and
 * what dead runs left half-built. tasks_release: at the end of the run.
 */
struct task *task_get(struct ctx *c, enum task_kind kind, const struct task_ops *ops, uint64_t key, const char *root);
void task_rekey(struct task *t, uint64_t key, const char *root);
void task_start(struct ctx *c, struct task *t, const struct envrun *er);
int task_make_tmp(struct task *t, char *why, size_t whysz);
void task_run(struct ctx *c, struct task *t, struct task_setup *ts);
void task_wait_for(struct task *t, struct task *other);
void task_fail_early(struct task *t, enum env_status status, const char *why);
void task_done(struct ctx *c, struct task *t);
void task_prune(const char *root);
void tasks_release(struct ctx *c);

/* ---- package.c ---- */

/*
 * package_choose: before the run, what env er installs as its project:
 * for sdist, wheel, sdist-wheel, editable and external the task that
 * builds the package (built once for the envs that want the same).
 * package_root_dir: where packages are kept between runs (allocated).
 * package_release: at the end of the run.
 */
void package_choose(struct ctx *c, const struct envrun *er, struct package_choice *pc);
char *package_root_dir(const struct ctx *c);
void package_release(struct ctx *c);

/* ---- layers.c ---- */

/*
 * layers_plan: before the run, group the envs to be built whose deps
 * overlap and give them a layer (envrun_use_layer). layers_root: where
 * layers are kept between runs (allocated).
 */
void layers_plan(struct ctx *c);
char *layers_root(const struct ctx *c);

#endif
