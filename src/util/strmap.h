#ifndef BLITZ_STRMAP_H
#define BLITZ_STRMAP_H

#include <stddef.h>

/* A hash map from strings (copied in) to ints, for interning names as small ids. */
struct strmap {
	char **keys;
	size_t *lens;		/* strlen of each key, so probes compare lengths first */
	int *vals;
	size_t n, cap;		/* cap is a power of two, or 0 */
};

#define STRMAP_INIT { NULL, NULL, NULL, 0, 0 }

/* Return the value of key (of length len), or -1 when absent. */
int strmap_get(const struct strmap *m, const char *key, size_t len);

/* Return the id of key, adding it with the next id (0, 1, ...) when absent. */
int strmap_intern(struct strmap *m, const char *key, size_t len);

/* Use m as a set: add key, returning 1 when it was not there yet. */
int strmap_add(struct strmap *m, const char *key);

void strmap_clear(struct strmap *m);

#endif
