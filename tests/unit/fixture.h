#ifndef BLITZ_TEST_FIXTURE_H
#define BLITZ_TEST_FIXTURE_H

#include <stddef.h>

#include "../../src/config/diag.h"
#include "../../src/config/tox.h"
#include "../../src/util/strvec.h"

/*
 * A throw-away project folder for tests that go through the public API:
 * write tox.ini (or setup.cfg, pyproject.toml, env files) into it, load it
 * with tox_load() and resolve envs. Nothing depends on the interpreters of
 * the machine: python_info is NULL and default_python is FX_PYTHON.
 *
 *	struct fx f;
 *	struct toxenv e;
 *
 *	CHECK_INT(fx_ini(&f, "[testenv]\ndeps = x\n", 0), 0);
 *	CHECK_INT(fx_env(&f, "py311", &e), 0);
 *	CHECK_STR(fx_join(&f, &e.deps), "x");
 *	toxenv_release(&e);
 *	fx_release(&f);
 */

/* base_python of an env that names no interpreter (tox: sys.executable). */
#define FX_PYTHON "/opt/fx/bin/python3"

struct fx {
	char dir[512];			/* the folder, absolute with symlinks resolved */
	struct tox tox;
	struct tox_opts opts;		/* path = dir, hashseed "1234"; adjust before fx_load() */
	struct strvec posargs;		/* point opts.posargs here to pass arguments after -- */
	struct diag d;			/* filled by a failed fx_load() or fx_env() */
	int loaded;
	struct strvec scratch;		/* strings handed out by fx_join() and fx_path() */
	int reaper_fd;			/* write end of the pipe the reaper waits on */
	long reaper;			/* pid of the process that removes dir once we are gone */
};

/*
 * Create a fresh temporary folder; a failure aborts the test process. A small
 * child process removes the folder when this process ends, even by a crash
 * or the harness's time limit, so a broken build leaves nothing behind.
 */
void fx_init(struct fx *f);

/* Write text to the file name (relative to the folder; its folder must exist). */
void fx_write(struct fx *f, const char *name, const char *text);

/* Create the subfolder name. */
void fx_mkdir(struct fx *f, const char *name);

/* tox_load() with f->opts; returns its result (f->d filled on failure). */
int fx_load(struct fx *f);

/* fx_init(), write tox.ini with text, set opts.tox3 and fx_load(). */
int fx_ini(struct fx *f, const char *text, int tox3);

/* tox_env_resolve() env into e (which the caller releases with toxenv_release()). */
int fx_env(struct fx *f, const char *env, struct toxenv *e);

/* "dir/rel": an absolute path inside the folder (owned by f). */
const char *fx_path(struct fx *f, const char *rel);

/* The items of sv joined with '|' (owned by f), "" for none. */
const char *fx_join(struct fx *f, const struct strvec *sv);

/* The argv of command i joined with '|' (owned by f); "(none)" when there is no such command. */
const char *fx_cmd(struct fx *f, const struct tox_commands *cs, size_t i);

/* Word k of command i, or NULL when there is no such word. */
const char *fx_word(const struct tox_commands *cs, size_t i, size_t k);

/* Every command of cs, each argv joined with ' ' and the commands with " ; " (owned by f). */
const char *fx_cmds(struct fx *f, const struct tox_commands *cs);

/* The set_env value of key, or NULL when e's set_env has no such key. */
const char *fx_setenv(const struct toxenv *e, const char *key);

/* set_env as "K=V" items joined with '|', in e's order (owned by f). */
const char *fx_setenv_all(struct fx *f, const struct toxenv *e);

/* Return 1 when one of e's errors contains text. */
int fx_has_error(const struct toxenv *e, const char *text);

/* Release the tox and remove the folder with everything in it. */
void fx_release(struct fx *f);

#endif
