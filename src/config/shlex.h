#ifndef BLITZ_SHLEX_H
#define BLITZ_SHLEX_H

#include <stddef.h>

struct strvec;

/*
 * Split s into words as Python's shlex does in POSIX mode with
 * whitespace_split (quotes removed; a backslash escapes outside quotes and,
 * inside double quotes, only '"' and '\'). With no_escape, backslashes are
 * ordinary characters (tox 3). Returns 0, or -1 on an unterminated quote or a
 * trailing backslash: then *rest_at is the offset where the words stopped, so
 * the caller can keep the remainder whole as tox 4 does.
 */
int shlex_split(const char *s, struct strvec *out, int no_escape, size_t *rest_at);

/* Return s quoted for a POSIX shell as Python's shlex.quote() does (newly allocated). */
char *shlex_quote(const char *s);

#endif
