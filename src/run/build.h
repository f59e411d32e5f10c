#ifndef BLITZ_RUN_BUILD_H
#define BLITZ_RUN_BUILD_H

/*
 * An env's building (build.c): what its state machine (envrun.c) asks
 * before and while it builds the env's venv, answered as plain data.
 */
#include <stddef.h>
#include <stdint.h>

struct ctx;
struct envrun;
struct step;

/*
 * The lock on an env's env_dir, kept by this file alone: shared while a
 * run uses the env (its commands run in it), exclusive while a run checks
 * or builds it. Two blitz runs may use one env at once; neither rebuilds
 * it while the other uses it. envlock_take: without waiting; 1 held (or
 * locks cannot be had: a warning, and the run goes on), 0 another run
 * holds it the other way. envlock_let_go: hold none, the file kept open
 * (waiting to take it again). envlock_drop: let it go and close it.
 */
struct env_lock {
	int fd;			/* -1: none */
	int excl;		/* held exclusive, else shared */
};
void envlock_init(struct env_lock *l);
int envlock_take(struct env_lock *l, const char *state_dir, const char *env_dir, const char *name, int exclusive);
void envlock_let_go(struct env_lock *l);
void envlock_drop(struct env_lock *l);

/*
 * Where env er starts (build_decide): an env whose mark matches its set-up
 * is reused (no venv, no deps; the project again only when it changed);
 * any other is built from scratch over its old venv (--clear), but never
 * over a folder that is not a venv, nor the project's own folder, a
 * symbolic link or a repository.
 */
struct build_plan {
	char why[1024];		/* it cannot be built: why (the env fails); else "" */
	size_t setup_end;	/* its first command step */
	size_t next;		/* the step it starts at */
	int reused;		/* its venv and deps are in place */
	uint64_t mark_reqs;	/* reused: the project's requirements its mark names */
	int clear;		/* made over an old venv */
	int together;		/* built from scratch: its project may go in with its deps (build_together) */
};
void build_decide(const struct ctx *c, const struct envrun *er, struct build_plan *bp);

/* Whether env er's venv is in place as this run would build it (nothing to install, nothing to clear). */
int build_reusable(const struct ctx *c, const struct envrun *er);

/*
 * An env built from scratch installs its deps and its project in one pip
 * run: its STEP_WHEEL moves before its STEP_DEPS (at *deps_at, from
 * *wheel_at), which then takes the wheel too (package_install.c); 1 when
 * it may. pip resolves them together; where that fails, they go in one
 * after the other, as tox does.
 */
int build_together(const struct envrun *er, size_t *deps_at, size_t *wheel_at);

/* Env er's STEP_CREATE when blitz makes the venv itself: the venv and its seeds, recorded. 0, or -1 with why. */
int build_create(const struct envrun *er, char *why, size_t whysz);

/*
 * Env er's STEP_DEPS st in a venv it is building: build_deps_cached
 * installs what pip resolved for the same install before (env/resolved.h),
 * recorded (*done 1); else returns the key pip's result is kept under
 * (0: none). build_deps_ran: pip ran it and passed: keep what it
 * installed under key.
 */
uint64_t build_deps_cached(const struct envrun *er, const struct step *st, int *done);
void build_deps_ran(const struct envrun *er, const struct step *st, uint64_t key);

#endif
