#ifndef BLITZ_SPLIT_H
#define BLITZ_SPLIT_H

/*
 * Splitting tests into shards, each a pytest process of its own, and
 * deciding how many shards each env's tests get so that the whole run ends
 * as near as it can to its lower bound, max(total work / slots, longest
 * test). Pure computation: the runner supplies the tests and the times.
 */
#include <stddef.h>

/* What must stay in one shard (tox.ini's [blitz] split_by). */
enum split_by {
	SPLIT_TEST,		/* nothing: each test goes where it fits best */
	SPLIT_CLASS,		/* a class's tests (a module's tests outside classes each on their own) */
	SPLIT_MODULE,		/* a module's tests */
};

/* "test", "class", "module": 0 and *by set, or -1. */
int split_by_parse(const char *s, enum split_by *by);

/*
 * The name pytest's JUnit XML gives the test with node id nodeid, as
 * "classname::name" ("tests/test_a.py::TestX::test_y[1]" is
 * "tests.test_a.TestX::test_y[1]"). Allocated.
 */
char *split_junit_key(const char *nodeid);

/* How long the prefix of nodeid naming its group under by is (all of it for SPLIT_TEST). */
size_t split_group_len(const char *nodeid, enum split_by by);

/*
 * Put n tests into k shards (k >= 1), keeping groups together: the groups
 * longest first, each into the shard with the least so far (ties: the
 * lower shard, so the same input always gives the same shards). A group
 * starts as a module, broken into classes and then tests only while the
 * shards are uneven (a module's fixtures are set up once per shard it is
 * in), never below what by allows. secs[i] is
 * test i's predicted time. shard_of[i] gets its shard; loads (k of them, or
 * NULL) each shard's predicted seconds. Returns how many shards got tests
 * (fewer than k when there are fewer groups): shards 0..result-1.
 */
size_t split_partition(size_t n, const char *const *ids, const double *secs, enum split_by by, size_t k,
		       size_t *shard_of, double *loads);

/*
 * The same, but the shards take their groups as placed only until they hold
 * pin (0..1) of their share; the groups placed after that are left to a
 * queue the shards' processes take from as each gets free, which evens out
 * what the predictions got wrong. qrank[i] gets the place of test i's group
 * in the queue (longest first), or -1 when it stays in shard_of[i].
 */
size_t split_partition_queue(size_t n, const char *const *ids, const double *secs, enum split_by by, size_t k,
			     size_t *shard_of, double *loads, double pin, long *qrank);

/* One env as the planner sees it. */
struct split_env {
	double setup;		/* seconds before its tests can start (venv, deps, other commands) */
	double cost;		/* the fixed seconds of each pytest process it starts */
	const double *groups;	/* its tests' predicted seconds per group, longest first; NULL: not splittable */
	size_t ngroups;
	double work;		/* not splittable: its whole predicted seconds after set-up */
	size_t max_shards;	/* at most this many (1: never split) */
	size_t shards;		/* in: the least it gets (>= 1); out: planned */
	double *loads;		/* out (allocated, shards of them): each shard's predicted seconds, with cost */
};

struct split_plan {
	double makespan;	/* predicted seconds the run takes with the chosen shards */
	double lower_bound;	/* max(total work / slots, longest single piece) */
	double work;		/* total predicted seconds of work, one process per env */
};

/*
 * Choose each env's shards: starting from envs[i].shards, add a shard
 * where it shortens the predicted run most, until nothing does. The run is
 * simulated as the runner goes: envs started in the given order while slots
 * are free, an env's shards ready when its set-up ends and started before
 * any new env, longest first. Fills each env's shards and loads.
 */
void split_plan(struct split_env *envs, size_t n, size_t slots, struct split_plan *out);

/* Free what split_plan allocated in envs. */
void split_plan_release(struct split_env *envs, size_t n);

/* One env as the planner across CI nodes (--shard I/N) sees it. */
struct node_env {
	const char *name;		/* ties are broken by name: every node computes the same plan */
	double setup, cost;		/* seconds each node that runs it pays (set-up, a pytest process) */
	const char *const *tests;	/* its tests (JUnit names) from history, or NULL: it runs whole */
	const double *secs;		/* their predicted seconds */
	size_t ntests;
	double work;			/* run whole: its predicted seconds */
	size_t *node_of;		/* out, with tests: each test's node (allocated) */
	unsigned char *on_node;		/* out: the nodes that run it, nodes of them (allocated) */
};

/*
 * Share the envs among nodes so that each node's work is as even as it can
 * be: an env bigger than half a node's share is cut into pieces by its
 * tests (longest first), each piece paying the env's set-up and a process
 * again on its node; the pieces and whole envs, longest first, each to the
 * node with the least work so far. The same input gives the same shares.
 * loads (nodes of them, or NULL) gets each node's predicted seconds.
 */
void split_nodes(struct node_env *envs, size_t n, size_t nodes, double *loads);

/*
 * The node that runs a test the plan did not know (new since the history
 * it was made from) of an env running on the nodes on_node marks: one of
 * them, picked by the test's name, so that all nodes agree. -1 when none.
 */
long split_node_of_new(const char *test, const unsigned char *on_node, size_t nodes);

void split_nodes_release(struct node_env *envs, size_t n);

#endif
