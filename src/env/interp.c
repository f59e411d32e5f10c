#include "interp.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../config/pyspec.h"
#include "../util/util.h"

extern char **environ;

#define PROBE "import sys, platform; v = sys.version_info; sys.stdout.write('%d %d %s %d' % (v[0], v[1], platform.python_implementation().lower(), v[2]))"

static const struct interp_cache *probe_cache;

void interp_set_cache(const struct interp_cache *c)
{
	probe_cache = c;
}

/* An executable file that starts as an ELF binary does (not a script such as a pyenv shim). */
static int is_binary(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;

	if (fd >= 0)
		close(fd);
	return n == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

static int probe_uncached(const char *exe, struct interp *out);

/*
 * Ask exe its version, or the state db what it answered before: the binary's
 * real path, size and time are the key, so an upgraded interpreter is asked again.
 */
static int probe(const char *exe, struct interp *out)
{
	struct stat st;
	char *real;
	int rc;

	if (!probe_cache || access(exe, X_OK) != 0 || !(real = realpath(exe, NULL)))
		return probe_uncached(exe, out);
	if (stat(real, &st) < 0 || !is_binary(real)) {
		free(real);
		return probe_uncached(exe, out);
	}
	long long mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	int version[3];
	if (probe_cache->lookup(probe_cache->ctx, real, (long long)st.st_size, mtime, version, out->impl,
				sizeof(out->impl)) == 0) {
		out->major = version[0];
		out->minor = version[1];
		out->micro = version[2];
		snprintf(out->path, sizeof(out->path), "%s", exe);
		free(real);
		return 0;
	}
	rc = probe_uncached(exe, out);
	if (rc == 0)
		probe_cache->store(probe_cache->ctx, real, (long long)st.st_size, mtime,
				   (const int[3]){ out->major, out->minor, out->micro }, out->impl);
	free(real);
	return rc;
}

/* Run exe with the probe script; fill out from what it prints. Returns 0 when it answered. */
static int probe_uncached(const char *exe, struct interp *out)
{
	int fds[2], status;
	pid_t pid;
	char buf[128];
	ssize_t n, total = 0;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)exe, "-c", PROBE, NULL };

	if (access(exe, X_OK) != 0 || pipe(fds) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (posix_spawn(&pid, exe, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (total < (ssize_t)sizeof(buf) - 1 && (n = read(fds[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		;
	buf[total < 0 ? 0 : total] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	out->micro = 0;	/* a probe that does not say stays 0 */
	if (sscanf(buf, "%d %d %31s %d", &out->major, &out->minor, out->impl, &out->micro) < 3)
		return -1;
	snprintf(out->path, sizeof(out->path), "%s", exe);
	return 0;
}

static int matches(const struct pyspec *want, const struct interp *got)
{
	if (*want->impl && strcmp(want->impl, got->impl) != 0)
		return 0;
	if (want->major >= 0 && want->major != got->major)
		return 0;
	if (want->minor >= 0 && want->minor != got->minor)
		return 0;
	return 1;
}

static int try_path(const char *name, const struct pyspec *sp, struct interp *out)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	int rc = -1;

	if (!path)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (char *dir = strtok_r(copy, ":", &save); dir && rc < 0; dir = strtok_r(NULL, ":", &save)) {
		size_t n = strlen(dir);
		/*
		 * pyenv's shims answer only when PYENV_VERSION names their version, and
		 * each answer runs pyenv's shell scripts: the versions they stand for
		 * are found in pyenv's versions folder instead, without asking a shim
		 */
		if (n >= 6 && strcmp(dir + n - 6, "/shims") == 0)
			continue;
		char *exe = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (probe(exe, out) == 0 && matches(sp, out))
			rc = 0;
		free(exe);
	}
	free(copy);
	return rc;
}

/* pyenv keeps interpreters in $PYENV_ROOT/versions/X.Y.Z/bin; its shims are on PATH but need PYENV_VERSION. */
static int try_pyenv(const char *name, const struct pyspec *sp, struct interp *out)
{
	const char *root = getenv("PYENV_ROOT");
	const char *home = getenv("HOME");
	char *dir = root ? xasprintf("%s/versions", root) : xasprintf("%s/.pyenv/versions", home ? home : "");
	DIR *dp = opendir(dir);
	struct dirent *de;
	int rc = -1;

	if (!dp) {
		free(dir);
		return -1;
	}
	while (rc < 0 && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char *exe = xasprintf("%s/%s/bin/%s", dir, de->d_name, name);
		if (probe(exe, out) == 0 && matches(sp, out))
			rc = 0;
		free(exe);
	}
	closedir(dp);
	free(dir);
	return rc;
}

static int find_uncached(const char *spec, struct interp *out)
{
	struct pyspec sp;
	char name[64];

	memset(out, 0, sizeof(*out));
	pyspec_parse(spec, &sp);
	if (sp.is_path) {
		struct pyspec any;
		pyspec_parse("", &any);
		if (strchr(spec, '/'))
			return probe(spec, out);
		return try_path(spec, &any, out);
	}
	const char *base = strcmp(sp.impl, "pypy") == 0 ? "pypy" : "python";
	if (sp.major >= 0 && sp.minor >= 0)
		snprintf(name, sizeof(name), "%s%d.%d%s", base, sp.major, sp.minor, sp.free_threaded == 1 ? "t" : "");
	else if (sp.major >= 0)
		snprintf(name, sizeof(name), "%s%d", base, sp.major);
	else
		snprintf(name, sizeof(name), "%s", base);
	if (try_path(name, &sp, out) == 0 || try_pyenv(name, &sp, out) == 0)
		return 0;
	return -1;
}

/* Each spec is looked for once per process: a run asks for the same few many times. */
int interp_find(const char *spec, struct interp *out)
{
	static struct {
		char spec[64];
		struct interp in;
		int rc;
	} cache[64];
	static int ncache;
	int rc;

	for (int i = 0; i < ncache; i++)
		if (strcmp(cache[i].spec, spec) == 0) {
			*out = cache[i].in;
			return cache[i].rc;
		}
	rc = find_uncached(spec, out);
	if (ncache < 64 && strlen(spec) < sizeof(cache[0].spec)) {
		snprintf(cache[ncache].spec, sizeof(cache[0].spec), "%s", spec);
		cache[ncache].in = *out;
		cache[ncache].rc = rc;
		ncache++;
	}
	return rc;
}

int interp_info(const char *spec, int *major, int *minor, char *impl, size_t implsz)
{
	struct interp in;

	if (interp_find(spec, &in) < 0)
		return -1;
	*major = in.major;
	*minor = in.minor;
	snprintf(impl, implsz, "%s", in.impl);
	return 0;
}

/*
 * The first name on PATH that is an executable file and not a pyenv shim
 * (shims exist on PATH but fail unless PYENV_VERSION names a version). No
 * process is started: this answers "which python3" for config output; running
 * an env verifies its interpreter with interp_find().
 */
const char *interp_path(const char *spec)
{
	static char found[4096];
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	const char *res = NULL;
	struct interp in;

	if (strchr(spec, '/'))
		return access(spec, X_OK) == 0 ? spec : NULL;
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (char *dir = strtok_r(copy, ":", &save); dir && !res; dir = strtok_r(NULL, ":", &save)) {
		size_t n = strlen(dir);
		if (n >= 6 && strcmp(dir + n - 6, "/shims") == 0)
			continue;
		snprintf(found, sizeof(found), "%s/%s", *dir ? dir : ".", spec);
		if (access(found, X_OK) == 0)
			res = found;
	}
	free(copy);
	if (!res && interp_find(spec, &in) == 0) {
		snprintf(found, sizeof(found), "%s", in.path);
		res = found;
	}
	return res;
}

