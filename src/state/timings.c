/* blitz timings: the recent history of state.db as text, written and read back (format in timings.h). */
#include "timings.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "../util/util.h"

/* A test row has the most fields; one more is read to tell "too many" apart. */
#define MAX_FIELDS 6

static const char *const outcomes[] = { "passed", "failed", "error", "skipped", "flaky" };

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fill err (printf-style) and return -1. */
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static int known_outcome(const char *s)
{
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(s, outcomes[i]) == 0)
			return 1;
	return 0;
}

/* The longest time a row may hold: a week (a 1e308 would outweigh every real history it is averaged with). */
#define SECONDS_MAX (7.0 * 24 * 3600)

/* The checks on values that both directions make: export leaves out what import would refuse. */
static int check_row(const struct timings_row *r, char *err, size_t errsz)
{
	if (!r->env || !*r->env)
		return fail(err, errsz, "empty env name");
	if (r->kind == TIMINGS_TEST && (!r->test || !*r->test))
		return fail(err, errsz, "empty test name");
	if (!isfinite(r->seconds) || r->seconds < 0)
		return fail(err, errsz, "seconds must be a number >= 0");
	if (r->seconds > SECONDS_MAX)
		return fail(err, errsz, "seconds must be at most a week");
	if (r->kind == TIMINGS_ENV && r->ok != 0 && r->ok != 1)
		return fail(err, errsz, "ok must be 1 (passed) or 0 (failed)");
	if (r->kind == TIMINGS_TEST && (!r->outcome || !known_outcome(r->outcome)))
		return fail(err, errsz, "outcome '%.40s': give passed, failed, error, skipped or flaky",
			    r->outcome ? r->outcome : "");
	if (r->at < 0)
		return fail(err, errsz, "at must be a Unix time >= 0");
	return 0;
}

/* Undo the escapes of field (named what in messages) in place. */
static int unescape(char *field, const char *what, char *err, size_t errsz)
{
	char *w = field;

	for (const char *p = field; *p; p++) {
		if (*p != '\\') {
			*w++ = *p;
			continue;
		}
		switch (*++p) {
		case '\\': *w++ = '\\'; break;
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case '\0': return fail(err, errsz, "%s ends with a lone backslash (write it \\\\)", what);
		default: return fail(err, errsz, "%s: unknown escape '\\%c' (known: \\\\ \\t \\n \\r)", what, *p);
		}
	}
	*w = '\0';
	return 0;
}

/* A decimal number of seconds, the whole of s (no sign, no space: export never writes them). */
static int parse_seconds(const char *s, double *out, char *err, size_t errsz)
{
	char *end;

	/* an overflow reads as infinity; an underflow (ERANGE too) is a tiny number, still exact */
	if (*s >= '0' && *s <= '9') {
		*out = strtod(s, &end);
		if (!*end && isfinite(*out) && *out <= SECONDS_MAX)
			return 0;
		if (!*end && isfinite(*out))
			return fail(err, errsz, "seconds '%.40s' is more than a week: no run blitz timed lasts that long", s);
	}
	return fail(err, errsz, "seconds '%.40s' is not a number >= 0", s);
}

/* Whole Unix seconds, digits only. */
static int parse_at(const char *s, long long *out, char *err, size_t errsz)
{
	char *end;

	errno = 0;
	if (*s >= '0' && *s <= '9') {
		*out = strtoll(s, &end, 10);
		if (!*end && errno != ERANGE)
			return 0;
	}
	return fail(err, errsz, "at '%.40s' is not a Unix time (whole seconds >= 0)", s);
}

/* Cut line at its tabs, keeping the first MAX_FIELDS + 1 fields in f; returns how many fields it has. */
static size_t split(char *line, char **f)
{
	size_t n = 1;

	f[0] = line;
	for (char *p = line; *p; p++)
		if (*p == '\t') {
			*p = '\0';
			if (n <= MAX_FIELDS)
				f[n] = p + 1;
			n++;
		}
	return n;
}

static int parse_env(char **f, size_t n, struct timings_row *row, char *err, size_t errsz)
{
	if (n != 5)
		return fail(err, errsz, "env row has %zu fields, expected 5: env, ENV, seconds, ok, at", n);
	row->kind = TIMINGS_ENV;
	row->env = f[1];
	if (unescape(f[1], "env name", err, errsz) < 0 || parse_seconds(f[2], &row->seconds, err, errsz) < 0 ||
	    parse_at(f[4], &row->at, err, errsz) < 0)
		return -1;
	if (strcmp(f[3], "0") && strcmp(f[3], "1"))
		return fail(err, errsz, "ok '%.40s': give 1 (passed) or 0 (failed)", f[3]);
	row->ok = f[3][0] == '1';
	return check_row(row, err, errsz);
}

