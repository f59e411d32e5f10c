/* JUnit XML read and merged (src/results/junit.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/results/junit.h"
#include "../../src/util/util.h"

/* What pytest 7 writes (xunit2), a passed, a failed with a teardown error, a skipped, an error. */
static const char pytest_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites><testsuite name=\"py311\" errors=\"1\" failures=\"1\" "
	"skipped=\"1\" tests=\"4\" time=\"0.5\"><testcase classname=\"tests.test_a\" name=\"test_ok\" time=\"0.010\" />"
	"<testcase classname=\"tests.test_a.TestX\" name=\"test_bad[1-&lt;x&gt;]\" time=\"0.2\">"
	"<failure message=\"assert 1 == 2\">def test_bad():\n&gt;       assert 1 == 2\nE       assert 1 == 2</failure>"
	"<error message=\"failed on teardown\">teardown</error></testcase>"
	"<testcase classname=\"tests.test_b\" name=\"test_skip\" time=\"0.000\">"
	"<skipped type=\"pytest.skip\" message=\"not here\">tests/test_b.py:3: not here</skipped></testcase>"
	"<testcase classname=\"tests.test_b\" name=\"test_err\" time=\"0.3\"><error message=\"fixture 'db' not found\" />"
	"<system-out>printed</system-out></testcase></testsuite></testsuites>";

static void test_junit_parse(void)
{
	struct junit j = { 0 };
	char err[256];

	CHECK_INT(junit_parse(&j, pytest_xml, strlen(pytest_xml), "a.xml", err, sizeof(err)), 0);
	CHECK_INT(j.n, 4);
	CHECK_STR(j.v[0].suite, "py311");
	CHECK_STR(j.v[0].classname, "tests.test_a");
	CHECK_STR(j.v[0].name, "test_ok");
	CHECK_INT(j.v[0].outcome, JUNIT_PASSED);
	CHECK(j.v[0].time > 0.0099 && j.v[0].time < 0.0101);
	CHECK_STR(j.v[1].name, "test_bad[1-<x>]");
	CHECK_INT(j.v[1].outcome, JUNIT_FAILED);	/* the teardown error after it does not hide the failure */
	CHECK_STR(j.v[1].message, "assert 1 == 2");
	CHECK(j.v[1].text && strstr(j.v[1].text, ">       assert 1 == 2") != NULL);
	CHECK_INT(j.v[2].outcome, JUNIT_SKIPPED);
	CHECK_STR(j.v[2].kind, "pytest.skip");
	CHECK_INT(j.v[3].outcome, JUNIT_ERROR);
	CHECK(j.v[3].text == NULL);
	junit_release(&j);
}

