#ifndef BLITZ_TOX_H
#define BLITZ_TOX_H

/*
 * A tox configuration: loading the file (tox.c), resolving an env's keys
 * (envctx.c, with subst.c and setenv.c) and reading them as typed settings
 * (toxenv.c, with settings.c and package.c).
 *
 * Call cycle: envctx.c package.c setenv.c settings.c subst.c tox.c toxenv.c
 *
 * These seven files call each other in a circle on purpose. This is the one
 * call cycle config keeps: tox's values refer to each other across envs, so
 * resolving one value may resolve any other, and no layering removes that.
 * - envctx.c reads a key's raw text and has subst.c substitute it. A
 *   {[testenv:x]key} or {key} there resolves another env's (or the same
 *   env's) setting through envctx_get/envctx_value in envctx.c, and that
 *   value is substituted again, and so on.
 * - {env:K} reads set_env (setenv.c), whose lines are substituted only when
 *   asked for, so setenv.c calls subst.c and subst.c calls setenv.c.
 * - The core section's values (work_dir, labels) are substituted in an env's
 *   context, so tox.c calls envctx.c and subst.c. An env's context asks tox.c
 *   for core flags, the default python and which envs are packaging envs.
 * - toxenv.c reads the typed settings through envctx.c, and settings.c adds
 *   more (toxenv_more) using toxenv.c's typed readers. Its packaging settings
 *   (package.c) resolve the packaging env, which is another env read by
 *   toxenv.c and envctx.c again.
 * The recursion ends: envctx_value refuses a key already on its env's chain,
 * subst.c refuses a [section]key it is already substituting, and subst.c
 * stops at 100 levels of nesting. Each is an error that says to break the
 * cycle.
 */

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
	struct strmap pkg_envs;		/* tox 4: names the file gives packaging envs (tox_is_package_env) */
	int pkg_envs_done;
	int all_done;
	struct strvec section_names;	/* env names defined by [testenv:...] headers (expanded) */
	struct strvec section_of;	/* the header each of those names comes from */
	struct strmap section_ids;	/* a name of section_names: its index there */
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
	struct strvec base_python;	/* tox 4: empty when the file sets it empty (tox then runs its own python) */
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

	/*
	 * The rest as tox 4.58 resolves each setting, its defaults included
	 * (tox 3 files: tox 3's meaning where tox 3 has the setting, else the
	 * default). The fields above keep their meaning: package above is the
	 * setting as written, package_type the package tox builds.
	 */
	int is_package_env;		/* resolved as a packaging env (.pkg): [testenv:NAME], then [pkgenv]; the run keys below are defaults */
	char *env_bin_dir;		/* {env_dir}/bin */
	char *env_python;		/* {env_dir}/bin/python */
	char *env_site_packages_dir;	/* {env_dir}/lib/pythonX.Y/site-packages, the version read off base_python */
	char *py_dot_ver;		/* the interpreter's "3.12", read off base_python (or asked of it); "" when unknown */
	char *py_impl;			/* "cpython", "pypy", ... likewise */
	int py_free_threaded, py_debug;	/* base_python names a free-threaded ("3.13t") or a debug ("3.12d") build */
	struct strvec default_base_python;	/* base_python of an env whose name and settings give none: tox's own python */
	/*
	 * How the project gets into the env: "sdist" (the default), "wheel",
	 * "sdist-wheel", "editable" (also use_develop), "editable-legacy",
	 * "deps-only", "external", or "skip": skip_install, [tox] no_package
	 * (skipsdist), or no pyproject.toml, setup.py or setup.cfg in tox_root.
	 * "" for a packaging env.
	 */
	char *package_type;
	char *package_env;		/* the packaging env that builds it: package_env, else [tox]'s, else ".pkg"; "" when package_type is "skip" */
	/*
	 * package_type wheel, sdist-wheel or editable: the env that builds the
	 * wheel (wheel_build_env): package_env when this env's interpreter is the
	 * packaging env's (same implementation, version, free-threading), else
	 * package_env-IMPLVERSION, as ".pkg-cpython311" or ".pkg-cpython313t".
	 * "" for the other package types.
	 */
	char *wheel_build_env;
	char *package_root;		/* where pyproject.toml or setup.py is (package_root, alias setupdir): default [tox]'s, else tox_root */
	int no_package;			/* [tox] no_package / skipsdist: nothing is packaged for any env */
	struct strvec dependency_groups;	/* PEP 735 groups of pyproject.toml to install: names normalised ("Test_Deps" -> "test-deps"), sorted */
	int pip_pre;			/* install with --pre (in place of {opts} in install_command) */
	int constrain_package_deps;	/* the constraints apply to the package's own dependencies too */
	int use_frozen_constraints;	/* constrain with the versions installed, not with the deps as listed */
	char *env_tmp_dir;		/* {work_dir}/NAME/tmp unless set: it stays there when env_dir moves (tox 3: {env_dir}/tmp) */
	char *env_log_dir;		/* {work_dir}/NAME/log likewise (tox 3: {env_dir}/log) */
	/* tox's three stages of stopping a command, in seconds: */
	double suicide_timeout;		/* for it to exit by itself before SIGINT: 0.0 */
	double interrupt_timeout;	/* after SIGINT, before SIGTERM: 0.3 */
	double terminate_timeout;	/* after SIGTERM, before SIGKILL: 0.2 */
	struct tox_commands extra_setup_commands;	/* run after deps and the package are installed, before commands_pre */
	struct tox_commands recreate_commands;		/* run before the env is removed to be made again */
	struct strvec list_dependencies_command;	/* the freeze command: python -m pip freeze --all */
	struct strvec disallow_pass_env;	/* patterns taken out of what pass_env lets through */
	int parallel_show_output;	/* show the commands' output when run in parallel */
	int interrupt_post_commands;	/* run commands_post after an interrupt too */
	int args_are_paths;		/* relative posargs that are paths are made relative to change_dir (default 1) */
	int commands_retry;		/* times a failed command is run again: 0 */
	int fail_fast;			/* stop the run when this env fails */
	int always_copy;		/* venv copies instead of symlinks (default: $VIRTUALENV_COPIES / $VIRTUALENV_ALWAYS_COPY) */
	int download;			/* upgrade the seeded pip and setuptools (default: $VIRTUALENV_DOWNLOAD) */
	char *virtualenv_spec;		/* a virtualenv version to create the env with ("virtualenv<21.5.0" for Python <= 3.8); "" */
	char *pylock;			/* a PEP 751 pylock.toml to install from, relative to package_root; "" */
	struct strvec base_python_file;	/* files naming the Python version (.python-version), first found wins */
	char *runner;			/* "virtualenv" */
	struct strvec base;		/* the sections missing keys come from: [testenv] (a packaging env: [pkgenv]) */
	char *meta_dir, *pkg_dir;	/* packaging env: {env_dir}/.meta, {env_dir}/dist */
	int fresh_subprocess;		/* packaging env: a new backend process per request (default: 1 for a setuptools backend) */
	/*
	 * packaging env: the config_settings_ENDPOINT settings written (ENDPOINT
	 * one of build_wheel, build_sdist, ...), each as "ENDPOINT\tKEY\tVALUE".
	 */
	struct strvec config_settings;
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

