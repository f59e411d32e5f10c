/*
 * The TOML reader (toml.h): lookups, positions, typed accessors and the
 * diagnostics of rejected documents. toml-test's conformance files are run by
 * tests/toml/toml_test.py; these tests pin down blitz's own API and messages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"
#include "../../src/config/diag.h"
#include "../../src/config/toml.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/strvec.h"

static int parse(struct toml_doc *doc, const char *text, struct diag *d)
{
	memset(d, 0, sizeof(*d));
	return toml_parse(doc, "pyproject.toml", text, strlen(text), d);
}

/* The diagnostic of a document that must be rejected, as "line:col: msg" (static buffer). */
static const char *rejected(const char *text)
{
	static char out[700];
	struct toml_doc doc;
	struct diag d;

	if (parse(&doc, text, &d) == 0) {
		toml_release(&doc);
		return "(accepted)";
	}
	if (doc.root)
		return "(error, but the document is not empty)";
	toml_release(&doc);
	snprintf(out, sizeof(out), "%d:%d: %s", d.line, d.col, d.msg);
	return out;
}

static const char pyproject[] =
	"[build-system]\n"
	"requires = [\"setuptools>=61\", 'wheel']\n"
	"build-backend = \"setuptools.build_meta\"\n"
	"backend-path = [\".\"]\n"
	"\n"
	"[project]\n"
	"name = \"demo\"\n"
	"dynamic = [\"version\"]\n"
	"dependencies = [\n"
	"    \"requests>=2\",  # the one we need\n"
	"    \"click\",\n"
	"]\n"
	"[project.optional-dependencies]\n"
	"test = [\"pytest\"]\n"
	"\n"
	"[dependency-groups]\n"
	"dev = [\"ruff\", {include-group = \"test\"}]\n"
	"test = [\"pytest\"]\n"
	"\n"
	"[tool.tox.env.\"py3.12\"]\n"
	"deps = [\"x\"]\n";

static void test_toml_pyproject_lookups(void)
{
	struct toml_doc doc;
	struct diag d;
	struct strvec sv = STRVEC_INIT;
	const struct toml_value *v;

	CHECK_INT(parse(&doc, pyproject, &d), 0);
	CHECK_STR(doc.path, "pyproject.toml");
	v = toml_get_path(doc.root, "build-system.requires");
	CHECK_INT(toml_array_len(v), 2);
	CHECK_INT(toml_string_array(&doc, v, "build-system.requires", &sv, &d), 0);
	CHECK_INT(sv.n, 2);
	if (sv.n == 2) {
		CHECK_STR(sv.v[0], "setuptools>=61");
		CHECK_STR(sv.v[1], "wheel");
	}
	CHECK_STR(toml_string(toml_get_path(doc.root, "build-system.build-backend")), "setuptools.build_meta");
	CHECK_STR(toml_string(toml_array_at(toml_get_path(doc.root, "build-system.backend-path"), 0)), ".");
	CHECK_STR(toml_string(toml_get_path(doc.root, "project.name")), "demo");
	CHECK_INT(toml_string_array(&doc, toml_get_path(doc.root, "project.dependencies"), "project.dependencies", &sv, &d), 0);
	CHECK_INT(sv.n, 4);
	if (sv.n == 4)
		CHECK_STR(sv.v[3], "click");
	CHECK_STR(toml_string(toml_array_at(toml_get_path(doc.root, "project.optional-dependencies.test"), 0)), "pytest");
	CHECK_STR(toml_string(toml_array_at(toml_get_path(doc.root, "project.dynamic"), 0)), "version");
	/* a quoted part of a path, and spaces around its dots, as TOML keys allow */
	CHECK_STR(toml_string(toml_array_at(toml_get_path(doc.root, "tool.tox.env.\"py3.12\".deps"), 0)), "x");
	CHECK_STR(toml_string(toml_array_at(toml_get_path(doc.root, "tool . tox.env.'py3.12'.deps"), 0)), "x");
	/* absent, through a non-table, or not a key at all: NULL */
	CHECK(toml_get_path(doc.root, "project.version") == NULL);
	CHECK(toml_get_path(doc.root, "project.name.x") == NULL);
	CHECK(toml_get_path(doc.root, "project.dependencies.0") == NULL);
	CHECK(toml_get_path(doc.root, "project.") == NULL);
	CHECK(toml_get_path(doc.root, "") == NULL);
	CHECK(toml_get_path(doc.root, "project name") == NULL);
	CHECK(toml_get_path(NULL, "project") == NULL);
	/* dependency-groups hold tables too: an array of strings it is not */
	v = toml_get_path(doc.root, "dependency-groups.dev");
	CHECK_INT(toml_string_array(&doc, v, "dependency-groups.dev", &sv, &d), -1);
	CHECK_INT(d.line, 17);
	CHECK_INT(d.col, 16);
	CHECK_STR(d.msg, "'dependency-groups.dev' must be an array of strings, found a table");
	CHECK_STR(toml_string(toml_get(toml_table(toml_array_at(v, 1)), "include-group")), "test");
	CHECK_INT(toml_string_array(&doc, toml_get_path(doc.root, "project.name"), "project.name", &sv, &d), -1);
	CHECK_STR(d.msg, "'project.name' must be an array of strings, found a string");
	CHECK_INT(toml_string_array(&doc, NULL, "absent", &sv, &d), 0);
	strvec_clear(&sv);
	toml_release(&doc);
	toml_release(&doc);	/* harmless */
}

