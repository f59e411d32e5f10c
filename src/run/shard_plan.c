/*
 * Deciding the shards (shard.c runs them): how many each env's pytest
 * command gets, from the history and the measured cost of a pytest process;
 * and under --shard, which envs and tests are this CI node's.
 */
#include "run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "../plan/split.h"
#include "../state/db.h"
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
 * Env's tests from its history as the planner's groups: each test, or
 * (split_by class or module) the tests of one JUnit classname, whose seconds
 * are summed; longest first. Returns how many, *out allocated.
 */
static size_t history_groups(struct ctx *c, const struct envrun *er, double **out, double *total)
{
	const char *env = er->r->name;
	char **tests = NULL;
	double *secs = NULL;
	size_t n = db_env_tests(c->db, env, &tests, &secs), ng = 0;
	struct strmap names = STRMAP_INIT;

	*out = xcalloc(n ? n : 1, sizeof(**out));
	*total = 0;
	for (size_t i = 0; i < n; i++) {
		if (er->share && !share_has(er->share, tests[i])) {
			free(tests[i]);
			continue;	/* another node's */
		}
		size_t len = (enum split_by)c->o->split_by == SPLIT_TEST ? strlen(tests[i]) : strcspn(tests[i], ":");
		int g = strmap_intern(&names, tests[i], len);
		if ((size_t)g == ng)
			(*out)[ng++] = 0;
		(*out)[g] += secs[i];
		*total += secs[i];
		free(tests[i]);
	}
	qsort(*out, ng, sizeof(**out), longer);
	free(tests);
	free(secs);
	strmap_clear(&names);
	return ng;
}

