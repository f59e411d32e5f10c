/*
 * Values as tox 4.58 holds and prints them: Python's str() of each type
 * (tox's stringify), repr() of a float, and json.dumps(..., indent=2) with
 * its escapes, so that blitz config's output is byte for byte tox's.
 */
#include "pyvalue.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "../util/util.h"

void pyvalue_release(struct pyvalue *v)
{
	free(v->s);
	strvec_clear(&v->a);
	strvec_clear(&v->b);
}

void py_float_repr(double d, char *buf, size_t size)
{
	char digits[32];
	int prec, exp10;

	if (isnan(d)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d < 0 ? "-inf" : "inf");
		return;
	}
	if (d == 0) {
		snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* the fewest significant digits that read back as d, as Python's repr finds them */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	char *e = strchr(digits, 'e');
	exp10 = atoi(e + 1);
	*e = '\0';
	/* the mantissa's digits without sign and point */
	char mant[32];
	size_t m = 0;
	for (const char *p = digits; *p; p++)
		if (isdigit((unsigned char)*p))
			mant[m++] = *p;
	mant[m] = '\0';
	while (m > 1 && mant[m - 1] == '0')
		mant[--m] = '\0';
	/* Python writes 1e-05 and 1e+16 with an exponent, what lies between in full */
	struct strbuf sb = STRBUF_INIT;
	if (d < 0)
		strbuf_addch(&sb, '-');
	if (exp10 < -4 || exp10 >= 16) {
		strbuf_addch(&sb, mant[0]);
		if (m > 1)
			strbuf_addf(&sb, ".%s", mant + 1);
		strbuf_addf(&sb, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 < 0) {
		strbuf_adds(&sb, "0.");
		for (int k = -1; k > exp10; k--)
			strbuf_addch(&sb, '0');
		strbuf_adds(&sb, mant);
	} else {
		for (int k = 0; k <= exp10 || (size_t)k < m; k++) {
			if (k == exp10 + 1)
				strbuf_addch(&sb, '.');
			strbuf_addch(&sb, (size_t)k < m ? mant[k] : '0');
		}
		if ((size_t)exp10 + 1 >= m)
			strbuf_adds(&sb, ".0");
	}
	snprintf(buf, size, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

/* A string as Python's json.dumps writes it (ensure_ascii: every non-ASCII character as \uXXXX). */
void pyjson_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned c = *p;
		unsigned long cp;
		int extra;
		switch (c) {
		case '"': fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x80) {
			fputc((int)c, f);
			p++;
			continue;
		}
		/* decode UTF-8; a broken sequence is written byte by byte as U+00XX */
		extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
		cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : c & 0x1f;
		for (int k = 1; extra > 0 && k <= extra; k++) {
			if ((p[k] & 0xc0) != 0x80) {
				extra = -1;
				break;
			}
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (extra < 0) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			fprintf(f, "\\u%04lx", cp);
		}
		p += extra + 1;
	}
	fputc('"', f);
}

void pyjson_indent(FILE *f, int n)
{
	fprintf(f, "%*s", n, "");
}

void pyjson_list(FILE *f, const struct strvec *a, int depth)
{
	if (!a->n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; i < a->n; i++) {
		pyjson_indent(f, depth + 2);
		pyjson_string(f, a->v[i]);
		fputs(i + 1 < a->n ? ",\n" : "\n", f);
	}
	pyjson_indent(f, depth);
	fputc(']', f);
}

void pyvalue_json(FILE *f, const struct pyvalue *v, int depth)
{
	char num[64];

	switch (v->kind) {
	case PV_STR:
		pyjson_string(f, v->s);
		break;
	case PV_BOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	case PV_INT:
		fprintf(f, "%ld", v->i);
		break;
	case PV_FLOAT:
		py_float_repr(v->f, num, sizeof(num));
		fputs(num, f);
		break;
	case PV_LIST:
		pyjson_list(f, &v->a, depth);
		break;
	case PV_MAP:
	case PV_LISTMAP:
		if (!v->a.n) {
			fputs("{}", f);
			break;
		}
		fputs("{\n", f);
		for (size_t i = 0; i < v->a.n; i++) {
			pyjson_indent(f, depth + 2);
			pyjson_string(f, v->a.v[i]);
			fputs(": ", f);
			if (v->kind == PV_MAP) {
				pyjson_string(f, v->b.v[i]);
			} else {
				struct strvec items = STRVEC_INIT;
				strvec_split(&items, v->b.v[i], "\n", 0);
				pyjson_list(f, &items, depth + 2);
				strvec_clear(&items);
			}
			fputs(i + 1 < v->a.n ? ",\n" : "\n", f);
		}
		pyjson_indent(f, depth);
		fputc('}', f);
		break;
	case PV_ERROR:
		fputs("{\n", f);
		pyjson_indent(f, depth + 2);
		fputs("\"error\": ", f);
		pyjson_string(f, v->s);
		fputc('\n', f);
		pyjson_indent(f, depth);
		fputc('}', f);
		break;
	}
}

/* tox's stringify(): the text and whether it is shown as lines under the key. */
static char *text_value(const struct pyvalue *v, int *multi)
{
	struct strbuf sb = STRBUF_INIT;
	char num[64];

	*multi = 0;
	switch (v->kind) {
	case PV_STR:
		strbuf_adds(&sb, v->s);
		break;
	case PV_BOOL:
		strbuf_adds(&sb, v->i ? "True" : "False");
		break;
	case PV_INT:
		strbuf_addf(&sb, "%ld", v->i);
		break;
	case PV_FLOAT:
		py_float_repr(v->f, num, sizeof(num));
		strbuf_adds(&sb, num);
		break;
	case PV_LIST:
		for (size_t i = 0; i < v->a.n; i++)
			strbuf_addf(&sb, "%s%s", i ? "\n" : "", v->a.v[i]);
		*multi = 1;
		break;
	case PV_MAP:
	case PV_LISTMAP:
		for (size_t i = 0; i < v->a.n; i++)
			strbuf_addf(&sb, "%s%s=%s", i ? "\n" : "", v->a.v[i], v->b.v[i]);
		*multi = 1;
		break;
	case PV_ERROR:
		strbuf_addf(&sb, "# Exception: %s", v->s);
		break;
	}
	if (*multi && !strchr(strbuf_str(&sb), '\n'))
		*multi = 0;
	return strbuf_detach(&sb);
}

void pyvalue_text(FILE *f, const char *key, const struct pyvalue *v)
{
	int multi;
	char *s = text_value(v, &multi);

	if (!multi) {
		fprintf(f, "%s = %s\n", key, s);
	} else {
		/* textwrap.indent: lines of only whitespace get no prefix */
		fprintf(f, "%s =\n", key);
		for (char *line = s;;) {
			char *nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);
			int blank = 1;
			for (size_t i = 0; i < n && blank; i++)
				blank = isspace((unsigned char)line[i]) != 0;
			fprintf(f, "%s%.*s\n", blank ? "" : "  ", (int)n, line);
			if (!nl)
				break;
			line = nl + 1;
		}
	}
	free(s);
}

