#ifndef BLITZ_PLAN_SHARDS_H
#define BLITZ_PLAN_SHARDS_H

/*
 * The run's plan of shards: how many pytest processes each env's tests
 * get, from the history and the measured cost of a pytest process; and
 * under --shard, which envs and tests are this CI node's. Plain data in,
 * plain data out: the run (run/runner.c) gathers the envs and applies the
 * answers.
 */
#include <stddef.h>
#include <stdio.h>

#include "../util/strmap.h"

/* --shard: an env whose tests are split among CI nodes, and this node's part. */
struct share {
	struct strmap mine;		/* the tests (JUnit names) the plan gives this node */
	struct strmap known;		/* every test the plan knew */
	unsigned char *on_node;		/* the nodes that run part of it */
	size_t node, nodes;
};

/* Whether this node runs the test with JUnit name key (its share; a new test: as split_node_of_new says). */
int share_has(const struct share *sh, const char *key);

/* The first node that runs part of the env: the one that runs it whole when its tests cannot be split after all. */
size_t share_first(const struct share *sh);

void share_free(struct share *sh);

/* An env as the planner sees it. */
struct shard_env {
	const char *name;
	int runs;			/* it runs at all (not failed or skipped before it starts) */
	long split_step;		/* the step of its pytest command that may run in shards, or -1 */
	const char *why_not;		/* when -1: why ("no pytest command", ...) */
	double predicted;		/* its seconds by the history, -1: unknown */
	double cost;			/* the seconds of one of its pytest processes besides the tests, -1: unknown */
	char **tests;			/* its tests' JUnit names and seconds by the history (the caller's) */
	double *secs;
	size_t ntests;
	const struct share *share;	/* --shard: its part of the tests, or NULL */
};

/*
 * How many shards each env's pytest command gets (shards[i]; 1: run as
 * written) so that the run on slots ends soonest: its tests' groups
 * (split_by) from the history, placed by plan/split.h's planner; envs with
 * no history yet share the slots by count when there are fewer envs than
 * slots. no_split: none is split. dry: print the plan there.
 */
void shards_plan(const struct shard_env *v, size_t n, size_t slots, int split_by, int no_split, size_t *shards,
		 FILE *dry);

/*
 * --shard I/N (node of nodes): share the envs among the nodes by their
 * history; keep[i] set for the envs this node runs; shares[i] this node's
 * part of the tests of an env split among nodes (allocated; NULL else); a
 * line about it to out.
 */
void shards_nodes(const struct shard_env *v, size_t n, size_t node, size_t nodes, unsigned char *keep,
		  struct share **shares, FILE *out);

#endif
