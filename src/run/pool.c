/*
 * The job pool (see pool.h): the only writer of struct job and the only
 * writer of struct pool; a job's owner reads what it says when it ends.
 */
/* posix_spawn_file_actions_addchdir_np (glibc >= 2.29) */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

extern char **environ;

/* Between TERM and KILL, for a job stopped or timed out, or the rest of its group. */
#define GRACE_NS (2LL * 1000000000LL)
/* A child has exited but what it started still holds its output: how long it may go on writing. */
#define LINGER_NS (1LL * 1000000000LL)

/* The write end of the self-pipe, for the signal handlers (one pool at a time). */
static int signal_fd = -1;
static struct sigaction old_chld, old_int, old_term, old_hup;

static void on_signal(int signo)
{
	int saved = errno;
	char c = (char)signo;

	if (signal_fd >= 0 && write(signal_fd, &c, 1) < 0) {
		/* the pipe is full: the loop wakes up anyway */
	}
	errno = saved;
}

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int pool_init(struct pool *p)
{
	struct sigaction sa;
	struct rlimit rl;

	memset(p, 0, sizeof(*p));
	p->grace_ns = GRACE_NS;
	p->linger_ns = LINGER_NS;
	if (pipe(p->sigfd) < 0 || set_flags(p->sigfd[0]) < 0 || set_flags(p->sigfd[1]) < 0)
		return error("cannot create the signal pipe:");
	/* a wide pool holds two descriptors per job: use all the process may have */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal_fd = p->sigfd[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &old_chld);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* the terminal closed, an ssh session dropped: as SIGTERM; unless nohup said to ignore it */
	sigaction(SIGHUP, NULL, &old_hup);
	if (old_hup.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	return 0;
}

/* The PATH of envp (or of blitz's environment). */
static const char *env_path(char *const *envp)
{
	if (!envp)
		return getenv("PATH");
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	return NULL;
}

char *pool_find_program(const char *name, const char *path)
{
	char *copy, *save = NULL, *res = NULL;
	struct stat st;

	if (strchr(name, '/'))
		return xstrdup(name);
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (char *dir = strtok_r(copy, ":", &save); dir && !res; dir = strtok_r(NULL, ":", &save)) {
		char *full = xconcat(*dir ? dir : ".", "/", name, NULL);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
			res = full;
		else
			free(full);
	}
	free(copy);
	return res;
}

static struct job *failed(struct pool *p, struct job *j, const char *why)
{
	snprintf(j->error, sizeof(j->error), "%s", why);
	j->end = JOB_SPAWN_FAILED;
	j->reaped = 1;
	j->end_ns = now_ns();
	if (j->log_fd >= 0) {
		/* the log says it too, so a person reading only the log learns why */
		dprintf(j->log_fd, "blitz: %s\n", why);
		close(j->log_fd);
		j->log_fd = -1;
	}
	/* reaped and without output: the next pool_wait() hands it back as it is */
	p->jobs = xgrow(p->jobs, &p->alloc, p->n + 1, sizeof(*p->jobs));
	p->jobs[p->n++] = j;
	return j;
}

struct job *pool_fail(struct pool *p, const struct job_spec *spec, enum job_end end, const char *why)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->done = spec->done;
	j->owner = spec->owner;
	j->label = spec->label;
	j->out_fd = -1;
	j->start_ns = now_ns();
	j->log_fd = open(spec->log_path, O_WRONLY | O_CREAT | O_CLOEXEC | (spec->append ? O_APPEND : O_TRUNC), 0644);
	failed(p, j, why);
	j->end = end;
	j->stopping = end == JOB_STOPPED;	/* handed back as stopped, not read off a status */
	return j;
}

/*
 * Start argv as another user (posix_spawn cannot change users): fork, and in
 * the child only calls safe after fork. The child's set-up failing shows as
 * exit code 127 with the reason in the log. Returns the pid, or -1.
 */
