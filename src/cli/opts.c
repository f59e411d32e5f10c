#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../config/diag.h"
#include "../config/select.h"
#include "../config/tox.h"
#include "../env/interp.h"
#include "../util/util.h"

static const char usage[] =
	"usage: blitz [-c FILE] [--tox3] [COMMAND] [OPTIONS] [-- POSARGS]\n"
	"\n"
	"commands:\n"
	"  list [--all]          the default envs (tox -l); --all adds every defined env (tox -a)\n"
	"  config [-k KEY...]    the resolved settings of the selected envs (tox config); --json\n"
	"                        (tox's --format json), --core (the [tox] section too, as with -e ALL)\n"
	"  check                 what would fail the selected envs before a test runs (missing -r files, ...)\n"
	"  merge FILE... [-o OUT] JUnit XML reports joined into one: a testsuite per suite name, each test\n"
	"                        once (its last result), counts and times summed (default OUT: stdout)\n"
	"  timings export [-o OUT]\n"
	"                        the recent env and test durations of .blitz/state.db as text, for\n"
	"                        another CI node to import (default OUT: stdout)\n"
	"  timings import FILE...\n"
	"                        add exported durations to .blitz/state.db (rows it has are left out)\n"
	"  run (the default)     run the selected envs: venv, deps, the project, commands;\n"
	"                        -p N|auto, --fail-fast, --timeout SECONDS (per command), --result-json FILE,\n"
	"                        --skip-missing-interpreters [config|true|false], -r (rebuild unchanged envs too),\n"
	"                        --ram (envs in a RAM file system for this run, removed after; [blitz] ram = true),\n"
	"                        --durations N (the N slowest tests of the run's pytest commands; default 5, 0: none),\n"
	"                        --split-by test|class|module (what stays in one shard, default class; [blitz] split_by),\n"
	"                        --no-split (every pytest command in one process), --dry-run (print the plan),\n"
	"                        --reruns N (failed tests run again in a fresh process, up to N times; passing\n"
	"                        then, they are reported flaky; [blitz] reruns = N),\n"
	"                        --shard I/N (CI node I of N, from 1: its share of the envs and tests by their\n"
	"                        times; read from CircleCI, GitLab, Buildkite, or Kubernetes' JOB_COMPLETION_INDEX\n"
	"                        with --shard-total N)\n"
	"\n"
	"options:\n"
	"  -c FILE               tox.ini, setup.cfg or pyproject.toml (default: found from here up)\n"
	"  -e ENVS               envs to use, comma-separated or generative ('py3{11,12}-x'); ALL: every env\n"
	"  -f FACTOR             only envs that have this factor (repeatable: all must match)\n"
	"  -m LABEL              only envs that carry this label (repeatable: any may match)\n"
	"  --tox3                read the file as tox 3 does (default: tox 4, or tox 3 when it requires tox<4)\n"
	"  --hashseed N          PYTHONHASHSEED put in set_env (default 0)\n"
	"  -l, -a                same as list, list --all\n"
	"  -h, --help            this text; man blitz for more\n"
	"  --version             print the version\n";

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "blitz: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(blitz --help lists the options)\n");
	exit(2);
}

/* A word after "blitz timings": export or import first, then (import) the files. */
static void timings_word(struct opts *o, const char *a)
{
	if (!o->action) {
		if (strcmp(a, "export") && strcmp(a, "import"))
			bad_usage("unknown timings action '%s': use export or import", a);
		o->action = a;
	} else if (strcmp(o->action, "import") == 0) {
		strvec_push(&o->files, a);
	} else {
		bad_usage("unexpected argument '%s': timings export writes to stdout, or to the file -o names", a);
	}
}

/* The value of the option at argv[*i]: "--opt=V", "-oV", or the next word. */
static const char *value(int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (a[1] == '-' && strchr(a, '='))
		return strchr(a, '=') + 1;
	if (a[1] != '-' && a[2])
		return a + 2;
	if (*i + 1 >= argc)
		bad_usage("option '%s' needs a value", a);
	return argv[++*i];
}

