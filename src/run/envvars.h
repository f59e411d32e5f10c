#ifndef BLITZ_ENVVARS_H
#define BLITZ_ENVVARS_H

struct toxenv;
struct strvec;

/*
 * The environment an env's commands run in, built explicitly (blitz never
 * changes its own): the variables of environ that pass_env lets through
 * (names or globs such as PIP_*, matched without regard to case), then
 * set_env, then PATH with the env's bin folder first, VIRTUAL_ENV,
 * TOX_ENV_NAME, TOX_ENV_DIR and TOX_WORK_DIR, as tox sets them; tox 4 (not
 * tox3) also forces PYTHONIOENCODING=utf-8 and PIP_USER=0 over set_env.
 * tox 4 installs with this environment too. Appends "KEY=VALUE" strings to
 * out (one per key; usable as envp).
 */
void envvars_build(const struct toxenv *e, const char *work_dir, int tox3, char *const *environ_, struct strvec *out);

/*
 * tox 3's environment for an env's set-up (venv, deps, project): all of
 * environ, then set_env, PATH and the variables above, PIP_USER=0 and
 * PIP_NO_DEPS=0, without PYTHONPATH unless pass_env or set_env names it
 * (only commands are filtered through pass_env in tox 3).
 */
void envvars_build_install_tox3(const struct toxenv *e, const char *work_dir, char *const *environ_, struct strvec *out);

/* KEY=value in envp, over any KEY there; nothing when envp is empty (not in use). */
void envvars_set(struct strvec *envp, const char *key, const char *value);

#endif