static pid_t spawn_as(const char *prog, const struct job_spec *spec, int out_fd, int in_fd, char *why, size_t whysz)
{
	struct passwd *pw = getpwnam(spec->user);
	gid_t groups[64];
	int ngroups = 64;
	sigset_t none;
	pid_t pid;

	if (!pw) {
		snprintf(why, whysz, "cannot run as user '%s': no such user", spec->user);
		return -1;
	}
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) < 0)
		ngroups = 0;
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	sigemptyset(&none);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whysz, "cannot start '%s': %s", spec->argv[0], strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	/* the child */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		signal(sigs[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();	/* a session of its own: no terminal to read from or be stopped by (see pool.h) */
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	close(out_fd);
	close(in_fd);
	const char *step = "chdir";
	if ((!spec->cwd || chdir(spec->cwd) == 0) && (step = "setgroups", setgroups((size_t)ngroups, groups) == 0) &&
	    (step = "setgid", setgid(gid) == 0) && (step = "setuid", setuid(uid) == 0)) {
		step = "exec";
		execve(prog, spec->argv, spec->envp ? spec->envp : environ);
	}
	const char *msg = strerror(errno);
	if (write(2, "blitz: cannot run the command as its user: ", 43) < 0 || write(2, step, strlen(step)) < 0 ||
	    write(2, ": ", 2) < 0 || write(2, msg, strlen(msg)) < 0 || write(2, "\n", 1) < 0) {
		/* nothing more to tell */
	}
	_exit(127);
}

struct job *pool_start(struct pool *p, const struct job_spec *spec)
{
	struct job *j = xcalloc(1, sizeof(*j));
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int fds[2], rc;
	char *prog;

	j->done = spec->done;
	j->owner = spec->owner;
	j->label = spec->label;
	j->out_fd = j->log_fd = -1;
	j->start_ns = now_ns();
	j->log_fd = open(spec->log_path, O_WRONLY | O_CREAT | O_CLOEXEC | (spec->append ? O_APPEND : O_TRUNC), 0644);
	if (j->log_fd < 0) {
		char why[256];
		snprintf(why, sizeof(why), "cannot write the log '%s': %s", spec->log_path, strerror(errno));
		return failed(p, j, why);
	}
	prog = pool_find_program(spec->argv[0], env_path(spec->envp));
	if (!prog) {
		char why[256];
		snprintf(why, sizeof(why), "command '%s' not found on the env's PATH", spec->argv[0]);
		return failed(p, j, why);
	}
	if (pipe(fds) < 0) {
		free(prog);
		return failed(p, j, "cannot create a pipe: too many open files?");
	}
	if (spec->user) {
		char why[300];
		j->pid = spawn_as(prog, spec, fds[1], fds[0], why, sizeof(why));
		close(fds[1]);
		free(prog);
		if (j->pid < 0) {
			close(fds[0]);
			j->pid = 0;
			return failed(p, j, why);
		}
		goto started;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGCHLD);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&j->pid, prog, &fa, &attr, spec->argv, spec->envp ? spec->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	free(prog);
	if (rc != 0) {
		char why[300];
		close(fds[0]);
		snprintf(why, sizeof(why), "cannot start '%s': %s", spec->argv[0], strerror(rc));
		j->pid = 0;
		return failed(p, j, why);
	}
started:
	set_flags(fds[0]);
	j->out_fd = fds[0];
	j->stop_ns[0] = spec->suicide_ns;
	j->stop_ns[1] = spec->interrupt_ns;
	j->stop_ns[2] = spec->terminate_ns;
	if (spec->timeout_ns > 0)
		j->deadline_ns = j->start_ns + spec->timeout_ns;
	p->jobs = xgrow(p->jobs, &p->alloc, p->n + 1, sizeof(*p->jobs));
	p->jobs[p->n++] = j;
	return j;
}

size_t pool_running(const struct pool *p)
{
	return p->n;
}

/* Move what the job wrote into its log; close the pipe at end of file. */
static void drain(struct job *j)
{
	char buf[65536];

	while (j->out_fd >= 0) {
		ssize_t n = read(j->out_fd, buf, sizeof(buf));
		if (n > 0) {
			j->bytes += (size_t)n;
			j->output_ns = now_ns();
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(j->log_fd, buf + off, (size_t)(n - off));
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					/* a full disk: the job still runs, its log is cut short, and says so */
					j->lost_bytes += (size_t)(n - off);
					if (!j->log_errno)
						j->log_errno = errno;
					break;
				}
				off += w;
			}
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return;
		} else {
			close(j->out_fd);
			j->out_fd = -1;
		}
	}
}

