#ifndef BLITZ_RAMDIR_H
#define BLITZ_RAMDIR_H

#include <stddef.h>

/*
 * --ram: a run's envs in a RAM file system (tmpfs), made at the start and
 * removed at the end. The folder is ROOT/blitz-UID/NAME-PID-XXXXXX, ROOT the
 * first of roots (NULL-terminated) that is a tmpfs, claimed by a lock held
 * in *lock_fd for the run (util/rundir.h: two runs of one pid in two PID
 * namespaces never share it); what runs that were killed left there is
 * removed first, each after taking its lock. Returns the folder
 * (allocated), or NULL with why in err (no root is a tmpfs, or it cannot be
 * written): the caller keeps the envs where they were, with a warning.
 */
char *ramdir_create(const char *const *roots, const char *name, int *lock_fd, char *err, size_t errsz);

/* The roots --ram tries: $XDG_RUNTIME_DIR, then /dev/shm. */
const char *const *ramdir_roots(void);

#endif
