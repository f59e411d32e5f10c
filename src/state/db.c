#include "db.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

/* Raise it when the tables change: an older file is then set aside, not migrated (it is a cache). */
#define SCHEMA_VERSION 5
/* How many recent runs of an env make its prediction. */
#define RECENT 5

/*
 * Version 2: what each interpreter binary answered, valid while the file is
 * unchanged. Version 5 adds the micro version (a venv's pyvenv.cfg names it):
 * an older table is dropped and filled again, it is only a cache of answers.
 */
#define INTERPRETERS_TABLE \
	"CREATE TABLE IF NOT EXISTS interpreters (" \
	"  path TEXT PRIMARY KEY," \
	"  size INTEGER NOT NULL," \
	"  mtime_ns INTEGER NOT NULL," \
	"  major INTEGER NOT NULL," \
	"  minor INTEGER NOT NULL," \
	"  micro INTEGER NOT NULL," \
	"  impl TEXT NOT NULL" \
	");"

/* Version 3: each test's result in each env's runs (from the JUnit XML pytest wrote). */
#define TESTS_TABLE \
	"CREATE TABLE IF NOT EXISTS test_runs (" \
	"  env TEXT NOT NULL," \
	"  test TEXT NOT NULL," \
	"  seconds REAL NOT NULL," \
	"  outcome TEXT NOT NULL," \
	"  at INTEGER NOT NULL" \
	");" \
	"CREATE INDEX IF NOT EXISTS test_runs_env ON test_runs(env, test, at);"

/*
 * Version 4: the node ids each pytest command collected, by a key of what
 * decides them (the test tree, the env, the command); and the fixed cost of
 * a pytest process per env (its wall time less its tests' times).
 */
#define SPLIT_TABLES \
	"CREATE TABLE IF NOT EXISTS collections (" \
	"  key TEXT PRIMARY KEY," \
	"  ids TEXT NOT NULL," \
	"  at INTEGER NOT NULL" \
	");" \
	"CREATE TABLE IF NOT EXISTS process_costs (" \
	"  env TEXT NOT NULL," \
	"  seconds REAL NOT NULL," \
	"  at INTEGER NOT NULL" \
	");" \
	"CREATE INDEX IF NOT EXISTS process_costs_env ON process_costs(env, at);"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS env_runs ("
	"  env TEXT NOT NULL,"
	"  seconds REAL NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX IF NOT EXISTS env_runs_env ON env_runs(env, at);"
	INTERPRETERS_TABLE
	TESTS_TABLE
	SPLIT_TABLES;

/*
 * Open path and make sure it holds our schema; returns NULL (handle closed)
 * when the file is unusable, with *busy set when only because another
 * program holds it locked (then it is to be waited for, not set aside).
 */
static sqlite3 *try_open(const char *path, int *busy)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int version = -1;

	*busy = 0;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto bad;
	sqlite3_busy_timeout(h, 5000);	/* another blitz writing: wait for it, briefly */
	/* a cache: with the write-ahead log, no fsync per record (a crash may lose the last ones, never the file) */
	sqlite3_exec(h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto bad;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version == 0) {
		char *err = NULL;
		char *sql = xasprintf("PRAGMA journal_mode=WAL; %s PRAGMA user_version=%d;", schema, SCHEMA_VERSION);
		int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
		free(sql);
		sqlite3_free(err);
		if (rc != SQLITE_OK)
			goto bad;
	} else if (version >= 1 && version <= 4) {
		/* a state from before the interpreters, tests or split tables: add what it lacks, keep the history */
		char *err = NULL;
		char *sql = xasprintf("DROP TABLE IF EXISTS interpreters; %s%s%s PRAGMA user_version=%d;", INTERPRETERS_TABLE,
				      version <= 2 ? TESTS_TABLE : "", version <= 3 ? SPLIT_TABLES : "", SCHEMA_VERSION);
		int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
		free(sql);
		sqlite3_free(err);
		if (rc != SQLITE_OK)
			goto bad;
	} else if (version != SCHEMA_VERSION) {
		goto bad;
	}
	return h;
bad:
	if (h) {
		int code = sqlite3_extended_errcode(h) & 0xff;
		*busy = code == SQLITE_BUSY || code == SQLITE_LOCKED;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return NULL;
}

void db_open(struct db *db, const char *dir)
{
	memset(db, 0, sizeof(*db));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		warn("cannot create '%s' (%s): nothing learnt in this run is kept", dir, strerror(errno));
		return;
	}
	db->path = xconcat(dir, "/state.db", NULL);
	int busy, said = 0;
	/* held by another program (a long write, a viewer): wait for it, saying so; never set it aside */
	while (!(db->h = try_open(db->path, &busy)) && busy) {
		if (!said++)
			fprintf(stderr, "blitz: waiting for '%s': another program holds it locked (Ctrl-C to stop)\n",
				db->path);
		struct timespec pause = { 0, 100000000L };	/* SQLITE_LOCKED does not wait by itself */
		nanosleep(&pause, NULL);
	}
	if (said)
		fprintf(stderr, "blitz: '%s' is free again; going on\n", db->path);
	if (db->h)
		return;
	/* corrupt, foreign or from another schema: set it aside and start again */
	char *aside = xasprintf("%s.broken-%ld", db->path, (long)time(NULL));
	if (rename(db->path, aside) == 0)
		warn("'%s' could not be used as blitz's state; moved it to '%s' and started a new one", db->path, aside);
	free(aside);
	char *wal = xconcat(db->path, "-wal", NULL), *shm = xconcat(db->path, "-shm", NULL);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	db->h = try_open(db->path, &busy);
	if (!db->h)
		warn("cannot create '%s': nothing learnt in this run is kept", db->path);
}

