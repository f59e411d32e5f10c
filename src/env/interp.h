#ifndef BLITZ_INTERP_H
#define BLITZ_INTERP_H

#include <stddef.h>

/* A Python interpreter found on this machine. */
struct interp {
	char path[4096];
	int major, minor, micro;
	char impl[32];		/* "cpython", "pypy" */
};

/*
 * Where probes are remembered across runs (blitz's state db): lookup
 * returns 0 and fills the answer for the binary at real path with that size
 * and modification time; store records one. Only binaries are remembered: a
 * script (a pyenv shim) answers differently with a different environment.
 */
struct interp_cache {
	int (*lookup)(void *ctx, const char *real, long long size, long long mtime_ns, int version[3],
		      char *impl, size_t implsz);
	void (*store)(void *ctx, const char *real, long long size, long long mtime_ns, const int version[3],
		      const char *impl);
	void *ctx;
};

/* Use cache (NULL: none) for the probes that follow. */
void interp_set_cache(const struct interp_cache *cache);

/*
 * Find the interpreter a tox spec names ("py311", "python3.11", "pypy3",
 * "python3", an absolute path): on PATH first, then in pyenv's versions
 * folder. Each candidate is run once to ask its version, so a pyenv shim
 * that exists but fails is skipped. Each spec is looked for once per process.
 * Returns 0, or -1 when none works.
 */
int interp_find(const char *spec, struct interp *out);

/* Callback for struct tox: the path of the interpreter spec names (static storage), or NULL. */
const char *interp_path(const char *spec);

/* Callback for struct tox: version and implementation of the interpreter spec names. */
int interp_info(const char *spec, int *major, int *minor, char *impl, size_t implsz);

#endif
