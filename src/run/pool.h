#ifndef BLITZ_POOL_H
#define BLITZ_POOL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The job pool: child processes supervised by one poll() loop. Each job runs
 * in a session of its own (so its own process group), with no controlling
 * terminal: a command that opens /dev/tty to prompt (getpass, git's and
 * ssh's password prompts) fails at once instead of being stopped by the
 * terminal (SIGTTIN) for good; Ctrl-C reaches it from blitz, which passes it
 * on. stdin is /dev/null; stdout and stderr are
 * captured together into a log file. A job is finished only when its process
 * has been reaped *and* its output has closed: a child can exit while a
 * grandchild still writes, so after the child is reaped the pool keeps
 * reading for a moment (linger_ns), then stops the rest of its process
 * group (TERM, then KILL after grace_ns) and reads until the pipe closes. A
 * holder outside the group (a new session) is stopped listening to.
 *
 * Use:
 *  1. pool_init() once; it installs the SIGCHLD/SIGINT/SIGTERM/SIGHUP handlers
 *     (SIGHUP, the terminal gone, is handled as SIGTERM).
 *  2. pool_start() for each job, up to the slots the caller wants busy.
 *  3. pool_wait() until it returns a finished job (hand it to its owner with
 *     job_done(), which frees it) or reports an interrupt (then pool_stop_all()).
 *  4. pool_release() at the end.
 */

enum job_end {
	JOB_EXITED,		/* exit_code is valid */
	JOB_SIGNALED,		/* signo is valid: killed by a signal nobody in blitz sent */
	JOB_TIMED_OUT,		/* ran past its timeout and was stopped */
	JOB_STOPPED,		/* stopped by pool_stop_all() (Ctrl-C, --fail-fast) */
	JOB_SPAWN_FAILED,	/* never started: error says why */
};

struct job;

struct job_spec {
	char *const *argv;		/* argv[0] is searched on the env's PATH unless it has a '/' */
	char *const *envp;		/* NULL: blitz's own environment */
	const char *cwd;		/* NULL: blitz's current folder */
	const char *log_path;		/* created or truncated; stdout and stderr go there */
	int append;			/* add to the log instead of truncating it (an env's later steps) */
	long long timeout_ns;		/* 0: no limit */
	/*
	 * Its owner: what the job is for, and what handles its end. Whoever
	 * takes a finished job from pool_wait() calls done(run, owner, j)
	 * (run: the waiter's own context) and then frees it; the pool itself
	 * never looks into owner. label names it in messages (an env's name).
	 */
	void (*done)(void *run, void *owner, struct job *j);
	void *owner;
	const char *label;
	const char *user;		/* run as this user (blitz must be root); NULL: as blitz */
	/*
	 * How pool_stop_all() stops it, as tox stops a command on Ctrl-C:
	 * after suicide_ns SIGINT, interrupt_ns later SIGTERM, terminate_ns
	 * later SIGKILL. All 0 (the default): SIGTERM, then SIGKILL after the
	 * pool's grace period.
	 */
	long long suicide_ns, interrupt_ns, terminate_ns;
};

struct job {
	pid_t pid;			/* also the process group id; 0 once reaped */
	void (*done)(void *run, void *owner, struct job *j);	/* its spec's */
	void *owner;
	const char *label;
	enum job_end end;
	int exit_code, signo;
	char error[256];		/* for JOB_SPAWN_FAILED */
	long long start_ns, end_ns;	/* CLOCK_MONOTONIC */
	long long cpu_ns;		/* user + system time of the child and the children it waited for */
	size_t bytes;			/* output written to the log */
	long long output_ns;		/* when it last wrote output (0: never) */
	size_t lost_bytes;		/* output that could not be written to the log (a full disk) */
	int log_errno;			/* why, the first time */
	/* private to the pool */
	int out_fd, log_fd;
	int reaped, status, stopping;
	long long deadline_ns;		/* when to escalate: timeout, or the grace after TERM */
	int term_sent;
	long long stop_ns[3];		/* pool_stop_all's waits before SIGINT, SIGTERM, SIGKILL (all 0: TERM, KILL after grace) */
	int stop_stage;			/* the signals of those sent so far */
	long long stop_at;
};

struct pool {
	struct job **jobs;		/* started and not yet handed back (spawn failures too) */
	size_t n, alloc;
	int sigfd[2];			/* the self-pipe the signal handlers write to */
	int interrupted;		/* SIGINT or SIGTERM received */
	long long grace_ns;		/* between TERM and KILL */
	long long linger_ns;		/* after the child exits, for what still holds its output */
};

/* Set p up: self-pipe, signal handlers, RLIMIT_NOFILE raised. Returns 0, or -1 (error printed). */
int pool_init(struct pool *p);

/*
 * Start a job. Returns it (owned by the pool until pool_wait() hands it back);
 * a job that cannot be spawned is still returned, with end JOB_SPAWN_FAILED,
 * and comes back from the next pool_wait().
 */
struct job *pool_start(struct pool *p, const struct job_spec *spec);

/*
 * A job that never starts: the next pool_wait() hands it back with end
 * (JOB_SPAWN_FAILED or JOB_STOPPED) and why, also written to its log.
 */
struct job *pool_fail(struct pool *p, const struct job_spec *spec, enum job_end end, const char *why);

/* How many jobs are started and not yet handed back. */
size_t pool_running(const struct pool *p);

/*
 * Wait for the next finished job, at most timeout_ms (-1: no limit). Returns
 * it, now the caller's (job_free()); NULL when the time ran out, nothing is
 * running, or an interrupt arrived (then *interrupted is the signal).
 */
struct job *pool_wait(struct pool *p, int timeout_ms, int *interrupted);

/*
 * Stop every running job's process group as its stop plan says (job_spec:
 * tox's SIGINT, SIGTERM, SIGKILL, or TERM and KILL after the grace period);
 * reap them all. pool_interrupt_all: the same after a Ctrl-C, whose SIGINT
 * a terminal would have sent tox's commands too: jobs with tox's plan get
 * a SIGINT at once, as they would under tox, before their plan starts.
 */
void pool_stop_all(struct pool *p);
void pool_interrupt_all(struct pool *p);

/* Find program name on path (':'-separated) as execvp would; returns a new string, or NULL. */
char *pool_find_program(const char *name, const char *path);

/* Hand job j, which pool_wait() returned, to its owner (spec.done, given run), then free it. */
void job_done(struct job *j, void *run);

/* Free a job pool_wait() handed back. */
void job_free(struct job *j);

/* Stop what still runs and free everything; restores the signal handlers. */
void pool_release(struct pool *p);

#endif
