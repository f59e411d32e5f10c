#include "sched.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../config/diag.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Depth-first search for a cycle through the dependents graph; fills path with it. */
static int find_cycle(const struct sched *s, size_t i, int *mark, size_t *stack, size_t depth, struct strbuf *path)
{
	mark[i] = 1;
	stack[depth] = i;
	for (size_t k = 0; k < s->ndependents[i]; k++) {
		size_t j = s->dependents[i][k];
		if (mark[j] == 1) {
			size_t from = 0;
			while (stack[from] != j)
				from++;
			for (size_t x = from; x <= depth; x++)
				strbuf_addf(path, "%s -> ", s->names[stack[x]]);
			strbuf_adds(path, s->names[j]);
			return 1;
		}
		if (mark[j] == 0 && find_cycle(s, j, mark, stack, depth + 1, path))
			return 1;
	}
	mark[i] = 2;
	return 0;
}

int sched_init(struct sched *s, size_t n, const char *const *names, const double *predicted,
	       const struct strvec *depends, struct diag *d)
{
	struct strmap index = STRMAP_INIT;
	size_t *cap;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->names = xcalloc(n ? n : 1, sizeof(*s->names));
	s->predicted = xcalloc(n ? n : 1, sizeof(*s->predicted));
	s->waiting = xcalloc(n ? n : 1, sizeof(*s->waiting));
	s->dependents = xcalloc(n ? n : 1, sizeof(*s->dependents));
	s->ndependents = xcalloc(n ? n : 1, sizeof(*s->ndependents));
	s->state = xcalloc(n ? n : 1, sizeof(*s->state));
	cap = xcalloc(n ? n : 1, sizeof(*cap));
	for (size_t i = 0; i < n; i++) {
		s->names[i] = xstrdup(names[i]);
		s->predicted[i] = predicted ? predicted[i] : 0;
		strmap_intern(&index, names[i], strlen(names[i]));
	}
	unsigned char *on = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n && depends; i++) {
		/* each env i depends on once, however many entries name it */
		memset(on, 0, n);
		for (size_t k = 0; k < depends[i].n; k++) {
			const char *want = depends[i].v[k];
			if (strpbrk(want, "*?[")) {
				/* a glob, matched as tox does (fnmatchcase) against the envs of the run */
				for (size_t j = 0; j < n; j++)
					on[j] |= fnmatch(want, names[j], 0) == 0;
				continue;
			}
			int dep = strmap_get(&index, want, strlen(want));
			if (dep >= 0)
				on[dep] = 1;
		}
		for (size_t di = 0; di < n; di++) {
			if (!on[di] || di == i)
				continue;	/* not selected, or itself: nothing to wait for */
			s->dependents[di] = xgrow(s->dependents[di], &cap[di], s->ndependents[di] + 1, sizeof(size_t));
			s->dependents[di][s->ndependents[di]++] = i;
			s->waiting[i]++;
		}
	}
	free(on);
	free(cap);
	strmap_clear(&index);

	int *mark = xcalloc(n ? n : 1, sizeof(int));
	size_t *stack = xcalloc(n ? n : 1, sizeof(size_t));
	struct strbuf path = STRBUF_INIT;
	int cycle = 0;
	for (size_t i = 0; i < n && !cycle; i++)
		if (!mark[i])
			cycle = find_cycle(s, i, mark, stack, 0, &path);
	if (cycle)
		diag_set(d, "", 0, 0, "the envs depend on each other in a circle (%s): remove one of these depends",
			 strbuf_str(&path));
	strbuf_release(&path);
	free(mark);
	free(stack);
	return cycle ? -1 : 0;
}

long sched_next(struct sched *s)
{
	long best = -1;

	for (size_t i = 0; i < s->n; i++)
		if (s->state[i] == 0 && s->waiting[i] == 0 && (best < 0 || s->predicted[i] > s->predicted[best]))
			best = (long)i;
	if (best >= 0)
		s->state[best] = 1;
	return best;
}

void sched_done(struct sched *s, size_t i)
{
	if (i >= s->n || s->state[i] == 2)
		return;
	s->state[i] = 2;
	s->done++;
	for (size_t k = 0; k < s->ndependents[i]; k++)
		s->waiting[s->dependents[i][k]]--;
}

int sched_finished(const struct sched *s)
{
	return s->done == s->n;
}

void sched_release(struct sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->dependents[i]);
	}
	free(s->names);
	free(s->predicted);
	free(s->waiting);
	free(s->dependents);
	free(s->ndependents);
	free(s->state);
	memset(s, 0, sizeof(*s));
}
