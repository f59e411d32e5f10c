#ifndef BLITZ_STRBUF_H
#define BLITZ_STRBUF_H

#include <stddef.h>

/*
 * A growable string, always NUL-terminated. `cap` of 0 means no limit; with a
 * limit, appends past it are dropped and `truncated` is set, so that a chatty
 * child process cannot make blitz use unbounded memory.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;
	int truncated;
};

#define STRBUF_INIT { NULL, 0, 0, 0, 0 }

/* Initialise an empty buffer that holds at most cap bytes (0: no limit). */
void strbuf_init(struct strbuf *sb, size_t cap);
/* Free the buffer's memory and reset it to empty. */
void strbuf_release(struct strbuf *sb);
/* Empty the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Return the contents as a C string (never NULL). */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the contents to the caller (who frees them) and reset the buffer. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop trailing whitespace. */
void strbuf_rtrim(struct strbuf *sb);

#endif
