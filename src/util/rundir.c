/* A run's folder in a shared place, claimed by a lock (see rundir.h). */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *rundir_claim(const char *base, const char *prefix, int mode, int *lock_fd, char *err, size_t errsz)
{
	char *dir = xasprintf("%s/%s-%ld-XXXXXX", base, prefix, (long)getpid());

	*lock_fd = -1;
	if (!mkdtemp(dir)) {
		snprintf(err, errsz, "cannot create a folder in '%s': %s", base, strerror(errno));
		free(dir);
		return NULL;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dfd < 0 ? -1 : openat(dfd, "lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || fchmod(dfd, (mode_t)mode) < 0) {
		snprintf(err, errsz, "cannot set up '%s': %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (dfd >= 0)
			close(dfd);
		remove_tree(dir);
		free(dir);
		return NULL;
	}
	close(dfd);
	*lock_fd = fd;
	return dir;
}

size_t rundir_reap(const char *base, const char *prefix, const char *mine, void (*gone)(const char *dir, void *arg),
		   void *arg)
{
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = bfd < 0 ? NULL : fdopendir(bfd);
	struct dirent *de;
	size_t plen = strlen(prefix), removed = 0;
	const char *my_name = mine && strrchr(mine, '/') ? strrchr(mine, '/') + 1 : mine;

	if (!d) {
		if (bfd >= 0)
			close(bfd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (strncmp(de->d_name, prefix, plen) != 0 || de->d_name[plen] != '-' ||
		    (my_name && strcmp(de->d_name, my_name) == 0))
			continue;
		if (fstatat(bfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
			continue;	/* not a folder this user made */
		int dfd = openat(bfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int fd = dfd < 0 ? -1 : openat(dfd, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0)
			close(dfd);
		if (fd >= 0 ? flock(fd, LOCK_EX | LOCK_NB) < 0 : time(NULL) - st.st_mtime < 60) {
			/* its run is alive (or is just making its folder: no lock yet) */
			if (fd >= 0)
				close(fd);
			continue;
		}
		char *dir = xconcat(base, "/", de->d_name, NULL);
		if (gone)
			gone(dir, arg);
		if (remove_tree(dir) == 0)
			removed++;
		free(dir);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return removed;
}
