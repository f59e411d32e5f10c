#ifndef BLITZ_SERVICE_HOME_H
#define BLITZ_SERVICE_HOME_H

/*
 * Where service instances live on disk, and what a killed blitz left running.
 *
 *   BASE = $TMPDIR /blitz-services-UID   0711, owned by blitz's user; without
 *          TMPDIR, in /dev/shm when it is a tmpfs with 1 GiB free (copying a
 *          PostgreSQL folder there takes a tenth of the time), else in /tmp
 *   BASE/tpl-NAME-KEY/                             a service's setup, done once, kept
 *                                                  while used (each run touches it)
 *   BASE/run-PID/lock                              held (flock) while run PID lives
 *   BASE/run-PID/NAME-SLOT/                        an instance's {service_dir}
 *   BASE/run-PID/NAME-SLOT.pid                     "PID STARTTIME": its process group
 *   BASE/ports/PORT.lock                           held while a run uses PORT
 *
 * Kept short (a PostgreSQL socket path must fit in 107 bytes) and outside the
 * project (a service run as another user must reach it). BASE is traversable
 * by others (0711) so that user can reach its own folders in it.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* BASE, created if missing (allocated); NULL with err filled when it is not blitz's user's folder. */
char *svc_base(char *err, size_t errsz);

/* This run's folder BASE/run-PID, created, its lock held in *lock_fd (allocated); NULL with err. */
char *svc_run_dir(const char *base, int *lock_fd, char *err, size_t errsz);

/*
 * Stop the services that runs of blitz no longer alive left running (their
 * run folder's lock is free: the run was killed) and remove those folders;
 * remove setups no run has used for a week, and dead runs' half-made ones.
 * Says what it stopped on out. Returns how many processes it stopped.
 */
size_t svc_reap_orphans(const char *base, FILE *out);

/* Record an instance's process (its group) in run_dir/NAME-SLOT.pid; remove it when it ends. */
void svc_pidfile_write(const char *run_dir, const char *name, size_t slot, pid_t pid);
void svc_pidfile_remove(const char *run_dir, const char *name, size_t slot);

/*
 * Claim a free TCP port on this machine: one nothing listens on or holds, in
 * 20000-32767 (below Linux's range for outgoing connections), whose lock
 * under BASE/ports no other blitz run holds. The lock is held in *lock_fd
 * for the run. Returns the port, or -1 when none is free.
 */
int svc_port_claim(const char *base, int *lock_fd);

/* The same, trying the ports from first on (then around): for tests. */
int svc_port_claim_from(const char *base, int first, int *lock_fd);

enum { SVC_PORT_LOW = 20000, SVC_PORT_HIGH = 32768 };

#endif
