/*
 * An env's pytest command run in shards (plugin.c has blitz's pytest
 * plugin and what a pytest process needs to load it): its tests' node ids collected once
 * (and kept in the state db while the test tree, the env and the command
 * are unchanged), split by their times in earlier runs into shards, each a
 * pytest process of its own writing its own JUnit XML, run in parallel over
 * the slots. blitz's pytest plugin (blitz_pytest.py, built in) does the
 * collecting and the selecting inside pytest. The only writer of struct
 * split and of struct shard: a split owns its jobs, and reports its end to
 * its env's state machine.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool.h"
#include "../env/fingerprint.h"
#include "../plan/shards.h"
#include "../plan/split.h"
#include "../state/db.h"
#include "../util/strmap.h"
#include "../util/util.h"

/* A shard keeps the groups placed for it until it holds this share of its work; the rest is queued. */
#define QUEUE_PIN 0.5

struct shard {
	struct split *split;		/* the split it is part of */
	struct step step;		/* its command (a STEP_COMMAND) */
	struct strvec envp;
	char *log;			/* its output */
	char *junit;			/* the JUnit XML it writes */
	char *report;			/* what it started, and what it was given but did not collect (BLITZ_REPORT) */
	size_t ntests;
	int started, done, failed;
	int rerun;			/* it reruns the tests that failed */
	int sweep;			/* it runs every test no other shard ran */
};

struct split {
	struct envrun *er;		/* whose step it is (read only: the env's state is envrun.c's) */
	split_report_fn *report;	/* how it tells that env its end */
	size_t step;			/* the step run in shards */
	long at;			/* where pytest's own arguments start in its words */
	char *key;			/* of its collection in the state db */
	char *collected;		/* the file its node ids are collected into */
	int collecting;
	struct shard *v;
	size_t n, next, running, finished;
	size_t junit_from;		/* the run's report holds its tests from here on */
	char why[640];			/* the first shard's failure */
	int code;			/* its exit code, as tox gives it */
	int not_tests;			/* a failure that is no failed test (pytest's exit code is not 1) */
	size_t reruns;			/* reruns done (--reruns) */
	int swept;			/* a sweep ran: the tests that fell between the shards */
	size_t rerun_from;		/* the tests the next rerun looks at start here in the run's report */
};

/*
 * What decides the node ids er's step st collects: the test tree's code,
 * the env, the command and its environment. A collection gone stale anyway
 * (a test parametrized from a data file) loses no test: the first shard
 * runs whatever the collection did not name.
 */
static char *collection_key(struct ctx *c, const struct envrun *er, const struct strvec *argv)
{
	uint64_t h = fp_str(FP_INIT, "blitz collect 1");
	struct strvec env = STRVEC_INIT;

	uint64_t tree = tree_fp(c, 1);

	h = fp_bytes(h, &tree, sizeof(tree));
	h = fp_bytes(h, &er->fp_setup, sizeof(er->fp_setup));
	h = fp_bytes(h, &er->fp_package, sizeof(er->fp_package));
	h = fp_strvec(h, argv);
	h = fp_str(h, er->e.change_dir);
	strvec_extend(&env, &er->envp);
	strvec_sort(&env);
	h = fp_strvec(h, &env);
	strvec_clear(&env);
	return xasprintf("%016llx", (unsigned long long)h);
}

/* The file part of a node id ("tests/test_a.py" of "tests/test_a.py::test_x[1]"). */
static size_t file_len(const char *nodeid)
{
	return split_group_len(nodeid, SPLIT_MODULE);
}

static void split_lines(const char *text, struct strvec *out)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		if (n)
			strvec_push_owned(out, xstrndup(text, n));
		text += n + (text[n] == '\n');
	}
}

