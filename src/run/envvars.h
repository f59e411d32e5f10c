#ifndef BLITZ_ENVVARS_H
#define BLITZ_ENVVARS_H

struct toxenv;
struct strvec;

/*
 * The environment an env's commands run in, built explicitly (blitz never
 * changes its own): the variables of environ that pass_env lets through
 * (names or globs such as PIP_*, matched without regard to case), then
 * set_env, then PATH with the env's bin folder first, VIRTUAL_ENV,
 * TOX_ENV_NAME, TOX_ENV_DIR and TOX_WORK_DIR, as tox sets them. Appends
 * "KEY=VALUE" strings to out (one per key; usable as envp).
 */
void envvars_build(const struct toxenv *e, const char *work_dir, char *const *environ_, struct strvec *out);

#endif
