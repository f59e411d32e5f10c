#ifndef BLITZ_SHARD_H
#define BLITZ_SHARD_H

/*
 * What shard.c (running a pytest command in shards) and shard_plan.c
 * (deciding the shards, and each CI node's share) both see.
 */
#include <stddef.h>

#include "../util/strmap.h"
#include "../util/strvec.h"

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

/* Whether a pytest command (its own arguments from at) may run in shards; why not into *why. */
int shard_splittable(const struct strvec *argv, long at, const char **why);

#endif
