#ifndef BLITZ_STRVEC_H
#define BLITZ_STRVEC_H

#include <stddef.h>

/* A growable array of owned strings, always NULL-terminated (usable as argv or envp). */
struct strvec {
	char **v;
	size_t n;
	size_t alloc;
};

#define STRVEC_INIT { NULL, 0, 0 }

/* Append a copy of s. */
void strvec_push(struct strvec *sv, const char *s);
/* Append s, taking ownership of it. */
void strvec_push_owned(struct strvec *sv, char *s);
/* Insert a copy of s before index at (at == n appends). */
void strvec_insert(struct strvec *sv, size_t at, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Return the index of s, or -1 when absent. */
long strvec_find(const struct strvec *sv, const char *s);
/* Append copies of every string of src. */
void strvec_extend(struct strvec *sv, const struct strvec *src);
/*
 * Append the pieces of s between any of the characters in seps, each with
 * its surrounding whitespace trimmed; empty pieces are skipped, and so are
 * repeats when unique is set.
 */
void strvec_split(struct strvec *sv, const char *s, const char *seps, int unique);

/* Sort the strings in byte order. */
void strvec_sort(struct strvec *sv);

/* Free the string at index at and close the gap. */
void strvec_remove(struct strvec *sv, size_t at);

/* Free every string and the array. */
void strvec_clear(struct strvec *sv);

#endif
