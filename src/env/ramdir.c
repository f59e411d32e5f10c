/* A folder in RAM for a run's envs (--ram). */
#include "ramdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/rundir.h"
#include "../util/util.h"

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

char *ramdir_create(const char *const *roots, const char *name, int *lock_fd, char *err, size_t errsz)
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
	rundir_reap(base, NULL, NULL, NULL, NULL);	/* what killed runs left, of any project */
	dir = rundir_claim(base, name, 0700, lock_fd, err, errsz);
	free(base);
	return dir;
}