static void test_toml_positions(void)
{
	struct toml_doc doc;
	struct diag d;
	const struct toml_kv *kv;
	const struct toml_value *v;

	CHECK_INT(parse(&doc, pyproject, &d), 0);
	kv = toml_find(toml_table(toml_get(doc.root, "project")), "name", 4);
	CHECK(kv != NULL);
	if (kv) {
		CHECK_INT(kv->line, 7);
		CHECK_INT(kv->col, 1);
		CHECK_INT(kv->value.line, 7);
		CHECK_INT(kv->value.col, 8);
	}
	v = toml_get_path(doc.root, "project.dependencies");
	CHECK_INT(toml_array_at(v, 1)->line, 11);
	CHECK_INT(toml_array_at(v, 1)->col, 5);
	/* a header's table sits at its '[', the implicit table on the way at its key */
	v = toml_get(doc.root, "build-system");
	CHECK_INT(v->line, 1);
	CHECK_INT(v->col, 1);
	v = toml_get_path(doc.root, "tool.tox");
	CHECK_INT(v->line, 20);
	CHECK_INT(v->col, 7);
	kv = toml_find(toml_table(toml_get_path(doc.root, "tool.tox.env")), "py3.12", 6);
	CHECK(kv != NULL);
	if (kv) {
		CHECK_INT(kv->line, 20);
		CHECK_INT(kv->col, 15);
		CHECK_INT(kv->value.col, 1);
	}
	toml_release(&doc);

	/* an implicit table defined later takes its header's position; the key keeps its first */
	CHECK_INT(parse(&doc, "[a.b]\nx = 1\n\n  [a]\ny = 2\n", &d), 0);
	kv = toml_find(doc.root, "a", 1);
	CHECK_INT(kv->line, 1);
	CHECK_INT(kv->col, 2);
	CHECK_INT(kv->value.line, 4);
	CHECK_INT(kv->value.col, 3);
	toml_release(&doc);

	/* CRLF, a BOM, multi-line strings and dotted keys all count lines and columns right */
	CHECK_INT(parse(&doc, "\xef\xbb\xbf# c\r\ns = \"\"\"\r\none\r\ntwo\"\"\"\r\n  x.\"y\" . z = 1\r\n", &d), 0);
	kv = toml_find(doc.root, "s", 1);
	CHECK_INT(kv->line, 2);
	CHECK_INT(kv->col, 1);
	CHECK_STR(kv->value.u.str.ptr, "one\ntwo");
	kv = toml_find(toml_table(toml_get_path(doc.root, "x.y")), "z", 1);
	CHECK_INT(kv->line, 5);
	CHECK_INT(kv->col, 11);
	CHECK_INT(kv->value.col, 15);
	kv = toml_find(toml_table(toml_get(doc.root, "x")), "y", 1);
	CHECK_INT(kv->col, 5);
	toml_release(&doc);
}

