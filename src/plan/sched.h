#ifndef BLITZ_SCHED_H
#define BLITZ_SCHED_H

#include <stddef.h>

struct strvec;
struct diag;

/*
 * Which env to start next. Envs form a graph through `depends` (an env starts
 * after every selected env it depends on has finished, as in tox: a failed
 * dependency delays its dependents but does not cancel them); among the envs
 * whose dependencies are done, the one predicted to run longest starts first,
 * so the long ones do not end up alone at the end of a run.
 *
 * Use: sched_init() with the envs, then repeatedly sched_next() to take the
 * next ready env and sched_done() when one finishes, until sched_finished().
 */
struct sched {
	size_t n;
	char **names;
	double *predicted;	/* seconds */
	size_t *waiting;	/* unfinished dependencies of each env */
	size_t **dependents;	/* for each env, the envs that wait for it */
	size_t *ndependents;
	int *state;		/* 0 waiting, 1 started, 2 done */
	size_t done;
};

/*
 * Set s up for n envs: names[i] predicted to take predicted[i] seconds, with
 * depends[i] the names it depends on, or globs of them (fnmatch: *, ?,
 * [seq]); names outside the set are ignored, as tox ignores unselected
 * envs. Returns 0, or -1 with d naming a cycle.
 */
int sched_init(struct sched *s, size_t n, const char *const *names, const double *predicted,
	       const struct strvec *depends, struct diag *d);

/* The ready env predicted longest (ties: the earlier one), now marked started; -1 when none is ready. */
long sched_next(struct sched *s);

/* Env i finished (whatever its result): its dependents may become ready. */
void sched_done(struct sched *s, size_t i);

/* 1 when every env has finished. */
int sched_finished(const struct sched *s);

void sched_release(struct sched *s);

#endif
