/*
 * The run's tests: the JUnit XML each pytest command writes (an option
 * blitz adds, or the command's own), read when the command ends into one
 * report per run (a testsuite per env) and the history of each test's time
 * and outcome in the state db; the slowest and flaky tests for the
 * summary. The only writer of struct test_report. See tests.h.
 */
#include "tests.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../state/db.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

char *tests_junit_path(const char *run_dir, const char *env, size_t k)
{
	return xasprintf("%s/%s.junit-%zu.xml", run_dir, env, k);
}

double tests_read(struct test_report *tr, struct db *db, const char *env, const char *path, int rerun, char *err,
		  size_t errsz)
{
	struct junit j = { 0 };
	double sum = 0;

	err[0] = '\0';
	if (access(path, F_OK) != 0)
		return -1;	/* pytest did not get as far as writing it */
	if (junit_read(&j, path, err, errsz) < 0) {
		junit_release(&j);
		return -1;
	}
	const char **ids = xcalloc(j.n ? j.n : 1, sizeof(*ids)), **outcomes = xcalloc(j.n ? j.n : 1, sizeof(*outcomes));
	double *secs = xcalloc(j.n ? j.n : 1, sizeof(*secs));
	for (size_t i = 0; i < j.n; i++) {
		struct junit_case *jc = &j.v[i];
		free(jc->suite);
		jc->suite = xstrdup(env);	/* one testsuite per env in the run's report */
		ids[i] = xconcat(jc->classname, "::", jc->name, NULL);
		secs[i] = jc->time;
		sum += jc->time;
		outcomes[i] = junit_outcome_name(jc->outcome);
		if (rerun && jc->outcome == JUNIT_PASSED) {
			jc->flaky = 1;	/* it failed before this rerun */
			outcomes[i] = "flaky";
		}
	}
	db_record_tests(db, env, j.n, ids, secs, outcomes);
	for (size_t i = 0; i < j.n; i++)
		free((char *)ids[i]);
	free(ids);
	free(outcomes);
	free(secs);
	/* the cases move into the run's report */
	tr->junit.v = xgrow(tr->junit.v, &tr->junit.cap, tr->junit.n + j.n, sizeof(*tr->junit.v));
	memcpy(tr->junit.v + tr->junit.n, j.v, j.n * sizeof(*j.v));
	tr->junit.n += j.n;
	free(j.v);
	return sum;
}

void tests_write_cases(const struct test_report *tr, const char *suite, size_t from, const char *path)
{
	struct junit part = { 0 };
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	FILE *f;

	/* a view of the run's cases: shared, not copied (not released below) */
	part.v = xcalloc(tr->junit.n > from ? tr->junit.n - from : 1, sizeof(*part.v));
	for (size_t i = from; i < tr->junit.n; i++)
		if (strcmp(tr->junit.v[i].suite, suite) == 0)
			part.v[part.n++] = tr->junit.v[i];
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

void tests_finish(const struct test_report *tr, struct db *db, const char *run_dir, size_t durations,
		  struct run_result *res)
{
	const struct junit *j = &tr->junit;
	char *path, *tmp;
	FILE *f;

	if (!j->n)
		return;
	path = xconcat(run_dir, "/junit.xml", NULL);
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
			ft->times_flaky = db_test_flaky(db, ft->env, ft->test);
		}
	qsort(by, n, sizeof(*by), slower);
	res->nslowest = durations < n ? durations : n;
	res->slowest = xcalloc(res->nslowest ? res->nslowest : 1, sizeof(*res->slowest));
	for (size_t i = 0; i < res->nslowest; i++) {
		res->slowest[i].env = xstrdup(by[i]->suite);
		res->slowest[i].test = xconcat(by[i]->classname, "::", by[i]->name, NULL);
		res->slowest[i].seconds = by[i]->time;
	}
	free(by);
}

void tests_release(struct test_report *tr)
{
	junit_release(&tr->junit);
}
