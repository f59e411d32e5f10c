#ifndef BLITZ_RUNDIR_H
#define BLITZ_RUNDIR_H

/*
 * A folder of one run in a shared place (/dev/shm, TMPDIR): BASE/PREFIX-PID-XXXXXX,
 * made by mkdtemp (so two runs of the same pid in two PID namespaces sharing
 * the place never pick the same name) and locked (flock on the folder
 * itself: nothing is added inside) while the run lives. Another run removes
 * such a folder only after taking that lock (its run is gone, whatever its
 * pid means here), and not while it is young and empty (a run may have made
 * it and not locked it yet).
 */
#include <stddef.h>

/*
 * Make this run's folder under base, mode 0711 (others may reach what is
 * made inside for them) or 0700; locked through *lock_fd (the folder's
 * descriptor), held until closed. Returns the folder (allocated), or NULL
 * with why in err.
 */
char *rundir_claim(const char *base, const char *prefix, int mode, int *lock_fd, char *err, size_t errsz);

/*
 * Remove the folders under base named PREFIX-... (any name but dot files
 * when prefix is NULL; a prefix with * ? or [ is a pattern, as the shell
 * matches names) whose run is gone (see above), never this run's own
 * (mine, or NULL). Before each is removed,
 * gone(dir, arg) is called (when not NULL) while its lock is held: to stop
 * what its run left running. Returns how many were removed.
 */
size_t rundir_reap(const char *base, const char *prefix, const char *mine, void (*gone)(const char *dir, void *arg),
		   void *arg);

#endif
