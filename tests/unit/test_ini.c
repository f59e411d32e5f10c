/*
 * The INI reader: Python 3.11's configparser as tox 4 configures it
 * (tox-semantics.md §1.1).
 */
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/diag.h"
#include "../../src/config/ini.h"

static int parse(struct ini *ini, const char *text, struct diag *d)
{
	memset(ini, 0, sizeof(*ini));
	memset(d, 0, sizeof(*d));
	return ini_parse(ini, "dir/tox.ini", text, strlen(text), d);
}

/* The value of [sec] key, or NULL. */
static const char *value(const struct ini *ini, const char *sec, const char *key)
{
	const struct ini_entry *e = ini_get(ini_section(ini, sec), key);

	return e ? e->value : NULL;
}

static void test_ini_sections_in_order(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[tox]\nenvlist = py\n\n[testenv]\ndeps = x\n[testenv:py{38,39}]\n", &d), 0);
	CHECK_INT(ini.n, 3);
	if (ini.n == 3) {
		CHECK_STR(ini.sections[0].name, "tox");
		CHECK_STR(ini.sections[1].name, "testenv");
		CHECK_STR(ini.sections[2].name, "testenv:py{38,39}");
		CHECK_INT(ini.sections[0].line, 1);
		CHECK_INT(ini.sections[1].line, 4);
		CHECK_INT(ini.sections[2].line, 6);
	}
	CHECK_STR(value(&ini, "tox", "envlist"), "py");
	CHECK_STR(value(&ini, "testenv", "deps"), "x");
	CHECK(ini_section(&ini, "testenv:py38") == NULL);
	ini_release(&ini);
}

static void test_ini_continuation_lines(void)
{
	struct ini ini;
	struct diag d;
	const struct ini_entry *e;

	CHECK_INT(parse(&ini, "[s]\nkey = a\n  b\n        c\nnext = 1\n", &d), 0);
	e = ini_get(ini_section(&ini, "s"), "key");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->value, "a\nb\nc");
		CHECK_INT(e->line, 2);
		CHECK_INT(e->col, 7);
		CHECK_INT(ini_value_line(e, 0), 2);
		CHECK_INT(ini_value_line(e, 1), 3);
		CHECK_INT(ini_value_line(e, 2), 4);
	}
	CHECK_STR(value(&ini, "s", "next"), "1");
	ini_release(&ini);
}

/* `key =` followed by indented lines: the value starts with an empty line. */
static void test_ini_empty_first_line(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\ndeps =\n    a\n    b\n", &d), 0);
	CHECK_STR(value(&ini, "s", "deps"), "\na\nb");
	ini_release(&ini);
}

/* Continuation means "indented more than the line that started the key", not "indented". */
static void test_ini_indented_keys(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\n  a = 1\n  b = 2\n   c\n", &d), 0);
	CHECK_STR(value(&ini, "s", "a"), "1");
	CHECK_STR(value(&ini, "s", "b"), "2\nc");
	ini_release(&ini);
}

static void test_ini_blank_lines_kept_inside_value(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\nkey = a\n\n  b\n\n\n  c\n", &d), 0);
	CHECK_STR(value(&ini, "s", "key"), "a\n\nb\n\n\nc");
	ini_release(&ini);
}

static void test_ini_trailing_blank_lines_dropped(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\nkey = a\n  b\n\n   \n\nother = 2\n\n", &d), 0);
	CHECK_STR(value(&ini, "s", "key"), "a\nb");
	CHECK_STR(value(&ini, "s", "other"), "2");
	ini_release(&ini);
}

/* Full-line comments vanish, even inside a value; inline ones stay (tox strips '#' itself). */
static void test_ini_comment_lines(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini,
			"# leading comment\n"
			"; another\n"
			"[s]\n"
			"key = a\n"
			"# column-0 comment inside the value\n"
			"  ; indented comment\n"
			"    # more\n"
			"  b\n"
			"inline = x # y ; z\n",
			&d), 0);
	CHECK_STR(value(&ini, "s", "key"), "a\nb");
	CHECK_STR(value(&ini, "s", "inline"), "x # y ; z");
	ini_release(&ini);
}

/* A comment line between two blank lines neither ends the value nor adds a line of its own. */
static void test_ini_comment_between_blank_lines(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\nkey = a\n\n# c\n\n  b\n", &d), 0);
	CHECK_STR(value(&ini, "s", "key"), "a\n\n\nb");
	ini_release(&ini);
}

static void test_ini_keys_case_insensitive(void)
{
	struct ini ini;
	struct diag d;
	const struct ini_section *sec;

	CHECK_INT(parse(&ini, "[TestEnv]\nSetEnv = A=1\nDEPS = x\n", &d), 0);
	sec = ini_section(&ini, "TestEnv");
	CHECK(sec != NULL);
	CHECK(ini_section(&ini, "testenv") == NULL);	/* section names keep their case */
	if (sec && sec->n == 2) {
		CHECK_STR(sec->entries[0].key, "setenv");
		CHECK_STR(sec->entries[1].key, "deps");
	}
	CHECK_STR(value(&ini, "TestEnv", "setenv"), "A=1");
	CHECK_STR(value(&ini, "TestEnv", "SETENV"), "A=1");
	CHECK_STR(value(&ini, "TestEnv", "Deps"), "x");
	ini_release(&ini);
}

