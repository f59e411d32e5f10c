#ifndef BLITZ_RESOLVED_H
#define BLITZ_RESOLVED_H

#include <stddef.h>
#include <stdint.h>

struct interp;
struct strvec;

/*
 * Installs pip has already worked out. A deps install that pip resolves
 * offline (no index, wheels from find-links folders) always ends with the
 * same wheels in a fresh venv while its inputs are the same: the
 * interpreter, pip, the requirements, the pip settings and what the
 * find-links folders hold. After pip did it once, the wheels it installed
 * are kept (per machine, under $XDG_CACHE_HOME/blitz/resolved) by a key of
 * those inputs, and the next venv of the same install gets them linked from
 * unpacked, byte-compiled images (env/seed.h) in milliseconds, no pip run.
 * Anything blitz cannot pin down this way (an index, -r/-c/-e, URLs, pip
 * options it does not know, wheels with .data, pip, setuptools or wheel
 * among the requirements) is left to pip.
 */

/*
 * The key of the install argv (its words: "python", "-I", "-m", "pip",
 * "install", options and requirements) run with envp by interpreter in
 * whose pip is pip_image (its version matters): 0 when the install is not
 * one blitz can answer; the requirement names asked for, normalised, into
 * requested.
 */
uint64_t resolved_key(const struct strvec *argv, char *const *envp, const struct interp *in, const char *pip_image,
		      struct strvec *requested);

/*
 * Install what key resolved to, when a pip run of it was seen before, into
 * the fresh venv at venv_dir: 0 done, 1 not known (run pip), -1 failed (with
 * why in err; run pip).
 */
int resolved_install(uint64_t key, const char *venv_dir, const struct interp *in, const struct strvec *requested,
		     char *err, size_t errsz);

/*
 * pip just ran the install of key into the venv at venv_dir, fresh but for
 * its seeds (seeded: the seed images, whose dists are left out): keep the
 * wheels it installed, found in the find-links folders of envp and argv.
 * Nothing is kept when one is not found there.
 */
void resolved_remember(uint64_t key, const struct strvec *argv, char *const *envp, const char *venv_dir,
		       const struct interp *in, const char *const *seeded, size_t nseeded);

#endif