static void test_toml_document_order(void)
{
	struct toml_doc doc;
	struct diag d;
	const char *want[] = { "zeta", "alpha", "mid", "tbl", "b", "arr" };
	const struct toml_table *t;

	CHECK_INT(parse(&doc, "zeta = 1\nalpha = 2\nmid.x = 3\n[tbl]\n[b.c]\n[[arr]]\n[b]\n", &d), 0);
	CHECK_INT(toml_table_len(doc.root), 6);
	for (size_t i = 0; i < 6 && i < toml_table_len(doc.root); i++)
		CHECK_STR(toml_table_at(doc.root, i)->key, want[i]);
	CHECK(toml_table_at(doc.root, 6) == NULL);
	CHECK_INT(toml_table_len(NULL), 0);
	t = toml_table(toml_get(doc.root, "b"));
	CHECK_INT(toml_table_len(t), 1);
	CHECK_STR(toml_table_at(t, 0)->key, "c");
	toml_release(&doc);
}

/* Thousands of keys: found by the hash index, still in file order. */
static void test_toml_large_table(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct toml_doc doc;
	struct diag d;
	long long n = -1;
	char key[32];

	strbuf_adds(&sb, "[t]\n");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "k%d = %d\n", (i * 7919) % 5000, i);
	CHECK_INT(toml_parse(&doc, "big.toml", sb.buf, sb.len, &d), 0);
	const struct toml_table *t = toml_table(toml_get(doc.root, "t"));
	CHECK_INT(toml_table_len(t), 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", (i * 7919) % 5000);
		if (toml_integer(toml_get(t, key), &n) < 0 || n != i) {
			CHECK_INT(n, i);
			break;
		}
		if (strcmp(toml_table_at(t, (size_t)i)->key, key) != 0) {
			CHECK_STR(toml_table_at(t, (size_t)i)->key, key);
			break;
		}
	}
	CHECK(toml_get(t, "k5000") == NULL);
	toml_release(&doc);
	/* one key too many is still a duplicate */
	strbuf_adds(&sb, "k17 = 1\n");
	CHECK_INT(toml_parse(&doc, "big.toml", sb.buf, sb.len, &d), -1);
	CHECK_INT(d.line, 5002);
	CHECK(strstr(d.msg, "duplicate key 'k17'") != NULL);
	toml_release(&doc);
	strbuf_release(&sb);
}

static void test_toml_typed_accessors(void)
{
	struct toml_doc doc;
	struct diag d;
	long long i = 0;
	double f = 0;
	int b = -1;
	const struct toml_value *v;

	CHECK_INT(parse(&doc, "s = 'x'\ni = -0x10\n", &d), -1);	/* no sign before a base prefix */
	toml_release(&doc);
	CHECK_INT(parse(&doc,
			"s = 'x'\ni = 0x1F\no = 0o17\nbn = 0b101\nneg = -1_000\n"
			"f = 1_000.5e-1\ninf = -inf\nnan = +nan\nt = true\nff = false\n"
			"a = [1, 'two', 3.0, [4], {five = 5}]\n", &d), 0);
	CHECK_STR(toml_string(toml_get(doc.root, "s")), "x");
	CHECK(toml_string(toml_get(doc.root, "i")) == NULL);
	CHECK(toml_string(NULL) == NULL);
	CHECK_INT(toml_integer(toml_get(doc.root, "i"), &i), 0);
	CHECK_INT(i, 31);
	CHECK_INT(toml_integer(toml_get(doc.root, "o"), &i), 0);
	CHECK_INT(i, 15);
	CHECK_INT(toml_integer(toml_get(doc.root, "bn"), &i), 0);
	CHECK_INT(i, 5);
	CHECK_INT(toml_integer(toml_get(doc.root, "neg"), &i), 0);
	CHECK_INT(i, -1000);
	CHECK_INT(toml_integer(toml_get(doc.root, "f"), &i), -1);
	CHECK_INT(toml_float(toml_get(doc.root, "i"), &f), -1);	/* an integer is not a float */
	CHECK_INT(toml_float(toml_get(doc.root, "f"), &f), 0);
	CHECK(f == 100.05);
	CHECK_STR(toml_get(doc.root, "f")->u.f.text, "1_000.5e-1");
	CHECK_INT(toml_float(toml_get(doc.root, "inf"), &f), 0);
	CHECK(isinf(f) && f < 0);
	CHECK_STR(toml_get(doc.root, "inf")->u.f.text, "-inf");
	CHECK_INT(toml_float(toml_get(doc.root, "nan"), &f), 0);
	CHECK(isnan(f));
	CHECK_INT(toml_bool(toml_get(doc.root, "t"), &b), 0);
	CHECK_INT(b, 1);
	CHECK_INT(toml_bool(toml_get(doc.root, "ff"), &b), 0);
	CHECK_INT(b, 0);
	CHECK_INT(toml_bool(toml_get(doc.root, "s"), &b), -1);
	CHECK(toml_datetime(toml_get(doc.root, "s")) == NULL);
	v = toml_get(doc.root, "a");
	CHECK_INT(toml_array_len(v), 5);
	CHECK_INT(toml_array_at(v, 0)->type, TOML_INTEGER);
	CHECK_INT(toml_array_at(v, 1)->type, TOML_STRING);
	CHECK_INT(toml_array_at(v, 2)->type, TOML_FLOAT);
	CHECK_INT(toml_array_len(toml_array_at(v, 3)), 1);
	CHECK(toml_get(toml_table(toml_array_at(v, 4)), "five") != NULL);
	CHECK(toml_array_at(v, 5) == NULL);
	CHECK_INT(toml_array_len(toml_get(doc.root, "s")), 0);
	CHECK(toml_table(v) == NULL);
	CHECK_STR(toml_type_name(TOML_DATETIME_LOCAL), "local date-time");
	CHECK_STR(toml_type_name(toml_get(doc.root, "t")->type), "boolean");
	toml_release(&doc);
}