/* The key ends at the first '=' or ':'; whitespace around both sides goes. */
static void test_ini_key_delimiters(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\npy38: foo = bar\na=b:c\nempty =\nspaced   =   v  \n", &d), 0);
	CHECK_STR(value(&ini, "s", "py38"), "foo = bar");
	CHECK_STR(value(&ini, "s", "a"), "b:c");
	CHECK_STR(value(&ini, "s", "empty"), "");
	CHECK_STR(value(&ini, "s", "spaced"), "v");
	ini_release(&ini);
}

/* The header is everything between '[' and the last ']' of the line. */
static void test_ini_section_header_trailing_text(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[testenv:a]   # note\nk = 1\n[tox]  \nj = 2\n", &d), 0);
	CHECK_STR(value(&ini, "testenv:a", "k"), "1");
	CHECK_STR(value(&ini, "tox", "j"), "2");
	ini_release(&ini);
	/* indented more than the key above, a header line is a continuation of that key */
	CHECK_INT(parse(&ini, "[a]\nk = 1\n  [b]\nj = 2\n", &d), 0);
	CHECK_STR(value(&ini, "a", "k"), "1\n[b]");
	CHECK_STR(value(&ini, "a", "j"), "2");
	CHECK(ini_section(&ini, "b") == NULL);
	ini_release(&ini);
}

static void test_ini_duplicate_key_error(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[testenv]\ndeps = a\ncommands = x\nDeps = b\n", &d), -1);
	CHECK_STR(d.file, "dir/tox.ini");
	CHECK_INT(d.line, 4);
	CHECK_INT(d.col, 1);
	CHECK(strstr(d.msg, "deps") != NULL);
	CHECK(strstr(d.msg, "line 2") != NULL);	/* where the first one is */
	ini_release(&ini);
}

static void test_ini_duplicate_section_error(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[tox]\n[testenv:a]\nk = 1\n\n[testenv:a]\n", &d), -1);
	CHECK_STR(d.file, "dir/tox.ini");
	CHECK_INT(d.line, 5);
	CHECK(strstr(d.msg, "testenv:a") != NULL);
	CHECK(strstr(d.msg, "line 2") != NULL);
	ini_release(&ini);
}

static void test_ini_text_before_first_section(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "# ok\n\nenvlist = py\n[tox]\n", &d), -1);
	CHECK_STR(d.file, "dir/tox.ini");
	CHECK_INT(d.line, 3);
	ini_release(&ini);
}

/* An indented line right after a header has no key to continue, and a line without '=' or ':' is no key. */
static void test_ini_stray_lines(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\n  orphan\n", &d), -1);
	CHECK_INT(d.line, 2);
	ini_release(&ini);
	CHECK_INT(parse(&ini, "[s]\nk = 1\nno delimiter here\n", &d), -1);
	CHECK_INT(d.line, 3);
	ini_release(&ini);
}

static void test_ini_crlf(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[tox]\r\nenvlist = a,\r\n  b\r\n\r\n[testenv]\r\ndeps = x\r\n", &d), 0);
	CHECK_STR(value(&ini, "tox", "envlist"), "a,\nb");
	CHECK_STR(value(&ini, "testenv", "deps"), "x");
	ini_release(&ini);
}

/*
 * A UTF-8 byte order mark is skipped. (tox itself fails on such a file: it
 * reads it without "utf-8-sig", so configparser sees "\ufeff[tox]" and reports
 * a missing section header; tox 3.28's iniconfig says "unexpected line".)
 */
static void test_ini_utf8_bom(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "\xef\xbb\xbf[tox]\nenvlist = py\n", &d), 0);
	CHECK(ini_section(&ini, "tox") != NULL);
	CHECK_STR(value(&ini, "tox", "envlist"), "py");
	ini_release(&ini);
}

/* No '%' interpolation: tox builds its parser with interpolation=None. */
static void test_ini_no_interpolation(void)
{
	struct ini ini;
	struct diag d;

	CHECK_INT(parse(&ini, "[s]\nfmt = %(name)s 100%\n", &d), 0);
	CHECK_STR(value(&ini, "s", "fmt"), "%(name)s 100%");
	ini_release(&ini);
}

const struct test ini_tests[] = {
	{ "ini_sections_in_order", test_ini_sections_in_order },
	{ "ini_continuation_lines", test_ini_continuation_lines },
	{ "ini_empty_first_line", test_ini_empty_first_line },
	{ "ini_indented_keys", test_ini_indented_keys },
	{ "ini_blank_lines_kept_inside_value", test_ini_blank_lines_kept_inside_value },
	{ "ini_trailing_blank_lines_dropped", test_ini_trailing_blank_lines_dropped },
	{ "ini_comment_lines", test_ini_comment_lines },
	{ "ini_comment_between_blank_lines", test_ini_comment_between_blank_lines },
	{ "ini_keys_case_insensitive", test_ini_keys_case_insensitive },
	{ "ini_key_delimiters", test_ini_key_delimiters },
	{ "ini_section_header_trailing_text", test_ini_section_header_trailing_text },
	{ "ini_duplicate_key_error", test_ini_duplicate_key_error },
	{ "ini_duplicate_section_error", test_ini_duplicate_section_error },
	{ "ini_text_before_first_section", test_ini_text_before_first_section },
	{ "ini_stray_lines", test_ini_stray_lines },
	{ "ini_crlf", test_ini_crlf },
	{ "ini_utf8_bom", test_ini_utf8_bom },
	{ "ini_no_interpolation", test_ini_no_interpolation },
	{ NULL, NULL },
};
