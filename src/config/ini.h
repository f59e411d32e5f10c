#ifndef BLITZ_INI_H
#define BLITZ_INI_H

#include <stddef.h>

#include "../util/strmap.h"

struct diag;

/*
 * An INI file read as Python's configparser reads tox files: sections in file
 * order, keys lower-cased, continuation lines by indentation, full-line '#'/';'
 * comments dropped, blank lines inside a value kept, no '%' interpolation.
 */
struct ini_entry {
	char *key;		/* lower-cased */
	char *value;		/* lines joined by '\n', trailing whitespace removed */
	int line, col;		/* where the value starts (1-based) */
	size_t id;		/* 0, 1, 2... in file order: an index for callers' per-entry caches */
	int *vlines;		/* source line of each '\n'-separated line of value */
	int *vcols;		/* and the column where its text starts */
	size_t nvlines;
};

struct ini_section {
	char *name;		/* case kept, as configparser does */
	int line;
	struct ini_entry *entries;
	size_t n, alloc;
};

struct ini {
	char *path;		/* as given, used in diagnostics */
	struct ini_section *sections;
	size_t n, alloc;
	struct strmap index;	/* a section's name: its index in sections */
	size_t nentries;	/* entries in all sections */
};

/*
 * Parse text (len bytes, need not be NUL-terminated) read from path into ini,
 * which must be zeroed. Returns 0, or -1 with d filled (file, line, column,
 * what to do); ini then holds what was read before the error and must still be
 * released.
 */
int ini_parse(struct ini *ini, const char *path, const char *text, size_t len, struct diag *d);

/* Return the section called name (exact case), or NULL. */
const struct ini_section *ini_section(const struct ini *ini, const char *name);

/* Return the entry for key (compared case-insensitively), or NULL. */
const struct ini_entry *ini_get(const struct ini_section *sec, const char *key);

/* Source line of the idx-th line of e's value (e->line when out of range). */
int ini_value_line(const struct ini_entry *e, size_t idx);

/* Source column where the idx-th line of e's value starts (e->col when out of range). */
int ini_value_col(const struct ini_entry *e, size_t idx);

/*
 * Find the first line of e's value that contains text (n bytes): set *line
 * and *col to where text starts in the file and return 1; return 0 (and the
 * value's own position) when no line holds it.
 */
int ini_find_text(const struct ini_entry *e, const char *text, size_t n, int *line, int *col);

/* Free everything ini owns. */
void ini_release(struct ini *ini);

#endif
