#ifndef BLITZ_TOX_H
#define BLITZ_TOX_H

#include <stddef.h>

#include "ini.h"
#include "../util/strmap.h"
#include "../util/strvec.h"

struct diag;

/* How to read the file. */
struct tox_opts {
	const char *path;		/* a file or a folder to search from; NULL: the current folder */
	int tox3;			/* 1: tox 3 semantics; 0: tox 4 unless the file requires tox<4 */
	const struct strvec *posargs;	/* NULL when none were given (then {posargs:default} applies) */
	const char *hashseed;		/* PYTHONHASHSEED for set_env; NULL: a fixed default */
	int isatty;			/* for {tty:on:off} */
};

/* A tox configuration: the file and what is known before any env is resolved. */
struct tox {
	struct ini ini;
	char *path;			/* the config file */
	char *toxinidir;		/* its folder, absolute */
	char *workdir;			/* {toxworkdir} */
	int tox3;			/* semantics in force */
	const struct ini_section *core;	/* [tox] or [tox:tox] */
	const char *env_prefix;		/* "testenv" */
	struct strvec envlist;		/* the default envlist, expanded */
	struct strvec ignored_requires;	/* tox plugins named in requires that blitz does not load */
	struct tox_opts opts;
	char *hashseed;
	struct envcache *cache;		/* resolution contexts of envs already asked for (envctx.c) */
	struct filter_state *filter;	/* values prepared for factor filtering (filter.c) */
	struct strvec all;		/* every env tox -a lists; filled on first use */
	struct strmap all_set;		/* the same, for lookups */
	struct strvec markers;		/* tox 4: the names in all that only condition markers make */
	int all_done;
	struct strvec section_names;	/* env names defined by [testenv:...] headers (expanded) */
	struct strvec section_of;	/* the header each of those names comes from */
	/*
	 * The interpreter a spec names, for keys that need it ({envsitepackagesdir}
	 * of "python3"). Set by the caller: config never starts processes itself.
	 * Returns 0 and fills the version, or -1 when there is no such interpreter.
	 */
	int (*python_info)(const char *spec, int *major, int *minor, char *impl, size_t implsz);
	const char *default_python;	/* base_python of an env that names none (tox: the running python) */
	char note[256];			/* what the front end should tell the user about a choice made, or "" */
	/* Set by the caller: the path of default_python, looked up on first use; NULL keeps the name. */
	const char *(*find_default_python)(const char *name);
};

struct tox_setenv {
	char *key, *value;
};

struct tox_command {
	/*
	 * The words to run. tox 4 takes the ignore-exit dash off ("- cmd" or
	 * "-cmd" run cmd); tox 3 keeps it as written, so with tox3 the runner
	 * strips argv[0]'s leading '-' (or drops a lone "-") itself.
	 */
	struct strvec argv;
	int ignore_exit;		/* a failing exit code does not fail the env */
};

struct tox_commands {
	struct tox_command *v;
	size_t n;
};

/* One env's settings, resolved: substitutions done, factor conditions applied. */
struct toxenv {
	char *name;
	char *description;
	struct strvec base_python;
	struct strvec deps;
	struct tox_commands commands, commands_pre, commands_post;
	struct tox_setenv *set_env;	/* sorted by key */
	size_t n_set_env;
	struct strvec pass_env;
	struct strvec allowlist_externals;
	struct strvec depends;
	struct strvec labels;
	struct strvec extras;
	struct strvec services;		/* blitz_services: the [blitz:service:NAME]s its commands need */
	struct strvec install_command;
	char *env_dir, *change_dir, *platform, *package;
	int skip_install, use_develop, ignore_outcome, ignore_errors, recreate, system_site_packages;
	int skip_missing_interpreters;
	/* A key whose value could not be computed: its name and why (reported like tox's "# Exception"). */
	struct strvec errors;
};

/*
 * Find and read the configuration (tox.ini, setup.cfg [tox:tox], pyproject.toml
 * legacy_tox_ini) and expand the envlist. Returns 0, or -1 with d filled; t is
 * released either way by tox_release().
 */
int tox_load(struct tox *t, const struct tox_opts *o, struct diag *d);

/*
 * Put the work folder ({toxworkdir}, and so every env_dir under it)
 * elsewhere, as tox's --workdir does: before any env is resolved.
 */
void tox_set_workdir(struct tox *t, const char *dir);

/*
 * A [blitz] setting of the file: key's value as true (1) or false (0), def
 * when absent; -1 with d filled (file, line) when it is neither.
 */
int tox_blitz_bool(struct tox *t, const char *key, int def, struct diag *d);

/* A [blitz] setting's value as written (its line into *line, when not NULL), or NULL. */
const char *tox_blitz_value(struct tox *t, const char *key, int *line);

/* Append every env tox -a would list (envlist, [testenv:x] sections, and in tox 4 condition markers). */
void tox_all_envs(struct tox *t, struct strvec *out);

/* Append each ([tox] labels) label/env pair: labels->v[i] names envs->v[i]. */
void tox_core_labels(struct tox *t, struct strvec *labels, struct strvec *envs);

/* Return 1 when env carries label (from [tox] labels or the env's own labels), for -m. */
int tox_env_has_label(struct tox *t, const char *env, const char *label);

/* Return 1 when name is an env tox knows (listed, a section, or made only of known factors). */
int tox_env_known(struct tox *t, const char *name);

/*
 * Resolve env name into e (zeroed by the caller). Returns 0, or -1 with d
 * filled for errors that make the whole file unusable (a circular reference,
 * an unterminated brace, a missing -r file); per-key problems tox reports
 * inline are put in e->errors instead.
 */
int tox_env_resolve(struct tox *t, const char *name, struct toxenv *e, struct diag *d);

/* fnmatch-style match of s against pat (* and ?), case-insensitive with nocase. */
int tox_glob_match(const char *pat, const char *s, int nocase);

/*
 * Resolve every env, as tox 3 does when it reads a file: returns 0, or -1 with
 * d filled for the first env that cannot be resolved.
 */
int tox_check_all(struct tox *t, struct diag *d);

/* Free what e owns. */
void toxenv_release(struct toxenv *e);

/* Drop what resolving env name kept (it is resolved again if asked for): keeps memory flat over a large matrix. */
void tox_env_forget(struct tox *t, const char *name);

/* Free what t owns. */
void tox_release(struct tox *t);

/* The interpreter of envs that name none: find_default_python's answer, asked once. */
const char *tox_default_python(struct tox *t);

/* Return the value of a core setting ([tox] section) as a boolean, tox-style ("true", "1", "yes"). */
int tox_core_flag(struct tox *t, const char *key);

#endif
