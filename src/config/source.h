#ifndef BLITZ_SOURCE_H
#define BLITZ_SOURCE_H

#include <stddef.h>

struct diag;

/* Where the tox configuration lives. */
enum source_kind {
	SOURCE_TOX_INI,
	SOURCE_SETUP_CFG,	/* core section [tox:tox] */
	SOURCE_PYPROJECT,	/* the INI text is [tool.tox] legacy_tox_ini */
};

struct source {
	char *path;		/* absolute path of the file */
	char *text;		/* INI text to parse; for pyproject.toml, padded so line numbers match the file */
	size_t len;
	enum source_kind kind;
};

/*
 * Find the configuration as tox does: path names a file, or a folder to search
 * from (NULL: the current folder), trying tox.ini, setup.cfg with [tox:tox]
 * and pyproject.toml with legacy_tox_ini in each folder up to the root.
 * Returns 0, or -1 with d saying what is missing and what to do.
 */
int source_find(const char *path, struct source *src, struct diag *d);

/*
 * Extract [tool.tox] legacy_tox_ini from pyproject.toml text. Returns a new
 * string padded with newlines so that its lines keep their numbers in the
 * file; NULL when absent; -1-style errors (an unterminated string) go to d.
 */
char *source_pyproject_ini(const char *path, const char *text, struct diag *d, int *err);

void source_release(struct source *src);

#endif