/* Signal the job's process group; -1 when nobody is left in it. */
/* Reap j if it has exited, keeping the CPU time it and the children it waited for used. */
static int reap(struct job *j)
{
	struct rusage ru;

	if (j->reaped || j->pid <= 0 || wait4(j->pid, &j->status, WNOHANG, &ru) != j->pid)
		return 0;
	j->reaped = 1;
	j->cpu_ns = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		    (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	return 1;
}

static int signal_group(struct job *j, int signo)
{
	return j->pid > 0 ? kill(-j->pid, signo) : -1;
}

/* Whoever still holds the output is out of reach (a session of its own): stop reading. */
static void stop_listening(struct job *j)
{
	drain(j);
	if (j->out_fd >= 0) {
		close(j->out_fd);
		j->out_fd = -1;
	}
}

/* Reap, time out and escalate what is due; returns the index of a finished job or -1. */
static long step(struct pool *p)
{
	long long now = now_ns();

	for (size_t i = 0; i < p->n; i++) {
		struct job *j = p->jobs[i];
		if (reap(j)) {
			/*
			 * The child is gone but something it started still holds the output:
			 * let it finish writing for a moment, then stop the rest of the group.
			 */
			if (j->out_fd >= 0 && !j->term_sent)
				j->deadline_ns = now + p->linger_ns;
		}
		if (j->deadline_ns && now >= j->deadline_ns) {
			if (!j->term_sent) {
				if (!j->reaped)
					j->end = JOB_TIMED_OUT;
				j->term_sent = 1;
				j->deadline_ns = now + p->grace_ns;
				if (signal_group(j, SIGTERM) < 0 && j->reaped) {
					stop_listening(j);
					j->deadline_ns = 0;
				}
			} else {
				signal_group(j, SIGKILL);
				if (j->reaped && j->out_fd >= 0)
					stop_listening(j);
				j->deadline_ns = j->reaped ? 0 : now + p->grace_ns;
			}
		}
		if (j->reaped && j->out_fd < 0)
			return (long)i;
	}
	return -1;
}

static struct job *hand_back(struct pool *p, size_t i)
{
	struct job *j = p->jobs[i];

	p->jobs[i] = p->jobs[--p->n];
	if (j->end == JOB_SPAWN_FAILED)
		return j;	/* never ran: nothing to read off a status */
	j->end_ns = now_ns();
	if (j->end != JOB_TIMED_OUT && !j->stopping) {
		if (WIFEXITED(j->status)) {
			j->end = JOB_EXITED;
			j->exit_code = WEXITSTATUS(j->status);
		} else if (WIFSIGNALED(j->status)) {
			j->end = JOB_SIGNALED;
			j->signo = WTERMSIG(j->status);
		}
	} else if (j->stopping && j->end != JOB_TIMED_OUT) {
		j->end = JOB_STOPPED;
	}
	if (j->log_fd >= 0) {
		close(j->log_fd);
		j->log_fd = -1;
	}
	j->pid = 0;
	return j;
}

struct job *pool_wait(struct pool *p, int timeout_ms, int *interrupted)
{
	long long until = timeout_ms < 0 ? 0 : now_ns() + (long long)timeout_ms * 1000000LL;
	struct pollfd *fds = NULL;
	size_t cap = 0;

	if (interrupted)
		*interrupted = 0;
	for (;;) {
		long done = step(p);
		if (done >= 0) {
			free(fds);
			return hand_back(p, (size_t)done);
		}
		if (!p->n || (p->interrupted && interrupted)) {
			if (interrupted)
				*interrupted = p->interrupted;
			free(fds);
			return NULL;
		}
		/* sleep until output, a signal, the caller's limit or the nearest deadline */
		long long now = now_ns(), wake = until;
		for (size_t i = 0; i < p->n; i++)
			if (p->jobs[i]->deadline_ns && (!wake || p->jobs[i]->deadline_ns < wake))
				wake = p->jobs[i]->deadline_ns;
		int ms = -1;
		if (wake)
			ms = wake <= now ? 0 : (int)((wake - now) / 1000000LL) + 1;
		fds = xgrow(fds, &cap, p->n + 1, sizeof(*fds));
		size_t nfds = 0;
		fds[nfds++] = (struct pollfd){ p->sigfd[0], POLLIN, 0 };
		for (size_t i = 0; i < p->n; i++)
			if (p->jobs[i]->out_fd >= 0)
				fds[nfds++] = (struct pollfd){ p->jobs[i]->out_fd, POLLIN, 0 };
		int rc = poll(fds, (nfds_t)nfds, ms);
		if (rc < 0 && errno != EINTR) {
			free(fds);
			error("poll:");
			return NULL;
		}
		if (fds[0].revents) {
			char sigs[64];
			ssize_t n;
			while ((n = read(p->sigfd[0], sigs, sizeof(sigs))) > 0)
				for (ssize_t k = 0; k < n; k++)
					if (sigs[k] == SIGINT || sigs[k] == SIGTERM || sigs[k] == SIGHUP)
						p->interrupted = sigs[k];
		}
		for (size_t i = 0; i < p->n; i++)
			drain(p->jobs[i]);
		if (until && now_ns() >= until && step(p) < 0) {
			free(fds);
			return NULL;
		}
	}
}

/*
 * Send job j the next signal of its stop plan when it is due: SIGINT,
 * SIGTERM, SIGKILL as tox escalates (stop_ns[] the waits before each), or
 * SIGTERM and SIGKILL after the grace period.
 */
static void stop_escalate(struct pool *p, struct job *j, long long now)
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGKILL };
	int tox = j->stop_ns[0] || j->stop_ns[1] || j->stop_ns[2];

	while (j->stop_stage < 3 && now >= j->stop_at) {
		int stage = j->stop_stage++;
		if (!tox && stage == 0)
			continue;	/* no SIGINT: SIGTERM now */
		signal_group(j, sigs[stage]);
		j->term_sent = 1;
		j->stop_at = now + (stage == 2 ? 0 : tox ? j->stop_ns[stage + 1] : p->grace_ns);
		if (stage == 2 && j->reaped && j->out_fd >= 0) {
			close(j->out_fd);
			j->out_fd = -1;
		}
	}
}

