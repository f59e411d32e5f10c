#ifndef BLITZ_TOML_INT_H
#define BLITZ_TOML_INT_H

/*
 * What the TOML reader's three files share, and nothing outside them uses.
 * They depend on each other one way, each file calling only those below it:
 *   toml_parse.c   the document's structure: keys, tables, arrays; toml_parse
 *                  and toml_get_path (which reads its path as a TOML key)
 *   toml_scalar.c  the parser's positions and errors; strings, numbers and
 *                  date-times
 *   toml.c         the tree: its arena, tables with their index, the lookups
 *                  and typed accessors of toml.h
 * A helper that two of them need lives in the lower one.
 */

#include <stddef.h>

#include "toml.h"
#include "../util/strbuf.h"

struct diag;

/* A dotted key as read: its parts' bytes one after another in buf, and where each was written. */
struct toml_keys {
	struct strbuf buf;
	struct toml_key_part {
		size_t off, len;	/* in buf */
		int line, col;
		size_t at;		/* byte offset in the file */
	} *parts;
	size_t n, alloc;
};

/* A parse in progress over len bytes of s. */
struct toml_parser {
	const char *path;
	const unsigned char *s;
	size_t len, pos;
	int line;		/* the line pos is on */
	size_t bol;		/* the offset where that line begins */
	struct diag *d;
	struct toml_arena *arena;	/* the tree's memory */
	struct strbuf sb;	/* scratch for a string's decoded bytes */
	struct toml_keys *keys[TOML_MAX_DEPTH + 1];	/* the key being read in a table of each level,
							   made when first needed */
};

/* toml.c: the tree's memory and tables (it calls neither of the other two). */

/* An empty arena, the memory of a document's tree. */
struct toml_arena *toml_arena_new(void);

/* n bytes from a, aligned for any type, uninitialised (or zeroed); freed with a. */
void *toml_alloc(struct toml_arena *a, size_t n);
void *toml_zalloc(struct toml_arena *a, size_t n);

/* A NUL-terminated copy of n bytes of s, in a. */
char *toml_strndup(struct toml_arena *a, const char *s, size_t n);

/* Free a and everything allocated from it (a may be NULL). */
void toml_arena_free(struct toml_arena *a);

/*
 * Grow the array p of *alloc elements of size sz to hold n, in a: doubled
 * from 2, as most tables and arrays of a configuration file hold a handful.
 * The array may move; pointers into it are stale afterwards.
 */
void *toml_grow(struct toml_arena *a, void *p, size_t *alloc, size_t n, size_t sz);

/* A new empty table of the given origin. */
struct toml_table *toml_table_new(struct toml_arena *a, enum toml_origin origin);

/* The entry of t for key (len bytes), or NULL. The pointer lasts until t grows. */
struct toml_kv *toml_table_find(struct toml_table *t, const char *key, size_t len);

/*
 * Append key (len bytes, copied) to t, written at line:col, and return its
 * entry, whose value the caller fills. The key must be absent. The pointer
 * lasts until t grows.
 */
struct toml_kv *toml_table_add(struct toml_arena *a, struct toml_table *t, const char *key, size_t len,
			       int line, int col);

/* The article a message needs before a type's name: "an" integer, "a" string. */
const char *toml_article(enum toml_type type);

/* toml_scalar.c: positions and errors, strings, numbers and date-times (it calls toml.c). */

/* Fill the parser's diagnostic at byte offset at of the file and return -1. */
int tp_error(struct toml_parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Describe the character at offset at for a message: "'x'", "a newline", "end of file", "U+3000". */
const char *tp_describe(struct toml_parser *p, size_t at, char *buf, size_t size);

/* Consume a newline at pos ("\n" or "\r\n"): return 1 and count the line, or 0 when there is none. */
int tp_newline(struct toml_parser *p);

/*
 * Read a quoted string at pos (' or ", single-line or multi-line when
 * multiline is set) into p->sb. Returns 0, or -1 with the diagnostic set.
 */
int tp_string(struct toml_parser *p, int multiline);

/*
 * Read a number, float, inf, nan or date-time at pos into out (its type and
 * contents, in p->arena; the caller sets its position). Returns 0, or -1
 * with the diagnostic set.
 */
int tp_number(struct toml_parser *p, struct toml_value *out);

/* toml_parse.c: keys and the document's structure (it calls both others). */

/* The column of offset at, which lies on the parser's current line. */
int tp_col(const struct toml_parser *p, size_t at);

/* Whether byte c may appear in a bare key. */
int tp_bare_char(unsigned char c);

/*
 * Read a dotted key at pos into keys (emptied first): bare and quoted parts,
 * with spaces and tabs around the dots. Returns 0, or -1 with the diagnostic
 * set. pos is left after the last part (no whitespace skipped).
 */
int tp_key(struct toml_parser *p, struct toml_keys *keys);

void tp_keys_release(struct toml_keys *keys);

#endif
