/* JUnit XML: reading (expat, streaming) and writing a merged report. */
#include "junit.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* a failure's text beyond this is cut: a report is for reading, the log has the rest */
#define TEXT_MAX (64 * 1024)
/* deeper than this, a document is no test report */
#define DEPTH_MAX 64

struct parse {
	struct junit *j;
	XML_Parser xp;
	char *suites[DEPTH_MAX];	/* the <testsuite> names open at each depth */
	int depth;
	struct junit_case *cur;		/* the <testcase> open, if any */
	int in_result;			/* inside its <failure>/<error>/<skipped> */
	int in_output;			/* inside its <system-out> (1) or <system-err> (2) */
	struct strbuf text, output;
	int too_deep;
};

static const char *attr(const XML_Char **atts, const char *key)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], key) == 0)
			return atts[i + 1];
	return NULL;
}

static const char *suite_of(const struct parse *p)
{
	for (int d = p->depth - 1; d >= 0; d--)
		if (d < DEPTH_MAX && p->suites[d])
			return p->suites[d];
	return "";
}

static void on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct parse *p = ud;
	int d = p->depth++;

	if (d >= DEPTH_MAX) {
		if (!p->too_deep)
			XML_StopParser(p->xp, XML_FALSE);
		p->too_deep = 1;
		return;
	}
	p->suites[d] = NULL;
	if (strcmp(el, "testsuite") == 0) {
		const char *n = attr(atts, "name");
		p->suites[d] = xstrdup(n ? n : "");
	} else if (strcmp(el, "testcase") == 0 && !p->cur) {
		struct junit *j = p->j;
		const char *v;
		j->v = xgrow(j->v, &j->cap, j->n + 1, sizeof(*j->v));
		p->cur = &j->v[j->n++];
		memset(p->cur, 0, sizeof(*p->cur));
		p->cur->suite = xstrdup(suite_of(p));
		p->cur->classname = xstrdup((v = attr(atts, "classname")) ? v : "");
		p->cur->name = xstrdup((v = attr(atts, "name")) ? v : "");
		if ((v = attr(atts, "file")))
			p->cur->file = xstrdup(v);
		if ((v = attr(atts, "line")))
			p->cur->line = atoi(v);
		if ((v = attr(atts, "time"))) {
			double t = strtod(v, NULL);
			p->cur->time = t >= 0 && t < 1e9 ? t : 0;	/* also NaN: not a time */
		}
	} else if (p->cur && strcmp(el, "property") == 0) {
		const char *n = attr(atts, "name"), *v = attr(atts, "value");
		if (n && strcmp(n, "blitz.flaky") == 0) {
			p->cur->flaky |= v && strcmp(v, "true") == 0;
		} else if (n) {
			struct junit_case *c = p->cur;
			c->props = xrealloc(c->props, (c->nprops + 1) * sizeof(*c->props));
			c->props[c->nprops].name = xstrdup(n);
			c->props[c->nprops++].value = xstrdup(v ? v : "");
		}
	} else if (p->cur && !p->in_result && !p->in_output &&
		   (strcmp(el, "system-out") == 0 || strcmp(el, "system-err") == 0)) {
		p->in_output = el[7] == 'o' ? 1 : 2;
		strbuf_reset(&p->output);
	} else if (p->cur && !p->in_result &&
		   (strcmp(el, "failure") == 0 || strcmp(el, "error") == 0 || strcmp(el, "skipped") == 0)) {
		enum junit_outcome o = el[0] == 'f' ? JUNIT_FAILED : el[0] == 'e' ? JUNIT_ERROR : JUNIT_SKIPPED;
		const char *v;
		/* pytest writes an error at teardown after a failure: the failure says more */
		if (p->cur->outcome == JUNIT_PASSED || o == JUNIT_FAILED) {
			p->cur->outcome = o;
			free(p->cur->kind);
			free(p->cur->message);
			p->cur->kind = (v = attr(atts, "type")) ? xstrdup(v) : NULL;
			p->cur->message = (v = attr(atts, "message")) ? xstrdup(v) : NULL;
			p->in_result = 1;
			strbuf_reset(&p->text);
		}
	}
}

