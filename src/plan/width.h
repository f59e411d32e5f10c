#ifndef BLITZ_WIDTH_H
#define BLITZ_WIDTH_H

#include <stddef.h>

/*
 * How many envs to run at once with -p auto. Tests that wait (a database, a
 * socket, a sleep) leave cores idle when there are as many jobs as cores, so
 * the width grows while the machine's CPUs sit idle and memory is plentiful,
 * and shrinks back towards the core count when they are busy or memory runs
 * short. The readings come from /proc (width_sample()); the decision is
 * width_next(), which grows on the idle share of the last couple of seconds
 * and shrinks only on saturation that lasts several, so that a moment of
 * saturation does not undo a wider pool that the jobs' waiting needs.
 */
struct width_sample {
	double idle;			/* fraction of all CPU time idle since the last sample, 0..1 */
	double mem_available;		/* bytes the kernel says new work can use */
	double mem_total;
};

struct width {
	size_t cores;			/* the floor, and the start */
	size_t max;			/* the ceiling: 4x the cores */
	size_t now;
	double idle_avg, idle_slow;	/* the idle share, averaged over the last 2 s and 5 s; -1: none yet */
	unsigned long long last_idle, last_total;	/* /proc/stat counters at the last sample */
};

void width_init(struct width *w, size_t cores);

/* Read /proc/stat and /proc/meminfo into s; returns 0, or -1 when /proc cannot tell. */
int width_sample(struct width *w, struct width_sample *s);

/* The width after a sample, given how many jobs are running (updates w's average, not w->now). */
size_t width_next(struct width *w, const struct width_sample *s, size_t running);

#endif
