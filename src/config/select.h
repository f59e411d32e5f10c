#ifndef BLITZ_SELECT_H
#define BLITZ_SELECT_H

struct tox;
struct strvec;
struct diag;

/* What the user asked for on the command line (and in TOXENV / TOX_SKIP_ENV). */
struct select_opts {
	const struct strvec *envs;	/* -e values, each possibly generative or comma-separated; NULL: none */
	const struct strvec *factors;	/* -f: envs having all of these factors */
	const struct strvec *labels;	/* -m: envs carrying any of these labels */
	const char *toxenv;		/* $TOXENV, used when no -e is given */
	const char *skip_env;		/* $TOX_SKIP_ENV: a regex of env names to leave out */
};

/*
 * Choose envs as tox does: -e (or TOXENV, or the default envlist; "ALL" means
 * every env), narrowed by -f and -m, minus TOX_SKIP_ENV matches. Appends names
 * to out. Returns 0, or -1 with d filled for an env tox would not know
 * (naming the closest one) or a bad TOX_SKIP_ENV pattern.
 */
int select_envs(struct tox *t, const struct select_opts *so, struct strvec *out, struct diag *d);

/* Return the known name most like name (as difflib would rank it), or NULL when none is close. */
const char *select_closest(const struct strvec *known, const char *name);

#endif
