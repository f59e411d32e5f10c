/* Splitting tests into shards and planning them (src/plan/split.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "../../src/plan/split.h"

/* The names pytest 7's junitxml gave these node ids (checked with Debian's pytest). */
static void test_split_junit_key(void)
{
	static const char *const cases[][2] = {
		{ "tests/sub/test_k.py::TestA::TestB::test_p[a::b]", "tests.sub.test_k.TestA.TestB::test_p[a::b]" },
		{ "tests/sub/test_k.py::TestA::TestB::test_p[c[d]]", "tests.sub.test_k.TestA.TestB::test_p[c[d]]" },
		{ "tests/sub/test_k.py::TestA::TestB::test_p[e/f.py]", "tests.sub.test_k.TestA.TestB::test_p[e/f.py]" },
		{ "tests/sub/test_k.py::TestA::test_m", "tests.sub.test_k.TestA::test_m" },
		{ "tests/sub/test_k.py::test_f", "tests.sub.test_k::test_f" },
		{ "test_top.py::test_x", "test_top::test_x" },
		{ "README.txt", "::README.txt" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *key = split_junit_key(cases[i][0]);
		CHECK_STR(key, cases[i][1]);
		free(key);
	}
}

static void test_split_group_len(void)
{
	const char *id = "tests/test_a.py::TestX::test_y[p::q]";

	CHECK_INT(split_group_len(id, SPLIT_TEST), strlen(id));
	CHECK_INT(split_group_len(id, SPLIT_MODULE), strlen("tests/test_a.py"));
	CHECK_INT(split_group_len(id, SPLIT_CLASS), strlen("tests/test_a.py::TestX"));
	/* a test outside any class is a group of its own under class, its module's under module */
	CHECK_INT(split_group_len("t.py::test_z", SPLIT_CLASS), strlen("t.py::test_z"));
	CHECK_INT(split_group_len("t.py::test_z", SPLIT_MODULE), strlen("t.py"));
	enum split_by by;
	CHECK_INT(split_by_parse("module", &by), 0);
	CHECK_INT(by, SPLIT_MODULE);
	CHECK_INT(split_by_parse("file", &by), -1);
}

/* Longest first into the least loaded shard; groups never cut; the same input, the same shards. */
static void test_split_partition(void)
{
	const char *ids[] = { "a.py::t1", "a.py::t2", "b.py::t1", "b.py::C::t1", "b.py::C::t2", "c.py::t1" };
	double secs[] = { 4, 1, 3, 2, 2, 5 };
	size_t shard_of[6], again[6];
	double loads[3];

	CHECK_INT(split_partition(6, ids, secs, SPLIT_TEST, 2, shard_of, loads), 2);
	CHECK(loads[0] == 9 && loads[1] == 8);
	CHECK_INT(shard_of[5], 0);	/* 5 */
	CHECK_INT(shard_of[0], 1);	/* 4 */
	CHECK_INT(split_partition(6, ids, secs, SPLIT_TEST, 2, again, NULL), 2);
	CHECK(memcmp(shard_of, again, sizeof(again)) == 0);
	/* by module: a 5, b 7, c 5 */
	CHECK_INT(split_partition(6, ids, secs, SPLIT_MODULE, 2, shard_of, loads), 2);
	CHECK(shard_of[0] == shard_of[1] && shard_of[2] == shard_of[3] && shard_of[3] == shard_of[4]);
	CHECK(loads[0] == 7 && loads[1] == 10);
	/* by class: C's two tests together */
	CHECK_INT(split_partition(6, ids, secs, SPLIT_CLASS, 3, shard_of, loads), 3);
	CHECK_INT(shard_of[3], shard_of[4]);
	/* more shards than groups: only as many as there are groups get tests */
	CHECK_INT(split_partition(6, ids, secs, SPLIT_MODULE, 5, shard_of, NULL), 3);
}

/* With a queue: the groups placed once a shard holds half its share are queued, longest first. */
static void test_split_partition_queue(void)
{
	const char *ids[] = { "a.py::t1", "b.py::t1", "c.py::t1", "d.py::t1", "e.py::t1", "f.py::t1" };
	double secs[] = { 6, 5, 1, 2, 3, 3 };
	size_t shard_of[6];
	long qrank[6];

	/* 20 s, 10 a shard: a (6) and b (5) placed; e, f (3 each), d (2), c (1) queued in that order */
	CHECK_INT(split_partition_queue(6, ids, secs, SPLIT_TEST, 2, shard_of, NULL, 0.5, qrank), 2);
	CHECK(qrank[0] == -1 && qrank[1] == -1);
	CHECK_INT(qrank[4], 0);
	CHECK_INT(qrank[5], 1);
	CHECK_INT(qrank[3], 2);
	CHECK_INT(qrank[2], 3);
	CHECK(shard_of[0] != shard_of[1]);
	/* no pin: nothing queued */
	CHECK_INT(split_partition_queue(6, ids, secs, SPLIT_TEST, 2, shard_of, NULL, 0, qrank), 2);
	for (size_t i = 0; i < 6; i++)
		CHECK_INT(qrank[i], -1);
}

/* One big env on two slots: two shards, the run about half its tests. */
static void test_split_plan_one_env(void)
{
	double groups[40];
	struct split_env e = { 0 };
	struct split_plan p;

	for (size_t i = 0; i < 40; i++)
		groups[i] = 1.0;
	e.groups = groups;
	e.ngroups = 40;
	e.cost = 0.3;
	e.setup = 0.1;
	e.max_shards = 4;
	e.shards = 1;
	split_plan(&e, 1, 2, &p);
	CHECK_INT(e.shards, 2);
	CHECK(p.makespan > 20.3 && p.makespan < 20.5);
	CHECK(p.lower_bound > 20.1 && p.lower_bound < 20.3);	/* (40 + 0.3 + 0.1) / 2 */
	CHECK(e.loads[0] > 20.2 && e.loads[0] < 20.4);
	split_plan_release(&e, 1);
}

/* Three equal envs on two slots: unsplit they end at 2x; splitting the last brings them near 1.5x. */
static void test_split_plan_three_envs(void)
{
	double groups[10];
	struct split_env e[3];
	struct split_plan p;

	for (size_t i = 0; i < 10; i++)
		groups[i] = 1.0;
	memset(e, 0, sizeof(e));
	for (size_t i = 0; i < 3; i++) {
		e[i].groups = groups;
		e[i].ngroups = 10;
		e[i].cost = 0.1;
		e[i].max_shards = 4;
		e[i].shards = 1;
	}
	split_plan(e, 3, 2, &p);
	CHECK(p.makespan < 16.0);
	CHECK(e[0].shards + e[1].shards + e[2].shards >= 4);
	split_plan_release(e, 3);
	/* nothing to split (no groups): each env whole */
	struct split_env w[2] = { { .work = 5, .shards = 1, .max_shards = 3 }, { .work = 3, .shards = 1 } };
	split_plan(w, 2, 2, &p);
	CHECK_INT(w[0].shards, 1);
	CHECK(p.makespan == 5 && p.lower_bound == 5);
	split_plan_release(w, 2);
}

/* Many short envs on few slots: none is worth a second process. */
static void test_split_plan_many_envs(void)
{
	double groups[4] = { 1, 1, 1, 1 };
	struct split_env e[20];
	struct split_plan p;

	memset(e, 0, sizeof(e));
	for (size_t i = 0; i < 20; i++) {
		e[i].groups = groups;
		e[i].ngroups = 4;
		e[i].cost = 0.5;
		e[i].max_shards = 4;
		e[i].shards = 1;
	}
	split_plan(e, 20, 2, &p);
	for (size_t i = 0; i < 20; i++)
		CHECK_INT(e[i].shards, 1);
	CHECK(p.makespan == 45);
	split_plan_release(e, 20);
}

/* Among CI nodes: every test on exactly one node, whole envs on one, the work even, the same every time. */
static void test_split_nodes(void)
{
	const char *big_tests[12];
	double big_secs[12];
	char names[12][16];
	struct node_env e[3];
	double loads[3], again[3];
	size_t first[12];

	for (size_t i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "t::test_%zu", i);
		big_tests[i] = names[i];
		big_secs[i] = (double)(12 - i);
	}
	memset(e, 0, sizeof(e));
	e[0] = (struct node_env){ .name = "big", .setup = 1, .cost = 0.5, .tests = big_tests, .secs = big_secs, .ntests = 12 };
	e[1] = (struct node_env){ .name = "lint", .work = 4 };
	e[2] = (struct node_env){ .name = "docs", .work = 3 };
	split_nodes(e, 3, 3, loads);
	/* 78 s of tests: cut among the three nodes */
	size_t on = 0;
	for (size_t k = 0; k < 3; k++)
		on += e[0].on_node[k];
	CHECK_INT(on, 3);
	CHECK_INT(e[1].on_node[0] + e[1].on_node[1] + e[1].on_node[2], 1);
	CHECK_INT(e[2].on_node[0] + e[2].on_node[1] + e[2].on_node[2], 1);
	for (size_t i = 0; i < 12; i++) {
		CHECK(e[0].node_of[i] < 3);
		CHECK(e[0].on_node[e[0].node_of[i]]);
	}
	double max = 0, sum = 0;
	for (size_t k = 0; k < 3; k++) {
		sum += loads[k];
		max = loads[k] > max ? loads[k] : max;
	}
	CHECK(max < sum / 3 * 1.15);
	memcpy(first, e[0].node_of, sizeof(first));
	split_nodes_release(e, 3);
	split_nodes(e, 3, 3, again);
	CHECK(memcmp(first, e[0].node_of, sizeof(first)) == 0);
	CHECK(memcmp(loads, again, sizeof(again)) == 0);
	/* a test the plan did not know: one node, the same for every node asking, among those running the env */
	long n1 = split_node_of_new("t::test_new", e[0].on_node, 3);
	CHECK(n1 >= 0 && n1 < 3 && n1 == split_node_of_new("t::test_new", e[0].on_node, 3));
	unsigned char only_two[3] = { 0, 0, 1 };
	CHECK_INT(split_node_of_new("t::test_new", only_two, 3), 2);
	unsigned char none[3] = { 0, 0, 0 };
	CHECK_INT(split_node_of_new("t::test_new", none, 3), -1);
	split_nodes_release(e, 3);
	/* small envs are not cut: each whole on one node */
	big_secs[0] = 0.1;
	struct node_env s[4];
	memset(s, 0, sizeof(s));
	for (size_t i = 0; i < 4; i++)
		s[i] = (struct node_env){ .name = names[i], .cost = 0.3, .tests = big_tests, .secs = big_secs, .ntests = 1 };
	split_nodes(s, 4, 2, loads);
	for (size_t i = 0; i < 4; i++)
		CHECK_INT(s[i].on_node[0] + s[i].on_node[1], 1);
	CHECK(loads[0] == loads[1]);
	split_nodes_release(s, 4);
}

const struct test split_tests[] = {
	{ "split_nodes", test_split_nodes },
	{ "split_junit_key", test_split_junit_key },
	{ "split_group_len", test_split_group_len },
	{ "split_partition", test_split_partition },
	{ "split_partition_queue", test_split_partition_queue },
	{ "split_plan_one_env", test_split_plan_one_env },
	{ "split_plan_three_envs", test_split_plan_three_envs },
	{ "split_plan_many_envs", test_split_plan_many_envs },
	{ NULL, NULL },
};
