/*
 * shlex_split() as Python's shlex.shlex(posix=True, whitespace_split=True)
 * splits a tox 4 command (tox-semantics.md §8.2), with tox 3's flags (§8.5),
 * and shlex_quote() as shlex.quote() (§8.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/shlex.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

static char buf[4096];

/* The words of s joined with '|'; *rc and *rest get shlex_split()'s results when not NULL. */
static const char *split(const char *s, int flags, int *rc, size_t *rest)
{
	struct strvec out = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t at = (size_t)-1;
	int r = shlex_split(s, &out, flags, &at);

	if (rc)
		*rc = r;
	if (rest)
		*rest = at;
	for (size_t i = 0; i < out.n; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", out.v[i]);
	snprintf(buf, sizeof(buf), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	strvec_clear(&out);
	return buf;
}

static const char *quote(const char *s)
{
	char *q = shlex_quote(s);

	snprintf(buf, sizeof(buf), "%s", q);
	free(q);
	return buf;
}

static void test_shlex_whitespace(void)
{
	int rc = -1;

	CHECK_STR(split("pytest -x  tests\t--cov ", 0, &rc, NULL), "pytest|-x|tests|--cov");
	CHECK_INT(rc, 0);
	CHECK_STR(split("   ", 0, &rc, NULL), "");
	CHECK_INT(rc, 0);
}

/* Single quotes keep everything literally, backslashes included. */
static void test_shlex_single_quotes(void)
{
	CHECK_STR(split("echo 'a b' 'c\\d' '\"'", 0, NULL, NULL), "echo|a b|c\\d|\"");
}

/* Inside double quotes a backslash escapes only '"' and '\\'; other backslashes stay. */
static void test_shlex_double_quotes(void)
{
	CHECK_STR(split("echo \"a \\\"b\\\" \\\\ \\n 'x'\"", 0, NULL, NULL), "echo|a \"b\" \\ \\n 'x'");
}

/* Outside quotes a backslash makes the next character ordinary. */
static void test_shlex_backslash_outside_quotes(void)
{
	CHECK_STR(split("a\\ b c\\d \\'e", 0, NULL, NULL), "a b|cd|'e");
}

/* Quoted and unquoted pieces next to each other make one word; '' is an empty word. */
static void test_shlex_concatenation_and_empty(void)
{
	CHECK_STR(split("a'b c'\"d\"e", 0, NULL, NULL), "ab cde");
	CHECK_STR(split("echo '' \"\" x", 0, NULL, NULL), "echo|||x");
}

/* An unterminated quote: -1, the words so far, and where the rest starts (after one separator). */
static void test_shlex_unterminated_quote(void)
{
	int rc = 0;
	size_t rest = 0;
	const char *s = "python -c 'print(1)";

	CHECK_STR(split(s, 0, &rc, &rest), "python|-c");
	CHECK_INT(rc, -1);
	CHECK_INT(rest, 10);
	CHECK_STR(s + rest, "'print(1)");
	s = "echo  \"abc";
	CHECK_STR(split(s, 0, &rc, &rest), "echo");
	CHECK_INT(rc, -1);
	CHECK_STR(s + rest, " \"abc");
}

/* A backslash at the very end escapes nothing: an error like an open quote. */
static void test_shlex_trailing_backslash(void)
{
	int rc = 0;
	size_t rest = 0;
	const char *s = "echo a\\";

	CHECK_STR(split(s, 0, &rc, &rest), "echo");
	CHECK_INT(rc, -1);
	CHECK_STR(s + rest, "a\\");
}

/* Without SHLEX_COMMENTS '#' is an ordinary character (tox 4 cuts comments earlier). */
static void test_shlex_hash_is_text(void)
{
	CHECK_STR(split("echo a#b # c", 0, NULL, NULL), "echo|a#b|#|c");
}

/* tox 3: shlex's default commenters: '#' ends the line, even inside a word. */
static void test_shlex_comments(void)
{
	CHECK_STR(split("pytest a#b # c", SHLEX_COMMENTS, NULL, NULL), "pytest|a");
	CHECK_STR(split("# all comment", SHLEX_COMMENTS, NULL, NULL), "");
	CHECK_STR(split("echo '#quoted' x", SHLEX_COMMENTS, NULL, NULL), "echo|#quoted|x");
}

/* tox 3: escape="" makes backslashes ordinary, in and out of quotes. */
static void test_shlex_no_escape(void)
{
	CHECK_STR(split("a\\b 'c\\d' \"e\\\\f\"", SHLEX_NO_ESCAPE, NULL, NULL), "a\\b|c\\d|e\\\\f");
	CHECK_STR(split("C:\\dir\\ x", SHLEX_NO_ESCAPE, NULL, NULL), "C:\\dir\\|x");
}

static void test_shlex_quote_safe(void)
{
	CHECK_STR(quote("abc"), "abc");
	CHECK_STR(quote("-k@%+=:,./x_Y9"), "-k@%+=:,./x_Y9");
}

static void test_shlex_quote_unsafe(void)
{
	CHECK_STR(quote(""), "''");
	CHECK_STR(quote("a b"), "'a b'");
	CHECK_STR(quote("$HOME"), "'$HOME'");
	CHECK_STR(quote("it's"), "'it'\"'\"'s'");
	CHECK_STR(quote("a\"b"), "'a\"b'");
	/* shlex.quote's safe set is ASCII only */
	CHECK_STR(quote("caf\xc3\xa9"), "'caf\xc3\xa9'");
}

/* What quote() produces splits back into the same word. */
static void test_shlex_quote_round_trip(void)
{
	const char *words[] = { "it's", "a b", "", "x\"y", "$(rm -rf)", "back\\slash", NULL };

	for (int i = 0; words[i]; i++) {
		char *q = shlex_quote(words[i]);
		struct strvec out = STRVEC_INIT;
		CHECK_INT(shlex_split(q, &out, 0, NULL), 0);
		CHECK_INT(out.n, 1);
		if (out.n == 1)
			CHECK_STR(out.v[0], words[i]);
		strvec_clear(&out);
		free(q);
	}
}

const struct test shlex_tests[] = {
	{ "shlex_whitespace", test_shlex_whitespace },
	{ "shlex_single_quotes", test_shlex_single_quotes },
	{ "shlex_double_quotes", test_shlex_double_quotes },
	{ "shlex_backslash_outside_quotes", test_shlex_backslash_outside_quotes },
	{ "shlex_concatenation_and_empty", test_shlex_concatenation_and_empty },
	{ "shlex_unterminated_quote", test_shlex_unterminated_quote },
	{ "shlex_trailing_backslash", test_shlex_trailing_backslash },
	{ "shlex_hash_is_text", test_shlex_hash_is_text },
	{ "shlex_comments", test_shlex_comments },
	{ "shlex_no_escape", test_shlex_no_escape },
	{ "shlex_quote_safe", test_shlex_quote_safe },
	{ "shlex_quote_unsafe", test_shlex_quote_unsafe },
	{ "shlex_quote_round_trip", test_shlex_quote_round_trip },
	{ NULL, NULL },
};
