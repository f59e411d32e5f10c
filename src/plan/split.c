#include "split.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strmap.h"
#include "../util/util.h"

int split_by_parse(const char *s, enum split_by *by)
{
	static const char *const names[] = { "test", "class", "module" };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*by = (enum split_by)i;
			return 0;
		}
	return -1;
}

/*
 * As pytest's junitxml does: the parameters ("[...]") stay with the name;
 * the rest splits at "::", the file's path becoming dotted, without ".py".
 */
char *split_junit_key(const char *nodeid)
{
	size_t plen = strcspn(nodeid, "["), flen = plen;
	const char *last = NULL, *first = NULL;

	for (const char *p = nodeid; p + 1 < nodeid + plen; p++)
		if (p[0] == ':' && p[1] == ':') {
			if (!first)
				first = p;
			last = p;
			p++;
		}
	if (first)
		flen = (size_t)(first - nodeid);
	/* the file part, dotted, without ".py" */
	char *file = xstrndup(nodeid, flen);
	for (char *c = file; *c; c++)
		if (*c == '/')
			*c = '.';
	if (flen >= 3 && strcmp(file + flen - 3, ".py") == 0)
		file[flen - 3] = '\0';
	if (!first) {
		/* no "::": the file is the name, and the class name is empty */
		char *key = xconcat("::", file, nodeid + plen, NULL);
		free(file);
		return key;
	}
	/* classes between the file and the name, "::" becoming "." */
	char *classes = xstrndup(first, (size_t)(last - first));
	char *w = classes;
	for (const char *r = classes; *r; r++) {
		if (r[0] == ':' && r[1] == ':') {
			*w++ = '.';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	char *key = xconcat(file, classes, "::", last + 2, NULL);
	free(file);
	free(classes);
	return key;
}

size_t split_group_len(const char *nodeid, enum split_by by)
{
	size_t plen = strcspn(nodeid, "["), first = plen, last = plen;

	if (by == SPLIT_TEST)
		return strlen(nodeid);
	for (size_t i = 0; i + 1 < plen; i++)
		if (nodeid[i] == ':' && nodeid[i + 1] == ':') {
			if (first == plen)
				first = i;
			last = i++;
		}
	if (by == SPLIT_MODULE)
		return first == plen ? strlen(nodeid) : first;
	return first == last ? strlen(nodeid) : last;	/* the class it is in; outside one, itself */
}

/* The shard (or slot, or node) with the least so far; ties: the lowest, so plans are repeatable. */
static size_t least_loaded(const double *load, size_t k)
{
	size_t best = 0;

	for (size_t s = 1; s < k; s++)
		if (load[s] < load[best])
			best = s;
	return best;
}

struct group {
	double secs;
	size_t first;	/* its first test's index: ties keep the input order */
};

static int longer_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->secs != y->secs)
		return x->secs < y->secs ? 1 : -1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * One packing of the tests: groups made of each test's prefix at its level
 * (0 its module, 1 its class, 2 itself), longest first into the least
 * loaded shard. Fills group_of (each test's group), g (ng groups),
 * shard_of, load; returns how many shards got tests.
 */
static size_t pack_tests(size_t n, const char *const *ids, const double *secs, const unsigned char *level, size_t k,
			 int *group_of, struct group *g, size_t *ng_out, size_t *shard_of, double *load, double pin,
			 long *qrank)
{
	static const enum split_by at_level[] = { SPLIT_MODULE, SPLIT_CLASS, SPLIT_TEST };
	struct strmap names = STRMAP_INIT;
	size_t ng = 0, used = 0;

	for (size_t i = 0; i < n; i++) {
		/* the level goes into the key: a module's prefix never meets a test's */
		size_t len = split_group_len(ids[i], at_level[level[i]]);
		char *key = xasprintf("%u%.*s", (unsigned)level[i], (int)len, ids[i]);
		int id = strmap_intern(&names, key, strlen(key));
		free(key);
		group_of[i] = id;
		if ((size_t)id == ng) {
			g[ng].first = i;
			g[ng++].secs = 0;
		}
		g[id].secs += secs[i] > 0 ? secs[i] : 0;
	}
	size_t *where = xcalloc(ng ? ng : 1, sizeof(*where));
	/* sort a copy, then map back through each group's first test */
	struct group *sorted = xcalloc(ng ? ng : 1, sizeof(*sorted));
	memcpy(sorted, g, ng * sizeof(*g));
	qsort(sorted, ng, sizeof(*sorted), longer_group);
	long *rank = xcalloc(ng ? ng : 1, sizeof(*rank)), next_rank = 0;
	double total = 0;
	for (size_t i = 0; i < ng; i++)
		total += sorted[i].secs;
	memset(load, 0, k * sizeof(*load));
	for (size_t i = 0; i < ng; i++) {
		size_t best = least_loaded(load, k);
		/* once the shard is pin of its share, the rest goes to the queue, longest first */
		rank[group_of[sorted[i].first]] = pin > 0 && load[best] >= pin * total / (double)k ? next_rank++ : -1;
		load[best] += sorted[i].secs;
		where[group_of[sorted[i].first]] = best;
		if (best + 1 > used)
			used = best + 1;
	}
	for (size_t i = 0; i < n; i++) {
		shard_of[i] = where[group_of[i]];
		if (qrank)
			qrank[i] = rank[group_of[i]];
	}
	free(rank);
	*ng_out = ng;
	free(sorted);
	free(where);
	strmap_clear(&names);
	return used;
}

/*
 * Tests of one module (or class) share what its fixtures set up once: a
 * shard that takes part of it pays that again. So the packing starts with
 * whole modules and breaks a group up (a module into its classes and the
 * tests outside them, a class into its tests) only while the shards are
 * uneven, the largest group first, never below what by allows.
 */
size_t split_partition_queue(size_t n, const char *const *ids, const double *secs, enum split_by by, size_t k,
			     size_t *shard_of, double *loads, double pin, long *qrank)
{
	unsigned char *level = xcalloc(n ? n : 1, 1), finest = by == SPLIT_MODULE ? 0 : by == SPLIT_CLASS ? 1 : 2;
	int *group_of = xcalloc(n ? n : 1, sizeof(*group_of));
	struct group *g = xcalloc(n ? n : 1, sizeof(*g));
	double *load = xcalloc(k ? k : 1, sizeof(*load)), total = 0;
	size_t ng = 0, used;

	if (!k)
		k = 1;
	for (size_t i = 0; i < n; i++)
		total += secs[i] > 0 ? secs[i] : 0;
	for (;;) {
		used = pack_tests(n, ids, secs, level, k, group_of, g, &ng, shard_of, load, pin, qrank);
		double most = 0;
		for (size_t s = 0; s < k; s++)
			most = load[s] > most ? load[s] : most;
		if (most <= total / (double)k * 1.02 + 1e-9)
			break;	/* even enough */
		/* the largest group that can still be broken up */
		long big = -1;
		for (size_t id = 0; id < ng; id++) {
			size_t first = g[id].first;
			if (level[first] >= finest)
				continue;
			size_t members = 0;
			for (size_t i = first; i < n && members < 2; i++)
				members += group_of[i] == (int)id;
			if (members > 1 && (big < 0 || g[id].secs > g[big].secs))
				big = (long)id;
		}
		if (big < 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (group_of[i] == (int)big)
				level[i]++;
	}
	if (loads)
		memcpy(loads, load, k * sizeof(*load));
	free(level);
	free(group_of);
	free(g);
	free(load);
	return used;
}

size_t split_partition(size_t n, const char *const *ids, const double *secs, enum split_by by, size_t k,
		       size_t *shard_of, double *loads)
{
	return split_partition_queue(n, ids, secs, by, k, shard_of, loads, 0, NULL);
}

/* How many of the envs with the most test time the planner considers splitting. */
#define CANDIDATES 32

/* The loads of groups put into k shards, longest first, each into the least loaded shard. */
static void pack(const double *groups, size_t ng, size_t k, double *loads)
{
	memset(loads, 0, k * sizeof(*loads));
	for (size_t i = 0; i < ng; i++)
		loads[least_loaded(loads, k)] += groups[i];
}

/* A piece of work in the simulation: an env's set-up, or one of its shards. */
struct piece {
	double ready, secs;
};

/*
 * The predicted end of the run when env i gets shards[i] shards: list
 * scheduling as the runner does it (see split_plan).
 */
static double simulate(const struct split_env *envs, size_t n, const size_t *shards, size_t slots, double *scratch)
{
	double *free_at = xcalloc(slots, sizeof(*free_at)), end = 0;
	struct piece *pending = NULL;
	size_t np = 0, cap = 0, next = 0;

	for (;;) {
		size_t s = least_loaded(free_at, slots);
		double t = free_at[s];
		/* a shard ready now, longest first; else the next env; else wait for the next shard */
		long pick = -1;
		for (size_t i = 0; i < np; i++)
			if (pending[i].ready <= t && (pick < 0 || pending[i].secs > pending[pick].secs))
				pick = (long)i;
		if (pick < 0 && next < n) {
			const struct split_env *e = &envs[next];
			size_t k = shards[next++];
			double *loads = scratch;
			free_at[s] = t + e->setup;
			if (!e->groups) {
				loads[0] = e->work;
				k = 1;
			} else {
				pack(e->groups, e->ngroups, k, loads);
			}
			pending = xgrow(pending, &cap, np + k, sizeof(*pending));
			for (size_t j = 0; j < k; j++)
				pending[np++] = (struct piece){ free_at[s], loads[j] + e->cost };
			if (free_at[s] > end)
				end = free_at[s];
			continue;
		}
		if (pick < 0 && np) {
			pick = 0;
			for (size_t i = 1; i < np; i++)
				if (pending[i].ready < pending[pick].ready)
					pick = (long)i;
			t = pending[pick].ready;
		}
		if (pick < 0)
			break;
		free_at[s] = t + pending[pick].secs;
		if (free_at[s] > end)
			end = free_at[s];
		pending[pick] = pending[--np];
	}
	free(pending);
	free(free_at);
	return end;
}

void split_plan(struct split_env *envs, size_t n, size_t slots, struct split_plan *out)
{
	size_t *k = xcalloc(n ? n : 1, sizeof(*k)), maxk = 1;
	double longest = 0, work = 0;

	if (!slots)
		slots = 1;
	for (size_t i = 0; i < n; i++) {
		struct split_env *e = &envs[i];
		double tests = 0;
		if (!e->groups || !e->ngroups)
			e->groups = NULL, e->max_shards = 1;
		for (size_t g = 0; e->groups && g < e->ngroups; g++) {
			tests += e->groups[g];
			if (e->groups[g] > longest)
				longest = e->groups[g];
		}
		if (e->max_shards > e->ngroups && e->groups)
			e->max_shards = e->ngroups;
		if (!e->max_shards)
			e->max_shards = 1;
		k[i] = e->shards < 1 ? 1 : e->shards > e->max_shards ? e->max_shards : e->shards;
		if (k[i] > maxk)
			maxk = k[i];
		if (e->max_shards > maxk)
			maxk = e->max_shards;
		work += e->setup + e->cost + (e->groups ? tests : e->work);
		if (!e->groups && e->work > longest)
			longest = e->work;
	}
	double *scratch = xcalloc(maxk, sizeof(*scratch));
	double best = simulate(envs, n, k, slots, scratch);
	/*
	 * The candidates: the envs with the most test time (splitting a small
	 * one never pays much, and a matrix of hundreds must plan in
	 * milliseconds).
	 */
	size_t *cand = xcalloc(n ? n : 1, sizeof(*cand)), ncand = 0;
	double *size = xcalloc(n ? n : 1, sizeof(*size));
	for (size_t i = 0; i < n; i++) {
		for (size_t g = 0; envs[i].groups && g < envs[i].ngroups; g++)
			size[i] += envs[i].groups[g];
		if (envs[i].max_shards > 1)
			cand[ncand++] = i;
	}
	for (size_t a = 1; a < ncand; a++)	/* insertion sort, largest first, stable */
		for (size_t b = a; b > 0 && size[cand[b]] > size[cand[b - 1]]; b--) {
			size_t t = cand[b];
			cand[b] = cand[b - 1];
			cand[b - 1] = t;
		}
	if (ncand > CANDIDATES)
		ncand = CANDIDATES;
	/* add the one shard that shortens the run most, while one does (by more than a millisecond) */
	for (size_t round = 0; round < 64 * (n ? n : 1); round++) {
		long pick = -1;
		double pick_end = best;
		for (size_t c = 0; c < ncand; c++) {
			size_t i = cand[c];
			if (k[i] >= envs[i].max_shards)
				continue;
			k[i]++;
			double end = simulate(envs, n, k, slots, scratch);
			k[i]--;
			if (end < pick_end - 1e-3) {
				pick_end = end;
				pick = (long)i;
			}
		}
		if (pick < 0)
			break;
		k[pick]++;
		best = pick_end;
	}
	for (size_t i = 0; i < n; i++) {
		struct split_env *e = &envs[i];
		e->shards = k[i];
		e->loads = xcalloc(k[i], sizeof(*e->loads));
		if (e->groups)
			pack(e->groups, e->ngroups, k[i], e->loads);
		else
			e->loads[0] = e->work;
		for (size_t j = 0; j < k[i]; j++)
			e->loads[j] += e->cost;
	}
	free(cand);
	free(size);
	out->makespan = best;
	out->work = work;
	out->lower_bound = work / (double)slots > longest ? work / (double)slots : longest;
	free(scratch);
	free(k);
}

void split_plan_release(struct split_env *envs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(envs[i].loads);
		envs[i].loads = NULL;
	}
}

/* A piece of an env for the nodes: the env, and which of its test shards (or -1: all of it). */
struct node_piece {
	size_t env;
	long part;
	double secs;
};

static const struct node_env *piece_envs;

static int bigger_piece(const void *a, const void *b)
{
	const struct node_piece *x = a, *y = b;
	int by_name;

	if (x->secs != y->secs)
		return x->secs < y->secs ? 1 : -1;
	by_name = strcmp(piece_envs[x->env].name, piece_envs[y->env].name);
	if (by_name)
		return by_name;
	return (x->part > y->part) - (x->part < y->part);
}

void split_nodes(struct node_env *envs, size_t n, size_t nodes, double *loads)
{
	double total = 0, *load = xcalloc(nodes ? nodes : 1, sizeof(*load));
	struct node_piece *pieces = NULL;
	size_t np = 0, cap = 0;
	size_t **part_of = xcalloc(n ? n : 1, sizeof(*part_of));

	if (!nodes)
		nodes = 1;
	for (size_t i = 0; i < n; i++) {
		double tests = 0;
		for (size_t t = 0; envs[i].tests && t < envs[i].ntests; t++)
			tests += envs[i].secs[t] > 0 ? envs[i].secs[t] : 0;
		total += envs[i].setup + envs[i].cost + (envs[i].tests ? tests : envs[i].work);
	}
	double half = total / (double)nodes / 2;
	for (size_t i = 0; i < n; i++) {
		struct node_env *e = &envs[i];
		double tests = 0;
		e->on_node = xcalloc(nodes, 1);
		if (!e->tests || !e->ntests) {
			pieces = xgrow(pieces, &cap, np + 1, sizeof(*pieces));
			pieces[np++] = (struct node_piece){ i, -1, e->setup + e->cost + e->work };
			continue;
		}
		for (size_t t = 0; t < e->ntests; t++)
			tests += e->secs[t] > 0 ? e->secs[t] : 0;
		/* cut only an env bigger than half a node's share, into pieces about that size */
		size_t k = 1;
		if (half > 0 && e->setup + e->cost + tests > half)
			k = (size_t)(tests / half) + 1;
		if (k > nodes)
			k = nodes;
		if (k > e->ntests)
			k = e->ntests;
		double *part = xcalloc(k, sizeof(*part));
		part_of[i] = xcalloc(e->ntests, sizeof(**part_of));
		k = split_partition(e->ntests, e->tests, e->secs, SPLIT_TEST, k, part_of[i], part);
		pieces = xgrow(pieces, &cap, np + k, sizeof(*pieces));
		for (size_t p = 0; p < k; p++)
			pieces[np++] = (struct node_piece){ i, (long)p, e->setup + e->cost + part[p] };
		free(part);
	}
	piece_envs = envs;
	qsort(pieces, np, sizeof(*pieces), bigger_piece);
	for (size_t p = 0; p < np; p++) {
		size_t best = least_loaded(load, nodes);
		load[best] += pieces[p].secs;
		struct node_env *e = &envs[pieces[p].env];
		e->on_node[best] = 1;
		if (pieces[p].part >= 0) {
			if (!e->node_of)
				e->node_of = xcalloc(e->ntests, sizeof(*e->node_of));
			for (size_t t = 0; t < e->ntests; t++)
				if (part_of[pieces[p].env][t] == (size_t)pieces[p].part)
					e->node_of[t] = best;
		}
	}
	if (loads)
		memcpy(loads, load, nodes * sizeof(*load));
	for (size_t i = 0; i < n; i++)
		free(part_of[i]);
	free(part_of);
	free(pieces);
	free(load);
}

long split_node_of_new(const char *test, const unsigned char *on_node, size_t nodes)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a: the same on every machine */
	size_t count = 0;

	for (const unsigned char *p = (const unsigned char *)test; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (size_t k = 0; k < nodes; k++)
		count += on_node[k] != 0;
	if (!count)
		return -1;
	size_t pick = (size_t)(h % count);
	for (size_t k = 0; k < nodes; k++)
		if (on_node[k] && pick-- == 0)
			return (long)k;
	return -1;
}

void split_nodes_release(struct node_env *envs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(envs[i].node_of);
		free(envs[i].on_node);
		envs[i].node_of = NULL;
		envs[i].on_node = NULL;
	}
}
