#ifndef BLITZ_STEPS_H
#define BLITZ_STEPS_H

#include <stddef.h>

#include "../util/strvec.h"

struct toxenv;

/* What an env does, in order: each a command the pool runs, but for the runner's own two. */
enum step_kind {
	STEP_CREATE,		/* make the virtual environment */
	STEP_DEPS,		/* install deps */
	STEP_PACKAGE,		/* install the project itself (unless skip_install) */
	STEP_COMMAND,		/* commands_pre, commands, commands_post */
	STEP_LAYER,		/* the runner's: clone the deps it installed once for several envs */
	STEP_WHEEL,		/* the runner's: wait for the project's wheel, built once, and install that */
};

struct step {
	enum step_kind kind;
	struct strvec argv;
	int ignore_exit;	/* a "-" command: its failure does not fail the env */
	char *junit;		/* a pytest command: the JUnit XML it writes (runner's), or NULL */
};

struct steps {
	struct step *v;
	size_t n;
	int outside_pip;	/* deps and project go in with the pip_dir's pip, run from outside the env */
};

/*
 * The steps of env e, whose interpreter is python (an absolute path):
 * create the venv at e->env_dir with `python -m venv`, without pip when it
 * installs nothing, or when pip_dir (a folder holding a pip package python
 * can run, see env/pipcache.h, or NULL) does the installing: then tox's own
 * install_command runs as `python -I PIP_DIR/pip install ...` in an env whose
 * commands do not use pip themselves, which saves seeding pip into every
 * venv; install deps and then
 * the project (the folder tox_root, editable with use_develop) with the
 * env's install_command, {opts} and {packages} filled in as tox does; then
 * commands_pre, commands and commands_post (a tox 3 command keeps its
 * ignore-exit dash in argv: it is taken off here).
 */
void steps_build(const struct toxenv *e, const char *python, const char *pip_dir, const char *tox_root, int tox3,
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

/* Put a step of kind before step i (the runner's own steps); returns it. */
struct step *steps_insert(struct steps *s, size_t i, enum step_kind kind);

/* Take step i out. */
void steps_remove(struct steps *s, size_t i);

void steps_release(struct steps *s);

#endif
