/* A run's folder in a shared place, claimed by a lock (see rundir.h). */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* A folder this young and empty may be one a run has just made and not locked yet. */
#define YOUNG_S 60

char *rundir_claim(const char *base, const char *prefix, int mode, int *lock_fd, char *err, size_t errsz)
{
	*lock_fd = -1;
	for (int attempt = 0; attempt < 10; attempt++) {
		char *dir = xasprintf("%s/%s-%ld-XXXXXX", base, prefix, (long)getpid());
		struct stat st;
		if (!mkdtemp(dir)) {
			snprintf(err, errsz, "cannot create a folder in '%s': %s", base, strerror(errno));
			free(dir);
			return NULL;
		}
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), locked = -1;
		/* a reaper looking at it this very moment lets go at once (it is young and empty) */
		for (int i = 0; fd >= 0 && i < 100 && (locked = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EWOULDBLOCK; i++) {
			struct timespec ms = { 0, 1000000L };
			nanosleep(&ms, NULL);
		}
		if (fd < 0 || locked < 0 || fstat(fd, &st) < 0 || fchmod(fd, (mode_t)mode) < 0) {
			snprintf(err, errsz, "cannot set up '%s': %s", dir, strerror(errno));
			if (fd >= 0)
				close(fd);
			remove_tree(dir);
			free(dir);
			return NULL;
		}
		if (st.st_nlink > 0) {
			*lock_fd = fd;
			return dir;
		}
		close(fd);	/* removed meanwhile (a reaper's mistake): another name */
		free(dir);
	}
	snprintf(err, errsz, "cannot keep a folder in '%s': each one made was removed at once", base);
	return NULL;
}

size_t rundir_reap(const char *base, const char *prefix, const char *mine, void (*gone)(const char *dir, void *arg),
		   void *arg)
{
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = bfd < 0 ? NULL : fdopendir(bfd);
	struct dirent *de;
	size_t plen = prefix ? strlen(prefix) : 0, removed = 0;
	/* a prefix that is a pattern ("*.tmp"): PREFIX-* matched as the shell would */
	char *glob = prefix && strpbrk(prefix, "*?[") ? xconcat(prefix, "-*", NULL) : NULL;
	const char *my_name = mine && strrchr(mine, '/') ? strrchr(mine, '/') + 1 : mine;

	if (!d) {
		if (bfd >= 0)
			close(bfd);
		free(glob);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || (my_name && strcmp(de->d_name, my_name) == 0))
			continue;
		if (glob && fnmatch(glob, de->d_name, FNM_PERIOD) != 0)
			continue;
		if (prefix && !glob && (strncmp(de->d_name, prefix, plen) != 0 || de->d_name[plen] != '-'))
			continue;
		/* a folder of this user's (root's also when it gave it to a service's user) */
		if (fstatat(bfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    (st.st_uid != getuid() && getuid() != 0))
			continue;
		int fd = openat(bfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/*
		 * its run holds it (alive), or it was just made and is not locked
		 * yet (young and empty): leave it. A killed run's is reaped at once:
		 * it holds what the run put there.
		 */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0 ||
		    (time(NULL) - st.st_mtime < YOUNG_S && dir_fd_is_empty(fd))) {
			close(fd);
			continue;
		}
		char *dir = xconcat(base, "/", de->d_name, NULL);
		if (gone)
			gone(dir, arg);
		if (remove_tree(dir) == 0)
			removed++;
		free(dir);
		close(fd);
	}
	closedir(d);
	free(glob);
	return removed;
}
