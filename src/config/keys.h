#ifndef BLITZ_KEYS_H
#define BLITZ_KEYS_H

#include <stddef.h>

/*
 * The settings tox knows, with their spellings: tox 4's name and alias (it
 * accepts both) and tox 3's (set_env does not exist there, for one).
 */
struct keydef {
	const char *name;	/* tox 4's canonical name */
	const char *alias;	/* tox 4's other spelling, or NULL */
	const char *tox3;	/* tox 3's name, or NULL when tox 3 has no such key */
	const char *tox3_alias;
	const char *dflt;	/* the value when nothing sets it, as a string; NULL: computed */
	int core;		/* a [tox] setting rather than an env's */
};

/* Keys blitz knows; key_index() is below this. */
#define KEY_COUNT 128

/* The position of k in the table, 0 <= index < KEY_COUNT: for per-key arrays. */
int key_index(const struct keydef *k);

/* Return the definition of key, found by any of its spellings, or NULL. */
const struct keydef *key_lookup(const char *key);

/* Fill names (room for 4) with the spellings to look for, in order; returns how many. */
size_t key_names(const struct keydef *k, const char *key, int tox3, const char **names);

/* Return a new copy of the default of k, or NULL when it has none. */
char *key_default(const struct keydef *k, int tox3);

#endif