static void test_toml_integer_limits(void)
{
	struct toml_doc doc;
	struct diag d;
	long long i = 0;

	CHECK_INT(parse(&doc, "max = 9_223_372_036_854_775_807\nmin = -9223372036854775808\nh = 0x7FFFFFFFFFFFFFFF\n", &d), 0);
	CHECK_INT(toml_integer(toml_get(doc.root, "max"), &i), 0);
	CHECK(i == 9223372036854775807LL);
	CHECK_INT(toml_integer(toml_get(doc.root, "min"), &i), 0);
	CHECK(i == -9223372036854775807LL - 1);
	CHECK_INT(toml_integer(toml_get(doc.root, "h"), &i), 0);
	CHECK(i == 9223372036854775807LL);
	toml_release(&doc);
	CHECK_STR(rejected("n = 9223372036854775808\n"), "1:5: integer '9223372036854775808' does not fit in 64 bits");
	CHECK_STR(rejected("n = -9223372036854775809\n"), "1:5: integer '-9223372036854775809' does not fit in 64 bits");
	CHECK_STR(rejected("n = 0x8000000000000000\n"), "1:5: integer '0x8000000000000000' does not fit in 64 bits");
	CHECK_STR(rejected("n = 0b1_0000000000000000000000000000000000000000000000000000000000000000\n"),
		  "1:5: integer '0b1_000000000000000000000000000000000000' does not fit in 64 bits");
	CHECK_STR(rejected("n = 012\n"), "1:5: leading zeros are not allowed in '012'");
	CHECK_STR(rejected("n = 1__2\n"), "1:5: invalid number '1__2': an underscore must sit between two digits");
	CHECK_STR(rejected("n = 1e400\n"), "1:5: float '1e400' is too large for 64 bits");
}

