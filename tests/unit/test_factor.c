/*
 * Factor conditions: factor_condition(), factor_match(), factor_filter() with
 * tox 4's rule (tox-semantics.md §3.1) and tox 3's (§3.2), and
 * factor_condition_envs() (what tox 4 -a lists from markers, §5.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/factor.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

static char buf[4096];

/*
 * The alternatives of a condition as "a&!b|c" ('|' between alternatives, '&'
 * between the factors of one), or "INVALID" when it is not a condition.
 */
static const char *cond(const char *text)
{
	struct strvec *alts;
	struct strbuf sb = STRBUF_INIT;
	long n = factor_condition(text, strlen(text), &alts);

	if (n < 0) {
		factor_alts_free(alts, 0);
		return "INVALID";
	}
	for (long i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, '|');
		for (size_t k = 0; k < alts[i].n; k++)
			strbuf_addf(&sb, "%s%s", k ? "&" : "", alts[i].v[k]);
	}
	snprintf(buf, sizeof(buf), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	factor_alts_free(alts, (size_t)n);
	return buf;
}

/* Does the condition text hold for env? -1 when it is not a condition. */
static int matches(const char *text, const char *env)
{
	struct strvec *alts, factors = STRVEC_INIT;
	long n = factor_condition(text, strlen(text), &alts);
	int m;

	if (n < 0)
		return -1;
	env_factors(env, &factors);
	m = factor_match(alts, (size_t)n, &factors);
	factor_alts_free(alts, (size_t)n);
	strvec_clear(&factors);
	return m;
}

/* factor_filter() of value for env (tox 4 rule unless tox3). */
static const char *filter(const char *value, const char *env, int tox3)
{
	struct strvec factors = STRVEC_INIT;
	char *out;

	env_factors(env, &factors);
	out = factor_filter(value, &factors, tox3);
	snprintf(buf, sizeof(buf), "%s", out);
	free(out);
	strvec_clear(&factors);
	return buf;
}

static void test_factor_condition_and(void)
{
	CHECK_STR(cond("py38"), "py38");
	CHECK_STR(cond("py38-django"), "py38&django");
	CHECK_STR(cond(" py38-django "), "py38&django");
}

static void test_factor_condition_or(void)
{
	CHECK_STR(cond("py38,py39"), "py38|py39");
	CHECK_STR(cond(" py38 , py39-lint "), "py38|py39&lint");
}

static void test_factor_condition_braces(void)
{
	CHECK_STR(cond("{py38,py39}-django"), "py38&django|py39&django");
	CHECK_STR(cond("py{38,39}-{a,b}"), "py38&a|py38&b|py39&a|py39&b");
	CHECK_STR(cond("{ py38 , py39 }-x"), "py38&x|py39&x");
	CHECK_STR(cond("{a,b}-c,d"), "a&c|b&c|d");
}

static void test_factor_condition_negation(void)
{
	CHECK_STR(cond("!lint"), "!lint");
	CHECK_STR(cond("!lint,py38"), "!lint|py38");
	CHECK_STR(cond("!{a,b}"), "!a|!b");
}

/* Each '-' part may be negated on its own (tox-semantics.md §3.1). */
static void test_factor_condition_negation_inside(void)
{
	CHECK_STR(cond("py38-!lint"), "py38&!lint");
	CHECK_STR(cond("!py38-!py39"), "!py38&!py39");
	CHECK_INT(matches("py38-!lint", "py38"), 1);
	CHECK_INT(matches("py38-!lint", "py38-lint"), 0);
	CHECK_INT(matches("!py38-!py39", "py310"), 1);
	CHECK_INT(matches("!py38-!py39", "py39"), 0);
	CHECK_STR(filter("py38-!lint: x", "py38", 0), "x");
	CHECK_STR(filter("py38-!lint: x", "py38-lint", 0), "");
}

/* Factors are [\w._][\w._-]* per '-' part: dots, digits and underscores are fine. */
static void test_factor_condition_valid_chars(void)
{
	CHECK_STR(cond("3.10"), "3.10");
	CHECK_STR(cond(".pkg"), ".pkg");
	CHECK_STR(cond("py3.11-x_y"), "py3.11&x_y");
}

/* Text that is no factor expression: the line it is on stays whole. */
static void test_factor_condition_invalid(void)
{
	CHECK_STR(cond("python -c \"a"), "INVALID");
	CHECK_STR(cond("echo \"a"), "INVALID");
	CHECK_STR(cond("a!b"), "INVALID");
	CHECK_STR(cond("a+b"), "INVALID");
	CHECK_STR(cond("py{}"), "INVALID");
	CHECK_STR(cond("mssql-{py313t,py314t,nogreenlet"), "INVALID");
	CHECK_STR(cond("pytest {posargs"), "INVALID");
}

/*
 * tox 4.58 takes an empty part as a factor no env has ("py38-", "-x": valid,
 * never matching; 4.11 kept such lines whole) and the glob characters as
 * plain ones; whitespace inside a part still makes the expression invalid,
 * so the line is kept whole. An empty alternative ("a,,b", "e,") is none.
 */