static void stop(struct pool *p, int terminal);

void pool_stop_all(struct pool *p)
{
	stop(p, 0);
}

void pool_interrupt_all(struct pool *p)
{
	stop(p, 1);
}

static void stop(struct pool *p, int terminal)
{
	long long now = now_ns();

	for (size_t i = 0; i < p->n; i++) {
		struct job *j = p->jobs[i];
		if (terminal && (j->stop_ns[0] || j->stop_ns[1] || j->stop_ns[2]))
			signal_group(j, SIGINT);	/* what the terminal's Ctrl-C gives a command of tox's */
		j->stopping = 1;
		j->stop_stage = 0;
		j->stop_at = now + j->stop_ns[0];
		stop_escalate(p, j, now);
	}
	/* wait for them to go, reading their last words; KILL what outlives its waits */
	for (;;) {
		int all = 1;
		now = now_ns();
		for (size_t i = 0; i < p->n; i++) {
			struct job *j = p->jobs[i];
			drain(j);
			reap(j);
			if (!j->reaped || j->out_fd >= 0) {
				all = 0;
				stop_escalate(p, j, now);
			}
		}
		if (all)
			break;
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

void job_done(struct job *j, void *run)
{
	if (j->done)
		j->done(run, j->owner, j);
	job_free(j);
}

void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->out_fd >= 0)
		close(j->out_fd);
	if (j->log_fd >= 0)
		close(j->log_fd);
	free(j);
}

void pool_release(struct pool *p)
{
	if (p->n)
		pool_stop_all(p);
	for (size_t i = 0; i < p->n; i++)
		job_free(p->jobs[i]);
	free(p->jobs);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	signal_fd = -1;
	close(p->sigfd[0]);
	close(p->sigfd[1]);
	memset(p, 0, sizeof(*p));
}
