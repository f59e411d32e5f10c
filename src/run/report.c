/*
 * The run's test report: the JUnit XML each pytest command writes (an
 * option blitz adds, or the command's own), read when the command ends into
 * one report per run (a testsuite per env) and the history of each test's
 * time and outcome in the state db; the slowest tests for the summary.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../state/db.h"
#include "../util/strmap.h"
#include "../util/util.h"

/*
 * Each pytest command writes JUnit XML blitz reads when it ends: its own
 * --junitxml when it has one, else one blitz adds (in the run's folder).
 */
void report_junit_options(struct ctx *c, struct envrun *er)
{
	size_t k = 0;

	for (size_t i = 0; i < er->steps.n; i++) {
		struct step *st = &er->steps.v[i];
		long at = st->kind == STEP_COMMAND ? steps_pytest_args(&st->argv) : -1;
		if (at < 0)
			continue;
		const char *own = steps_junit_option(&st->argv, (size_t)at);
		if (own) {
			st->junit = own[0] == '/' ? xstrdup(own) : xconcat(er->e.change_dir, "/", own, NULL);
			continue;
		}
		st->junit = xasprintf("%s/%s.junit-%zu.xml", c->o->run_dir, er->r->name, ++k);
		char *opt = xconcat("--junitxml=", st->junit, NULL);
		strvec_insert(&st->argv, (size_t)at, opt);
		free(opt);
	}
}

/* A pytest command of er ended: its tests into the run's report and the history. */
double report_read_junit(struct ctx *c, struct envrun *er, const char *path, int rerun)
{
	struct junit j = { 0 };
	char err[1024];
	double sum = 0;

	if (access(path, F_OK) != 0)
		return -1;	/* pytest did not get as far as writing it */
	if (junit_read(&j, path, err, sizeof(err)) < 0) {
		envrun_log_line(er, "could not read the JUnit XML pytest wrote:", err);
		junit_release(&j);
		return -1;
	}
	const char **ids = xcalloc(j.n ? j.n : 1, sizeof(*ids)), **outcomes = xcalloc(j.n ? j.n : 1, sizeof(*outcomes));
	double *secs = xcalloc(j.n ? j.n : 1, sizeof(*secs));
	for (size_t i = 0; i < j.n; i++) {
		struct junit_case *jc = &j.v[i];
		free(jc->suite);
		jc->suite = xstrdup(er->r->name);	/* one testsuite per env in the run's report */
		ids[i] = xconcat(jc->classname, "::", jc->name, NULL);
		secs[i] = jc->time;
		sum += jc->time;
		outcomes[i] = junit_outcome_name(jc->outcome);
		if (rerun && jc->outcome == JUNIT_PASSED) {
			jc->flaky = 1;	/* it failed before this rerun */
			outcomes[i] = "flaky";
		}
	}
	db_record_tests(c->db, er->r->name, j.n, ids, secs, outcomes);
	for (size_t i = 0; i < j.n; i++)
		free((char *)ids[i]);
	free(ids);
	free(outcomes);
	free(secs);
	/* the cases move into the run's report */
	c->junit.v = xgrow(c->junit.v, &c->junit.cap, c->junit.n + j.n, sizeof(*c->junit.v));
	memcpy(c->junit.v + c->junit.n, j.v, j.n * sizeof(*j.v));
	c->junit.n += j.n;
	free(j.v);
	return sum;
}

void report_write_cases(struct ctx *c, const char *suite, size_t from, const char *path)
{
	struct junit part = { 0 };
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	FILE *f;

	/* a view of the run's cases: shared, not copied (not released below) */
	part.v = xcalloc(c->junit.n > from ? c->junit.n - from : 1, sizeof(*part.v));
	for (size_t i = from; i < c->junit.n; i++)
		if (strcmp(c->junit.v[i].suite, suite) == 0)
			part.v[part.n++] = c->junit.v[i];
	int ok = (f = fopen(tmp, "w")) != NULL && junit_write(f, &part, NULL) == 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		warn("could not write the JUnit XML '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(part.v);
	free(tmp);
}

static int slower(const void *a, const void *b)
{
	const struct junit_case *x = *(const struct junit_case *const *)a, *y = *(const struct junit_case *const *)b;

	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

/* The run's report: every env's tests in one JUnit XML, and the slowest of them. */
void report_write(struct ctx *c, struct run_result *res)
{
	const struct junit *j = &c->junit;
	char *path, *tmp;
	FILE *f;

	if (!j->n)
		return;
	path = xconcat(c->o->run_dir, "/junit.xml", NULL);
	tmp = xconcat(path, ".tmp", NULL);
	if (!(f = fopen(tmp, "w")) || junit_write(f, j, NULL) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		warn("could not write the run's JUnit XML '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(path);
	} else {
		res->junit = path;
	}
	free(tmp);
	const struct junit_case **by = xcalloc(j->n, sizeof(*by));
	struct strmap seen = STRMAP_INIT;
	size_t n = 0;
	/* each test once, as its last result (a rerun's): walk from the end */
	for (size_t i = j->n; i-- > 0;) {
		const struct junit_case *jc = &j->v[i];
		char *id = xconcat(jc->suite, "\n", jc->classname, "::", jc->name, NULL);
		if (strmap_add(&seen, id)) {
			by[n++] = jc;
			res->tests_failed += jc->outcome == JUNIT_FAILED || jc->outcome == JUNIT_ERROR;
			res->nflaky += jc->flaky;
		}
		free(id);
	}
	strmap_clear(&seen);
	res->tests = n;
	res->flaky = xcalloc(res->nflaky ? res->nflaky : 1, sizeof(*res->flaky));
	for (size_t i = n, k = 0; i-- > 0;)
		if (by[i]->flaky) {
			struct test_time *ft = &res->flaky[k++];
			ft->env = xstrdup(by[i]->suite);
			ft->test = xconcat(by[i]->classname, "::", by[i]->name, NULL);
			ft->seconds = by[i]->time;
			ft->times_flaky = db_test_flaky(c->db, ft->env, ft->test);
		}
	qsort(by, n, sizeof(*by), slower);
	res->nslowest = c->o->durations < n ? c->o->durations : n;
	res->slowest = xcalloc(res->nslowest ? res->nslowest : 1, sizeof(*res->slowest));
	for (size_t i = 0; i < res->nslowest; i++) {
		res->slowest[i].env = xstrdup(by[i]->suite);
		res->slowest[i].test = xconcat(by[i]->classname, "::", by[i]->name, NULL);
		res->slowest[i].seconds = by[i]->time;
	}
	free(by);
}
