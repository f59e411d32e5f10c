/* The order envs start in: dependencies first, then the longest predicted. */
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/diag.h"
#include "../../src/plan/sched.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

/* Run the schedule one env at a time; return the start order joined with spaces. */
static void order(struct sched *s, struct strbuf *out)
{
	long i;

	while ((i = sched_next(s)) >= 0) {
		strbuf_addf(out, "%s%s", out->len ? " " : "", s->names[i]);
		sched_done(s, (size_t)i);
	}
}

static void test_sched_longest_first(void)
{
	const char *names[] = { "lint", "py311-slow", "py312", "docs" };
	double pred[] = { 5, 300, 120, 30 };
	struct sched s;
	struct strbuf out = STRBUF_INIT;
	struct diag d;

	CHECK_INT(sched_init(&s, 4, names, pred, NULL, &d), 0);
	order(&s, &out);
	CHECK_STR(strbuf_str(&out), "py311-slow py312 docs lint");
	CHECK(sched_finished(&s));
	strbuf_release(&out);
	sched_release(&s);
}

/* coverage waits for both test envs although it is the longest; an unselected dependency is ignored. */
static void test_sched_depends(void)
{
	const char *names[] = { "py311", "py312", "coverage" };
	double pred[] = { 10, 20, 500 };
	struct strvec deps[3] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	struct sched s;
	struct diag d;

	strvec_push(&deps[2], "py311");
	strvec_push(&deps[2], "py312");
	strvec_push(&deps[2], "py27");	/* not selected */
	CHECK_INT(sched_init(&s, 3, names, pred, deps, &d), 0);
	long a = sched_next(&s), b = sched_next(&s);
	CHECK_STR(s.names[a], "py312");
	CHECK_STR(s.names[b], "py311");
	CHECK_INT(sched_next(&s), -1);	/* coverage still waits */
	sched_done(&s, (size_t)a);
	CHECK_INT(sched_next(&s), -1);
	sched_done(&s, (size_t)b);	/* done, whatever the result */
	long c = sched_next(&s);
	CHECK(c >= 0 && strcmp(s.names[c], "coverage") == 0);
	sched_done(&s, (size_t)c);
	CHECK(sched_finished(&s));
	for (int i = 0; i < 3; i++)
		strvec_clear(&deps[i]);
	sched_release(&s);
}

static void test_sched_cycle(void)
{
	const char *names[] = { "a", "b", "c" };
	struct strvec deps[3] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	struct sched s;
	struct diag d;

	memset(&d, 0, sizeof(d));
	strvec_push(&deps[0], "c");
	strvec_push(&deps[1], "a");
	strvec_push(&deps[2], "b");
	CHECK_INT(sched_init(&s, 3, names, NULL, deps, &d), -1);
	CHECK(strstr(d.msg, "depend on each other in a circle") != NULL);
	CHECK(strstr(d.msg, "a -> b -> c -> a") != NULL || strstr(d.msg, "c -> a -> b -> c") != NULL ||
	      strstr(d.msg, "b -> c -> a -> b") != NULL);
	for (int i = 0; i < 3; i++)
		strvec_clear(&deps[i]);
	sched_release(&s);
}

/* depends = t*, py3[12]: globs over the envs of the run, as tox's fnmatchcase; the env itself never counts. */
static void test_sched_depends_glob(void)
{
	const char *names[] = { "report", "t1", "t2", "lint", "py31", "py33" };
	double pred[] = { 100, 1, 1, 1, 1, 1 };
	struct strvec deps[6] = { STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT, STRVEC_INIT };
	struct sched s;
	struct strbuf out = STRBUF_INIT;
	struct diag d;

	strvec_push(&deps[0], "t*");
	strvec_push(&deps[0], "py3[12]");
	strvec_push(&deps[0], "t1");	/* named twice: waited for once */
	strvec_push(&deps[1], "t*");	/* t1 on t2 (not on itself) */
	CHECK_INT(sched_init(&s, 6, names, pred, deps, &d), 0);
	CHECK_INT((long)s.waiting[0], 3);
	order(&s, &out);
	CHECK_STR(strbuf_str(&out), "t2 t1 lint py31 report py33");
	for (int i = 0; i < 6; i++)
		strvec_clear(&deps[i]);
	strbuf_release(&out);
	sched_release(&s);
}

const struct test sched_tests[] = {
	{ "sched_depends_glob", test_sched_depends_glob },
	{ "sched_longest_first", test_sched_longest_first },
	{ "sched_depends", test_sched_depends },
	{ "sched_cycle", test_sched_cycle },
	{ NULL, NULL },
};