static void test_factor_condition_empty_or_spaced_part(void)
{
	CHECK_STR(cond("py38-"), "py38&");
	CHECK_STR(cond("py38--x"), "py38&&x");
	CHECK_STR(cond("-x"), "&x");
	CHECK_STR(cond("py3*"), "py3*");
	CHECK_STR(cond("a,,b"), "a|b");
	CHECK_STR(cond("e,"), "e");
	CHECK_STR(cond("a b"), "INVALID");
	CHECK_STR(filter("py38-: x", "py38", 0), "");
	CHECK_STR(filter("a b: x", "a", 0), "a b: x");
}

/* Ranges inside conditions (tox 4.58): closed, descending, open at either end. */
static void test_factor_condition_ranges(void)
{
	CHECK_STR(cond("py3{12-13}"), "py312|py313");
	CHECK_STR(cond("py3{13-11}-x"), "py313&x|py312&x|py311&x");
	CHECK_STR(cond("py3{12-}"), "py312|py313|py314");
	CHECK_STR(cond("py3{-11}"), "py310|py311");
	CHECK_STR(filter("py3{12-13}: dep\nall", "py312-x", 0), "dep\nall");
	CHECK_STR(filter("py3{12-13}: dep\nall", "py311-x", 0), "all");
}

/*
 * tox 4.58: a dropped line that ends in '\\' takes the next line with it,
 * unless that one continues too (checked with tox 4.58).
 */
static void test_factor_filter_skipped_continuation(void)
{
	CHECK_STR(filter("no: a \\\n  b\nc", "x", 0), "c");
	CHECK_STR(filter("no: a \\\n  b \\\n  c\nd", "x", 0), "  b \\\n  c\nd");
	CHECK_STR(filter("x: a \\\n  b\nc", "x", 0), "a \\\n  b\nc");
	CHECK_STR(filter("no: a \\\n  b\nc", "x", 1), "  b\nc");
}

static void test_factor_match(void)
{
	CHECK_INT(matches("!lint", "py38"), 1);
	CHECK_INT(matches("!lint", "py38-lint"), 0);
	CHECK_INT(matches("py38-django", "py38"), 0);
	CHECK_INT(matches("py38-django", "django-py38-cov"), 1);
	CHECK_INT(matches("py38,py39", "py39-x"), 1);
	CHECK_INT(matches("!py38,!py39", "py39"), 1);
	CHECK_INT(matches("!py38,py39", "py38"), 0);
	CHECK_INT(matches("{py38,py39}-django", "py39-django"), 1);
	CHECK_INT(matches("{py38,py39}-django", "py310-django"), 0);
	/* factors are whole '-' parts, not substrings */
	CHECK_INT(matches("py3", "py38"), 0);
}

static void test_factor_filter_basic(void)
{
	const char *v = "py38,py39: x\n!py38: y\nalways";

	CHECK_STR(filter(v, "py38", 0), "x\nalways");
	CHECK_STR(filter(v, "py310", 0), "y\nalways");
	CHECK_STR(filter(v, "py39-lint", 0), "x\ny\nalways");
}

/* Only the first ": " is the marker: the rest belongs to the content. */
static void test_factor_filter_first_marker(void)
{
	CHECK_STR(filter("a: b: c", "a", 0), "b: c");
	CHECK_STR(filter("a: b: c", "b", 0), "");
}

/* URLs, quoted colons, Python warning filters, drive letters: no ':' followed by whitespace, or no valid factors. */
static void test_factor_filter_not_conditions(void)
{
	const char *v = "https://example.com/x\n"
			"python -c \"a: b\"\n"
			"pytest -W error::DeprecationWarning\n"
			"echo \"a: b\"\n"
			"C:\\dir";

	CHECK_STR(filter(v, "x", 0), v);
	CHECK_STR(filter(v, "a", 0), v);
}

/* tox 4: the marker is ':' followed by whitespace or the end of the line. */
static void test_factor_filter_marker_needs_space(void)
{
	CHECK_STR(filter("py38:x", "py38", 0), "py38:x");
	CHECK_STR(filter("py38:x", "py39", 0), "py38:x");
	CHECK_STR(filter("py38:\tx", "py38", 0), "x");
	CHECK_STR(filter("py38:\tx", "py39", 0), "");
	CHECK_STR(filter("a\npy38:\nb", "py39", 0), "a\nb");
}

/* tox 4 keeps a matching condition line even when its content is empty (an empty line). */
static void test_factor_filter_empty_content(void)
{
	CHECK_STR(filter("a\ndocs:\nb", "docs", 0), "a\n\nb");
	CHECK_STR(filter("a\ndocs:\nb", "py38", 0), "a\nb");
}

static void test_factor_filter_blank_lines_dropped(void)
{
	CHECK_STR(filter("a\n\n\nb\n", "x", 0), "a\nb");
}

