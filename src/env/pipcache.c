/* pip unpacked and byte-compiled once per machine, run from outside the venvs. */
#include "pipcache.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "../util/util.h"

extern char **environ;

/* Unpack the wheel (argv[1]) into the folder (argv[2]) unless done, then compile it for this Python. */
#define UNPACK \
	"import compileall, os, sys, zipfile\n" \
	"wheel, dest = sys.argv[1], sys.argv[2]\n" \
	"if not os.path.exists(os.path.join(dest, '.unpacked')):\n" \
	"    zipfile.ZipFile(wheel).extractall(dest)\n" \
	"    open(os.path.join(dest, '.unpacked'), 'w').close()\n" \
	"ok = compileall.compile_dir(os.path.join(dest, 'pip'), quiet=1, workers=1)\n" \
	"sys.exit(0 if ok else 1)\n"

/* Run python with the unpack script; 0 when it succeeded. Its output goes nowhere. */
static int unpack(const struct interp *in, const char *wheel, const char *dest)
{
	char *argv[] = { (char *)in->path, "-I", "-c", UNPACK, (char *)wheel, (char *)dest, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, in->path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int pipcache_dir(const struct interp *in, const char *wheel, char *out, size_t outsz)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *base = strrchr(wheel, '/') ? strrchr(wheel, '/') + 1 : wheel;
	char *root, *dir, *done, *lockpath;
	int rc = -1, fd;

	if (xdg && *xdg == '/')
		root = xconcat(xdg, "/blitz/pip", NULL);
	else if (home && *home == '/')
		root = xconcat(home, "/.cache/blitz/pip", NULL);
	else
		return -1;
	dir = xasprintf("%s/%.*s", root, (int)(strlen(base) - (strlen(base) > 4 ? 4 : 0)), base);
	/* compiled for this Python: the bytecode of each version lives beside the others */
	done = xasprintf("%s/.compiled-%s-%d.%d", dir, in->impl, in->major, in->minor);
	lockpath = xconcat(dir, ".lock", NULL);
	if (access(done, F_OK) == 0) {
		rc = 0;
	} else if (mkdirs(dir) == 0 && (fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) >= 0) {
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
		if (access(done, F_OK) == 0 || unpack(in, wheel, dir) == 0) {
			int d = open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (d >= 0)
				close(d);
			rc = 0;
		}
		close(fd);
	}
	if (rc == 0)
		snprintf(out, outsz, "%s", dir);
	free(root);
	free(dir);
	free(done);
	free(lockpath);
	return rc;
}
