#include "home.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/rundir.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Whether dir is a tmpfs with room for servers' data (a container's /dev/shm may have 64 MB). */
static int roomy_tmpfs(const char *dir)
{
	unsigned long long free_bytes = 0;

	return is_tmpfs(dir, &free_bytes) && free_bytes >= (1ULL << 30);
}

char *svc_base(char *err, size_t errsz)
{
	const char *tmp = getenv("TMPDIR");
	char *base;

	if (!tmp || tmp[0] != '/')
		tmp = roomy_tmpfs("/dev/shm") ? "/dev/shm" : "/tmp";
	base = xasprintf("%s/blitz-services-%u", tmp, (unsigned)getuid());
	if (mkdir_own(base, 0711) < 0) {
		if (errno == EPERM)
			snprintf(err, errsz, "'%s' is not a folder of yours: remove it (or set TMPDIR) so blitz can keep "
				 "its services there", base);
		else
			snprintf(err, errsz, "cannot create '%s' for the services: %s", base, strerror(errno));
		free(base);
		return NULL;
	}
	chmod(base, 0711);
	return base;
}

char *svc_run_dir(const char *base, int *lock_fd, char *err, size_t errsz)
{
	return rundir_claim(base, "run", 0711, lock_fd, err, errsz);
}

/* Field 22 of /proc/PID/stat: when the process started (clock ticks since boot); 0 when it is gone. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');	/* the name may hold spaces; the fields after it do not */
	if (!p)
		return 0;
	/* after ")": state is field 3; start time is field 22 */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

void svc_pidfile_write(const char *run_dir, const char *name, size_t slot, pid_t pid)
{
	char *path = xasprintf("%s/%s-%zu.pid", run_dir, name, slot);
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld %llu\n", (long)pid, start_time(pid));
		fclose(f);
	}
	free(path);
}

void svc_pidfile_remove(const char *run_dir, const char *name, size_t slot)
{
	char *path = xasprintf("%s/%s-%zu.pid", run_dir, name, slot);

	unlink(path);
	free(path);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Stop the process group a pid file names, if its leader is still the process that was recorded. */
static int stop_recorded(const char *path, const char *what, long run_pid, FILE *out)
{
	FILE *f = fopen(path, "r");
	long pid = 0;
	unsigned long long t = 0;

	if (!f)
		return 0;
	int ok = fscanf(f, "%ld %llu", &pid, &t) == 2;
	fclose(f);
	if (!ok || pid <= 1 || start_time((pid_t)pid) != t || t == 0)
		return 0;	/* gone, or the pid now belongs to another process */
	kill(-(pid_t)pid, SIGTERM);
	for (int i = 0; i < 100 && start_time((pid_t)pid) == t; i++)
		sleep_ms(20);
	kill(-(pid_t)pid, SIGKILL);
	for (int i = 0; i < 50 && start_time((pid_t)pid) == t; i++)
		sleep_ms(20);
	if (out)
		fprintf(out, "blitz: stopped service %s (pid %ld), left running by blitz run %ld, which was killed\n",
			what, pid, run_pid);
	return 1;
}

/*
 * A service's setup kept in BASE: removed when no run has used it for a week
 * (runs touch it), or when it is a half-made one (NAME.tmp-PID-XXXXXX) no
 * run holds the lock of (rundir.h).
 */
static void prune_templates(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;
	struct strvec tmps = STRVEC_INIT;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if (strncmp(de->d_name, "tpl-", 4) != 0)
			continue;
		const char *tmp = strstr(de->d_name, ".tmp");
		if (tmp) {
			/* rundir_reap takes the prefix "tpl-NAME-KEY.tmp" */
			char *prefix = xstrndup(de->d_name, (size_t)(tmp - de->d_name) + 4);
			if (strvec_find(&tmps, prefix) < 0)
				strvec_push(&tmps, prefix);
			free(prefix);
			continue;
		}
		char *path = xconcat(base, "/", de->d_name, NULL);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && time(NULL) - st.st_mtime > 7 * 24 * 3600)
			remove_tree(path);
		free(path);
	}
	closedir(d);
	for (size_t i = 0; i < tmps.n; i++)
		rundir_reap(base, tmps.v[i], NULL, NULL, NULL);
	strvec_clear(&tmps);
}

struct reaping {
	FILE *out;
	size_t stopped;
};

/* A dead run's folder, its lock held: stop what its pid files name. */
static void stop_left(const char *dir, void *arg)
{
	struct reaping *r = arg;
	const char *name = strrchr(dir, '/') + 1;	/* run-PID-XXXXXX */
	long run_pid = strtol(name + 4, NULL, 10);
	DIR *rd = opendir(dir);
	struct dirent *pe;

	while (rd && (pe = readdir(rd))) {
		size_t len = strlen(pe->d_name);
		if (len < 5 || strcmp(pe->d_name + len - 4, ".pid") != 0)
			continue;
		char *path = xconcat(dir, "/", pe->d_name, NULL);
		char *what = xstrndup(pe->d_name, len - 4);
		r->stopped += (size_t)stop_recorded(path, what, run_pid, r->out);
		free(what);
		free(path);
	}
	if (rd)
		closedir(rd);
}

size_t svc_reap_orphans(const char *base, FILE *out)
{
	struct reaping r = { out, 0 };

	prune_templates(base);
	rundir_reap(base, "run", NULL, stop_left, &r);
	return r.stopped;
}

/* Whether nothing is bound to port, on any IPv4 or IPv6 address. */
static int port_free(int port)
{
	int ok = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		struct sockaddr_in a = { 0 };
		a.sin_family = AF_INET;
		a.sin_port = htons((unsigned short)port);
		a.sin_addr.s_addr = htonl(INADDR_ANY);
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
	}
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ok && fd >= 0) {
		struct sockaddr_in6 a = { 0 };
		int on = 1;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		a.sin6_family = AF_INET6;
		a.sin6_port = htons((unsigned short)port);
		a.sin6_addr = in6addr_any;
		ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EADDRNOTAVAIL;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

int svc_port_claim_from(const char *base, int first, int *lock_fd)
{
	char *dir = xconcat(base, "/ports", NULL);
	unsigned span = SVC_PORT_HIGH - SVC_PORT_LOW;
	unsigned start = first >= SVC_PORT_LOW && first < SVC_PORT_HIGH ? (unsigned)(first - SVC_PORT_LOW) : 0;

	mkdir(dir, 0700);
	*lock_fd = -1;
	for (unsigned i = 0; i < span; i++) {
		int port = SVC_PORT_LOW + (int)((start + i) % span);
		if (!port_free(port))
			continue;
		char path[64 + 4096];
		snprintf(path, sizeof(path), "%s/%d.lock", dir, port);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			break;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*lock_fd = fd;
			free(dir);
			return port;
		}
		close(fd);
	}
	free(dir);
	return -1;
}

int svc_port_claim(const char *base, int *lock_fd)
{
	static unsigned seq;
	/* start where another run is unlikely to: its pid and how many this run took */
	unsigned start = ((unsigned)getpid() * 2654435761u + seq++ * 97u) % (SVC_PORT_HIGH - SVC_PORT_LOW);

	return svc_port_claim_from(base, SVC_PORT_LOW + (int)start, lock_fd);
}
