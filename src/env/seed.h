#ifndef BLITZ_SEED_H
#define BLITZ_SEED_H

#include <stddef.h>

#include "../util/strvec.h"

struct interp;

/*
 * Seeding: pip, setuptools and wheel put into a venv where virtualenv (and
 * so tox) would put them, in milliseconds. Each wheel is unpacked once per
 * machine and Python version into an image under $XDG_CACHE_HOME/blitz/seed
 * (or ~/.cache/blitz/seed) and byte-compiled there by that Python; a venv
 * then gets the image's files as hard links (copies across file systems)
 * and console scripts of its own, as virtualenv's app-data seeder does.
 * Nothing runs ensurepip.
 */

/* The distributions a venv is seeded with, in install order. */
enum { SEED_PIP, SEED_SETUPTOOLS, SEED_WHEEL, SEED_DISTS };

struct seed_plan {
	struct strvec wheels[SEED_DISTS];	/* each dist's wheels, the one to try first first; none: not seeded */
	char note[512];			/* a dist that was asked for and could not be found, or "" */
};

/*
 * Choose the wheels a venv of interpreter in gets, as virtualenv 21 does by
 * default: pip always, setuptools below Python 3.12, wheel never; and as
 * the VIRTUALENV_* variables of envp say (VIRTUALENV_NO_SEED,
 * VIRTUALENV_NO_PIP / _SETUPTOOLS / _WHEEL, VIRTUALENV_PIP / _SETUPTOOLS
 * / _WHEEL = a version, "bundle", "embed" or "none",
 * VIRTUALENV_EXTRA_SEARCH_DIR). Wheels are looked for where no network is
 * needed: the extra search folders, virtualenv's own wheel house (its app
 * data, ~/.local/share/virtualenv/wheel/house, where tox's virtualenv keeps
 * the versions it seeds), the interpreter's own ensurepip/_bundled, and
 * Debian's /usr/share/python-wheels for Debian's interpreters; newest
 * first (the one whose Requires-Python admits the interpreter wins, see
 * seed_image). A dist asked for and not found is left out, with a note. No
 * process is started. Free with seed_plan_release().
 */
void seed_choose(const struct interp *in, char *const *envp, struct seed_plan *out);
void seed_plan_release(struct seed_plan *p);

/*
 * The image of wheel for interpreter in: unpacked and byte-compiled, made
 * now if it is missing (a Python process: a second or two, once per machine
 * and wheel file: a wheel rebuilt under the same name gets a new image;
 * two blitz processes making it at once take turns on a lock). Returns 0
 * with its folder in out; 1 when the wheel is not for this Python (its
 * Requires-Python); -1 with why in err.
 */
int seed_image(const struct interp *in, const char *wheel, char *out, size_t outsz, char *err, size_t errsz);

/*
 * Install the image (from seed_image) into the venv at venv_dir for
 * interpreter in: its files linked into site-packages and its console
 * scripts written into bin/ (pip also as pipX and pipX.Y), each naming the
 * venv's python. Returns 0, or -1 with why in err.
 */
int seed_install(const char *image, const char *venv_dir, const struct interp *in, char *err, size_t errsz);

/*
 * The same for any wheel's image (env/resolved.h): one holding a .data
 * folder is refused (-1); requested: the install named it, and it is marked
 * so (REQUESTED), as pip does.
 */
int seed_install_wheel(const char *image, const char *venv_dir, const struct interp *in, int requested, char *err,
		       size_t errsz);

#endif