static void on_end(void *ud, const XML_Char *el)
{
	struct parse *p = ud;
	int d = --p->depth;

	if (d >= DEPTH_MAX)
		return;
	free(p->suites[d]);
	p->suites[d] = NULL;
	if (strcmp(el, "testcase") == 0 && p->cur) {
		p->cur = NULL;
	} else if (p->in_output && p->cur && (strcmp(el, "system-out") == 0 || strcmp(el, "system-err") == 0)) {
		char **to = p->in_output == 1 ? &p->cur->system_out : &p->cur->system_err;
		p->in_output = 0;
		if (p->output.len) {
			if (*to) {	/* a second one: joined to the first */
				char *both = xconcat(*to, strbuf_str(&p->output), NULL);
				free(*to);
				*to = both;
			} else {
				*to = xstrdup(strbuf_str(&p->output));
			}
		}
	} else if (p->in_result && p->cur &&
		   (strcmp(el, "failure") == 0 || strcmp(el, "error") == 0 || strcmp(el, "skipped") == 0)) {
		p->in_result = 0;
		free(p->cur->text);
		p->cur->text = p->text.len ? xstrdup(strbuf_str(&p->text)) : NULL;
	}
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct parse *p = ud;

	if (p->in_result && p->text.len + (size_t)len <= TEXT_MAX)
		strbuf_add(&p->text, s, (size_t)len);
	else if (p->in_output && p->output.len + (size_t)len <= TEXT_MAX)
		strbuf_add(&p->output, s, (size_t)len);
}

static struct parse *parse_begin(struct junit *j)
{
	struct parse *p = xcalloc(1, sizeof(*p));

	p->j = j;
	p->xp = XML_ParserCreate("UTF-8");
	if (!p->xp)
		die(1, "out of memory");
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	return p;
}

/* Feed a piece (last: the end of the document); 0, or -1 with err set. */
static int parse_feed(struct parse *p, const char *buf, size_t len, int last, const char *name, char *err,
		      size_t errsz)
{
	if (len > (size_t)1 << 30) {
		snprintf(err, errsz, "%s: too large to be a test report", name);
		return -1;
	}
	if (XML_Parse(p->xp, buf, (int)len, last) == XML_STATUS_OK)
		return 0;
	if (p->too_deep)
		snprintf(err, errsz, "%s:%lu: elements nested more than %d deep: not a JUnit report", name,
			 (unsigned long)XML_GetCurrentLineNumber(p->xp), DEPTH_MAX);
	else
		snprintf(err, errsz, "%s:%lu:%lu: not well-formed XML: %s", name,
			 (unsigned long)XML_GetCurrentLineNumber(p->xp),
			 (unsigned long)XML_GetCurrentColumnNumber(p->xp) + 1,
			 XML_ErrorString(XML_GetErrorCode(p->xp)));
	return -1;
}

static void parse_end(struct parse *p)
{
	for (int d = 0; d < DEPTH_MAX; d++)
		free(p->suites[d]);
	XML_ParserFree(p->xp);
	strbuf_release(&p->text);
	strbuf_release(&p->output);
	free(p);
}

int junit_parse(struct junit *j, const char *text, size_t len, const char *name, char *err, size_t errsz)
{
	struct parse *p = parse_begin(j);
	int rc = parse_feed(p, text, len, 1, name, err, errsz);

	parse_end(p);
	return rc;
}