/* A prefix that is not a valid expression keeps the whole line, colon included. */
static void test_factor_filter_invalid_kept_whole(void)
{
	CHECK_STR(filter("python -c \"a: b\": x", "a", 0), "python -c \"a: b\": x");
	CHECK_STR(filter("mssql-{py313t,py314t,nogreenlet: E=1", "mssql", 0), "mssql-{py313t,py314t,nogreenlet: E=1");
}

/* An empty expression (": foo") yields no alternative, so nothing matches it. */
static void test_factor_filter_empty_condition(void)
{
	CHECK_STR(filter(": foo\nbar", "x", 0), "bar");
}

static void test_factor_filter_tox3_basic(void)
{
	const char *v = "py38,py39: x\n!py38: y\nalways";

	CHECK_STR(filter(v, "py38", 1), "x\nalways");
	CHECK_STR(filter(v, "py310", 1), "y\nalways");
	CHECK_STR(filter("a: b: c", "a", 1), "b: c");
	CHECK_STR(filter("{py38,py39}-django: d", "py39-django", 1), "d");
}

/* tox 3's ^([\w{}.!,-]+):\s+(.+): whitespace and some text must follow the colon. */
static void test_factor_filter_tox3_needs_whitespace(void)
{
	CHECK_STR(filter("docs:", "docs", 1), "docs:");
	CHECK_STR(filter("py38:x", "py38", 1), "py38:x");
	CHECK_STR(filter("py38:\tx", "py38", 1), "x");
	CHECK_STR(filter("py38:\tx", "py39", 1), "");
}

/* tox 3 allows no whitespace inside the expression but does allow empty factors. */
static void test_factor_filter_tox3_vs_tox4(void)
{
	CHECK_STR(filter("{py38, py39}: x", "py38", 1), "{py38, py39}: x");
	CHECK_STR(filter("{py38, py39}: x", "py38", 0), "x");
	CHECK_STR(filter("py38-: x", "py38", 1), "");
	CHECK_STR(filter("python -c \"a: b\"", "a", 1), "python -c \"a: b\"");
}

/* Every condition group, '!' dropped and deduplicated, in line order. */
static void test_factor_condition_envs(void)
{
	struct strvec out = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;

	factor_condition_envs("py38-cov: x\n"
			      "{a,b}-c: y\n"
			      "!lint: z\n"
			      "https://x\n"
			      "python -c \"a: b\"\n"
			      "a-c: again\n"
			      "plain line\n"
			      "3.10: py310",
			      &out);
	for (size_t i = 0; i < out.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", out.v[i]);
	CHECK_STR(strbuf_str(&sb), "py38-cov a-c b-c lint 3.10");
	strbuf_release(&sb);
	strvec_clear(&out);
}

/* Names already in out are not added again. */
static void test_factor_condition_envs_appends(void)
{
	struct strvec out = STRVEC_INIT;

	strvec_push(&out, "cov");
	factor_condition_envs("cov: a\nmysql: b", &out);
	CHECK_INT(out.n, 2);
	if (out.n == 2) {
		CHECK_STR(out.v[0], "cov");
		CHECK_STR(out.v[1], "mysql");
	}
	strvec_clear(&out);
}

const struct test factor_tests[] = {
	{ "factor_condition_and", test_factor_condition_and },
	{ "factor_condition_or", test_factor_condition_or },
	{ "factor_condition_braces", test_factor_condition_braces },
	{ "factor_condition_negation", test_factor_condition_negation },
	{ "factor_condition_negation_inside", test_factor_condition_negation_inside },
	{ "factor_condition_valid_chars", test_factor_condition_valid_chars },
	{ "factor_condition_invalid", test_factor_condition_invalid },
	{ "factor_condition_empty_or_spaced_part", test_factor_condition_empty_or_spaced_part },
	{ "factor_condition_ranges", test_factor_condition_ranges },
	{ "factor_filter_skipped_continuation", test_factor_filter_skipped_continuation },
	{ "factor_match", test_factor_match },
	{ "factor_filter_basic", test_factor_filter_basic },
	{ "factor_filter_first_marker", test_factor_filter_first_marker },
	{ "factor_filter_not_conditions", test_factor_filter_not_conditions },
	{ "factor_filter_marker_needs_space", test_factor_filter_marker_needs_space },
	{ "factor_filter_empty_content", test_factor_filter_empty_content },
	{ "factor_filter_blank_lines_dropped", test_factor_filter_blank_lines_dropped },
	{ "factor_filter_invalid_kept_whole", test_factor_filter_invalid_kept_whole },
	{ "factor_filter_empty_condition", test_factor_filter_empty_condition },
	{ "factor_filter_tox3_basic", test_factor_filter_tox3_basic },
	{ "factor_filter_tox3_needs_whitespace", test_factor_filter_tox3_needs_whitespace },
	{ "factor_filter_tox3_vs_tox4", test_factor_filter_tox3_vs_tox4 },
	{ "factor_condition_envs", test_factor_condition_envs },
	{ "factor_condition_envs_appends", test_factor_condition_envs_appends },
	{ NULL, NULL },
};
