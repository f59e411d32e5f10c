#ifndef BLITZ_DB_H
#define BLITZ_DB_H

/*
 * .blitz/state.db: what earlier runs learnt (how long each env took, ...),
 * in SQLite with a write-ahead log so that two blitz runs can share it. It
 * is a cache: a file that is corrupt, from another blitz (schema version) or
 * unreadable is set aside with a warning and started afresh; blitz never
 * fails because of it.
 */

#include <stddef.h>

struct sqlite3;

struct db {
	struct sqlite3 *h;	/* NULL when no state could be opened at all */
	char *path;
};

/* Open or create the state under dir (created if missing). Never fails: without a usable file, db->h is NULL. */
void db_open(struct db *db, const char *dir);

/* Record that env took seconds (ok: it passed) in this run. */
void db_record_env(struct db *db, const char *env, double seconds, int ok);

/*
 * The predicted duration of env: the mean of its last few recorded runs, or
 * -1 when it never ran.
 */
double db_env_duration(struct db *db, const char *env);

/*
 * Record the results of n tests of env in this run (from its JUnit XML):
 * each test's id, seconds and outcome ("passed", "failed", "error",
 * "skipped", "flaky"), in one transaction.
 */
void db_record_tests(struct db *db, const char *env, size_t n, const char *const *tests, const double *seconds,
		     const char *const *outcomes);

/* The predicted duration of a test of env: the mean of its last few runs, or -1 when never seen. */
double db_test_duration(struct db *db, const char *env, const char *test);

/*
 * The tests env ran lately (those seen within a week of its latest run),
 * in the order first seen, each with its predicted seconds: arrays
 * allocated into *tests and *seconds (free each test, then both). Returns
 * how many.
 */
size_t db_env_tests(struct db *db, const char *env, char ***tests, double **seconds);

/* How many recorded runs of env's test were flaky (failed, then passed on a rerun). */
size_t db_test_flaky(struct db *db, const char *env, const char *test);

/* Record / predict the fixed seconds of one pytest process of env (start-up, collection, exit); -1: unknown. */
void db_record_cost(struct db *db, const char *env, double seconds);
double db_process_cost(struct db *db, const char *env);

/* The node ids collected under key (newline-separated, allocated), or NULL; and storing them. */
char *db_collected(struct db *db, const char *key);
void db_store_collected(struct db *db, const char *key, const char *ids);

/*
 * What the interpreter binary at path (a real path) answered when it was
 * probed, while its size and modification time are those given: returns 0
 * with the version (major, minor, micro) and implementation, or -1 when unknown.
 */
int db_interp_lookup(struct db *db, const char *path, long long size, long long mtime_ns, int version[3],
		     char *impl, size_t implsz);
void db_interp_store(struct db *db, const char *path, long long size, long long mtime_ns, const int version[3],
		     const char *impl);

void db_close(struct db *db);

/* How many of the latest runs a prediction averages (and blitz timings export sends). */
int db_recent_runs(void);

#endif