static void test_toml_strings(void)
{
	struct toml_doc doc;
	struct diag d;
	const struct toml_value *v;

	CHECK_INT(parse(&doc,
			"a = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600 \\b\\f\\r\\n\"\n"
			"b = 'C:\\path\\no escapes'\n"
			"c = \"\"\"\n  first \\\n     second\n\"\"\"\n"
			"d = '''\nraw \\n ''quoted''\n'''\n"
			"e = \"nul\\u0000inside\"\n"
			"f = \"\"\"\"quotes\"\" at both ends\"\"\"\"\"\n"
			"g = \"\"\n", &d), 0);
	CHECK_STR(toml_string(toml_get(doc.root, "a")), "tab\there \"q\" \\ \xc3\xa9 \xf0\x9f\x98\x80 \b\f\r\n");
	CHECK_STR(toml_string(toml_get(doc.root, "b")), "C:\\path\\no escapes");
	CHECK_STR(toml_string(toml_get(doc.root, "c")), "  first second\n");
	CHECK_STR(toml_string(toml_get(doc.root, "d")), "raw \\n ''quoted''\n");
	v = toml_get(doc.root, "e");
	CHECK_INT(v->u.str.len, 10);
	CHECK(memcmp(v->u.str.ptr, "nul\0inside", 11) == 0);
	CHECK_STR(toml_string(toml_get(doc.root, "f")), "\"quotes\"\" at both ends\"\"");
	CHECK_STR(toml_string(toml_get(doc.root, "g")), "");
	toml_release(&doc);

	CHECK_STR(rejected("a = \"\\uD800\"\n"), "1:6: '\\uD800' is a surrogate, not a character");
	CHECK_STR(rejected("a = \"\\U00110000\"\n"), "1:6: '\\U00110000' is beyond U+10FFFF, the last Unicode character");
	CHECK_STR(rejected("a = \"\\u12\"\n"), "1:6: '\\u' needs 4 hexadecimal digits");
	CHECK_STR(rejected("a = \"\\e\"\n"), "1:6: unknown escape '\\e' (write '\\\\' for a backslash)");
	CHECK_STR(rejected("a = \"open\nb = 1\n"), "1:5: unterminated string: a newline before the closing quote");
	CHECK_STR(rejected("x = 1\na = \"\"\"open\n\nb = 1\n"), "2:5: unterminated string: the closing \"\"\" is missing");
	CHECK_STR(rejected("a = \"bell\x07\"\n"), "1:10: control character U+0007 in a string: write it as an escape such as \\u0001");
	CHECK_STR(rejected("a = '''x\ry'''\n"), "1:9: carriage return without a line feed");
	CHECK_STR(rejected("a = \"\"\"x \\  y\"\"\"\n"), "1:10: a backslash followed by spaces must end the line (or write '\\\\' for a backslash)");
	CHECK_STR(rejected("a = '''x''''''\n"), "1:14: too many quotes: a multi-line string ends at three, and may hold two before them");
	CHECK_STR(rejected("\"\"\"k\"\"\" = 1\n"), "1:1: a multi-line string cannot be a key");
}

static void test_toml_datetimes(void)
{
	struct toml_doc doc;
	struct diag d;
	const struct toml_datetime *dt;

	CHECK_INT(parse(&doc,
			"odt = 1979-05-27t07:32:00.999999999999-07:30\n"
			"utc = 2000-02-29 23:59:60z\n"
			"ldt = 1979-05-27T00:32:00.5\n"
			"ld = 1979-05-27\n"
			"lt = 07:32:00\n", &d), 0);
	dt = toml_datetime(toml_get(doc.root, "odt"));
	CHECK(dt != NULL);
	if (dt) {
		CHECK_STR(dt->text, "1979-05-27T07:32:00.999999999999-07:30");
		CHECK_INT(dt->year, 1979);
		CHECK_INT(dt->day, 27);
		CHECK_INT(dt->minute, 32);
		CHECK_INT(dt->nanosecond, 999999999);
		CHECK_INT(dt->offset, -450);
	}
	CHECK_INT(toml_get(doc.root, "odt")->type, TOML_DATETIME);
	CHECK_STR(toml_datetime(toml_get(doc.root, "utc"))->text, "2000-02-29T23:59:60Z");
	CHECK_INT(toml_get(doc.root, "ldt")->type, TOML_DATETIME_LOCAL);
	CHECK_INT(toml_datetime(toml_get(doc.root, "ldt"))->nanosecond, 500000000);
	CHECK_INT(toml_get(doc.root, "ld")->type, TOML_DATE_LOCAL);
	CHECK_STR(toml_datetime(toml_get(doc.root, "ld"))->text, "1979-05-27");
	CHECK_INT(toml_get(doc.root, "lt")->type, TOML_TIME_LOCAL);
	CHECK_STR(toml_datetime(toml_get(doc.root, "lt"))->text, "07:32:00");
	toml_release(&doc);

	CHECK_STR(rejected("d = 1900-02-29\n"), "1:5: invalid date 1900-02-29: no such day in that month");
	CHECK_STR(rejected("d = 2023-04-31\n"), "1:5: invalid date 2023-04-31: no such day in that month");
	CHECK_STR(rejected("d = 2023-13-01\n"), "1:5: invalid date 2023-13-01: no such month");
	CHECK_STR(rejected("d = 2023-01-01T24:00:00\n"), "1:5: invalid time 24:00:00: hours go to 23, minutes to 59, seconds to 60");
	CHECK_STR(rejected("d = 2023-01-01T10:00\n"), "1:5: invalid time: the seconds are missing (HH:MM:SS)");
	CHECK_STR(rejected("d = 2023-01-01T10:00:00+24:00\n"), "1:24: invalid time offset +24:00: hours go to 23, minutes to 59");
	CHECK_STR(rejected("d = 10:00:00Z\n"), "1:13: expected a newline after the value, found 'Z'");
}