static int parse_test(char **f, size_t n, struct timings_row *row, char *err, size_t errsz)
{
	if (n != 6)
		return fail(err, errsz, "test row has %zu fields, expected 6: test, ENV, TEST, seconds, outcome, at", n);
	row->kind = TIMINGS_TEST;
	row->env = f[1];
	row->test = f[2];
	row->outcome = f[4];
	if (unescape(f[1], "env name", err, errsz) < 0 || unescape(f[2], "test name", err, errsz) < 0 ||
	    parse_seconds(f[3], &row->seconds, err, errsz) < 0 || parse_at(f[5], &row->at, err, errsz) < 0)
		return -1;
	return check_row(row, err, errsz);
}

int timings_parse_line(char *line, size_t len, struct timings_row *row, char *err, size_t errsz)
{
	char *f[MAX_FIELDS + 1];
	size_t n;

	memset(row, 0, sizeof(*row));
	if (memchr(line, '\0', len))
		return fail(err, errsz, "a NUL byte in the line");
	n = split(line, f);
	if (strcmp(f[0], "env") == 0)
		return parse_env(f, n, row, err, errsz);
	if (strcmp(f[0], "test") == 0)
		return parse_test(f, n, row, err, errsz);
	return fail(err, errsz, "unknown row '%.40s': a line starts with env or test and a tab", f[0]);
}

/* Write s with its backslashes, tabs, newlines and carriage returns escaped. */
static void write_field(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '\\': fputs("\\\\", out); break;
		case '\t': fputs("\\t", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		default: putc(*s, out);
		}
}

