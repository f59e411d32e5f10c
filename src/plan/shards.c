/*
 * Deciding the shards (run/shard.c runs them): how many each env's pytest
 * command gets, from the history and the measured cost of a pytest process;
 * and under --shard, which envs and tests are this CI node's (the only
 * writer of struct share). See shards.h.
 */
#include "shards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"
#include "../util/strmap.h"
#include "../util/util.h"

int share_has(const struct share *sh, const char *key)
{
	size_t len = strlen(key);

	if (strmap_get(&sh->mine, key, len) >= 0)
		return 1;
	if (strmap_get(&sh->known, key, len) >= 0)
		return 0;
	return split_node_of_new(key, sh->on_node, sh->nodes) == (long)sh->node;
}

size_t share_first(const struct share *sh)
{
	size_t k = 0;

	while (k + 1 < sh->nodes && !sh->on_node[k])
		k++;
	return k;
}

static int longer(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * What stays together of the test with JUnit name key ("classname::name")
 * under by: its classname for a module, and for a class when the
 * classname's last part names one (Test..., as pytest's classes are
 * named; a module's own functions have its module's lowercase name); all
 * of it otherwise.
 */
static size_t group_len(const char *key, enum split_by by)
{
	size_t cls = strcspn(key, ":");

	if (by == SPLIT_MODULE)
		return cls;
	if (by == SPLIT_CLASS) {
		size_t last = cls;
		while (last > 0 && key[last - 1] != '.')
			last--;
		if (key[last] >= 'A' && key[last] <= 'Z')
			return cls;
	}
	return strlen(key);
}

/*
 * An env's tests from its history as the planner's groups: each test, or
 * (split_by class or module) the tests of one JUnit classname, whose
 * seconds are summed; longest first. Returns how many, *out allocated.
 */
static size_t history_groups(const struct shard_env *e, int split_by, double **out, double *total)
{
	struct strmap names = STRMAP_INIT;
	size_t ng = 0;

	*out = xcalloc(e->ntests ? e->ntests : 1, sizeof(**out));
	*total = 0;
	for (size_t i = 0; i < e->ntests; i++) {
		const char *t = e->tests[i];
		if (e->share && !share_has(e->share, t))
			continue;	/* another node's */
		size_t len = group_len(t, (enum split_by)split_by);
		int g = strmap_intern(&names, t, len);
		if ((size_t)g == ng)
			(*out)[ng++] = 0;
		(*out)[g] += e->secs[i];
		*total += e->secs[i];
	}
	qsort(*out, ng, sizeof(**out), longer);
	strmap_clear(&names);
	return ng;
}

static const double *order_key;

