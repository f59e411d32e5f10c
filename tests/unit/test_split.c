/* Splitting tests into shards and planning them (src/plan/split.c). */
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

const struct test split_tests[] = {
	{ "split_junit_key", test_split_junit_key },
	{ "split_group_len", test_split_group_len },
	{ "split_partition", test_split_partition },
	{ "split_plan_one_env", test_split_plan_one_env },
	{ "split_plan_three_envs", test_split_plan_three_envs },
	{ "split_plan_many_envs", test_split_plan_many_envs },
	{ NULL, NULL },
};