/* The predicted seconds of each of n node ids from env's history; unknown ones get the mean of the known. */
static void predict(struct ctx *c, const char *env, const struct strvec *ids, double *secs)
{
	char **hist = NULL;
	double *hsecs = NULL, known = 0;
	size_t nh = db_env_tests(c->db, env, &hist, &hsecs), nknown = 0;
	struct strmap map = STRMAP_INIT;

	for (size_t i = 0; i < nh; i++)
		strmap_intern(&map, hist[i], strlen(hist[i]));
	for (size_t i = 0; i < ids->n; i++) {
		char *key = split_junit_key(ids->v[i]);
		int at = strmap_get(&map, key, strlen(key));
		secs[i] = at >= 0 ? hsecs[at] : -1;
		if (at >= 0) {
			known += secs[i];
			nknown++;
		}
		free(key);
	}
	for (size_t i = 0; i < ids->n; i++)
		if (secs[i] < 0)
			secs[i] = nknown ? known / (double)nknown : 1.0;
	for (size_t i = 0; i < nh; i++)
		free(hist[i]);
	free(hist);
	free(hsecs);
	strmap_clear(&map);
}

/*
 * The queue shards take groups of tests from as each gets free: a file of
 * the queued groups, longest first, one a line (node ids joined by tabs),
 * and beside it FILE.next, the number of the next group to take (the
 * plugin takes one under a lock). Returns the file's path, or NULL.
 */