void db_record_env(struct db *db, const char *env, double seconds, int ok)
{
	sqlite3_stmt *st;

	if (!db->h || sqlite3_prepare_v2(db->h, "INSERT INTO env_runs(env, seconds, ok, at) VALUES (?, ?, ?, ?)",
					 -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, seconds);
	sqlite3_bind_int(st, 3, ok != 0);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		warn("could not record the run of '%s' in '%s': %s", env, db->path, sqlite3_errmsg(db->h));
	sqlite3_finalize(st);
}

void db_record_tests(struct db *db, const char *env, size_t n, const char *const *tests, const double *seconds,
		     const char *const *outcomes)
{
	sqlite3_stmt *st;
	sqlite3_int64 at = (sqlite3_int64)time(NULL);

	if (!db->h || !n)
		return;
	/* one transaction: a suite of thousands of tests is one write, not thousands */
	sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db->h, "INSERT INTO test_runs(env, test, seconds, outcome, at) VALUES (?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, tests[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, seconds[i]);
		sqlite3_bind_text(st, 4, outcomes[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, at);
		if (sqlite3_step(st) != SQLITE_DONE) {
			warn("could not record the tests of '%s' in '%s': %s", env, db->path, sqlite3_errmsg(db->h));
			break;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
}

/*
 * The mean seconds of the RECENT latest rows of table (env_runs or
 * test_runs) for env (and test, when not NULL), or -1 when there are none.
 */
static double recent_mean(struct db *db, const char *table, const char *env, const char *test)
{
	sqlite3_stmt *st;
	double res = -1;
	char *sql = xasprintf("SELECT avg(seconds), count(*) FROM (SELECT seconds FROM %s WHERE env = ?1%s"
			      " ORDER BY at DESC, rowid DESC LIMIT ?3)", table, test ? " AND test = ?2" : "");

	if (!db->h || sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		return -1;
	}
	free(sql);
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	if (test)
		sqlite3_bind_text(st, 2, test, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, RECENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) > 0)
		res = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return res;
}

double db_env_duration(struct db *db, const char *env)
{
	return recent_mean(db, "env_runs", env, NULL);
}

double db_test_duration(struct db *db, const char *env, const char *test)
{
	return recent_mean(db, "test_runs", env, test);
}

size_t db_env_tests(struct db *db, const char *env, char ***tests, double **seconds)
{
	sqlite3_stmt *st;
	size_t n = 0, cap = 0;

	*tests = NULL;
	*seconds = NULL;
	/* the tests of its latest week of runs, each with the mean of its last RECENT times */
	if (!db->h || sqlite3_prepare_v2(db->h,
		"SELECT t.test, (SELECT avg(seconds) FROM (SELECT seconds FROM test_runs r WHERE r.env = ?1"
		" AND r.test = t.test ORDER BY at DESC, rowid DESC LIMIT ?2))"
		" FROM test_runs t WHERE t.env = ?1 GROUP BY t.test"
		" HAVING max(t.at) >= (SELECT max(at) FROM test_runs WHERE env = ?1) - 7 * 86400"
		" ORDER BY min(t.rowid)", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, RECENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*tests = xgrow(*tests, &cap, n + 1, sizeof(**tests));
		*seconds = xrealloc(*seconds, cap * sizeof(**seconds));
		(*tests)[n] = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*seconds)[n++] = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	return n;
}

size_t db_test_flaky(struct db *db, const char *env, const char *test)
{
	sqlite3_stmt *st;
	size_t n = 0;

	if (!db->h || sqlite3_prepare_v2(db->h, "SELECT count(*) FROM test_runs WHERE env = ? AND test = ? AND outcome = 'flaky'",
					 -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, test, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void db_record_cost(struct db *db, const char *env, double seconds)
{
	sqlite3_stmt *st;

	if (!db->h || sqlite3_prepare_v2(db->h, "INSERT INTO process_costs(env, seconds, at) VALUES (?, ?, ?)",
					 -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, env, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, seconds < 0 ? 0 : seconds);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_step(st);
	sqlite3_finalize(st);
}

double db_process_cost(struct db *db, const char *env)
{
	return recent_mean(db, "process_costs", env, NULL);
}

char *db_collected(struct db *db, const char *key)
{
	sqlite3_stmt *st;
	char *ids = NULL;

	if (!db->h || sqlite3_prepare_v2(db->h, "SELECT ids FROM collections WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		ids = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return ids;
}

void db_store_collected(struct db *db, const char *key, const char *ids)
{
	sqlite3_stmt *st;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	if (!db->h || sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO collections(key, ids, at) VALUES (?, ?, ?)",
					 -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, ids, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_step(st);
	sqlite3_finalize(st);
	/* collections of trees nobody has run for a month go */
	sqlite3_exec(db->h, "DELETE FROM collections WHERE at < strftime('%s','now') - 30 * 86400", NULL, NULL, NULL);
}

int db_interp_lookup(struct db *db, const char *path, long long size, long long mtime_ns, int version[3],
		     char *impl, size_t implsz)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (!db->h || sqlite3_prepare_v2(db->h, "SELECT major, minor, micro, impl FROM interpreters"
					 " WHERE path = ? AND size = ? AND mtime_ns = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	if (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			version[i] = sqlite3_column_int(st, i);
		snprintf(impl, implsz, "%s", (const char *)sqlite3_column_text(st, 3));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void db_interp_store(struct db *db, const char *path, long long size, long long mtime_ns, const int version[3],
		     const char *impl)
{
	sqlite3_stmt *st;

	if (!db->h || sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO interpreters(path, size, mtime_ns, major, minor, micro, impl)"
					 " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	for (int i = 0; i < 3; i++)
		sqlite3_bind_int(st, 4 + i, version[i]);
	sqlite3_bind_text(st, 7, impl, -1, SQLITE_TRANSIENT);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

void db_close(struct db *db)
{
	sqlite3_close(db->h);
	free(db->path);
	memset(db, 0, sizeof(*db));
}

int db_recent_runs(void)
{
	return RECENT;
}