/* What the spec allows and forbids around tables, dotted keys and arrays of tables. */
static void test_toml_redefinition(void)
{
	struct toml_doc doc;
	struct diag d;

	/* allowed: implicit tables defined once later, sub-tables under dotted keys, [[x]] elements */
	CHECK_INT(parse(&doc, "[a.b.c]\n[a]\n[a.b.d]\n", &d), 0);
	toml_release(&doc);
	CHECK_INT(parse(&doc, "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n", &d), 0);
	toml_release(&doc);
	CHECK_INT(parse(&doc, "[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n", &d), 0);
	CHECK_INT(toml_array_len(toml_get(doc.root, "a")), 2);
	toml_release(&doc);
	CHECK_INT(parse(&doc, "a = {x = 1, y.z = 2, y.w = 3}\n", &d), 0);
	toml_release(&doc);

	CHECK_STR(rejected("name = 'a'\n\n\nname = 'b'\n"), "4:1: duplicate key 'name' (first defined at line 1)");
	CHECK_STR(rejected("[a]\nx = 1\n[a]\n"), "3:2: table [a] is defined twice (first at line 1)");
	CHECK_STR(rejected("[a.b]\n[a]\n[a]\n"), "3:2: table [a] is defined twice (first at line 2)");
	CHECK_STR(rejected("a.b = 1\n[a.b]\n"), "2:2: [a.b]: 'a.b' is already an integer (line 1)");
	CHECK_STR(rejected("a.b.c = 1\n[a.b]\n"), "2:2: [a.b]: table 'a.b' is already defined by dotted keys (line 1)");
	CHECK_STR(rejected("[a.b]\n[a]\nb.c = 1\n"), "3:1: cannot add to table 'b' with a dotted key: it is defined by its [header] at line 1");
	CHECK_STR(rejected("[a.b.c]\n[a]\nb.d = 1\n[a.b]\n"), "4:2: [a.b]: table 'a.b' is already defined by dotted keys (line 1)");
	CHECK_STR(rejected("a = {x = 1}\na.y = 2\n"), "2:1: cannot add to 'a', an inline table (line 1): it is complete as written");
	CHECK_STR(rejected("a = {x = 1}\n[a.b]\n"), "2:2: cannot add to 'a', an inline table (line 1): it is complete as written");
	CHECK_STR(rejected("a = {x = 1}\n[a]\n"), "2:2: [a]: 'a' is already an inline table (line 1)");
	CHECK_STR(rejected("a = 1\na.b = 2\n"), "2:1: 'a' is already an integer (line 1), not a table");
	CHECK_STR(rejected("a = []\n[[a]]\n"), "2:3: [[a]]: 'a' is already an array (line 1), which [[...]] cannot add to");
	CHECK_STR(rejected("[[a]]\n[a]\n"), "2:2: [a]: 'a' is already an array of tables (line 1); add an element with [[a]]");
	CHECK_STR(rejected("[a]\n[[a]]\n"), "2:3: [[a]]: 'a' is already a table (line 1), not an array of tables");
	CHECK_STR(rejected("[[a]]\na.x = 1\n[a]\n"), "3:2: [a]: 'a' is already an array of tables (line 1); add an element with [[a]]");
	CHECK_STR(rejected("[[a]]\n[b]\na.x = 1\n[a.b]\nc.d = 1\n[a.b.c]\n"),
		  "6:2: [a.b.c]: table 'a.b.c' is already defined by dotted keys (line 5)");
	CHECK_STR(rejected("x = {a = 1, a = 2}\n"), "1:13: duplicate key 'a' (first defined at line 1)");
	CHECK_STR(rejected("x = {a = {b = 1}, a.c = 2}\n"), "1:19: cannot add to 'a', an inline table (line 1): it is complete as written");
	CHECK_STR(rejected("\"a b\" = 1\n'a b' = 2\n"), "2:1: duplicate key '\"a b\"' (first defined at line 1)");
	/* a long key is cut in a message, never inside a character */
	{
		struct strbuf sb = STRBUF_INIT;
		const char *msg;
		for (int line = 0; line < 2; line++) {
			strbuf_adds(&sb, "\"");
			for (int i = 0; i < 200; i++)
				strbuf_adds(&sb, "\xc3\xa9");
			strbuf_adds(&sb, "\" = 1\n");
		}
		msg = rejected(sb.buf);
		CHECK(strstr(msg, "2:1: duplicate key '\"\xc3\xa9\xc3\xa9") == msg);
		CHECK(strstr(msg, "\xc3\xa9...' (first defined at line 1)") != NULL);
		strbuf_release(&sb);
	}
}

