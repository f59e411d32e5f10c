/*
 * Generative env lists: envlist_expand() and envlist_expand_value()
 * (tox-semantics.md §4; ranges as tox 4.58 reads them, §4.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/factor.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

/* The names one line expands to, joined with ' ' (static buffer: one call per CHECK). */
static char joined[4096];

static const char *join(const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sv->n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", sv->v[i]);
	snprintf(joined, sizeof(joined), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return joined;
}

/* Expand line and return the names joined with ' '; *n gets envlist_expand()'s count. */
static const char *expand(const char *line, size_t *n)
{
	struct strvec out = STRVEC_INIT;
	size_t got = envlist_expand(line, &out);

	if (n)
		*n = got;
	join(&out);
	strvec_clear(&out);
	return joined;
}

/* tox4: dedup and ranges as tox 4 reads an envlist; 0: as tox 3 does */
static const char *expand_value(const char *value, int tox4)
{
	struct strvec out = STRVEC_INIT;

	envlist_expand_value(value, &out, tox4 ? ENVLIST_DEDUP | ENVLIST_RANGES : 0);
	join(&out);
	strvec_clear(&out);
	return joined;
}

static void test_envlist_commas(void)
{
	size_t n = 0;

	CHECK_STR(expand("py38, py39,docs", &n), "py38 py39 docs");
	CHECK_INT(n, 3);
	CHECK_STR(expand("single", &n), "single");
	CHECK_INT(n, 1);
}

/* Empty items between commas (and a trailing comma) are skipped. */
static void test_envlist_empty_items(void)
{
	size_t n = 0;

	CHECK_STR(expand("py38,,py39,", &n), "py38 py39");
	CHECK_INT(n, 2);
	CHECK_STR(expand(" , ,", &n), "");
	CHECK_INT(n, 0);
}

static void test_envlist_one_brace_group(void)
{
	CHECK_STR(expand("py{38,39,310}", NULL), "py38 py39 py310");
	CHECK_STR(expand("{a,b}-lint", NULL), "a-lint b-lint");
}

/* Several groups multiply, the leftmost varying slowest. */
static void test_envlist_several_groups(void)
{
	size_t n = 0;

	CHECK_STR(expand("py{38,39}-django{32,42}", &n), "py38-django32 py38-django42 py39-django32 py39-django42");
	CHECK_INT(n, 4);
	CHECK_STR(expand("py{38,39}-{a,b}, docs", NULL), "py38-a py38-b py39-a py39-b docs");
	CHECK_STR(expand("{x,y}{1,2}", NULL), "x1 x2 y1 y2");
	CHECK_STR(expand("py3{8,9}-{sqlite,pg}{,-cov}", NULL),
		  "py38-sqlite py38-sqlite-cov py38-pg py38-pg-cov py39-sqlite py39-sqlite-cov py39-pg py39-pg-cov");
}

/* An empty alternative is kept: py{,-cov} is "py" and "py-cov". */
static void test_envlist_empty_alternative(void)
{
	CHECK_STR(expand("py{,-cov}", NULL), "py py-cov");
	CHECK_STR(expand("lint{-fix,}", NULL), "lint-fix lint");
}

static void test_envlist_whitespace(void)
{
	CHECK_STR(expand("py{38, 39}", NULL), "py38 py39");
	CHECK_STR(expand("  a  ,\tb ", NULL), "a b");
	CHECK_STR(expand("py{ 38 , 39 }-x", NULL), "py38-x py39-x");
}

/* {8-12} is an inclusive range (tox >= 4.25); descending ranges count down. */
static void test_envlist_ranges(void)
{
	CHECK_STR(expand("py3{8-12}", NULL), "py38 py39 py310 py311 py312");
	CHECK_STR(expand("py3{12-10}", NULL), "py312 py311 py310");
	CHECK_STR(expand("py3{8-9, 11, 13-14}", NULL), "py38 py39 py311 py313 py314");
	CHECK_STR(expand("django{4-5}-py3{11-12}", NULL),
		  "django4-py311 django4-py312 django5-py311 django5-py312");
}

/*
 * tox 4.58's open ranges run to 14 or from 10; and a range is rewritten
 * wherever "N-M" meets ',' or '}', braces or not, as tox's regular expression
 * does ("x-1-3," becomes "x-1,2,3,"; checked with tox 4.58).
 */
static void test_envlist_open_ranges(void)
{
	CHECK_STR(expand("py3{10-}", NULL), "py310 py311 py312 py313 py314");
	CHECK_STR(expand("py3{-11}-a", NULL), "py310-a py311-a");
	CHECK_STR(expand("3.{8-10}", NULL), "3.8 3.9 3.10");
	CHECK_STR(expand("x-1-3, foo{1,-3}", NULL), "x-1 2 3 foo1 foo");
	CHECK_STR(expand("py3{13-11}-b", NULL), "py313-b py312-b py311-b");
}

static void test_expand_ranges_text(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = "py3{8-10,12-},{-11}x,7-";

	CHECK_INT(factor_expand_ranges(in, strlen(in), &sb), 0);
	CHECK_STR(strbuf_str(&sb), "py3{8,9,10,12,13,14},{10,11}x,7-");
	strbuf_reset(&sb);
	CHECK_INT(factor_expand_ranges("{1-99999999}", 12, &sb), -1);
	strbuf_release(&sb);
}

/* Only digits-dash-digits is a range; other dashed alternatives are kept as written. */
static void test_envlist_dash_not_range(void)
{
	CHECK_STR(expand("{a-b,c}", NULL), "a-b c");
	CHECK_STR(expand("py{3-x}", NULL), "py3-x");
}

/* A '{' without '}' is ordinary text, so the commas after it separate names (tox 3's literal names). */
static void test_envlist_unterminated_brace(void)
{
	CHECK_STR(expand("py{38", NULL), "py{38");
	CHECK_STR(expand("py{38,39", NULL), "py{38 39");
}

/* {} does not match {[^}]+}: it stays literal (tox 3's literal name). */
static void test_envlist_empty_braces(void)
{
	CHECK_STR(expand("py{}", NULL), "py{}");
}

/* tox 4 (EnvList) keeps the first of each name; tox 3 (_split_env) keeps duplicates and reads no ranges. */
static void test_envlist_value_dedup(void)
{
	CHECK_STR(expand_value("py3{8-9}", 0), "py38-9");
	CHECK_STR(expand_value("py38,py39\npy38\ndocs", 1), "py38 py39 docs");
	CHECK_STR(expand_value("py38,py39\npy38\ndocs", 0), "py38 py39 py38 docs");
	CHECK_STR(expand_value("b,a,b,c,a", 1), "b a c");
	CHECK_STR(expand_value("py{38,39}\npy3{8-9}", 1), "py38 py39");
}

/* One expression per line; blank lines add nothing. */
static void test_envlist_value_lines(void)
{
	CHECK_STR(expand_value("py38\n\npy{39,310}-x\n  docs  ", 1), "py38 py39-x py310-x docs");
	CHECK_STR(expand_value("", 1), "");
}

static void test_env_factors(void)
{
	struct strvec f = STRVEC_INIT;

	env_factors("py38-django32-cov", &f);
	CHECK_STR(join(&f), "py38 django32 cov");
	strvec_clear(&f);
	env_factors("docs", &f);
	CHECK_STR(join(&f), "docs");
	strvec_clear(&f);
}

const struct test envlist_tests[] = {
	{ "envlist_commas", test_envlist_commas },
	{ "envlist_empty_items", test_envlist_empty_items },
	{ "envlist_one_brace_group", test_envlist_one_brace_group },
	{ "envlist_several_groups", test_envlist_several_groups },
	{ "envlist_empty_alternative", test_envlist_empty_alternative },
	{ "envlist_whitespace", test_envlist_whitespace },
	{ "envlist_ranges", test_envlist_ranges },
	{ "envlist_dash_not_range", test_envlist_dash_not_range },
	{ "envlist_open_ranges", test_envlist_open_ranges },
	{ "expand_ranges_text", test_expand_ranges_text },
	{ "envlist_unterminated_brace", test_envlist_unterminated_brace },
	{ "envlist_empty_braces", test_envlist_empty_braces },
	{ "envlist_value_dedup", test_envlist_value_dedup },
	{ "envlist_value_lines", test_envlist_value_lines },
	{ "env_factors", test_env_factors },
	{ NULL, NULL },
};
