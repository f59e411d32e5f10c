/* .blitz/state.db: durations kept across runs; a broken or foreign file is set aside, never fatal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/state/db.h"
#include "../../src/util/util.h"

static void test_db_durations(void)
{
	struct fx f;
	struct db db;

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK(db.h != NULL);
	CHECK(db_env_duration(&db, "py311") < 0);
	db_record_env(&db, "py311", 10, 1);
	db_record_env(&db, "py311", 20, 0);
	db_record_env(&db, "lint", 1.5, 1);
	db_close(&db);
	/* a later run sees what this one learnt */
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK(db_env_duration(&db, "py311") > 14.99 && db_env_duration(&db, "py311") < 15.01);
	CHECK(db_env_duration(&db, "lint") > 1.49 && db_env_duration(&db, "lint") < 1.51);
	db_close(&db);
	fx_release(&f);
}

/* The prediction follows the recent runs: old ones drop out. */
static void test_db_recent_runs(void)
{
	struct fx f;
	struct db db;

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	for (int i = 0; i < 10; i++)
		db_record_env(&db, "docs", 100, 1);
	for (int i = 0; i < 5; i++)
		db_record_env(&db, "docs", 10, 1);
	CHECK(db_env_duration(&db, "docs") > 9.99 && db_env_duration(&db, "docs") < 10.01);
	db_close(&db);
	fx_release(&f);
}

static void test_db_corrupt_file_is_set_aside(void)
{
	struct fx f;
	struct db db;

	fx_init(&f);
	fx_mkdir(&f, ".blitz");
	fx_write(&f, ".blitz/state.db", "this is not a database, it is a note someone left\n");
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK(db.h != NULL);
	db_record_env(&db, "py311", 3, 1);
	CHECK(db_env_duration(&db, "py311") > 2.99);
	db_close(&db);
	fx_release(&f);
}

/* A state directory that cannot be made: blitz goes on without history. */
static void test_db_unwritable(void)
{
	struct db db;

	db_open(&db, "/proc/blitz-cannot-be-here/.blitz");
	CHECK(db.h == NULL);
	db_record_env(&db, "py311", 3, 1);
	CHECK(db_env_duration(&db, "py311") < 0);
	db_close(&db);
}

/* An interpreter's answer is kept while its file's size and time are unchanged. */
static void test_db_interpreters(void)
{
	struct fx f;
	struct db db;
	int v[3] = { 0, 0, 0 };
	char impl[32] = "";

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK_INT(db_interp_lookup(&db, "/opt/py/bin/python3.12", 100, 7, v, impl, sizeof(impl)), -1);
	db_interp_store(&db, "/opt/py/bin/python3.12", 100, 7, (const int[3]){ 3, 12, 1 }, "cpython");
	db_close(&db);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK_INT(db_interp_lookup(&db, "/opt/py/bin/python3.12", 100, 7, v, impl, sizeof(impl)), 0);
	CHECK(v[0] == 3 && v[1] == 12 && v[2] == 1 && strcmp(impl, "cpython") == 0);
	/* upgraded in place: a new time, so asked again */
	CHECK_INT(db_interp_lookup(&db, "/opt/py/bin/python3.12", 100, 8, v, impl, sizeof(impl)), -1);
	CHECK_INT(db_interp_lookup(&db, "/opt/py/bin/python3.12", 101, 7, v, impl, sizeof(impl)), -1);
	db_close(&db);
	fx_release(&f);
}

/* A state written by the first schema gains the interpreters table and keeps its history. */
static void test_db_migrates_version_1(void)
{
	struct fx f;
	struct db db;
	sqlite3 *h;
	int v[3];
	char impl[32];

	fx_init(&f);
	fx_mkdir(&f, ".blitz");
	CHECK_INT(sqlite3_open(fx_path(&f, ".blitz/state.db"), &h), SQLITE_OK);
	CHECK_INT(sqlite3_exec(h, "CREATE TABLE env_runs (env TEXT NOT NULL, seconds REAL NOT NULL, ok INTEGER NOT NULL,"
				  " at INTEGER NOT NULL); INSERT INTO env_runs VALUES ('py311', 12, 1, 1);"
				  " PRAGMA user_version=1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK(db.h != NULL);
	CHECK(db_env_duration(&db, "py311") > 11.99 && db_env_duration(&db, "py311") < 12.01);
	db_interp_store(&db, "/p", 1, 2, (const int[3]){ 3, 8, 18 }, "cpython");
	CHECK_INT(db_interp_lookup(&db, "/p", 1, 2, v, impl, sizeof(impl)), 0);
	/* and the tests table of version 3 */
	const char *tests[] = { "t::a" }, *outcomes[] = { "passed" };
	double secs[] = { 0.5 };
	db_record_tests(&db, "py311", 1, tests, secs, outcomes);
	CHECK(db_test_duration(&db, "py311", "t::a") > 0.49);
	db_close(&db);
	fx_release(&f);
}

/* Tests' results per env: the mean of the recent runs of each; unknown is -1; other envs apart. */
static void test_db_tests(void)
{
	struct fx f;
	struct db db;
	const char *tests[] = { "m.T::a", "m::b[1-2]" }, *outcomes[] = { "passed", "failed" };
	double run1[] = { 1.0, 0.25 }, run2[] = { 3.0, 0.75 };

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK(db_test_duration(&db, "py311", "m.T::a") < 0);
	db_record_tests(&db, "py311", 2, tests, run1, outcomes);
	db_record_tests(&db, "py311", 2, tests, run2, outcomes);
	db_record_tests(&db, "py312", 1, tests, run2, outcomes);
	CHECK(db_test_duration(&db, "py311", "m.T::a") > 1.99 && db_test_duration(&db, "py311", "m.T::a") < 2.01);
	CHECK(db_test_duration(&db, "py311", "m::b[1-2]") > 0.49 && db_test_duration(&db, "py311", "m::b[1-2]") < 0.51);
	CHECK(db_test_duration(&db, "py312", "m.T::a") > 2.99);
	CHECK(db_test_duration(&db, "py312", "m::b[1-2]") < 0);
	db_close(&db);
	fx_release(&f);
}

const struct test db_tests[] = {
	{ "db_tests", test_db_tests },
	{ "db_durations", test_db_durations },
	{ "db_recent_runs", test_db_recent_runs },
	{ "db_corrupt_file_is_set_aside", test_db_corrupt_file_is_set_aside },
	{ "db_unwritable", test_db_unwritable },
	{ "db_interpreters", test_db_interpreters },
	{ "db_migrates_version_1", test_db_migrates_version_1 },
	{ NULL, NULL },
};
