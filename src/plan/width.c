#include "width.h"

#include <stdio.h>
#include <string.h>

#include "../util/util.h"

/*
 * More than this much of the machine idle, while every slot is busy: one more
 * job. Idle cores are the one waste a test run can avoid, and an extra job on
 * busy cores costs only a share of them, so the width grows readily.
 */
#define IDLE_GROW 0.15
/* Less than this idle: the cores are saturated; drift back towards one job per core. */
#define IDLE_SHRINK 0.02
/*
 * The newest sample's weight in the two idle averages (a sample each half
 * second): the fast one, about 2 s of memory, decides growth; the slow one,
 * about 5 s, decides shrinking. Jobs that wait come in bursts that saturate
 * the cores for a moment; only saturation that lasts is worth fewer jobs.
 */
#define IDLE_WEIGHT_FAST 0.3
#define IDLE_WEIGHT_SLOW 0.1
/* Below this share of memory available, no new job beyond the cores: never thrash. */
#define MEM_FLOOR 0.15

void width_init(struct width *w, size_t cores)
{
	memset(w, 0, sizeof(*w));
	w->cores = cores ? cores : 1;
	w->max = 4 * w->cores;
	w->now = w->cores;
	w->idle_avg = w->idle_slow = -1;
}

int width_sample(struct width *w, struct width_sample *s)
{
	unsigned long long v[10] = { 0 }, idle, total = 0;
	char line[256];
	FILE *f = fopen("/proc/stat", "r");

	memset(s, 0, sizeof(*s));
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 4) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (int i = 0; i < 8; i++)	/* guest time (8, 9) is already in user time */
		total += v[i];
	idle = v[3] + v[4];	/* idle + iowait: a core waiting on a disk could run something */
	if (w->last_total && total > w->last_total)
		s->idle = (double)(idle - w->last_idle) / (double)(total - w->last_total);
	w->last_idle = idle;
	w->last_total = total;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			s->mem_total = (double)kb * 1024;
		else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			s->mem_available = (double)kb * 1024;
	}
	fclose(f);
	return s->mem_total > 0 ? 0 : -1;
}

size_t width_next(struct width *w, const struct width_sample *s, size_t running)
{
	size_t n = w->now;
	int mem_ok = s->mem_total > 0 && s->mem_available / s->mem_total >= MEM_FLOOR;

	w->idle_avg = w->idle_avg < 0 ? s->idle : (1 - IDLE_WEIGHT_FAST) * w->idle_avg + IDLE_WEIGHT_FAST * s->idle;
	w->idle_slow = w->idle_slow < 0 ? s->idle : (1 - IDLE_WEIGHT_SLOW) * w->idle_slow + IDLE_WEIGHT_SLOW * s->idle;
	if (!mem_ok)
		return w->cores;
	if (w->idle_avg > IDLE_GROW && running >= n && n < w->max)
		return n + 1;
	if (w->idle_slow < IDLE_SHRINK && n > w->cores)
		return n - 1;
	return n;
}