/* The first pytest command of er that may run in shards: its step, or -1 (why says why not). */
static long split_step_of(const struct envrun *er, const char **why)
{
	*why = "no pytest command";
	for (size_t i = 0; i < er->steps.n; i++) {
		const struct step *st = &er->steps.v[i];
		long at = st->kind == STEP_COMMAND ? steps_pytest_args(&st->argv) : -1;
		if (at >= 0)
			return shard_splittable(&st->argv, at, why) ? (long)i : -1;
	}
	return -1;
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
static void estimates(struct ctx *c, double unknown, double *predicted, double *cost)
{
	double known = 0, costs = 0;
	size_t nknown = 0, ncost = 0;

	for (size_t i = 0; i < c->n; i++) {
		cost[i] = db_process_cost(c->db, c->runs[i].r->name);
		if (c->predicted[i] >= 0) {
			known += c->predicted[i];
			nknown++;
		}
		if (cost[i] >= 0) {
			costs += cost[i];
			ncost++;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		predicted[i] = c->predicted[i] >= 0 ? c->predicted[i] : nknown ? known / (double)nknown : unknown;
		if (cost[i] < 0)
			cost[i] = ncost ? costs / (double)ncost : 0;
	}
}

void shard_plan(struct ctx *c, FILE *dry)
{
	size_t n = c->n, ready = 0;
	struct split_env *se = xcalloc(n ? n : 1, sizeof(*se));
	double **groups = xcalloc(n ? n : 1, sizeof(*groups)), *tests = xcalloc(n ? n : 1, sizeof(*tests));
	double *whole = xcalloc(n ? n : 1, sizeof(*whole)), *cost = xcalloc(n ? n : 1, sizeof(*cost));
	const char **why = xcalloc(n ? n : 1, sizeof(*why));
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	struct split_plan plan;

	estimates(c, 0, whole, cost);
	for (size_t i = 0; i < n; i++) {
		struct envrun *er = &c->runs[i];
		er->split_step = -1;
		er->shards = 1;
		se[i].cost = cost[i];
		if (er->ready != ENV_PASSED) {
			why[i] = "it does not run";
			continue;
		}
		ready++;
		er->split_step = split_step_of(er, &why[i]);
		if (er->split_step < 0 || c->o->no_split) {
			if (c->o->no_split)
				why[i] = "--no-split";
			er->split_step = -1;
			continue;
		}
		se[i].ngroups = history_groups(c, er, &groups[i], &tests[i]);
		if (se[i].ngroups) {
			se[i].groups = groups[i];
			se[i].max_shards = 2 * c->slots;
		} else {
			why[i] = "no test times yet (the next run has them)";
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct envrun *er = &c->runs[i];
		if (er->ready != ENV_PASSED)
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
	split_plan(sorted, n, c->slots, &plan);
	for (size_t i = 0; i < n; i++) {
		se[order[i]] = sorted[i];
		c->runs[order[i]].shards = sorted[i].shards;
	}
	/* no history yet, fewer envs than slots: the slots share each env's tests by count */
	for (size_t i = 0; i < n && ready < c->slots; i++)
		if (c->runs[i].split_step >= 0 && !se[i].groups)
			c->runs[i].shards = c->slots / (ready ? ready : 1);
	if (dry) {
		fprintf(dry, "plan: %zu env%s on %zu slot%s: predicted %.1f s; lower bound %.1f s (work %.1f s / %zu slot%s, "
			"or the longest test)\n", n, n == 1 ? "" : "s", c->slots, c->slots == 1 ? "" : "s", plan.makespan,
			plan.lower_bound, plan.work, c->slots, c->slots == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++) {
			const struct envrun *er = &c->runs[i];
			fprintf(dry, "  %s: ", er->r->name);
			if (se[i].groups) {
				fprintf(dry, "tests %.1f s in %zu shard%s (", tests[i], er->shards, er->shards == 1 ? "" : "s");
				for (size_t k = 0; k < er->shards; k++)
					fprintf(dry, "%s%.1f s", k ? ", " : "", se[i].loads[k]);
				fprintf(dry, ", each with %.2f s for the pytest process), set-up %.1f s\n", se[i].cost, se[i].setup);
			} else if (er->shards > 1) {
				fprintf(dry, "%zu shards by test count (%s)\n", er->shards, why[i]);
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
	free(order);
}

void shard_nodes(struct ctx *c, unsigned char *keep, FILE *out)
{
	size_t n = c->n, nodes = c->o->nodes, node = c->o->node, kept = 0, shared = 0;
	struct node_env *ne = xcalloc(n ? n : 1, sizeof(*ne));
	char ***tests = xcalloc(n ? n : 1, sizeof(*tests));
	double **secs = xcalloc(n ? n : 1, sizeof(*secs));
	double *loads = xcalloc(nodes, sizeof(*loads));
	double *predicted = xcalloc(n ? n : 1, sizeof(*predicted)), *cost = xcalloc(n ? n : 1, sizeof(*cost));

	/* an env never seen counts as a second: with no history at all, the envs still spread */
	estimates(c, 1.0, predicted, cost);
	for (size_t i = 0; i < n; i++) {
		struct envrun *er = &c->runs[i];
		const char *why;
		double p = predicted[i], sum = 0;
		ne[i].name = er->r->name;
		ne[i].cost = cost[i];
		ne[i].work = p;
		if (er->ready == ENV_PASSED && !c->o->no_split && split_step_of(er, &why) >= 0)
			ne[i].ntests = db_env_tests(c->db, er->r->name, &tests[i], &secs[i]);
		for (size_t t = 0; t < ne[i].ntests; t++)
			sum += secs[i][t];
		if (ne[i].ntests) {
			ne[i].tests = (const char *const *)tests[i];
			ne[i].secs = secs[i];
			ne[i].setup = p - sum - ne[i].cost > 0 ? p - sum - ne[i].cost : 0;
		} else {
			ne[i].cost = 0;
		}
	}
	split_nodes(ne, n, nodes, loads);
	for (size_t i = 0; i < n; i++) {
		struct envrun *er = &c->runs[i];
		size_t on = 0;
		keep[i] = ne[i].on_node[node];
		kept += keep[i];
		for (size_t k = 0; k < nodes; k++)
			on += ne[i].on_node[k];
		if (!keep[i] || on < 2)
			continue;
		/* its tests are split among nodes: this node runs its part */
		struct share *sh = er->share = xcalloc(1, sizeof(*sh));
		sh->node = node;
		sh->nodes = nodes;
		sh->on_node = xmalloc(nodes);
		memcpy(sh->on_node, ne[i].on_node, nodes);
		for (size_t t = 0; t < ne[i].ntests; t++) {
			strmap_add(&sh->known, tests[i][t]);
			if (ne[i].node_of[t] == node)
				strmap_add(&sh->mine, tests[i][t]);
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
	for (size_t i = 0; i < n; i++) {
		for (size_t t = 0; t < ne[i].ntests; t++)
			free(tests[i][t]);
		free(tests[i]);
		free(secs[i]);
	}
	free(tests);
	free(secs);
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
