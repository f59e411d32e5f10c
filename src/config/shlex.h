#ifndef BLITZ_SHLEX_H
#define BLITZ_SHLEX_H

#include <stddef.h>

struct strvec;

enum {
	SHLEX_NO_ESCAPE = 1,	/* backslashes are ordinary characters (tox 3) */
	SHLEX_COMMENTS = 2,	/* an unquoted '#' starts a comment to the end of the line (tox 3) */
};

/*
 * Split s into words as Python's shlex does in POSIX mode with
 * whitespace_split (quotes removed; a backslash escapes outside quotes and,
 * inside double quotes, only '"' and '\\'); flags as above. Returns 0, or -1
 * on an unterminated quote or a trailing backslash: then *rest_at is the
 * offset where the words stopped, so the caller can keep the remainder whole
 * as tox 4 does.
 */
int shlex_split(const char *s, struct strvec *out, int flags, size_t *rest_at);

/* Return s quoted for a POSIX shell as Python's shlex.quote() does (newly allocated). */
char *shlex_quote(const char *s);

#endif