/* Not XML, or cut short: an error naming the file and the line, and no crash. */
static void test_junit_malformed(void)
{
	struct junit j = { 0 };
	char err[256];
	static const char cut[] = "<testsuite name=\"x\">\n<testcase name=\"a\" classname=\"c\">\n<failure";

	CHECK_INT(junit_parse(&j, cut, strlen(cut), "node-2.xml", err, sizeof(err)), -1);
	CHECK(strncmp(err, "node-2.xml:3:", 13) == 0);
	CHECK(strstr(err, "not well-formed XML") != NULL);
	junit_release(&j);
	CHECK_INT(junit_read(&j, "/nonexistent/x.xml", err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/x.xml") != NULL);
	junit_release(&j);
}

/* Two nodes' reports of one suite: merged into one testsuite, each test once (its last result), counts right. */
static void test_junit_merge(void)
{
	struct fx f;
	struct junit j = { 0 }, back = { 0 };
	char err[256];
	static const char node1[] =
		"<testsuite name=\"py311\"><testcase classname=\"t\" name=\"a\" time=\"1.5\" />"
		"<testcase classname=\"t\" name=\"flaky\" time=\"1\"><failure message=\"x &amp; &quot;y&quot;\">boom &lt;1&gt;</failure></testcase></testsuite>";
	static const char node2[] =
		"<testsuites><testsuite name=\"py311\"><testcase classname=\"t\" name=\"b\" time=\"2\" />"
		"<testcase classname=\"t\" name=\"flaky\" time=\"1\" /></testsuite>"
		"<testsuite name=\"py312\"><testcase classname=\"t\" name=\"a\" time=\"0.25\"><skipped /></testcase></testsuite></testsuites>";

	fx_init(&f);
	CHECK_INT(junit_parse(&j, node1, strlen(node1), "1", err, sizeof(err)), 0);
	CHECK_INT(junit_parse(&j, node2, strlen(node2), "2", err, sizeof(err)), 0);
	CHECK_INT(j.n, 5);
	FILE *out = fopen(fx_path(&f, "all.xml"), "w");
	CHECK_INT(junit_write(out, &j, NULL), 0);
	fclose(out);
	size_t len;
	char *text = read_file(fx_path(&f, "all.xml"), &len);
	CHECK(strstr(text, "<testsuite name=\"py311\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"4.500\">") != NULL);
	CHECK(strstr(text, "<testsuite name=\"py312\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"0.250\">") != NULL);
	free(text);
	CHECK_INT(junit_read(&back, fx_path(&f, "all.xml"), err, sizeof(err)), 0);
	CHECK_INT(back.n, 4);
	/* in the place of its last result, as that result */
	CHECK_STR(back.v[2].name, "flaky");
	CHECK_INT(back.v[2].outcome, JUNIT_PASSED);
	junit_release(&back);
	/* a failure's message and text come back as they were */
	junit_release(&j);
	CHECK_INT(junit_parse(&j, node1, strlen(node1), "1", err, sizeof(err)), 0);
	out = fopen(fx_path(&f, "one.xml"), "w");
	CHECK_INT(junit_write(out, &j, NULL), 0);
	fclose(out);
	CHECK_INT(junit_read(&back, fx_path(&f, "one.xml"), err, sizeof(err)), 0);
	CHECK_INT(back.n, 2);
	CHECK_INT(back.v[1].outcome, JUNIT_FAILED);
	CHECK_STR(back.v[1].message, "x & \"y\"");
	CHECK_STR(back.v[1].text, "boom <1>");
	junit_release(&back);
	junit_release(&j);
	fx_release(&f);
}

/* A merge keeps each test's properties, <system-out> and <system-err>, as blitz merge writes them. */
static void test_junit_keeps_output(void)
{
	static const char xml[] =
		"<testsuites><testsuite name=\"n1\"><testcase classname=\"t\" name=\"a\" time=\"1\">"
		"<properties><property name=\"owner\" value=\"team &amp; co\" /><property name=\"blitz.flaky\" value=\"true\" />"
		"</properties><system-out>out &lt;1&gt;</system-out><system-err>err 1</system-err></testcase>"
		"<testcase classname=\"t\" name=\"b\" time=\"1\"><failure message=\"m\">tb</failure>"
		"<system-out>printed</system-out></testcase></testsuite></testsuites>";
	struct junit j = { 0 }, again = { 0 };
	char err[256], *text = NULL;
	size_t len = 0;

	CHECK_INT(junit_parse(&j, xml, strlen(xml), "a.xml", err, sizeof(err)), 0);
	CHECK_INT(j.n, 2);
	CHECK_INT(j.v[0].nprops, 1);
	CHECK_STR(j.v[0].props[0].name, "owner");
	CHECK_STR(j.v[0].props[0].value, "team & co");
	CHECK_INT(j.v[0].flaky, 1);
	CHECK_STR(j.v[0].system_out, "out <1>");
	CHECK_STR(j.v[0].system_err, "err 1");
	CHECK_STR(j.v[1].system_out, "printed");
	CHECK(j.v[1].system_err == NULL);
	FILE *f = open_memstream(&text, &len);
	CHECK_INT(junit_write(f, &j, NULL), 0);
	fclose(f);
	CHECK_INT(junit_parse(&again, text, len, "merged.xml", err, sizeof(err)), 0);
	CHECK_INT(again.n, 2);
	CHECK_INT(again.v[0].nprops, 1);
	CHECK_STR(again.v[0].props[0].value, "team & co");
	CHECK_INT(again.v[0].flaky, 1);
	CHECK_STR(again.v[0].system_out, "out <1>");
	CHECK_STR(again.v[0].system_err, "err 1");
	CHECK_STR(again.v[1].system_out, "printed");
	CHECK_STR(again.v[1].text, "tb");
	free(text);
	junit_release(&j);
	junit_release(&again);
}

const struct test junit_tests[] = {
	{ "junit_keeps_output", test_junit_keeps_output },
	{ "junit_parse", test_junit_parse },
	{ "junit_malformed", test_junit_malformed },
	{ "junit_merge", test_junit_merge },
	{ NULL, NULL },
};
