#ifndef BLITZ_ENVCTX_H
#define BLITZ_ENVCTX_H

/*
 * Private to src/config: the state of resolving one env. Values are computed
 * lazily, on first use, because tox's keys refer to each other ({envdir} in
 * commands, {env:X} reading set_env, {[testenv:y]deps} reading another env),
 * and a key under evaluation is kept on a chain so a circular reference is an
 * error instead of an endless loop.
 */

#include <stddef.h>

#include "keys.h"
#include "../util/strmap.h"
#include "../util/strvec.h"

struct tox;
struct diag;
struct ini_entry;

/* Where a set_env entry came from: which later lines may replace it depends on it. */
enum setenv_origin {
	SETENV_LINE,		/* a KEY=VALUE line of the value */
	SETENV_FILE,		/* a file| line's env file */
	SETENV_REF,		/* a line that only held a substitution ({[testenv]set_env}) */
	SETENV_DEFAULT,		/* added by tox itself */
};

struct envctx_setenv {
	char *key;
	char *raw;		/* before substitution; NULL once materialised */
	char *value;		/* after substitution */
	int line;
	int is_default;		/* added by tox itself, not written in the file */
	enum setenv_origin origin;
	int order;		/* the position of the value's line that set it (0, 1, ...) */
};

struct envctx {
	struct tox *t;
	char *name;
	struct strvec factors;
	int package;				/* a packaging env (tox 4): [pkgenv] is its base, not [testenv] */
	const struct ini_section *own;		/* [testenv:NAME] (or the generative header naming it), or NULL */
	const struct ini_section *secs[16];	/* where keys are looked up, in order */
	size_t nsecs;
	struct strvec chain;			/* "key" or "env:KEY" under evaluation */
	int setenv_parsed;
	struct envctx_setenv *se;
	size_t nse, se_alloc;
	struct strvec se_lines;			/* set_env lines that only hold a substitution */
	struct strvec se_lines_pos;		/* "LINE ORDER" of each of them: source line, position in the value */
	char *cache[KEY_COUNT];			/* resolved values, by key_index() */
	struct strvec errors;			/* "key\tmessage": values tox would show as an exception */
	struct strvec refs;			/* "[section]key" values being substituted, for cycles */
	char *pending_ref;			/* the one just read, pushed while its text is substituted */
	struct diag *d;
	int failed;				/* a fatal error is in d */
	struct diag *first_failure;		/* a copy of it, for the next caller who asks (owned) */
	int cur_line, cur_col;			/* where the value being substituted was written */
	char *missing;				/* tox 3: the first {env:KEY} unset and without a default (owned) */
	int missing_line, missing_col;		/* where it was written */
};

/* Return the context for env name, creating it on first use (owned by t). */
struct envctx *envctx_get(struct tox *t, const char *name);

/* Mark c failed, keeping a copy of the diagnostic in c->d for later callers. */
void envctx_fail(struct envctx *c);

/* Free env name's context (made again if asked for later): what is resolved and used need not stay. */
void envctx_forget(struct tox *t, const char *name);

/* Free every context of t. */
void envctx_free_all(struct tox *t);

/*
 * Look key up in the env's sections (all its aliases), strip comments and
 * apply factor conditions. Returns a new string, or NULL when no section sets
 * the key. *where (may be NULL) gets the entry it came from.
 */
char *envctx_raw(struct envctx *c, const char *key, const struct ini_entry **where);

/*
 * Resolve key to its string form as tox would substitute it ({envdir},
 * {basepython}, any setting). Returns a new string, or NULL when the key is
 * unknown; on a fatal error sets c->failed.
 */
char *envctx_value(struct envctx *c, const char *key);

/* Return the set_env value of key (substituted), or NULL when set_env does not set it. */
const char *envctx_setenv(struct envctx *c, const char *key);

/* Make sure every set_env line is parsed and every value substituted. */
void envctx_setenv_all(struct envctx *c);

/*
 * Substitute every {...} in value for this env (tox's replace()). Returns a new
 * string; on a fatal error (circular reference) sets c->failed and fills c->d.
 * in_commands: posargs are inserted shell-quoted.
 */
char *subst(struct envctx *c, const char *value, int depth);


/*
 * The value of entry e as tox's process_raw gives it for this env: comments
 * cut, factor conditions applied, continuations joined. Returns a new string.
 */
char *envctx_process_entry(struct envctx *c, const struct ini_entry *e);

/* Return 1 when v reads true as tox reads a boolean ("true", "1", "yes", "on", any case). */
int tox_bool(const char *v);

/*
 * tox 4's list: one item per line when key's value has several lines, else
 * comma-separated; tox 3 (split_spaces) also splits each item at spaces.
 * Appended to out.
 */
void envctx_list(struct envctx *c, const char *key, int split_spaces, struct strvec *out);

/* key's commands, one per line (tox 3 joins lines ending in a backslash), appended to out. */
struct tox_commands;
struct tox_command;
void envctx_commands(struct envctx *c, const char *key, struct tox_commands *out);

/* Split one command line into cmd's argv as tox does (tox 4: shlex; tox 3: no escapes, '#' comments). */
void envctx_command(struct tox *t, const char *line, struct tox_command *cmd);

/* Whether key is written for this env (in its sections, after conditions): tox uses its default when not. */
int envctx_written(struct envctx *c, const char *key);

/*
 * key read as a boolean as tox does ("true", "1", "yes", "on"; an empty or
 * unset key is false); a value that is none of tox's is reported in
 * c->errors and reads false.
 */
int envctx_flag(struct envctx *c, const char *key);

/* key's value as a string, "" when it has none (a new string). */
char *envctx_str(struct envctx *c, const char *key);

/* The packaging a run env does: package_type, package_env, wheel_build_env (package.c). */
struct toxenv;
void toxenv_package(struct envctx *c, struct toxenv *e);

/* Everything tox 4.58 reads of an env beyond what toxenv.c resolves (settings.c). */
void toxenv_more(struct envctx *c, struct toxenv *e);

/* A packaging env's own settings (meta_dir, pkg_dir, fresh_subprocess, config_settings); "" for a run env. */
void toxenv_package_env(struct envctx *c, struct toxenv *e);

#endif