/*
 * The name of the env that builds the project's package: [tox] package_env
 * (tox 3 and 4: isolated_build_env), ".pkg" by default (tox 3: ".package").
 * Returns a new string.
 */
char *tox_core_package_env(struct tox *t);

/*
 * Return 1 when tox 4 resolves env name as a packaging env (its sections are
 * [testenv:NAME] and then [pkgenv], not [testenv]): the core package_env,
 * a wheel build env made from it (".pkg-cpython311"), or a name some
 * package_env or wheel_build_env setting of the file gives. 0 in tox 3 mode.
 */
int tox_is_package_env(struct tox *t, const char *name);

/*
 * Return 1 when tox 4 uses env name to build a package for some env of the
 * file (its package_env or wheel_build_env): tox then neither lists nor runs
 * it as an env of its own, even when [testenv:NAME] exists. Resolves envs
 * until one uses it.
 */
int tox_package_env_in_use(struct tox *t, const char *name);

/* tox_all_envs() without the packaging envs in use: what tox -a lists and ALL runs. */
void tox_run_envs(struct tox *t, struct strvec *out);

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

/*
 * Append to out (sorted) the keys written for env name that tox 4 would not
 * read, as its `config` reports them ("# !!! unused: ..."): the keys of the
 * first of the env's sections ([testenv:NAME], else its base) that are not
 * in known (spellings tox reads, aliases included).
 */
void tox_env_unused(struct tox *t, const char *name, const struct strvec *known, struct strvec *out);

/* Drop what resolving env name kept (it is resolved again if asked for): keeps memory flat over a large matrix. */
void tox_env_forget(struct tox *t, const char *name);

/* Free what t owns. */
void tox_release(struct tox *t);

/* The interpreter of envs that name none: find_default_python's answer, asked once. */
const char *tox_default_python(struct tox *t);

/*
 * A core key ({toxinidir}, {toxworkdir}, min_version, ...): the folders tox
 * computes, else the setting as written in the core section (comments cut).
 * Returns a new string; NULL when key is no core key or is not written.
 */
char *tox_core_value(struct tox *t, const char *key);

/* Return the value of a core setting ([tox] section) as a boolean, tox-style ("true", "1", "yes"). */
int tox_core_flag(struct tox *t, const char *key);

#endif
