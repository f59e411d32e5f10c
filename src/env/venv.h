#ifndef BLITZ_VENV_H
#define BLITZ_VENV_H

#include <stddef.h>

struct interp;

/*
 * Virtual environments made by blitz itself, without starting Python: the
 * folders, the interpreter's links and pyvenv.cfg are what `python -m venv`
 * makes (and what Python's start-up reads to find its prefix), written in a
 * millisecond instead of the 40 ms and more of a Python process. pip,
 * setuptools and wheel are put in afterwards by seed.h, as virtualenv's
 * seeders do.
 */

struct venv_opts {
	int system_site_packages;	/* include-system-site-packages = true */
	int clear;			/* an existing venv at dir is emptied first (never a folder without pyvenv.cfg) */
	const char *prompt;		/* the activate scripts' prompt; NULL: the folder's name */
};

/*
 * Make a venv at dir for interpreter in (CPython 3.3 or later, or PyPy 3):
 * bin/ with python, python3 and python3.X linking to the interpreter and
 * an activate script, lib/pythonX.Y/site-packages, include/, pyvenv.cfg,
 * and a .gitignore and a CACHEDIR.TAG that keep the venv out of git and
 * backups, as virtualenv makes it. A dir that exists must be empty, or a venv when o->clear
 * (then its contents go first); a symbolic link is refused. Returns 0, or
 * -1 with why in err.
 */
int venv_create(const char *dir, const struct interp *in, const struct venv_opts *o, char *err, size_t errsz);

/* The site-packages folder of the venv at dir for interpreter in (allocated). */
char *venv_site_packages(const char *dir, const struct interp *in);

#endif