static void test_toml_syntax_errors(void)
{
	CHECK_STR(rejected("a = {x = 1,}\n"), "1:11: trailing comma in an inline table");
	CHECK_STR(rejected("a = {x = 1,\n y = 2}\n"), "1:12: an inline table is written on one line: found a newline before its '}'");
	CHECK_STR(rejected("a = [1 2]\n"), "1:8: expected ',' or ']' after an item of the array, found '2'");
	CHECK_STR(rejected("a = [1,\n# c\n2,\n"), "4:1: expected a value, found end of file");
	CHECK_STR(rejected("a = yes\n"), "1:5: expected a value, found 'yes' (a string needs quotes)");
	CHECK_STR(rejected("a = truex\n"), "1:5: expected a value, found 'truex' (a string needs quotes)");
	CHECK_STR(rejected("a =\n"), "1:4: expected a value, found a newline");
	CHECK_STR(rejected("a = 1 b = 2\n"), "1:7: expected a newline after the value, found 'b'");
	CHECK_STR(rejected("a b = 1\n"), "1:3: expected '=' after the key, found 'b'");
	CHECK_STR(rejected("[a\n"), "1:3: expected ']' to close the header, found a newline");
	CHECK_STR(rejected("[[a]\n"), "1:4: expected ']]' to close the header, found ']'");
	CHECK_STR(rejected("[a] x = 1\n"), "1:5: expected a newline after the header, found 'x'");
	CHECK_STR(rejected("a. = 1\n"), "1:4: expected a key after '.', found '='");
	CHECK_STR(rejected("= 1\n"), "1:1: expected a key, found '='");
	CHECK_STR(rejected("\xe3\x80\x80" "a = 1\n"), "1:1: expected a key, found U+3000");
	CHECK_STR(rejected("a = 1 # bell\x07\n"), "1:13: control character U+0007 in a comment");
	CHECK_STR(rejected("a = 1\rb = 2\n"), "1:6: expected a newline after the value, found a carriage return without a line feed");
	CHECK_STR(rejected("a = 1\n\r\n\rb = 2\n"), "3:1: carriage return without a line feed");
	CHECK_STR(rejected("a = 1\r\nb = 2\r\nc = \"\xff\"\r\n"), "3:6: invalid UTF-8: byte 0xFF cannot start a character");
	CHECK_STR(rejected("a = '\xc0\xaf'\n"), "1:6: invalid UTF-8: byte 0xC0 cannot start a character");
	CHECK_STR(rejected("a = '\xe0\x80\xaf'\n"), "1:6: invalid UTF-8: an overlong encoding of U+002F");
	CHECK_STR(rejected("a = '\xed\xa0\x80'\n"), "1:6: invalid UTF-8: an encoded surrogate (U+D800) is not a character");
	CHECK_STR(rejected("a = '\xf4\x90\x80\x80'\n"), "1:6: invalid UTF-8: U+110000 is beyond U+10FFFF");
	CHECK_STR(rejected("a = '\xe2\x82'\n"), "1:6: invalid UTF-8: the character starting with byte 0xE2 is cut short");
	CHECK_STR(rejected("\xff\xfe" "a\0"), "1:1: the file is UTF-16: TOML files are UTF-8");
	CHECK_STR(rejected("a = \xef\xbb\xbf" "1\n"), "1:5: expected a value, found U+FEFF");
	/* columns on the first line count from after a BOM, as an editor shows it */
	CHECK_STR(rejected("\xef\xbb\xbf" "a = ?\n"), "1:5: expected a value, found '?'");
}

