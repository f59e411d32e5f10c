/*
 * filter.c indexes a value's conditions to filter it quickly for many envs;
 * its answer must be factor_filter()'s on the comment-stripped text, for any
 * value and env. These tests compare the two on generated values large
 * enough to use the index, and on the cases the index treats apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fixture.h"
#include "../../src/config/factor.h"
#include "../../src/config/filter.h"
#include "../../src/config/ini.h"
#include "../../src/config/tox.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

/* Compare filter_entry() with factor_filter() for the deps of [testenv] and each env name. */
static void compare(const char *deps, const char *const *envs, int tox3)
{
	struct fx f;
	struct strbuf ini = STRBUF_INIT;

	strbuf_adds(&ini, "[testenv]\ndeps =\n");
	for (const char *p = deps; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_adds(&ini, "    ");
		strbuf_add(&ini, p, n);
		strbuf_addch(&ini, '\n');
		p += n + (nl ? 1 : 0);
	}
	CHECK_INT(fx_ini(&f, strbuf_str(&ini), tox3), 0);
	const struct ini_entry *e = ini_get(ini_section(&f.tox.ini, "testenv"), "deps");
	CHECK(e != NULL);
	for (size_t i = 0; e && envs[i]; i++) {
		struct strvec factors = STRVEC_INIT;
		env_factors(envs[i], &factors);
		char *fast = filter_entry(&f.tox, e, &factors);
		char *slow = factor_filter(e->value, &factors, tox3);
		if (strcmp(fast, slow) != 0)
			test_fail(__FILE__, __LINE__, "env %s: indexed filter gave\n%s\nline by line gave\n%s", envs[i], fast, slow);
		free(fast);
		free(slow);
		strvec_clear(&factors);
	}
	strbuf_release(&ini);
	fx_release(&f);
}

static const char *const py[] = { "py38", "py39", "py310", "py311", "py312" };
static const char *const fw[] = { "django", "flask", "celery", "redis", "lint" };
static const char *const ver[] = { "v1", "v2", "latest" };

/* A value like a big SDK's: every combination, OR lists, negations, braces, blank and plain lines. */
static char *big_value(unsigned seed)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < 400; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 16;
		const char *p = py[r % 5], *w = fw[(r / 5) % 5], *v = ver[(r / 25) % 3];
		switch ((r / 75) % 8) {
		case 0: strbuf_addf(&sb, "%s-%s-%s: pkg%d\n", p, w, v, i); break;
		case 1: strbuf_addf(&sb, "%s,%s: both%d\n", w, p, i); break;
		case 2: strbuf_addf(&sb, "!%s: not%d\n", w, i); break;
		case 3: strbuf_addf(&sb, "{py38,py311}-%s: brace%d\n", w, i); break;
		case 4: strbuf_addf(&sb, "plain%d\n", i); break;
		case 5: strbuf_addf(&sb, "\n"); break;
		case 6: strbuf_addf(&sb, "%s-!%s: mixed%d\n", p, v, i); break;
		default: strbuf_addf(&sb, "%s:\n", w); break;	/* a condition with empty text */
		}
	}
	return strbuf_detach(&sb);
}

static const char *const envs[] = {
	"py38-django-v1", "py311-flask-latest", "py312-celery-v2", "lint", "py39", "docs",
	"py310-redis-latest-extra", "py311-django-v2", "unknown-factors-only", NULL,
};

static void test_filter_matches_line_by_line_tox4(void)
{
	for (unsigned seed = 1; seed <= 5; seed++) {
		char *v = big_value(seed);
		compare(v, envs, 0);
		free(v);
	}
}

static void test_filter_matches_line_by_line_tox3(void)
{
	for (unsigned seed = 11; seed <= 13; seed++) {
		char *v = big_value(seed);
		compare(v, envs, 1);
		free(v);
	}
}

/* Below the index threshold every line is looked at; above it only the indexed ones: both agree. */
static void test_filter_small_values(void)
{
	compare("py38: a\n!py38: b\nc\nlint,docs: d", envs, 0);
	compare("", envs, 0);
}

/* The same env filtered many times (as config does for every key) keeps giving the same answer. */
static void test_filter_repeated_calls(void)
{
	char *v = big_value(42);
	compare(v, envs, 0);
	compare(v, envs, 0);
	free(v);
}

const struct test filter_tests[] = {
	{ "filter_matches_line_by_line_tox4", test_filter_matches_line_by_line_tox4 },
	{ "filter_matches_line_by_line_tox3", test_filter_matches_line_by_line_tox3 },
	{ "filter_small_values", test_filter_small_values },
	{ "filter_repeated_calls", test_filter_repeated_calls },
	{ NULL, NULL },
};
