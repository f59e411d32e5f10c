#ifndef BLITZ_STEPS_H
#define BLITZ_STEPS_H

#include <stddef.h>

#include "../util/strvec.h"

struct toxenv;
struct env_result;
struct job;
struct job_spec;

/* What an env does, in order: each a command the pool runs, but for the runner's own two. */
enum step_kind {
	STEP_CREATE,		/* make the virtual environment */
	STEP_DEPS,		/* install deps */
	STEP_PACKAGE,		/* install the project itself (unless skip_install) */
	STEP_COMMAND,		/* commands_pre, commands, commands_post */
	STEP_LAYER,		/* the runner's: clone the deps it installed once for several envs */
	STEP_WHEEL,		/* the runner's: wait for the project's package, built once, and install that */
	STEP_BUILD,		/* a package task's: the build backend (or pip) makes the package */
	STEP_FREEZE,		/* use_frozen_constraints: what the deps installed, written as constraints */
};

/* Which of an env's command lists a STEP_COMMAND comes from: tox's failure rules differ by list. */
enum step_set { SET_NONE, SET_PRE, SET_MAIN, SET_POST };

struct step {
	enum step_kind kind;
	enum step_set set;	/* a STEP_COMMAND's list */
	struct strvec argv;
	int ignore_exit;	/* a "-" command: its failure does not fail the env */
	char *junit;		/* a pytest command: the JUnit XML it writes (runner's), or NULL */
	size_t pkg_at, pkg_n;	/* an install: where {packages} went in argv, and how many words */
};

struct steps {
	struct step *v;
	size_t n;
	int direct_venv;	/* STEP_CREATE is blitz's own (env/venv.h): its argv only names what it makes */
};

/*
 * The steps of env e, whose interpreter is python (an absolute path):
 * create the venv at e->env_dir (direct_venv: blitz makes it and seeds it
 * itself, and the step's words are "venv [--system-site-packages] DIR"
 * for the log; else `python -m venv DIR`, seeded by ensurepip); install deps
 * and then the project with the env's install_command, {opts} and
 * {packages} filled in as tox does: `-e ROOT[extras]` for editable-legacy
 * (and tox 3's usedevelop), else `ROOT[extras]`, which the package built for
 * the env replaces (run/package.c), ROOT being package_root or tox_root;
 * then commands_pre, commands and commands_post (a tox 3 command keeps its
 * ignore-exit dash in argv: it is taken off here).
 */
void steps_build(const struct toxenv *e, const char *python, int direct_venv, const char *tox_root, int tox3,
		 struct steps *out);

/*
 * Where pytest's own arguments start in a command that runs pytest
 * ("pytest ...", "py.test ...", "python -m pytest ...", "coverage run ...
 * -m pytest ..."): the index after the word "pytest"; -1 for any other
 * command.
 */
long steps_pytest_args(const struct strvec *argv);

/* The --junitxml (--junit-xml) path a pytest command gives itself from index from on, or NULL. */
const char *steps_junit_option(const struct strvec *argv, size_t from);

/*
 * Add an install step of kind at the end: e's install_command with {opts}
 * dropped (--pre there with pip_pre, or at the end when there is no {opts})
 * and {packages} replaced by the words of packages; returns it.
 */
struct step *steps_install(struct steps *s, enum step_kind kind, const struct toxenv *e, const struct strvec *packages);

/* The same, put before step at. */
struct step *steps_install_at(struct steps *s, size_t at, enum step_kind kind, const struct toxenv *e,
			      const struct strvec *packages);

/* Replace the packages of install step st by words. */
void steps_set_packages(struct step *st, const struct strvec *words);

/* Put a step of kind before step i (the runner's own steps); returns it. */
struct step *steps_insert(struct steps *s, size_t i, enum step_kind kind);

/* Take step i out. */
void steps_remove(struct steps *s, size_t i);

void steps_release(struct steps *s);

/* What a step of kind k does, for messages: "installing deps", "command", ... */
const char *step_name(enum step_kind k);

/*
 * Step st's words, shell-quoted so a person can paste them, joined
 * (allocated).
 */
char *step_cmd(const struct step *st);

/* Why job j of step st failed, into why ("" when it did not). */
void step_failure(const struct step *st, const struct job *j, char *why, size_t whysz);

/* Step st ran as job j: into r's steps, described as cmd (or st's words when NULL); a log cut short is warned of. */
void step_record(struct env_result *r, const struct step *st, const struct job *j, const char *cmd);

/* The exit code tox gives a failed job: the process's code, -N when signal N killed it, 2 when it never started. */
int job_tox_code(const struct job *j);

/*
 * How env e's commands are stopped on Ctrl-C, as tox stops them: SIGINT
 * after suicide_timeout, SIGTERM interrupt_timeout later, SIGKILL
 * terminate_timeout later (into spec).
 */
void steps_stop_plan(const struct toxenv *e, struct job_spec *spec);

#endif
