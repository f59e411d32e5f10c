#ifndef BLITZ_SERVICE_DEF_H
#define BLITZ_SERVICE_DEF_H

/*
 * Service definitions: [blitz:service:NAME] sections of tox.ini (tox ignores
 * them). Each parallel slot that runs a job needing a service gets its own
 * instance of it (run/services.c); this is what an instance is made from.
 *
 *   path          = folders put before PATH for its commands (globs; newest first;
 *                   {toxinidir} and {env:KEY} only)
 *   user          = who runs its commands when blitz runs as root
 *   setup         = commands run once (their files are copied for every slot)
 *   command       = the server, in the foreground
 *   ready         = unix PATH | tcp PORT | tcp HOST:PORT | cmd COMMAND
 *   ready_timeout = seconds (default 30)
 *   reset         = commands run between two jobs on one slot
 *   env           = KEY = VALUE lines the tests see
 *   pass_env      = variables of blitz's environment its commands get (names or
 *                   globs); else they get only PATH, HOME, USER, LOGNAME, LANG,
 *                   LC_*, TZ and TMPDIR: never a CI token or password of blitz's
 *
 * Values may use {port}, {host}, {service_dir}, {slot}, {name}, {toxinidir}
 * and {env:KEY} / {env:KEY:default}; they are substituted per instance.
 */
#include <stddef.h>

#include "../util/strvec.h"

struct tox;
struct diag;

enum svc_ready { SVC_READY_TCP, SVC_READY_UNIX, SVC_READY_CMD };

struct svc_def {
	char *name;
	struct strvec path;		/* folders before PATH (globs expanded) */
	char *user;			/* NULL: the user blitz runs as */
	struct strvec setup;		/* one command per line, as written */
	char *command;
	enum svc_ready ready;
	char *ready_arg;		/* TCP: [HOST:]PORT; CMD: the command */
	double ready_timeout;
	struct strvec reset;
	struct strvec env_keys, env_values;
	struct strvec pass_env;		/* names or globs of blitz's environment its commands also get */
	int command_line, ready_line, setup_line, reset_line, env_line;
};

struct svc_defs {
	struct svc_def *v;
	size_t n;
};

/* The values substituted into an instance's commands. */
struct svc_vars {
	int port;
	const char *dir;		/* {service_dir} */
	size_t slot;
	const char *toxinidir;
};

/*
 * Read every [blitz:service:NAME] section of t into out (zeroed by the
 * caller). Returns 0, or -1 with d filled (file, line, what to do).
 */
int svc_defs_load(struct tox *t, struct svc_defs *out, struct diag *d);

/* The definition called name, or NULL. */
const struct svc_def *svc_def_find(const struct svc_defs *defs, const char *name);

/*
 * raw with the instance's values put in (allocated), or NULL with err
 * filled when it names something unknown.
 */
char *svc_subst(const struct svc_def *def, const char *raw, const struct svc_vars *v, char *err, size_t errsz);

/* raw substituted and split into words (out), as tox splits commands; -1 with err filled. */
int svc_words(const struct svc_def *def, const char *raw, const struct svc_vars *v, struct strvec *out, char *err,
	      size_t errsz);

void svc_defs_release(struct svc_defs *defs);

#endif
