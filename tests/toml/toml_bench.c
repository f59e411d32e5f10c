/*
 * toml-bench: how fast the TOML parser reads a pyproject.toml of about 20 KB,
 * and whether its time grows linearly with what makes parsers quadratic:
 * long arrays, many keys in one table, many tables, many elements of an array
 * of tables, long strings, long dotted keys and headers, deep nesting. Each
 * shape is timed at n and 8n; the ratio of the times should be near 8.
 * Times are CPU times. Exit status 1 when a ratio passes 32 (quadratic would be 64;
 * caches make even linear work somewhat slower per item as it grows).
 *
 * toml-bench FILE... times those files instead; toml-bench --write prints the
 * generated pyproject.toml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/config/diag.h"
#include "../../src/config/toml.h"
#include "../../src/util/strbuf.h"
#include "../../src/util/util.h"

/* A pyproject.toml in the style of a large real one: metadata, dependency lists, many tool tables. */
static void pyproject(struct strbuf *sb, size_t target)
{
	strbuf_adds(sb,
		"[build-system]\nbuild-backend = \"hatchling.build\"\nrequires = [\"hatch-vcs>=0.4\", \"hatchling>=1.25\"]\n\n"
		"[project]\nname = \"demo\"\ndescription = \"A package that does a great many things\"\n"
		"readme = \"README.md\"\nlicense = \"MIT\"\nrequires-python = \">=3.9\"\n"
		"authors = [{ name = \"A. Person\", email = \"a@example.org\" }]\ndynamic = [\"version\"]\n"
		"classifiers = [\n");
	for (int i = 0; i < 30; i++)
		strbuf_addf(sb, "  \"Programming Language :: Python :: 3.%d\",\n", i);
	strbuf_adds(sb, "]\ndependencies = [\n");
	for (int i = 0; i < 40; i++)
		strbuf_addf(sb, "  \"package-number-%d>=1.%d; python_version < '3.%d'\",  # why %d\n", i, i, i, i);
	strbuf_adds(sb, "]\n[project.optional-dependencies]\n");
	for (int i = 0; i < 10; i++)
		strbuf_addf(sb, "extra%d = [\"a>=%d\", \"b[toml]>=%d.0\", \"c\"]\n", i, i, i);
	strbuf_adds(sb, "\n[dependency-groups]\ntest = [\"pytest>=8\", \"coverage[toml]>=7\"]\n"
		    "dev = [{ include-group = \"test\" }, \"ruff\"]\n");
	for (int i = 0; sb->len < target; i++)
		strbuf_addf(sb,
			    "\n[tool.section%d]\nline-length = %d\nenabled = true\nratio = %d.5e-3\n"
			    "select = [\"ALL\", \"E%d\", \"W%d\"]\nper-file.\"tests/**/*.py\" = [\"S101\"]\n"
			    "when = 1979-05-27T07:32:00Z\nnote = '''literal text, kept as written'''\n"
			    "[[tool.section%d.override]]\nmodule = [\"x.*\", \"y.*\"]\nstrict = false\n",
			    i, 80 + i, i, i, i, i);
}

/* CPU time, not wall time: the machine may be busy with other work. */
static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU seconds per parse of text, over enough runs to last about a tenth of a second. */
static double time_parse(const char *text, size_t len, int *runs)
{
	struct toml_doc doc;
	struct diag d;
	long long start, elapsed;
	int n = 0;

	start = cpu_ns();
	do {
		if (toml_parse(&doc, "bench.toml", text, len, &d) < 0) {
			fprintf(stderr, "toml-bench: %s:%d:%d: %s\n", d.file, d.line, d.col, d.msg);
			exit(2);
		}
		toml_release(&doc);
		n++;
		elapsed = cpu_ns() - start;
	} while (elapsed < 100000000LL);
	*runs = n;
	return (double)elapsed / 1e9 / n;
}

/* One shape of document with n repeats. */
static void shape(struct strbuf *sb, const char *name, size_t n)
{
	strbuf_reset(sb);
	if (strcmp(name, "long array") == 0) {
		strbuf_adds(sb, "a = [");
		for (size_t i = 0; i < n; i++)
			strbuf_addf(sb, "%zu, ", i);
		strbuf_adds(sb, "]\n");
	} else if (strcmp(name, "many keys") == 0) {
		for (size_t i = 0; i < n; i++)
			strbuf_addf(sb, "key%zu = %zu\n", i, i);
	} else if (strcmp(name, "many tables") == 0) {
		for (size_t i = 0; i < n; i++)
			strbuf_addf(sb, "[t.sub%zu]\nx = 1\n", i);
	} else if (strcmp(name, "array of tables") == 0) {
		for (size_t i = 0; i < n; i++)
			strbuf_addf(sb, "[[t.a]]\nx = %zu\n[t.a.b]\ny = 1\n", i);
	} else if (strcmp(name, "long string") == 0) {
		strbuf_adds(sb, "s = \"");
		for (size_t i = 0; i < n; i++)
			strbuf_adds(sb, "abc\\u00e9\\t ");
		strbuf_adds(sb, "\"\nm = '''\n");
		for (size_t i = 0; i < n; i++)
			strbuf_adds(sb, "line\n");
		strbuf_adds(sb, "'''\n");
	} else if (strcmp(name, "dotted keys") == 0) {
		for (size_t i = 0; i < n; i++)
			strbuf_addf(sb, "a.b.c.d.e.f.g.h%zu = %zu\n", i, i);
	} else if (strcmp(name, "deep nesting") == 0) {
		for (size_t i = 0; i < n; i++) {
			strbuf_addf(sb, "k%zu = ", i);
			for (int k = 0; k < 60; k++)
				strbuf_adds(sb, "[{x=");
			strbuf_adds(sb, "1");
			for (int k = 0; k < 60; k++)
				strbuf_adds(sb, "}]");
			strbuf_addch(sb, '\n');
		}
	}
}

int main(int argc, char **argv)
{
	static const char *const shapes[] = {
		"long array", "many keys", "many tables", "array of tables", "long string", "dotted keys", "deep nesting",
	};
	struct strbuf sb = STRBUF_INIT;
	double t, t8;
	int runs, bad = 0;

	if (argc > 1 && strcmp(argv[1], "--write") == 0) {
		pyproject(&sb, 20 * 1024);
		fwrite(sb.buf, 1, sb.len, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *text = read_file(argv[i], &len);
		if (!text) {
			perror(argv[i]);
			return 2;
		}
		t = time_parse(text, len, &runs);
		printf("%s, %zu bytes: %.1f us per parse (%d runs)\n", argv[i], len, t * 1e6, runs);
		free(text);
	}
	if (argc > 1)
		return 0;
	pyproject(&sb, 20 * 1024);
	t = time_parse(sb.buf, sb.len, &runs);
	printf("pyproject.toml of %zu bytes: %.1f us per parse (%d runs)\n", sb.len, t * 1e6, runs);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t n = strcmp(shapes[i], "deep nesting") == 0 ? 200 : 20000, len;
		shape(&sb, shapes[i], n);
		len = sb.len;
		t = time_parse(sb.buf, sb.len, &runs);
		shape(&sb, shapes[i], 8 * n);
		t8 = time_parse(sb.buf, sb.len, &runs);
		printf("%-16s %8zu bytes %8.2f ms, x8 %9zu bytes %8.2f ms: ratio %.1f\n", shapes[i], len, t * 1e3,
		       sb.len, t8 * 1e3, t8 / t);
		bad += t8 / t > 32;
	}
	strbuf_release(&sb);
	return bad ? 1 : 0;
}
