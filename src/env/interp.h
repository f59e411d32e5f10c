#ifndef BLITZ_INTERP_H
#define BLITZ_INTERP_H

#include <stddef.h>

/* A Python interpreter found on this machine. */
struct interp {
	char path[4096];
	int major, minor;
	char impl[32];		/* "cpython", "pypy" */
};

/*
 * Where probes are remembered across runs (blitz's state db): lookup
 * returns 0 and fills the answer for the binary at real path with that size
 * and modification time; store records one. Only binaries are remembered: a
 * script (a pyenv shim) answers differently with a different environment.
 */
struct interp_cache {
	int (*lookup)(void *ctx, const char *real, long long size, long long mtime_ns, int *major, int *minor,
		      char *impl, size_t implsz);
	void (*store)(void *ctx, const char *real, long long size, long long mtime_ns, int major, int minor,
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

/*
 * A pip wheel this interpreter can run pip from (`python PIP.whl/pip install`),
 * so that a venv needs no pip of its own: the newest pip >= 22.3 among those
 * its ensurepip bundles (PREFIX/lib/pythonX.Y/ensurepip/_bundled) and, for
 * an interpreter under /usr, Debian's /usr/share/python-wheels. No process is
 * started. Returns 0 with the path in out, or -1 when there is none.
 */
int interp_pip_wheel(const struct interp *in, char *out, size_t outsz);

/* Callback for struct tox: the path of the interpreter spec names (static storage), or NULL. */
const char *interp_path(const char *spec);

/* Callback for struct tox: version and implementation of the interpreter spec names. */
int interp_info(const char *spec, int *major, int *minor, char *impl, size_t implsz);

#endif