static int by_prediction(const void *a, const void *b)
{
	double x = order_key[*(const size_t *)a], y = order_key[*(const size_t *)b];

	return x < y ? 1 : x > y ? -1 : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/*
 * Each env's predicted seconds and the cost of one of its pytest
 * processes, from the history; an env never seen gets the mean of those
 * seen (or unknown seconds when none was; a cost of 0).
 */
static void estimates(const struct shard_env *v, size_t n, double unknown, double *predicted, double *cost)
{
	double known = 0, costs = 0;
	size_t nknown = 0, ncost = 0;

	for (size_t i = 0; i < n; i++) {
		cost[i] = v[i].cost;
		if (v[i].predicted >= 0) {
			known += v[i].predicted;
			nknown++;
		}
		if (cost[i] >= 0) {
			costs += cost[i];
			ncost++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		predicted[i] = v[i].predicted >= 0 ? v[i].predicted : nknown ? known / (double)nknown : unknown;
		if (cost[i] < 0)
			cost[i] = ncost ? costs / (double)ncost : 0;
	}
}

void shards_plan(const struct shard_env *v, size_t n, size_t slots, int split_by, int no_split, size_t *shards,
		 FILE *dry)
{
	size_t ready = 0;
	struct split_env *se = xcalloc(n ? n : 1, sizeof(*se));
	double **groups = xcalloc(n ? n : 1, sizeof(*groups)), *tests = xcalloc(n ? n : 1, sizeof(*tests));
	double *whole = xcalloc(n ? n : 1, sizeof(*whole)), *cost = xcalloc(n ? n : 1, sizeof(*cost));
	const char **why = xcalloc(n ? n : 1, sizeof(*why));
	long *step = xcalloc(n ? n : 1, sizeof(*step));
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	struct split_plan plan;

	estimates(v, n, 0, whole, cost);
	for (size_t i = 0; i < n; i++) {
		step[i] = -1;
		shards[i] = 1;
		se[i].cost = cost[i];
		if (!v[i].runs) {
			why[i] = "it does not run";
			continue;
		}
		ready++;
		why[i] = v[i].why_not;
		if (v[i].split_step < 0 || no_split) {
			if (no_split)
				why[i] = "--no-split";
			continue;
		}
		step[i] = v[i].split_step;
		se[i].ngroups = history_groups(&v[i], split_by, &groups[i], &tests[i]);
		if (se[i].ngroups) {
			se[i].groups = groups[i];
			se[i].max_shards = 2 * slots;
		} else {
			why[i] = "no test times yet (the next run has them)";
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!v[i].runs)
			whole[i] = 0;
		double predicted = whole[i];
		se[i].shards = 1;
		if (se[i].groups) {
			se[i].setup = predicted - tests[i] - se[i].cost;
			if (se[i].setup < 0)
				se[i].setup = 0;
		} else {
			se[i].work = predicted;
			se[i].max_shards = 1;
		}
		order[i] = i;
	}
	/* the runner starts the longest envs first: simulate them in that order */
	order_key = whole;
	qsort(order, n, sizeof(*order), by_prediction);
	struct split_env *sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = se[order[i]];
	split_plan(sorted, n, slots, &plan);
	for (size_t i = 0; i < n; i++) {
		se[order[i]] = sorted[i];
		shards[order[i]] = sorted[i].shards;
	}
	/* no history yet, fewer envs than slots: the slots share each env's tests by count */
	for (size_t i = 0; i < n && ready < slots; i++)
		if (step[i] >= 0 && !se[i].groups)
			shards[i] = slots / (ready ? ready : 1);
	if (dry) {
		fprintf(dry, "plan: %zu env%s on %zu slot%s: predicted %.1f s; lower bound %.1f s (work %.1f s / %zu slot%s, "
			"or the longest test)\n", n, n == 1 ? "" : "s", slots, slots == 1 ? "" : "s", plan.makespan,
			plan.lower_bound, plan.work, slots, slots == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++) {
			fprintf(dry, "  %s: ", v[i].name);
			if (se[i].groups) {
				fprintf(dry, "tests %.1f s in %zu shard%s (", tests[i], shards[i], shards[i] == 1 ? "" : "s");
				for (size_t k = 0; k < shards[i]; k++)
					fprintf(dry, "%s%.1f s", k ? ", " : "", se[i].loads[k]);
				fprintf(dry, ", each with %.2f s for the pytest process), set-up %.1f s\n", se[i].cost, se[i].setup);
			} else if (shards[i] > 1) {
				fprintf(dry, "%zu shards by test count (%s)\n", shards[i], why[i]);
			} else {
				fprintf(dry, "%.1f s, not split: %s\n", whole[i], why[i]);
			}
		}
	}
	split_plan_release(se, n);
	for (size_t i = 0; i < n; i++)
		free(groups[i]);
	free(groups);
	free(sorted);
	free(se);
	free(tests);
	free(whole);
	free(cost);
	free(why);
	free(step);
	free(order);
}

void shards_nodes(const struct shard_env *v, size_t n, size_t node, size_t nodes, unsigned char *keep,
		  struct share **shares, FILE *out)
{
	size_t kept = 0, shared = 0;
	struct node_env *ne = xcalloc(n ? n : 1, sizeof(*ne));
	double *loads = xcalloc(nodes, sizeof(*loads));
	double *predicted = xcalloc(n ? n : 1, sizeof(*predicted)), *cost = xcalloc(n ? n : 1, sizeof(*cost));

	/* an env never seen counts as a second: with no history at all, the envs still spread */
	estimates(v, n, 1.0, predicted, cost);
	for (size_t i = 0; i < n; i++) {
		double p = predicted[i], sum = 0;
		ne[i].name = v[i].name;
		ne[i].cost = cost[i];
		ne[i].work = p;
		if (v[i].runs && v[i].split_step >= 0)
			ne[i].ntests = v[i].ntests;
		for (size_t t = 0; t < ne[i].ntests; t++)
			sum += v[i].secs[t];
		if (ne[i].ntests) {
			ne[i].tests = (const char *const *)v[i].tests;
			ne[i].secs = v[i].secs;
			ne[i].setup = p - sum - ne[i].cost > 0 ? p - sum - ne[i].cost : 0;
		} else {
			ne[i].cost = 0;
		}
	}
	split_nodes(ne, n, nodes, loads);
	for (size_t i = 0; i < n; i++) {
		size_t on = 0;
		shares[i] = NULL;
		keep[i] = ne[i].on_node[node];
		kept += keep[i];
		for (size_t k = 0; k < nodes; k++)
			on += ne[i].on_node[k];
		if (!keep[i] || on < 2)
			continue;
		/* its tests are split among nodes: this node runs its part */
		struct share *sh = shares[i] = xcalloc(1, sizeof(*sh));
		sh->node = node;
		sh->nodes = nodes;
		sh->on_node = xmalloc(nodes);
		memcpy(sh->on_node, ne[i].on_node, nodes);
		for (size_t t = 0; t < ne[i].ntests; t++) {
			strmap_add(&sh->known, v[i].tests[t]);
			if (ne[i].node_of[t] == node)
				strmap_add(&sh->mine, v[i].tests[t]);
		}
		shared++;
	}
	if (out) {
		fprintf(out, "node %zu of %zu: %zu of %zu envs (%zu with their tests split among nodes); predicted work per node:",
			node + 1, nodes, kept, n, shared);
		for (size_t k = 0; k < nodes; k++)
			fprintf(out, " %.1f s%s", loads[k], k == node ? " (this one)" : "");
		fputc('\n', out);
		fflush(out);
	}
	split_nodes_release(ne, n);
	free(ne);
	free(loads);
	free(predicted);
	free(cost);
}

void share_free(struct share *sh)
{
	if (!sh)
		return;
	strmap_clear(&sh->mine);
	strmap_clear(&sh->known);
	free(sh->on_node);
	free(sh);
}
