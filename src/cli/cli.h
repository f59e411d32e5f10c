#ifndef BLITZ_CLI_H
#define BLITZ_CLI_H

#include "../util/json.h"
#include "../util/strvec.h"

/* Everything the command line said. */
struct opts {
	const char *command;		/* "list", "config", "run" */
	const char *conf;		/* -c FILE */
	int tox3;			/* --tox3 */
	int all;			/* list --all / -a */
	int json;			/* --json, --format json */
	int core;			/* config --core: the [tox] section too */
	const char *hashseed;		/* --hashseed */
	struct strvec envs;		/* -e */
	struct strvec factors;		/* -f */
	struct strvec labels;		/* -m */
	struct strvec keys;		/* config -k */
	struct strvec posargs;		/* after -- */
	int has_posargs;
	const char *parallel;		/* -p N|auto */
	int fail_fast;			/* --fail-fast */
	int recreate;			/* -r, --recreate */
	int ram;			/* --ram */
	struct strvec files;		/* merge FILE..., timings import FILE... */
	const char *action;		/* timings export|import */
	const char *output;		/* -o, --output FILE */
	const char *durations;		/* --durations N */
	const char *split_by;		/* --split-by test|class|module */
	int no_split;			/* --no-split */
	int dry_run;			/* --dry-run */
	const char *reruns;		/* --reruns N */
	const char *shard;		/* --shard I/N */
	const char *shard_total;	/* --shard-total N (with Kubernetes' JOB_COMPLETION_INDEX) */
	const char *result_json;	/* --result-json FILE */
	const char *timeout;		/* --timeout SECONDS, per command */
	const char *skip_missing;	/* --skip-missing-interpreters [config|true|false] */
};

struct tox;

/* Parse argv into o; on a usage error print it and exit 2. */
void opts_parse(struct opts *o, int argc, char **argv);
void opts_release(struct opts *o);

/* Load the configuration o names (exit 2 with file:line:col on error); warns once about ignored plugins. */
void cli_load(struct tox *t, const struct opts *o);

/* The folder of the project's state (.blitz beside the configuration); the caller frees it. */
char *cli_state_dir(const struct tox *t);

/* Select the envs o asks for into out (exit 2 with a suggestion for an unknown name). */
void cli_select(struct tox *t, const struct opts *o, struct strvec *out);

int cmd_list(const struct opts *o);
int cmd_config(const struct opts *o);
int cmd_check(const struct opts *o);
int cmd_run(const struct opts *o);
int cmd_merge(const struct opts *o);
int cmd_timings(const struct opts *o);

#endif