/* The shortest decimal that reads back as exactly v, so that an import recognises the rows it already has. */
static void write_seconds(FILE *out, double v)
{
	char buf[40];

	if (v == 0)
		v = 0;	/* -0 would be written with a sign import refuses */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

int timings_write_row(FILE *out, const struct timings_row *row)
{
	char err[128];

	if (check_row(row, err, sizeof(err)) < 0)
		return -1;
	fputs(row->kind == TIMINGS_ENV ? "env\t" : "test\t", out);
	write_field(out, row->env);
	putc('\t', out);
	if (row->kind == TIMINGS_TEST) {
		write_field(out, row->test);
		putc('\t', out);
	}
	write_seconds(out, row->seconds);
	if (row->kind == TIMINGS_ENV)
		fprintf(out, "\t%d\t%lld\n", row->ok, row->at);
	else
		fprintf(out, "\t%s\t%lld\n", row->outcome, row->at);
	return 0;
}

/*
 * The latest db_recent_runs() rows of each env (env_runs) or each env's test
 * (test_runs), oldest first: the rows a prediction averages, in the order
 * that keeps ties on at broken as they were.
 */
static const char env_sql[] =
	"SELECT env, NULL, seconds, ok, NULL, at FROM (SELECT env, seconds, ok, at, rowid AS r,"
	" row_number() OVER (PARTITION BY env ORDER BY at DESC, rowid DESC) AS k FROM env_runs)"
	" WHERE k <= ?1 ORDER BY env, at, r";
static const char test_sql[] =
	"SELECT env, test, seconds, NULL, outcome, at FROM (SELECT env, test, seconds, outcome, at, rowid AS r,"
	" row_number() OVER (PARTITION BY env, test ORDER BY at DESC, rowid DESC) AS k FROM test_runs)"
	" WHERE k <= ?1 ORDER BY env, test, at, r";

/* Write the rows sql selects as rows of kind; rows import would refuse (a foreign value) are left out. */
static int export_rows(struct db *db, const char *sql, enum timings_kind kind, FILE *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return error("cannot read the history in '%s': %s", db->path, sqlite3_errmsg(db->h));
	sqlite3_bind_int(st, 1, db_recent_runs());
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !ferror(out)) {
		struct timings_row row = { kind, NULL, NULL, 0, 0, NULL, 0 };
		row.env = (const char *)sqlite3_column_text(st, 0);
		row.test = (const char *)sqlite3_column_text(st, 1);
		row.seconds = sqlite3_column_double(st, 2);
		row.ok = sqlite3_column_int(st, 3) != 0;
		row.outcome = (const char *)sqlite3_column_text(st, 4);
		row.at = sqlite3_column_int64(st, 5);
		timings_write_row(out, &row);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		error("cannot read the history in '%s': %s", db->path, sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return ferror(out) ? -1 : 0;
}

int db_export(struct db *db, FILE *out)
{
	int rc = 0;

	fputs(TIMINGS_HEADER "\n", out);
	if (!db->h)
		return ferror(out) ? -1 : 0;
	/* one read transaction: a run recording meanwhile cannot slip in between the two tables */
	sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL);
	if (export_rows(db, env_sql, TIMINGS_ENV, out) < 0 || export_rows(db, test_sql, TIMINGS_TEST, out) < 0)
		rc = -1;
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* An import under way: the file, the statements that add a row unless it is there, the counts. */
struct import {
	struct db *db;
	const char *name;
	size_t line;
	sqlite3_stmt *env_st, *test_st;
	size_t added[2];
	char *err;
	size_t errsz;
};

static const char env_insert[] =
	"INSERT INTO env_runs(env, seconds, ok, at) SELECT ?1, ?2, ?3, ?4"
	" WHERE NOT EXISTS (SELECT 1 FROM env_runs WHERE env = ?1 AND at = ?4 AND seconds = ?2)";
static const char test_insert[] =
	"INSERT INTO test_runs(env, test, seconds, outcome, at) SELECT ?1, ?2, ?3, ?4, ?5"
	" WHERE NOT EXISTS (SELECT 1 FROM test_runs WHERE env = ?1 AND test = ?2 AND at = ?5 AND seconds = ?3)";

/* Add row unless the state has it; counts it when added. */
static int insert_row(struct import *im, const struct timings_row *row)
{
	sqlite3_stmt *st = row->kind == TIMINGS_ENV ? im->env_st : im->test_st;
	int i = 1;

	sqlite3_reset(st);
	sqlite3_bind_text(st, i++, row->env, -1, SQLITE_TRANSIENT);
	if (row->kind == TIMINGS_TEST)
		sqlite3_bind_text(st, i++, row->test, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, i++, row->seconds);
	if (row->kind == TIMINGS_ENV)
		sqlite3_bind_int(st, i++, row->ok);
	else
		sqlite3_bind_text(st, i++, row->outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, i, row->at);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail(im->err, im->errsz, "%s:%zu: cannot add the row to '%s': %s", im->name, im->line,
			    im->db->path, sqlite3_errmsg(im->db->h));
	im->added[row->kind] += (size_t)sqlite3_changes(im->db->h);
	return 0;
}

/* The first line: this format, in a version this blitz reads. */
static int check_header(struct import *im, const char *line)
{
	if (strcmp(line, TIMINGS_HEADER) == 0)
		return 0;
	if (starts_with(line, "blitz-timings "))
		return fail(im->err, im->errsz, "%s:1: format version '%.20s' is not one this blitz reads (it reads 1)",
			    im->name, line + strlen("blitz-timings "));
	return fail(im->err, im->errsz, "%s:1: not a blitz timings file: the first line must be '%s'", im->name,
		    TIMINGS_HEADER);
}

/* One line of len bytes, newline removed. */
static int import_line(struct import *im, char *line, size_t len)
{
	struct timings_row row;
	char msg[256];

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (im->line == 1)
		return memchr(line, '\0', len) ? check_header(im, "") : check_header(im, line);
	if (!len)
		return 0;
	if (timings_parse_line(line, len, &row, msg, sizeof(msg)) < 0)
		return fail(im->err, im->errsz, "%s:%zu: %s", im->name, im->line, msg);
	return insert_row(im, &row);
}

/* Every line of in; returns 0 or -1 with im->err filled. */
static int import_lines(struct import *im, FILE *in)
{
	char *line = NULL;
	size_t alloc = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = getline(&line, &alloc, in)) >= 0) {
		im->line++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		rc = import_line(im, line, (size_t)n);
	}
	free(line);
	if (rc == 0 && ferror(in))
		rc = fail(im->err, im->errsz, "%s: cannot read it: %s", im->name, strerror(errno));
	else if (rc == 0 && im->line == 0)
		rc = fail(im->err, im->errsz, "%s:1: empty, not a blitz timings file (the first line must be '%s')",
			  im->name, TIMINGS_HEADER);
	return rc;
}

int db_import(struct db *db, FILE *in, const char *name, size_t added[2], char *err, size_t errsz)
{
	struct import im = { db, name, 0, NULL, NULL, { 0, 0 }, err, errsz };
	int rc;

	if (added)
		added[0] = added[1] = 0;
	if (!db->h)
		return fail(err, errsz, "%s: no state to import into", name);
	/* IMMEDIATE: take the write lock now, not halfway through the file while another blitz writes */
	if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(err, errsz, "%s: cannot write to '%s': %s", name, db->path, sqlite3_errmsg(db->h));
	if (sqlite3_prepare_v2(db->h, env_insert, -1, &im.env_st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h, test_insert, -1, &im.test_st, NULL) != SQLITE_OK)
		rc = fail(err, errsz, "%s: cannot write to '%s': %s", name, db->path, sqlite3_errmsg(db->h));
	else
		rc = import_lines(&im, in);
	sqlite3_finalize(im.env_st);
	sqlite3_finalize(im.test_st);
	if (rc == 0 && sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(err, errsz, "%s: cannot write to '%s': %s", name, db->path, sqlite3_errmsg(db->h));
	if (rc < 0) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (added) {
		added[0] = im.added[TIMINGS_ENV];
		added[1] = im.added[TIMINGS_TEST];
	}
	return 0;
}
