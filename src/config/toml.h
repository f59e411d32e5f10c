#ifndef BLITZ_TOML_H
#define BLITZ_TOML_H

#include <stddef.h>

struct diag;
struct strvec;

/*
 * A TOML 1.0.0 document (tox.toml, pyproject.toml) read into a tree that keeps
 * where everything was written, so that later stages can say
 * "pyproject.toml:12:5: ...". Tables keep their keys in document order.
 *
 * Reading one:
 *   1. struct toml_doc doc; struct diag d;
 *      if (toml_parse(&doc, "pyproject.toml", text, len, &d) < 0) report d;
 *   2. look values up: toml_get_path(doc.root, "build-system.requires"),
 *      toml_get(table, "name"), or walk a table with toml_table_len/toml_table_at;
 *   3. read them with the typed accessors (toml_string, toml_integer, ...), which
 *      return NULL or -1 for a value of another type, so a caller can say what it
 *      expected (toml_type_name, toml_diag);
 *   4. toml_release(&doc).
 *
 * Lines and columns are 1-based; a column counts bytes from the start of the line
 * (after a BOM on the first). The tree is read-only for callers; the fields marked
 * "parser's" are bookkeeping.
 *
 * Where TOML leaves the choice: integers must fit in 64 bits and floats in a double
 * (1e400 is an error, not inf); seconds go to 60 (a leap second); a UTF-8 BOM at the
 * start is skipped; tables and arrays nest at most TOML_MAX_DEPTH levels deep.
 */

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL,	/* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,	/* 1979-05-27 */
	TOML_TIME_LOCAL,	/* 07:32:00 */
};

/* How a table came to be, which decides what may still be added to it (parser's). */
enum toml_origin {
	TOML_ORIGIN_IMPLICIT,	/* named on the way to a header: [a] in [a.b], until defined */
	TOML_ORIGIN_HEADER,	/* [a], an element of [[a]], or the document's root */
	TOML_ORIGIN_DOTTED,	/* made by a dotted key: a in a.b = 1 */
	TOML_ORIGIN_INLINE,	/* { ... }: closed to everything after it */
};

/* The four date-time kinds, validated (month lengths, leap years, 24 h, offsets). */
struct toml_datetime {
	int year, month, day;		/* 0 for a local time */
	int hour, minute, second;	/* 0 for a local date */
	long nanosecond;		/* the fraction, digits past the ninth dropped */
	int offset;			/* minutes east of UTC; TOML_DATETIME only */
	const char *text;		/* normalised: 'T' between date and time, 'Z' upper case,
					   the fraction's digits as written: "1979-05-27T07:32:00.5-07:00" */
};

struct toml_table;
struct toml_array;
struct toml_arena;

struct toml_value {
	enum toml_type type;
	int line, col;		/* where the value was written: its first character, a table's
				   '[' or '{', or the key that made an implicit table */
	union {
		struct {
			char *ptr;	/* NUL-terminated, but may also hold NULs ("\u0000") */
			size_t len;
		} str;
		long long i;
		struct {
			double d;
			char *text;	/* as written: "1_000.5", "-inf" */
		} f;
		int b;
		struct toml_datetime *dt;	/* the four date-time kinds */
		struct toml_array *arr;
		struct toml_table *tab;
	} u;
};

/* One key of a table and its value. */
struct toml_kv {
	char *key;		/* NUL-terminated, but may also hold NULs */
	size_t keylen;
	int line, col;		/* where the key was written (its first definition) */
	struct toml_value value;
};

struct toml_table {
	struct toml_kv *kv;	/* in document order */
	size_t n, alloc;
	unsigned *index;	/* parser's: for large tables, index_cap hash slots (toml.c) */
	size_t index_cap;
	enum toml_origin origin;	/* parser's */
	int level;		/* parser's: how deep it lies, the root being 0 */
};

struct toml_array {
	struct toml_value *items;
	size_t n, alloc;
	int of_tables;		/* made by [[name]] headers (parser's: it may grow) */
};

struct toml_doc {
	char *path;		/* as given, used in diagnostics */
	struct toml_table *root;
	struct toml_arena *arena;	/* parser's: the memory of the whole tree */
};

/*
 * Tables and arrays nested deeper than this (by headers, dotted keys or
 * values) are an error, so that nothing that walks the tree recursively can
 * overflow the stack.
 */
#define TOML_MAX_DEPTH 128

/*
 * Parse text (len bytes, need not be NUL-terminated) read from path into doc.
 * Returns 0, or -1 with d filled (path, line, column and a lowercase message
 * such as "duplicate key 'name' (first defined at line 3)"); doc is then
 * empty. Either way toml_release(doc) may be called.
 */
int toml_parse(struct toml_doc *doc, const char *path, const char *text, size_t len, struct diag *d);

/* Free everything doc owns and leave it empty. */
void toml_release(struct toml_doc *doc);

/* The name of a type as messages say it: "string", "integer", "offset date-time", ... */
const char *toml_type_name(enum toml_type type);

/* The entry of t for key (len bytes), with the key's position; NULL when absent or t is NULL. */
const struct toml_kv *toml_find(const struct toml_table *t, const char *key, size_t len);

/* The value of t's key (a NUL-terminated name), or NULL when absent or t is NULL. */
const struct toml_value *toml_get(const struct toml_table *t, const char *key);

/*
 * The value at a dotted path below t, written as a TOML key: "build-system.requires",
 * 'tool.tox.env."py3.12".deps'. NULL when a part is absent, a part on the way
 * is not a table (arrays are not entered), or path is not a valid key.
 */
const struct toml_value *toml_get_path(const struct toml_table *t, const char *path);

/* How many keys t has (0 for NULL). */
size_t toml_table_len(const struct toml_table *t);

/* t's i-th key in document order, or NULL past the end. */
const struct toml_kv *toml_table_at(const struct toml_table *t, size_t i);

/* v's table, or NULL when v is NULL or not a table. */
const struct toml_table *toml_table(const struct toml_value *v);

/* v's string (NUL-terminated), or NULL when v is NULL or not a string. */
const char *toml_string(const struct toml_value *v);

/* Store v's integer in *out and return 0; -1 when v is NULL or not an integer. */
int toml_integer(const struct toml_value *v, long long *out);

/* Store v's float in *out and return 0; -1 when v is NULL or not a float (integers are not). */
int toml_float(const struct toml_value *v, double *out);

/* Store v's boolean (0 or 1) in *out and return 0; -1 when v is NULL or not a boolean. */
int toml_bool(const struct toml_value *v, int *out);

/* v's date-time of any of the four kinds, or NULL; ->text is the normalised text. */
const struct toml_datetime *toml_datetime(const struct toml_value *v);

/* How many items the array v has (0 when v is NULL or not an array). */
size_t toml_array_len(const struct toml_value *v);

/* The i-th item of the array v, or NULL past the end or when v is not an array. */
const struct toml_value *toml_array_at(const struct toml_value *v, size_t i);

/*
 * Fill d with a message at v's position in doc's file (at the file alone when v
 * is NULL) and return -1, so that a caller can `return toml_diag(...)`.
 */
int toml_diag(struct diag *d, const struct toml_doc *doc, const struct toml_value *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Append the strings of the array v to out (what requires, dependencies and
 * dynamic hold). Returns 0; -1 with d at the offending value ("'what' must be
 * an array of strings, found an integer") when v is not an array or an item
 * is not a string. A NULL v appends nothing and returns 0.
 */
int toml_string_array(const struct toml_doc *doc, const struct toml_value *v, const char *what,
		      struct strvec *out, struct diag *d);

#endif