static char *write_queue(struct ctx *c, struct envrun *er, const struct strvec *ids, const long *qrank)
{
	char *path = xasprintf("%s/%s.queue.txt", c->o->run_dir, er->r->name);
	char *next = xconcat(path, ".next", NULL);
	FILE *f = fopen(path, "w"), *g = fopen(next, "w");
	long most = -1;
	int ok = f && g;

	for (size_t i = 0; i < ids->n; i++)
		most = qrank[i] > most ? qrank[i] : most;
	for (long r = 0; ok && r <= most; r++) {
		int first = 1;
		for (size_t i = 0; i < ids->n; i++)
			if (qrank[i] == r) {
				fprintf(f, "%s%s", first ? "" : "\t", ids->v[i]);
				first = 0;
			}
		fputc('\n', f);
	}
	if (g && fputs("0", g) == EOF)
		ok = 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (g && fclose(g) != 0)
		ok = 0;
	free(next);
	if (!ok) {
		record_line(er->r, "tests not split: cannot write", path);
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Split the collected node ids (text, one a line) into er's shards: their
 * files, commands and environments. Returns 0, 1 when none of them is this
 * node's (--shard), or -1 when there is nothing to split (then the command
 * runs as written; the reason is in er's log).
 */
static int make_shards(struct ctx *c, struct split *sp, char *text)
{
	struct envrun *er = sp->er;
	const struct step *st = &er->steps.v[sp->step];
	struct strvec ids = STRVEC_INIT, base = STRVEC_INIT;
	int rc = -1;

	if (text[0] == '!') {
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		record_line(er->r, "tests not split:", text + 1);
		return -1;
	}
	split_lines(text, &ids);
	if (er->share) {
		/* --shard: this node's part of the tests only */
		size_t k = 0;
		for (size_t i = 0; i < ids.n; i++) {
			char *key = split_junit_key(ids.v[i]);
			if (share_has(er->share, key))
				ids.v[k++] = ids.v[i];
			else
				free(ids.v[i]);
			free(key);
		}
		ids.n = k;
		if (!k) {
			strvec_clear(&ids);
			record_line(er->r, "none of its tests is this node's (--shard): skipping", st->argv.v[0]);
			return 1;
		}
	} else if (ids.n < 2) {
		strvec_clear(&ids);
		return -1;
	}
	double *secs = xcalloc(ids.n, sizeof(*secs));
	size_t *shard_of = xcalloc(ids.n, sizeof(*shard_of));
	long *qrank = xcalloc(ids.n, sizeof(*qrank));
	char *queue = NULL;
	predict(c, er->r->name, &ids, secs);
	size_t k = split_partition_queue(ids.n, (const char *const *)ids.v, secs, (enum split_by)c->o->split_by, er->shards, shard_of,
					 NULL, er->shards > 1 ? QUEUE_PIN : 0, qrank);
	if (k < 2 && !er->share)
		goto out;
	if (k > 1 && !(queue = write_queue(c, er, &ids, qrank)))
		goto out;
	plugin_without_junit(&st->argv, sp->at, &base);
	sp->v = xcalloc(k, sizeof(*sp->v));
	sp->n = k;
	for (size_t s = 0; s < k; s++) {
		struct shard *sh = &sp->v[s];
		sh->split = sp;
		char *list = xasprintf("%s/%s.shard-%zu.txt", c->o->run_dir, er->r->name, s + 1);
		FILE *f = fopen(list, "w");
		struct strmap mine = STRMAP_INIT, skipped = STRMAP_INIT;
		if (!f) {
			record_line(er->r, "tests not split: cannot write", list);
			free(list);
			goto out;
		}
		fputs("[run]\n", f);
		for (size_t i = 0; i < ids.n; i++) {
			int queued = queue && qrank[i] >= 0;
			if (shard_of[i] == s && !queued) {
				fprintf(f, "%s\n", ids.v[i]);
				sh->ntests++;
			}
			if ((shard_of[i] == s && !queued) || queued)
				strmap_intern(&mine, ids.v[i], file_len(ids.v[i]));
		}
		/* the files with none of its tests (and none of the queue's) are not even collected */
		fputs("[skip]\n", f);
		for (size_t i = 0; i < ids.n; i++) {
			size_t n = file_len(ids.v[i]);
			if (strmap_get(&mine, ids.v[i], n) < 0 && strmap_get(&skipped, ids.v[i], n) < 0) {
				strmap_intern(&skipped, ids.v[i], n);
				fprintf(f, "%.*s\n", (int)n, ids.v[i]);
			}
		}
		strmap_clear(&mine);
		strmap_clear(&skipped);
		fclose(f);
		sh->step.kind = STEP_COMMAND;
		strvec_extend(&sh->step.argv, &base);
		sh->junit = xasprintf("%s/%s.shard-%zu.xml", c->o->run_dir, er->r->name, s + 1);
		sh->log = xasprintf("%s/%s.shard-%zu.log", c->o->run_dir, er->r->name, s + 1);
		strvec_insert(&sh->step.argv, (size_t)sp->at, "-p");
		strvec_insert(&sh->step.argv, (size_t)sp->at + 1, "blitz_pytest");
		strvec_push_owned(&sh->step.argv, xconcat("--junitxml=", sh->junit, NULL));
		/* the --junitxml at the end: after a "--", pytest would take it for a path */
		if (strvec_find(&base, "--") >= 0) {
			strvec_remove(&sh->step.argv, sh->step.argv.n - 1);
			strvec_insert(&sh->step.argv, (size_t)sp->at + 2, sh->junit);
			strvec_insert(&sh->step.argv, (size_t)sp->at + 2, "--junitxml");
		}
		sh->report = xasprintf("%s/%s.shard-%zu.report", c->o->run_dir, er->r->name, s + 1);
		unlink(sh->report);
		char *file = xconcat("BLITZ_SHARD_FILE=", list, NULL), *report = xconcat("BLITZ_REPORT=", sh->report, NULL);
		char *q = queue ? xconcat("BLITZ_QUEUE=", queue, NULL) : NULL;
		/* the first shard also runs tests the collection did not see (but on one node only) */
		char *all = s == 0 && (!er->share || er->share->node == share_first(er->share)) ?
			xconcat("BLITZ_ALL_IDS=", sp->collected, NULL) : NULL;
		char *collected = xconcat("BLITZ_COLLECTED=", sp->collected, NULL);
		const char *vars[] = { file, report, collected, q ? q : all, q ? all : NULL, NULL };
		plugin_envp(c, er, vars, &sh->envp);
		free(file);
		free(report);
		free(collected);
		free(q);
		free(all);
		free(list);
	}
	rc = 0;
	{
		char what[160];
		size_t nq = 0;
		for (size_t i = 0; queue && i < ids.n; i++)
			nq += qrank[i] >= 0;
		snprintf(what, sizeof(what), "%zu tests in %zu shards, each a pytest process (%zu of them in a queue the "
			 "shards take from as each gets free); their logs:", ids.n, k, nq);
		char *where = xasprintf("%s/%s.shard-*.log", c->o->run_dir, er->r->name);
		record_line(er->r, what, where);
		free(where);
	}
out:
	strvec_clear(&base);
	strvec_clear(&ids);
	free(secs);
	free(shard_of);
	free(qrank);
	free(queue);
	return rc;
}

static void start_shard(struct ctx *c, struct split *sp);

/*
 * make_shards gave rc: 0, start the first shard (returns sp); else the
 * split is over before it began (NULL returned, *how says why; sp is for
 * its holder to free):
 * 1, this node has none of the tests (SPLIT_SKIPPED: the step is done);
 * -1, the tests cannot be split (SPLIT_AS_WRITTEN: they run in one
 * process), but under --shard on one node only, the first that has part
 * of them (the others: SPLIT_SKIPPED).
 */
static struct split *made(struct ctx *c, struct split *sp, int rc, enum split_end *how)
{
	const struct envrun *er = sp->er;

	if (rc == 0) {
		start_shard(c, sp);
		return sp;
	}
	*how = rc > 0 ? SPLIT_SKIPPED : SPLIT_AS_WRITTEN;
	if (rc < 0 && er->share && er->share->node != share_first(er->share)) {
		record_line(er->r, "its tests cannot be split, and run whole on another node (--shard): skipping",
			    er->e.change_dir);
		*how = SPLIT_SKIPPED;
	}
	return NULL;
}

/* What shard_start returns: the split made (sp), or NULL with sp freed (no env holds it yet). */
static struct split *over(struct split *made_sp, struct split *sp)
{
	if (!made_sp)
		shard_free(sp);
	return made_sp;
}

static void shard_job_done(void *run, void *owner, struct job *j);

static void start_shard(struct ctx *c, struct split *sp)
{
	struct envrun *er = sp->er;
	struct shard *sh = &sp->v[sp->next++];
	struct job_spec spec = { 0 };

	spec.argv = sh->step.argv.v;
	spec.envp = sh->envp.v;
	spec.cwd = er->e.change_dir;
	spec.log_path = sh->log;
	spec.timeout_ns = er->timeout_ns;
	steps_stop_plan(&er->e, &spec);
	spec.done = shard_job_done;
	spec.owner = sh;
	spec.label = er->r->name;
	sh->started = 1;
	sp->running++;
	services_start_job(c, er, &spec, sh - sp->v, sh->rerun);
}

static void collect_done(void *run, void *owner, struct job *j);

struct split *shard_start(struct ctx *c, struct envrun *er, split_report_fn *report, enum split_end *how)
{
	const struct step *st = &er->steps.v[er->next];
	long at = steps_pytest_args(&st->argv);
	struct split *sp = xcalloc(1, sizeof(*sp));
	struct strvec base = STRVEC_INIT;

	sp->er = er;
	sp->report = report;
	if (at < 0 || !plugin_dir(c))
		return over(made(c, sp, -1, how), sp);	/* as written (under --shard, on one node) */
	sp->step = er->next;
	sp->at = at;
	sp->junit_from = c->tests.junit.n;
	sp->collected = xasprintf("%s/%s.collected.txt", c->o->run_dir, er->r->name);
	plugin_without_junit(&st->argv, at, &base);
	sp->key = collection_key(c, er, &base);
	char *ids = db_collected(c->db, sp->key);
	if (ids) {
		/* collected by an earlier run of the same tree, env and command */
		FILE *f = fopen(sp->collected, "w");
		if (f) {
			fputs(ids, f);
			fclose(f);
		}
		int rc = f ? make_shards(c, sp, ids) : -1;
		free(ids);
		strvec_clear(&base);
		if (rc == 0)
			record_line(er->r, "node ids from the collection of an earlier run:", sp->key);
		return over(made(c, sp, rc, how), sp);
	}
	struct job_spec spec = { 0 };
	struct strvec envp = STRVEC_INIT;
	char *var = xconcat("BLITZ_COLLECT=", sp->collected, NULL);
	strvec_insert(&base, (size_t)at, "-p");
	strvec_insert(&base, (size_t)at + 1, "blitz_pytest");
	strvec_insert(&base, (size_t)at + 2, "--collect-only");
	strvec_insert(&base, (size_t)at + 3, "-qq");
	const char *vars[] = { var, NULL };
	plugin_envp(c, er, vars, &envp);
	free(var);
	unlink(sp->collected);
	record_line(er->r, "collecting the tests to split them, in", er->e.change_dir);
	spec.argv = base.v;
	spec.envp = envp.v;
	spec.cwd = er->e.change_dir;
	spec.log_path = er->r->log_path;
	spec.append = 1;
	spec.timeout_ns = er->timeout_ns;
	steps_stop_plan(&er->e, &spec);
	spec.done = collect_done;
	spec.owner = sp;
	spec.label = er->r->name;
	sp->collecting = 1;
	services_start_job(c, er, &spec, -1, 0);
	strvec_clear(&base);
	strvec_clear(&envp);
	return sp;
}

/* Copy the log of a shard into its env's log, so the env's tail shows what failed. */
static void append_shard_log(const struct envrun *er, const struct shard *sh, size_t i, size_t n)
{
	size_t len = 0;
	char *text = read_file(sh->log, &len);
	FILE *f = fopen(er->r->log_path, "a");

	if (f) {
		if (sh->rerun)
			fprintf(f, "[blitz] %s: the rerun of %zu failed test%s failed; its log %s:\n", er->r->name,
				sh->ntests, sh->ntests == 1 ? "" : "s", sh->log);
		else
			fprintf(f, "[blitz] %s: shard %zu of %zu (%zu tests) failed; its log %s:\n", er->r->name, i + 1,
				n, sh->ntests, sh->log);
		if (text)
			fwrite(text, 1, len, f);
		fclose(f);
	}
	free(text);
}

/*
 * Rerun in a fresh pytest process the tests of er's split step that failed
 * (those in the run's report from sp->rerun_from on). Returns 0 when one
 * started, -1 when there is nothing to rerun.
 */
static int start_rerun(struct ctx *c, struct split *sp)
{
	struct envrun *er = sp->er;
	const struct step *st = &er->steps.v[sp->step];
	struct strmap keys = STRMAP_INIT;
	struct strvec list = STRVEC_INIT;

	for (size_t i = sp->rerun_from; i < c->tests.junit.n; i++) {
		const struct junit_case *jc = &c->tests.junit.v[i];
		if (strcmp(jc->suite, er->r->name) != 0 || (jc->outcome != JUNIT_FAILED && jc->outcome != JUNIT_ERROR))
			continue;
		char *key = xconcat(jc->classname, "::", jc->name, NULL);
		if (strmap_add(&keys, key))
			strvec_push(&list, key);
		free(key);
	}
	strmap_clear(&keys);
	if (!list.n) {
		strvec_clear(&list);
		return -1;
	}
	size_t r = ++sp->reruns;
	char *file = xasprintf("%s/%s.rerun-%zu.txt", c->o->run_dir, er->r->name, r);
	FILE *f = fopen(file, "w");
	if (!f) {
		free(file);
		strvec_clear(&list);
		return -1;
	}
	fputs("[keys]\n", f);
	for (size_t i = 0; i < list.n; i++)
		fprintf(f, "%s\n", list.v[i]);
	fclose(f);
	sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
	struct shard *sh = &sp->v[sp->n++];
	memset(sh, 0, sizeof(*sh));
	sh->split = sp;
	sh->rerun = 1;
	sh->ntests = list.n;
	sh->step.kind = STEP_COMMAND;
	plugin_without_junit(&st->argv, sp->at, &sh->step.argv);
	sh->junit = xasprintf("%s/%s.rerun-%zu.xml", c->o->run_dir, er->r->name, r);
	sh->log = xasprintf("%s/%s.rerun-%zu.log", c->o->run_dir, er->r->name, r);
	strvec_insert(&sh->step.argv, (size_t)sp->at, "-p");
	strvec_insert(&sh->step.argv, (size_t)sp->at + 1, "blitz_pytest");
	strvec_insert(&sh->step.argv, (size_t)sp->at + 2, sh->junit);
	strvec_insert(&sh->step.argv, (size_t)sp->at + 2, "--junitxml");
	char *var = xconcat("BLITZ_SHARD_FILE=", file, NULL);
	const char *vars[] = { var, NULL };
	plugin_envp(c, er, vars, &sh->envp);
	free(var);
	char what[160];
	snprintf(what, sizeof(what), "rerun %zu of %zu: %zu failed test%s in a fresh pytest process, its log:", r,
		 c->o->reruns, list.n, list.n == 1 ? "" : "s");
	record_line(er->r, what, sh->log);
	free(file);
	strvec_clear(&list);
	sp->rerun_from = c->tests.junit.n;
	start_shard(c, sp);
	return 0;
}

struct split *shard_rerun(struct ctx *c, struct envrun *er, size_t from, const char *why, split_report_fn *report)
{
	const struct step *st = &er->steps.v[er->next];
	long at = steps_pytest_args(&st->argv);

	if (at < 0 || !c->o->reruns || c->stopping || !plugin_dir(c))
		return NULL;
	struct split *sp = xcalloc(1, sizeof(*sp));
	sp->er = er;
	sp->report = report;
	sp->step = er->next;
	sp->at = at;
	sp->junit_from = sp->rerun_from = from;
	snprintf(sp->why, sizeof(sp->why), "%s", why);
	sp->code = 1;	/* pytest's: tests failed */
	if (start_rerun(c, sp) < 0) {
		shard_free(sp);
		return NULL;
	}
	return sp;
}

/*
 * The tests that fell between sp's shards: given to a shard under a name
 * it did not collect (a name that changes between collections: a time, a
 * random value, an object's id in a parametrize id) and started by no
 * shard. Into done: every node id a shard started. Returns how many fell;
 * -1 when a shard wrote no report (it did not end its session: its own
 * failure says why).
 */
static long fell_between(const struct split *sp, struct strvec *done)
{
	struct strmap ran = STRMAP_INIT;
	struct strvec missing = STRVEC_INIT;
	long fell = 0;

	for (size_t i = 0; i < sp->n && fell >= 0; i++) {
		const struct shard *sh = &sp->v[i];
		if (!sh->report)
			continue;	/* a rerun's */
		size_t len = 0;
		char *text = read_file(sh->report, &len);
		if (!text) {
			fell = -1;
			break;
		}
		for (char *line = text, *nl; line < text + len; line = nl + 1) {
			nl = memchr(line, '\n', (size_t)(text + len - line));
			if (!nl)
				break;
			*nl = '\0';
			if (starts_with(line, "ran\t") && strmap_add(&ran, line + 4))
				strvec_push(done, line + 4);
			else if (starts_with(line, "missing\t"))
				strvec_push(&missing, line + 8);
		}
		free(text);
	}
	for (size_t i = 0; i < missing.n && fell >= 0; i++)
		fell += strmap_get(&ran, missing.v[i], strlen(missing.v[i])) < 0;
	strmap_clear(&ran);
	strvec_clear(&missing);
	return fell;
}

/*
 * One more pytest process for sp's step: every test no shard started
 * (done names those that were), so that a test whose name changed between
 * collections runs under its name of now. Returns 0, or -1 when it cannot
 * be written.
 */
static int start_sweep(struct ctx *c, struct split *sp, const struct strvec *done, long fell)
{
	struct envrun *er = sp->er;
	const struct step *st = &er->steps.v[sp->step];
	char *file = xasprintf("%s/%s.sweep.txt", c->o->run_dir, er->r->name);
	FILE *f = fopen(file, "w");

	if (!f) {
		free(file);
		return -1;
	}
	fputs("[done]\n", f);
	for (size_t i = 0; i < done->n; i++)
		fprintf(f, "%s\n", done->v[i]);
	if (fclose(f) != 0) {
		free(file);
		return -1;
	}
	sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
	struct shard *sh = &sp->v[sp->n++];
	memset(sh, 0, sizeof(*sh));
	sh->split = sp;
	sh->sweep = 1;
	sh->ntests = (size_t)fell;
	sh->step.kind = STEP_COMMAND;
	plugin_without_junit(&st->argv, sp->at, &sh->step.argv);
	sh->junit = xasprintf("%s/%s.sweep.xml", c->o->run_dir, er->r->name);
	sh->log = xasprintf("%s/%s.sweep.log", c->o->run_dir, er->r->name);
	strvec_insert(&sh->step.argv, (size_t)sp->at, "-p");
	strvec_insert(&sh->step.argv, (size_t)sp->at + 1, "blitz_pytest");
	strvec_insert(&sh->step.argv, (size_t)sp->at + 2, sh->junit);
	strvec_insert(&sh->step.argv, (size_t)sp->at + 2, "--junitxml");
	char *var = xconcat("BLITZ_SHARD_FILE=", file, NULL), *collected = xconcat("BLITZ_COLLECTED=", sp->collected, NULL);
	const char *vars[] = { var, collected, NULL };
	plugin_envp(c, er, vars, &sh->envp);
	free(var);
	free(collected);
	char what[200];
	snprintf(what, sizeof(what), "%ld test%s given to the shards under a name they did not collect (a name that changes "
		 "between collections); every test no shard ran, in one more pytest process, its log:", fell,
		 fell == 1 ? "" : "s");
	record_line(er->r, what, sh->log);
	free(file);
	start_shard(c, sp);
	return 0;
}

/* Every shard of sp's step has ended (or the run is stopping and none runs): tell its env. */
static void split_done(struct ctx *c, struct split *sp)
{
	struct envrun *er = sp->er;
	const struct step *st = &er->steps.v[sp->step];
	char why[640];
	int stopped = sp->next < sp->n || c->stopping;	/* Ctrl-C, --fail-fast: its shards were stopped */

	/* tests that fell between the shards (their names changed): run, never lost */
	if (!stopped && !sp->swept) {
		struct strvec done = STRVEC_INIT;
		long fell = fell_between(sp, &done);
		sp->swept = 1;
		int swept = fell > 0 && start_sweep(c, sp, &done, fell) == 0;
		strvec_clear(&done);
		if (swept)
			return;
	}
	/* failed tests, and nothing worse: run them again while --reruns allows */
	if (sp->why[0] && !sp->not_tests && !stopped && !c->stopping && sp->reruns < c->o->reruns &&
	    start_rerun(c, sp) == 0)
		return;
	snprintf(why, sizeof(why), "%s", stopped && !sp->why[0] ? "stopped while its tests ran in shards" : sp->why);
	/* the command named a JUnit XML of its own: it gets every shard's tests */
	if (st->junit && strncmp(st->junit, c->o->run_dir, strlen(c->o->run_dir)) != 0)
		tests_write_cases(&c->tests, er->r->name, sp->junit_from, st->junit);
	sp->report(c, er, stopped ? SPLIT_STOPPED : SPLIT_ENDED, why, sp->code);	/* frees sp */
}

static void collect_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct split *sp = owner;
	struct envrun *er = sp->er;
	size_t len = 0;
	char *text = j->end == JOB_EXITED && (j->exit_code == 0 || j->exit_code == 5) ?
		read_file(sp->collected, &len) : NULL;
	enum split_end how;

	sp->collecting = 0;
	if (j->end == JOB_STOPPED || c->stopping) {
		free(text);
		sp->report(c, er, SPLIT_STOPPED, "stopped while collecting its tests", 1);
		return;
	}
	if (text)
		db_store_collected(c->db, sp->key, text);
	else
		record_line(er->r, "collecting the tests failed (see above): not split, in", er->e.change_dir);
	int rc = text ? make_shards(c, sp, text) : -1;
	free(text);
	if (!made(c, sp, rc, &how))
		sp->report(c, er, how, "", 0);	/* its env frees it */
}

static void shard_job_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct shard *sh = owner;
	struct split *sp = sh->split;
	struct envrun *er = sp->er;
	size_t i = (size_t)(sh - sp->v);
	char why[512];

	sh->done = 1;
	sp->running--;
	sp->finished++;
	services_job_end(c, er, (long)i);
	step_record(er->r, &sh->step, j, NULL);
	if (j->end == JOB_EXITED || j->end == JOB_SIGNALED || j->end == JOB_TIMED_OUT) {
		char err[1024];
		double tests = tests_read(&c->tests, c->db, er->r->name, sh->junit, sh->rerun, err, sizeof(err));
		if (err[0])
			record_line(er->r, "could not read the JUnit XML pytest wrote:", err);
		if (tests >= 0 && j->end == JOB_EXITED)
			db_record_cost(c->db, er->r->name, (double)(j->end_ns - j->start_ns) / 1e9 - tests);
	}
	step_failure(&sh->step, j, why, sizeof(why));
	if (j->end == JOB_EXITED && j->exit_code == 5 && !sh->rerun)
		why[0] = '\0';	/* no tests left for it (they went since the collection): nothing failed */
	if (sh->rerun) {
		/* what the rerun says stands: passed, the step passes (its tests flaky); failed, it fails */
		sp->why[0] = '\0';
		if (why[0])
			snprintf(sp->why, sizeof(sp->why), "%.500s (still failing after %zu rerun%s)", why, sp->reruns,
				 sp->reruns == 1 ? "" : "s");
		sp->code = job_tox_code(j);
	}
	if (why[0] && !(j->end == JOB_EXITED && j->exit_code == 1))
		sp->not_tests = 1;
	if (why[0] && sh->rerun) {
		sh->failed = 1;
		append_shard_log(er, sh, i, sp->n);
	} else if (sh->rerun) {
		record_line(er->r, "the rerun passed: its tests are flaky; its log:", sh->log);
	} else if (sh->sweep && !why[0]) {
		record_line(er->r, "the tests no shard ran passed:", sh->log);
	} else if (why[0]) {
		sh->failed = 1;
		if (j->end != JOB_STOPPED)
			append_shard_log(er, sh, i, sp->n);
		if (!sp->why[0]) {
			snprintf(sp->why, sizeof(sp->why), "shard %zu of %zu: %s", i + 1, sp->n, why);
			sp->code = job_tox_code(j);
		}
	} else {
		char what[128];
		snprintf(what, sizeof(what), "shard %zu of %zu (%zu tests) passed:", i + 1, sp->n, sh->ntests);
		record_line(er->r, what, sh->log);
	}
	if (!sp->running && (sp->next == sp->n || c->stopping))
		split_done(c, sp);
}

size_t shard_start_pending(struct ctx *c, size_t free)
{
	size_t started = 0;

	for (size_t i = 0; i < c->n && !c->stopping && started < free; i++) {
		struct split *sp = c->runs[i].split;
		while (sp && !sp->collecting && sp->next < sp->n && started < free) {
			start_shard(c, sp);
			started++;
		}
	}
	return started;
}

size_t shard_running(const struct split *sp)
{
	return sp->collecting ? 1 : sp->running;
}

void shard_free(struct split *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->n; i++) {
		strvec_clear(&sp->v[i].step.argv);
		strvec_clear(&sp->v[i].envp);
		free(sp->v[i].log);
		free(sp->v[i].junit);
		free(sp->v[i].report);
	}
	free(sp->v);
	free(sp->key);
	free(sp->collected);
	free(sp);
}
