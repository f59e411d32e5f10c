#ifndef BLITZ_PIPCACHE_H
#define BLITZ_PIPCACHE_H

#include <stddef.h>

struct interp;

/*
 * pip, run from outside the venvs it installs into. A pip wheel run as a zip
 * recompiles all of pip at every start (zip imports keep no bytecode), so the
 * wheel is unpacked once per machine under $XDG_CACHE_HOME/blitz/pip (or
 * ~/.cache/blitz/pip) and byte-compiled once per Python version; then
 * `python -I DIR/pip install ...` costs what a pip inside the venv costs,
 * without seeding one into every venv.
 *
 * pipcache_dir() returns 0 with the unpacked folder in out, ready for the
 * interpreter in, or -1 when it cannot be made (no cache folder, a failed
 * unpack): the caller then seeds pip as before. The first call for a pip
 * and a Python version runs that interpreter once (a second or two); two
 * blitz processes doing it at once take turns on a lock.
 */
int pipcache_dir(const struct interp *in, const char *wheel, char *out, size_t outsz);

#endif