int junit_read(struct junit *j, const char *path, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;
	int rc = 0;

	if (fd < 0) {
		snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	struct parse *p = parse_begin(j);
	while (rc == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		rc = parse_feed(p, buf, (size_t)n, 0, path, err, errsz);
	if (rc == 0 && n < 0) {
		snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		rc = parse_feed(p, "", 0, 1, path, err, errsz);
	parse_end(p);
	close(fd);
	return rc;
}

const char *junit_outcome_name(enum junit_outcome o)
{
	static const char *const names[] = { "passed", "failed", "error", "skipped" };

	return names[o];
}

/*
 * s as XML: &, <, > escaped, and in an attribute (attr) also " and the
 * whitespace an attribute would fold; control characters XML forbids dropped.
 */
static void put_xml(FILE *f, const char *s, int attr)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (attr && c == '"')
			fputs("&quot;", f);
		else if (attr && (c == '\n' || c == '\t' || c == '\r'))
			fprintf(f, "&#%d;", c);
		else if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r')
			fputc(c, f);
	}
}

/* The element a result other than passed is written as. */
static const char *result_tag(enum junit_outcome o)
{
	return o == JUNIT_FAILED ? "failure" : o == JUNIT_ERROR ? "error" : "skipped";
}

/* A case's <system-out> and <system-err>, as read. */
static void write_output(FILE *f, const struct junit_case *c)
{
	if (c->system_out) {
		fputs("      <system-out>", f);
		put_xml(f, c->system_out, 0);
		fputs("</system-out>\n", f);
	}
	if (c->system_err) {
		fputs("      <system-err>", f);
		put_xml(f, c->system_err, 0);
		fputs("</system-err>\n", f);
	}
}

static char *case_key(const struct junit_case *c)
{
	return xconcat(c->suite, "\x1f", c->classname, "\x1f", c->name, NULL);
}

int junit_write(FILE *f, const struct junit *j, size_t counts[4])
{
	struct strmap ids = STRMAP_INIT, suite_ids = STRMAP_INIT;	/* a test's id; a suite's */
	struct strvec suites = STRVEC_INIT;
	size_t n = j->n ? j->n : 1;
	int *id = xcalloc(n, sizeof(*id));
	size_t *last = xcalloc(n, sizeof(*last));	/* per test id: the index of its last result */
	int *keep = xcalloc(n, sizeof(*keep));

	for (size_t i = 0; i < j->n; i++) {
		char *k = case_key(&j->v[i]);
		id[i] = strmap_intern(&ids, k, strlen(k));
		last[id[i]] = i;
		free(k);
		if (strmap_add(&suite_ids, j->v[i].suite))
			strvec_push(&suites, j->v[i].suite);
	}
	if (counts)
		memset(counts, 0, 4 * sizeof(*counts));
	for (size_t i = 0; i < j->n; i++) {
		keep[i] = last[id[i]] == i;
		if (counts && keep[i])
			counts[j->v[i].outcome]++;
	}
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n", f);
	for (size_t s = 0; s < suites.n; s++) {
		size_t tests = 0, failures = 0, errors = 0, skipped = 0;
		double time = 0;
		for (size_t i = 0; i < j->n; i++) {
			const struct junit_case *c = &j->v[i];
			if (!keep[i] || strcmp(c->suite, suites.v[s]) != 0)
				continue;
			tests++;
			failures += c->outcome == JUNIT_FAILED;
			errors += c->outcome == JUNIT_ERROR;
			skipped += c->outcome == JUNIT_SKIPPED;
			time += c->time;
		}
		fputs("  <testsuite name=\"", f);
		put_xml(f, suites.v[s], 1);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", tests,
			failures, errors, skipped, time);
		for (size_t i = 0; i < j->n; i++) {
			const struct junit_case *c = &j->v[i];
			if (!keep[i] || strcmp(c->suite, suites.v[s]) != 0)
				continue;
			fputs("    <testcase classname=\"", f);
			put_xml(f, c->classname, 1);
			fputs("\" name=\"", f);
			put_xml(f, c->name, 1);
			fputc('"', f);
			if (c->file) {
				fputs(" file=\"", f);
				put_xml(f, c->file, 1);
				fprintf(f, "\" line=\"%d\"", c->line);
			}
			fprintf(f, " time=\"%.3f\"", c->time);
			if (c->outcome == JUNIT_PASSED && !c->flaky && !c->nprops && !c->system_out && !c->system_err) {
				fputs(" />\n", f);
				continue;
			}
			fputs(">\n", f);
			if (c->flaky || c->nprops) {
				fputs("      <properties>", f);
				if (c->flaky)	/* failed, then passed on a rerun: said, never hidden */
					fputs("<property name=\"blitz.flaky\" value=\"true\" />", f);
				for (size_t k = 0; k < c->nprops; k++) {
					fputs("<property name=\"", f);
					put_xml(f, c->props[k].name, 1);
					fputs("\" value=\"", f);
					put_xml(f, c->props[k].value, 1);
					fputs("\" />", f);
				}
				fputs("</properties>\n", f);
			}
			if (c->outcome == JUNIT_PASSED) {
				write_output(f, c);
				fputs("    </testcase>\n", f);
				continue;
			}
			fprintf(f, "      <%s", result_tag(c->outcome));
			if (c->kind) {
				fputs(" type=\"", f);
				put_xml(f, c->kind, 1);
				fputc('"', f);
			}
			if (c->message) {
				fputs(" message=\"", f);
				put_xml(f, c->message, 1);
				fputc('"', f);
			}
			if (c->text) {
				fputc('>', f);
				put_xml(f, c->text, 0);
				fprintf(f, "</%s>\n", result_tag(c->outcome));
			} else {
				fputs(" />\n", f);
			}
			write_output(f, c);
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	strmap_clear(&ids);
	strmap_clear(&suite_ids);
	strvec_clear(&suites);
	free(id);
	free(last);
	free(keep);
	return ferror(f) ? -1 : 0;
}

void junit_release(struct junit *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct junit_case *c = &j->v[i];
		free(c->suite);
		free(c->classname);
		free(c->name);
		free(c->file);
		free(c->kind);
		free(c->message);
		free(c->text);
		free(c->system_out);
		free(c->system_err);
		for (size_t k = 0; k < c->nprops; k++) {
			free(c->props[k].name);
			free(c->props[k].value);
		}
		free(c->props);
	}
	free(j->v);
	memset(j, 0, sizeof(*j));
}