/* Nesting is bounded, so that nothing walking the tree recursively can overflow the stack. */
static void test_toml_depth(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct toml_doc doc;
	struct diag d;

	/* 127 arrays below a root key: the deepest value is at level 128, allowed */
	strbuf_adds(&sb, "a = ");
	for (int i = 0; i < 127; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < 127; i++)
		strbuf_addch(&sb, ']');
	strbuf_addch(&sb, '\n');
	CHECK_INT(toml_parse(&doc, "deep.toml", sb.buf, sb.len, &d), 0);
	toml_release(&doc);
	strbuf_reset(&sb);
	strbuf_adds(&sb, "a = ");
	for (int i = 0; i < 100000; i++)
		strbuf_adds(&sb, "[{x=");
	CHECK_INT(toml_parse(&doc, "deep.toml", sb.buf, sb.len, &d), -1);
	CHECK_INT(d.line, 1);
	CHECK_STR(d.msg, "tables and arrays nested deeper than 128 levels");
	toml_release(&doc);
	strbuf_reset(&sb);
	strbuf_addch(&sb, '[');
	for (int i = 0; i < 100000; i++)
		strbuf_adds(&sb, i ? ".k" : "k");
	strbuf_adds(&sb, "]\n");
	CHECK_INT(toml_parse(&doc, "deep.toml", sb.buf, sb.len, &d), -1);
	CHECK_INT(d.col, 2 + 2 * 128);
	CHECK_STR(d.msg, "tables and arrays nested deeper than 128 levels");
	toml_release(&doc);
	strbuf_release(&sb);
}

static void test_toml_diag(void)
{
	struct toml_doc doc;
	struct diag d;
	char *msg;

	CHECK_INT(parse(&doc, "[project]\nname = 42\n", &d), 0);
	CHECK_INT(toml_diag(&d, &doc, toml_get_path(doc.root, "project.name"), "'%s' must be a string", "project.name"), -1);
	msg = diag_format(&d);
	CHECK_STR(msg, "pyproject.toml:2:8: 'project.name' must be a string");
	free(msg);
	CHECK_INT(toml_diag(&d, &doc, NULL, "no [project] table"), -1);
	msg = diag_format(&d);
	CHECK_STR(msg, "pyproject.toml: no [project] table");
	free(msg);
	toml_release(&doc);

	/* a rejected document leaves nothing behind, and its message names the file */
	CHECK_INT(parse(&doc, "a = 1\na = 2\n", &d), -1);
	CHECK(doc.root == NULL);
	CHECK_STR(d.file, "pyproject.toml");
	toml_release(&doc);
	/* text need not be NUL-terminated: only len bytes are read */
	CHECK_INT(toml_parse(&doc, "x.toml", "a = 12345", 6, &d), 0);
	long long i = 0;
	CHECK_INT(toml_integer(toml_get(doc.root, "a"), &i), 0);
	CHECK_INT(i, 12);
	toml_release(&doc);
	CHECK_INT(toml_parse(&doc, "x.toml", "", 0, &d), 0);
	CHECK_INT(toml_table_len(doc.root), 0);
	toml_release(&doc);
}

const struct test toml_tests[] = {
	{ "toml_pyproject_lookups", test_toml_pyproject_lookups },
	{ "toml_positions", test_toml_positions },
	{ "toml_document_order", test_toml_document_order },
	{ "toml_large_table", test_toml_large_table },
	{ "toml_typed_accessors", test_toml_typed_accessors },
	{ "toml_integer_limits", test_toml_integer_limits },
	{ "toml_strings", test_toml_strings },
	{ "toml_datetimes", test_toml_datetimes },
	{ "toml_redefinition", test_toml_redefinition },
	{ "toml_syntax_errors", test_toml_syntax_errors },
	{ "toml_depth", test_toml_depth },
	{ "toml_diag", test_toml_diag },
	{ NULL, NULL },
};
