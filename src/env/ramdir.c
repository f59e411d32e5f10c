/* A folder in RAM for a run's envs (--ram). */
#include "ramdir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

/* Folders NAME-PID whose process is gone: a run killed before it could clean up. */
static void remove_dead(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *dash = strrchr(de->d_name, '-');
		char *end;
		long pid;
		if (!dash || de->d_name[0] == '.')
			continue;
		pid = strtol(dash + 1, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			continue;
		char *path = xconcat(base, "/", de->d_name, NULL);
		remove_tree(path);
		free(path);
	}
	closedir(d);
}

const char *const *ramdir_roots(void)
{
	static const char *roots[3];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	size_t n = 0;

	if (xdg && *xdg == '/')
		roots[n++] = xdg;
	roots[n++] = "/dev/shm";
	roots[n] = NULL;
	return roots;
}

char *ramdir_create(const char *const *roots, const char *name, char *err, size_t errsz)
{
	const char *root = NULL;
	char *base, *dir;

	for (size_t i = 0; roots[i] && !root; i++)
		if (is_tmpfs(roots[i], NULL))
			root = roots[i];
	if (!root) {
		snprintf(err, errsz, "no RAM file system (tmpfs) at %s%s", roots[0] ? roots[0] : "",
			 roots[0] && roots[1] ? " or the others tried" : "");
		return NULL;
	}
	base = xasprintf("%s/blitz-%ld", root, (long)getuid());
	/* someone else's folder, or a link planted in a shared /dev/shm: not ours to use */
	if (mkdir_own(base, 0700) < 0) {
		if (errno == EPERM)
			snprintf(err, errsz, "'%s' is not a folder of this user", base);
		else
			snprintf(err, errsz, "cannot create '%s': %s", base, strerror(errno));
		free(base);
		return NULL;
	}
	remove_dead(base);
	dir = xasprintf("%s/%s-%ld", base, name, (long)getpid());
	free(base);
	remove_tree(dir);
	if (mkdir(dir, 0700) < 0) {
		snprintf(err, errsz, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}