static int is_opt(const char *a, const char *shrt, const char *lng)
{
	size_t n;

	if (shrt && strncmp(a, shrt, 2) == 0 && (a[2] == '\0' || shrt[1] != '-'))
		return 1;
	if (!lng)
		return 0;
	n = strlen(lng);
	return strncmp(a, lng, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

void opts_parse(struct opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			o->has_posargs = 1;
			for (i++; i < argc; i++)
				strvec_push(&o->posargs, argv[i]);
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("blitz %s\n", BLITZ_VERSION);
			exit(0);
		} else if (strcmp(a, "--tox3") == 0) {
			o->tox3 = 1;
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (is_opt(a, NULL, "--format")) {
			/* tox config's spelling: --format ini|json */
			const char *f = value(argc, argv, &i);
			if (strcmp(f, "json") && strcmp(f, "ini"))
				bad_usage("--format '%s': give ini or json", f);
			o->json = strcmp(f, "json") == 0;
		} else if (strcmp(a, "--core") == 0) {
			o->core = 1;
		} else if (strcmp(a, "--all") == 0) {
			o->all = 1;
		} else if (strcmp(a, "-l") == 0) {
			o->command = "list";
		} else if (strcmp(a, "-a") == 0) {
			o->command = "list";
			o->all = 1;
		} else if (is_opt(a, "-c", "--conf") || is_opt(a, NULL, "--configfile")) {
			o->conf = value(argc, argv, &i);
		} else if (is_opt(a, "-e", "--env")) {
			strvec_push(&o->envs, value(argc, argv, &i));
		} else if (is_opt(a, "-f", "--factor")) {
			strvec_push(&o->factors, value(argc, argv, &i));
		} else if (is_opt(a, "-m", "--label")) {
			strvec_push(&o->labels, value(argc, argv, &i));
		} else if (is_opt(a, "-p", "--parallel")) {
			o->parallel = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--timeout")) {
			o->timeout = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--result-json")) {
			o->result_json = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--skip-missing-interpreters")) {
			/* as tox: alone it means true; a value may follow as the next word */
			const char *v = strchr(a, '=') ? strchr(a, '=') + 1 : "true";
			if (!strchr(a, '=') && i + 1 < argc &&
			    (!strcmp(argv[i + 1], "config") || !strcmp(argv[i + 1], "true") || !strcmp(argv[i + 1], "false")))
				v = argv[++i];
			if (strcmp(v, "config") && strcmp(v, "true") && strcmp(v, "false"))
				bad_usage("--skip-missing-interpreters '%s': give config, true or false", v);
			o->skip_missing = v;
		} else if (strcmp(a, "-r") == 0 || strcmp(a, "--recreate") == 0) {
			o->recreate = 1;
		} else if (strcmp(a, "--ram") == 0) {
			o->ram = 1;
		} else if (strcmp(a, "--fail-fast") == 0) {
			o->fail_fast = 1;
		} else if (is_opt(a, NULL, "--hashseed")) {
			o->hashseed = value(argc, argv, &i);
		} else if (is_opt(a, "-k", "--keys")) {
			if (a[1] != '-' && a[2]) {
				strvec_push(&o->keys, a + 2);
				continue;
			}
			if (strchr(a, '=')) {
				strvec_push(&o->keys, strchr(a, '=') + 1);
				continue;
			}
			/* -k takes every word up to the next option, as tox config -k does */
			while (i + 1 < argc && argv[i + 1][0] != '-')
				strvec_push(&o->keys, argv[++i]);
		} else if (is_opt(a, NULL, "--split-by")) {
			o->split_by = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--shard")) {
			o->shard = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--shard-total")) {
			o->shard_total = value(argc, argv, &i);
		} else if (is_opt(a, NULL, "--reruns")) {
			o->reruns = value(argc, argv, &i);
		} else if (strcmp(a, "--no-split") == 0) {
			o->no_split = 1;
		} else if (strcmp(a, "--dry-run") == 0) {
			o->dry_run = 1;
		} else if (is_opt(a, NULL, "--durations")) {
			o->durations = value(argc, argv, &i);
		} else if (is_opt(a, "-o", "--output")) {
			o->output = value(argc, argv, &i);
		} else if (a[0] == '-' && a[1]) {
			bad_usage("unknown option '%s'", a);
		} else if (o->command && strcmp(o->command, "merge") == 0) {
			strvec_push(&o->files, a);
		} else if (o->command && strcmp(o->command, "timings") == 0) {
			timings_word(o, a);
		} else if (!o->command) {
			if (strcmp(a, "list") && strcmp(a, "config") && strcmp(a, "check") && strcmp(a, "run") &&
			    strcmp(a, "merge") && strcmp(a, "timings") && strcmp(a, "l") && strcmp(a, "c"))
				bad_usage("unknown command '%s': use run, list, config, check, merge or timings", a);
			o->command = strcmp(a, "l") == 0 ? "list" : strcmp(a, "c") == 0 ? "config" : a;
		} else {
			bad_usage("unexpected argument '%s'", a);
		}
	}
}

void opts_release(struct opts *o)
{
	strvec_clear(&o->envs);
	strvec_clear(&o->factors);
	strvec_clear(&o->labels);
	strvec_clear(&o->keys);
	strvec_clear(&o->posargs);
	strvec_clear(&o->files);
}

static _Noreturn void die_diag(const struct diag *d)
{
	char *msg = diag_format(d);

	fprintf(stderr, "blitz: error: %s\n", msg);
	free(msg);
	exit(2);
}

void cli_load(struct tox *t, const struct opts *o)
{
	struct tox_opts to;
	struct diag d = { 0 };

	memset(&to, 0, sizeof(to));
	to.path = o->conf;
	to.tox3 = o->tox3;
	to.posargs = o->has_posargs ? &o->posargs : NULL;
	to.hashseed = o->hashseed;
	to.isatty = isatty(1);
	if (tox_load(t, &to, &d) < 0)
		die_diag(&d);
	t->python_info = interp_info;
	t->find_default_python = interp_path;
	/* tox 3 reads every env when it loads a file, so one broken env rejects the file */
	if (t->tox3 && tox_check_all(t, &d) < 0)
		die_diag(&d);
	for (size_t i = 0; i < t->ignored_requires.n; i++)
		fprintf(stderr, "blitz: note: %s: ignoring [tox] requires '%s' (blitz loads no tox plugins and needs nothing of tox itself)\n",
			t->path, t->ignored_requires.v[i]);
}

char *cli_state_dir(const struct tox *t)
{
	return xconcat(t->toxinidir, "/.blitz", NULL);
}

void cli_select(struct tox *t, const struct opts *o, struct strvec *out)
{
	struct select_opts so;
	struct diag d = { 0 };

	so.envs = &o->envs;
	so.factors = &o->factors;
	so.labels = &o->labels;
	so.toxenv = getenv("TOXENV");
	so.skip_env = getenv("TOX_SKIP_ENV");
	if (select_envs(t, &so, out, &d) < 0)
		die_diag(&d);
	if (t->note[0])
		fprintf(stderr, "blitz: note: %s\n", t->note);
}
