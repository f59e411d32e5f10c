/*
 * TOML's scalars: the four kinds of string with their escapes, integers in
 * every base, floats, and the four kinds of date-time; and the parser's
 * helpers that they share with toml_parse.c (an error at an offset, a
 * character described for a message, a newline consumed). The document is
 * valid UTF-8 by the time these run (toml_parse checks it first), so bytes of
 * 0x80 and above are parts of real characters. This file calls only toml.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "toml_int.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* Numbers are quoted in messages up to this many bytes. */
#define QUOTE_MAX 40

int tp_error(struct toml_parser *p, size_t at, const char *fmt, ...)
{
	char msg[sizeof(p->d->msg)];
	va_list ap;
	int line = 1;
	size_t bol = 0;

	if (at > p->len)
		at = p->len;
	if (at >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		bol = 3;	/* an editor shows no BOM: columns count from after it */
	for (size_t i = 0; i < at; i++)
		if (p->s[i] == '\n') {
			line++;
			bol = i + 1;
		}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(p->d, p->path, line, (int)(at - bol) + 1, "%s", msg);
}

const char *tp_describe(struct toml_parser *p, size_t at, char *buf, size_t size)
{
	unsigned c;

	if (at >= p->len)
		return "end of file";
	c = p->s[at];
	if (c == '\n' || (c == '\r' && at + 1 < p->len && p->s[at + 1] == '\n'))
		return "a newline";
	if (c == '\r')
		return "a carriage return without a line feed";
	if (c == '\t')
		return "a tab";
	if (c >= 0x20 && c < 0x7f) {
		snprintf(buf, size, "'%c'", c);
	} else if (c < 0x80) {
		snprintf(buf, size, "control character U+%04X", c);
	} else {
		/* the document is valid UTF-8 by now: decode the character for its number */
		unsigned cp = c >= 0xf0 ? c & 0x07 : c >= 0xe0 ? c & 0x0f : c & 0x1f;
		size_t n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		for (size_t i = 1; i <= n && at + i < p->len; i++)
			cp = cp << 6 | (p->s[at + i] & 0x3f);
		snprintf(buf, size, "U+%04X", cp);
	}
	return buf;
}

int tp_newline(struct toml_parser *p)
{
	size_t n;

	if (p->pos < p->len && p->s[p->pos] == '\n')
		n = 1;
	else if (p->pos + 1 < p->len && p->s[p->pos] == '\r' && p->s[p->pos + 1] == '\n')
		n = 2;
	else
		return 0;
	p->pos += n;
	p->line++;
	p->bol = p->pos;
	return 1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether c may not appear as itself in a string: controls other than tab, and DEL. */
static int is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* \uXXXX or \UXXXXXXXX at pos (the backslash): append the character. */
static int unicode_escape(struct toml_parser *p)
{
	size_t at = p->pos, ndigits = p->s[at + 1] == 'u' ? 4 : 8;
	uint32_t cp = 0;

	for (size_t i = 0; i < ndigits; i++) {
		size_t k = at + 2 + i;
		int h = k < p->len ? hex_value(p->s[k]) : -1;
		if (h < 0)
			return tp_error(p, at, "'\\%c' needs %zu hexadecimal digits", p->s[at + 1], ndigits);
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return tp_error(p, at, "'\\%c%.*s' is a surrogate, not a character", p->s[at + 1],
				(int)ndigits, (const char *)p->s + at + 2);
	if (cp > 0x10ffff)
		return tp_error(p, at, "'\\%c%.*s' is beyond U+10FFFF, the last Unicode character",
				p->s[at + 1], (int)ndigits, (const char *)p->s + at + 2);
	add_utf8(&p->sb, cp);
	p->pos = at + 2 + ndigits;
	return 0;
}

/*
 * A multi-line basic string's backslash at the end of a line: it drops the
 * newline and every space, tab and newline after it. pos is past the backslash.
 */
static int line_ending_backslash(struct toml_parser *p, size_t at)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
	if (!tp_newline(p))
		return tp_error(p, at, "a backslash followed by spaces must end the line (or write '\\\\' for a backslash)");
	for (;;) {
		while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
			p->pos++;
		if (!tp_newline(p))
			return 0;
	}
}

/* The escape at pos (a backslash) in a basic string. */
static int escape(struct toml_parser *p, int multiline)
{
	size_t at = p->pos;
	char buf[32];
	unsigned char c;

	if (at + 1 >= p->len)
		return tp_error(p, at, "unterminated string");
	c = p->s[at + 1];
	switch (c) {
	case 'b': strbuf_addch(&p->sb, '\b'); break;
	case 't': strbuf_addch(&p->sb, '\t'); break;
	case 'n': strbuf_addch(&p->sb, '\n'); break;
	case 'f': strbuf_addch(&p->sb, '\f'); break;
	case 'r': strbuf_addch(&p->sb, '\r'); break;
	case '"': strbuf_addch(&p->sb, '"'); break;
	case '\\': strbuf_addch(&p->sb, '\\'); break;
	case 'u':
	case 'U':
		return unicode_escape(p);
	default:
		if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			p->pos = at + 1;
			return line_ending_backslash(p, at);
		}
		if (c >= 0x21 && c <= 0x7e)
			return tp_error(p, at, "unknown escape '\\%c' (write '\\\\' for a backslash)", c);
		return tp_error(p, at, "unknown escape: a backslash before %s", tp_describe(p, at + 1, buf, sizeof(buf)));
	}
	p->pos = at + 2;
	return 0;
}

int tp_string(struct toml_parser *p, int multiline)
{
	size_t start = p->pos;
	unsigned char q = p->s[start];
	char buf[32];

	strbuf_reset(&p->sb);
	strbuf_add(&p->sb, "", 0);	/* a buffer even for "" */
	p->pos += multiline ? 3 : 1;
	if (multiline)
		tp_newline(p);	/* a newline right after the opening quotes is not part of the string */
	for (;;) {
		size_t run = p->pos;
		unsigned char c;

		while (run < p->len && p->s[run] != q && !(p->s[run] == '\\' && q == '"') && !is_control(p->s[run]))
			run++;
		strbuf_add(&p->sb, (const char *)p->s + p->pos, run - p->pos);
		p->pos = run;
		if (p->pos >= p->len)
			return tp_error(p, start, "unterminated string: the closing %s is missing",
					multiline ? (q == '"' ? "\"\"\"" : "'''") : "quote");
		c = p->s[p->pos];
		if (c == q) {
			size_t n = 0;
			if (!multiline) {
				p->pos++;
				return 0;
			}
			while (p->pos + n < p->len && p->s[p->pos + n] == q)
				n++;
			if (n >= 3) {
				if (n > 5)
					return tp_error(p, p->pos + 5, "too many quotes: a multi-line string ends at three, and may hold two before them");
				strbuf_add(&p->sb, (const char *)p->s + p->pos, n - 3);
				p->pos += n;
				return 0;
			}
			strbuf_add(&p->sb, (const char *)p->s + p->pos, n);
			p->pos += n;
		} else if (c == '\\') {
			if (escape(p, multiline) < 0)
				return -1;
		} else if (c == '\n' || c == '\r') {
			if (!multiline)
				return tp_error(p, start, "unterminated string: a newline before the closing quote");
			if (!tp_newline(p))
				return tp_error(p, p->pos, "carriage return without a line feed");
			strbuf_addch(&p->sb, '\n');
		} else {
			return tp_error(p, p->pos, "%s in a string%s", tp_describe(p, p->pos, buf, sizeof(buf)),
					q == '"' ? ": write it as an escape such as \\u0001" : "");
		}
	}
}

/* A number's text for messages, cut at QUOTE_MAX bytes. */
#define TOKEN(p, start, n) (int)((n) < QUOTE_MAX ? (n) : QUOTE_MAX), (const char *)(p)->s + (start)

/*
 * Digits of a base at *i in t (n bytes), underscores allowed only between
 * two digits. Returns the count of digits, or -1 at a misplaced underscore.
 */
static int digits(const unsigned char *t, size_t n, size_t *i, int base)
{
	int count = 0;

	while (*i < n) {
		int c = t[*i], v = hex_value(c);
		if (c == '_') {
			if (!count || *i + 1 >= n || hex_value(t[*i + 1]) < 0 || hex_value(t[*i + 1]) >= base)
				return -1;
		} else if (v < 0 || v >= base) {
			break;
		} else {
			count++;
		}
		(*i)++;
	}
	return count;
}

/* An integer of a base with a prefix (0x, 0o, 0b): t and n start after the prefix. */
static int prefixed(struct toml_parser *p, size_t start, size_t n, int base, struct toml_value *out)
{
	const unsigned char *t = p->s + start + 2;
	size_t i = 0;
	unsigned long long v = 0;
	int count = digits(t, n - 2, &i, base);

	if (count < 0)
		return tp_error(p, start, "invalid number '%.*s': an underscore must sit between two digits",
				TOKEN(p, start, n));
	if (count == 0 || i != n - 2)
		return tp_error(p, start, "invalid %s integer '%.*s'",
				base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary", TOKEN(p, start, n));
	for (size_t k = 0; k < i; k++) {
		if (t[k] == '_')
			continue;
		if (v > (unsigned long long)(INT64_MAX - hex_value(t[k])) / (unsigned)base)
			return tp_error(p, start, "integer '%.*s' does not fit in 64 bits", TOKEN(p, start, n));
		v = v * (unsigned)base + (unsigned)hex_value(t[k]);
	}
	out->type = TOML_INTEGER;
	out->u.i = (long long)v;
	return 0;
}

/* A decimal integer or a float: [+-] digits [. digits] [e [+-] digits]. */
static int decimal(struct toml_parser *p, size_t start, size_t n, struct toml_value *out)
{
	const unsigned char *t = p->s + start;
	size_t i = 0, int_start;
	int negative = 0, is_float = 0, count;

	if (t[0] == '+' || t[0] == '-') {
		negative = t[0] == '-';
		i++;
	}
	int_start = i;
	count = digits(t, n, &i, 10);
	if (count == 0)
		return tp_error(p, start, "invalid number '%.*s'", TOKEN(p, start, n));
	if (count > 0 && t[int_start] == '0' && count > 1)
		return tp_error(p, start, "leading zeros are not allowed in '%.*s'", TOKEN(p, start, n));
	if (count > 0 && i < n && t[i] == '.') {
		i++;
		is_float = 1;
		count = digits(t, n, &i, 10);
		if (count == 0)
			return tp_error(p, start, "invalid float '%.*s': a '.' needs digits on both sides",
					TOKEN(p, start, n));
	}
	if (count > 0 && i < n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		is_float = 1;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		count = digits(t, n, &i, 10);
		if (count == 0)
			return tp_error(p, start, "invalid float '%.*s': the exponent needs digits",
					TOKEN(p, start, n));
	}
	if (count < 0)
		return tp_error(p, start, "invalid number '%.*s': an underscore must sit between two digits",
				TOKEN(p, start, n));
	if (i != n)
		return tp_error(p, start, "invalid number '%.*s'", TOKEN(p, start, n));
	if (is_float) {
		char *plain = xmalloc(n + 1), *end;
		size_t k = 0;
		double d;
		for (i = 0; i < n; i++)
			if (t[i] != '_')
				plain[k++] = (char)t[i];
		plain[k] = '\0';
		errno = 0;
		d = strtod(plain, &end);
		free(plain);
		if (errno == ERANGE && (d > 1 || d < -1))
			return tp_error(p, start, "float '%.*s' is too large for 64 bits", TOKEN(p, start, n));
		out->type = TOML_FLOAT;
		out->u.f.d = d;
		out->u.f.text = toml_strndup(p->arena, (const char *)t, n);
		return 0;
	}
	unsigned long long v = 0, limit = negative ? (unsigned long long)INT64_MAX + 1 : INT64_MAX;
	for (i = int_start; i < n; i++) {
		if (t[i] == '_')
			continue;
		if (v > (limit - (unsigned)(t[i] - '0')) / 10)
			return tp_error(p, start, "integer '%.*s' does not fit in 64 bits", TOKEN(p, start, n));
		v = v * 10 + (unsigned)(t[i] - '0');
	}
	out->type = TOML_INTEGER;
	out->u.i = negative ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* Read n digits at pos as a number into *v; -1 when they are not all digits. */
static int fixed_digits(struct toml_parser *p, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p->pos + i >= p->len || !is_digit(p->s[p->pos + i]))
			return -1;
		*v = *v * 10 + (p->s[p->pos + i] - '0');
	}
	p->pos += n;
	return 0;
}

/* The character at pos is c: consume it and return 1; else 0. */
static int accept(struct toml_parser *p, char c)
{
	if (p->pos < p->len && p->s[p->pos] == (unsigned char)c) {
		p->pos++;
		return 1;
	}
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return days[month - 1];
}

/* HH:MM:SS[.fraction] at pos, into dt and appended to text. */
static int time_part(struct toml_parser *p, size_t start, struct toml_datetime *dt, struct strbuf *text)
{
	size_t at = p->pos, frac;

	if (fixed_digits(p, 2, &dt->hour) < 0 || !accept(p, ':') || fixed_digits(p, 2, &dt->minute) < 0)
		return tp_error(p, start, "invalid time: write it as HH:MM:SS, such as 07:32:00");
	if (!accept(p, ':') || fixed_digits(p, 2, &dt->second) < 0)
		return tp_error(p, start, "invalid time: the seconds are missing (HH:MM:SS)");
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return tp_error(p, start, "invalid time %.8s: hours go to 23, minutes to 59, seconds to 60",
				(const char *)p->s + at);
	strbuf_add(text, (const char *)p->s + at, 8);
	if (accept(p, '.')) {
		frac = p->pos;
		while (p->pos < p->len && is_digit(p->s[p->pos])) {
			if (p->pos - frac < 9)
				dt->nanosecond = dt->nanosecond * 10 + (p->s[p->pos] - '0');
			p->pos++;
		}
		if (p->pos == frac)
			return tp_error(p, start, "invalid time: a '.' needs digits after it");
		for (size_t k = p->pos - frac; k < 9; k++)
			dt->nanosecond *= 10;
		strbuf_add(text, (const char *)p->s + frac - 1, p->pos - frac + 1);
	}
	return 0;
}

/* A date-time of any kind at pos: a date (YYYY-) or a time (HH:) starts it. */
static int datetime(struct toml_parser *p, struct toml_value *out)
{
	struct toml_datetime dt;
	struct strbuf text = STRBUF_INIT;
	size_t start = p->pos;
	int has_date = p->pos + 4 < p->len && p->s[p->pos + 4] == '-';

	memset(&dt, 0, sizeof(dt));
	if (has_date) {
		if (fixed_digits(p, 4, &dt.year) < 0 || !accept(p, '-') || fixed_digits(p, 2, &dt.month) < 0 ||
		    !accept(p, '-') || fixed_digits(p, 2, &dt.day) < 0) {
			tp_error(p, start, "invalid date: write it as YYYY-MM-DD, such as 1979-05-27");
			goto fail;
		}
		if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > days_in_month(dt.year, dt.month)) {
			tp_error(p, start, "invalid date %.10s: %s", (const char *)p->s + start,
				 dt.month < 1 || dt.month > 12 ? "no such month" : "no such day in that month");
			goto fail;
		}
		strbuf_add(&text, (const char *)p->s + start, 10);
		out->type = TOML_DATE_LOCAL;
		/* 'T' or a space (followed by a time) joins a date to its time */
		if (p->pos < p->len && (p->s[p->pos] == 'T' || p->s[p->pos] == 't'))
			p->pos++;
		else if (p->pos + 1 < p->len && p->s[p->pos] == ' ' && is_digit(p->s[p->pos + 1]))
			p->pos++;
		else
			goto done;
		strbuf_addch(&text, 'T');
		out->type = TOML_DATETIME_LOCAL;
	} else {
		out->type = TOML_TIME_LOCAL;
	}
	if (time_part(p, start, &dt, &text) < 0)
		goto fail;
	if (has_date && (accept(p, 'Z') || accept(p, 'z'))) {
		strbuf_addch(&text, 'Z');
		out->type = TOML_DATETIME;
	} else if (has_date && p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
		size_t at = p->pos++;
		int h, m;
		if (fixed_digits(p, 2, &h) < 0 || !accept(p, ':') || fixed_digits(p, 2, &m) < 0) {
			tp_error(p, at, "invalid time offset: write it as +HH:MM or -HH:MM, or Z for UTC");
			goto fail;
		}
		if (h > 23 || m > 59) {
			tp_error(p, at, "invalid time offset %.6s: hours go to 23, minutes to 59", (const char *)p->s + at);
			goto fail;
		}
		dt.offset = (p->s[at] == '-' ? -1 : 1) * (h * 60 + m);
		strbuf_add(&text, (const char *)p->s + at, 6);
		out->type = TOML_DATETIME;
	}
done:
	out->u.dt = toml_alloc(p->arena, sizeof(dt) + text.len + 1);
	*out->u.dt = dt;
	out->u.dt->text = memcpy(out->u.dt + 1, text.buf, text.len + 1);
	strbuf_release(&text);
	return 0;
fail:
	strbuf_release(&text);
	out->type = TOML_BOOL;
	return -1;
}

/* Whether byte c can continue a number's text. */
static int number_char(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
	       c == '+' || c == '-';
}

int tp_number(struct toml_parser *p, struct toml_value *out)
{
	size_t start = p->pos, n, body;
	const unsigned char *t = p->s + start;

	if (p->len - start >= 5 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) && t[4] == '-')
		return datetime(p, out);
	if (p->len - start >= 3 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':')
		return datetime(p, out);
	while (p->pos < p->len && number_char(p->s[p->pos]))
		p->pos++;
	n = p->pos - start;
	body = (n && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
	if (n - body == 3 && (memcmp(t + body, "inf", 3) == 0 || memcmp(t + body, "nan", 3) == 0)) {
		out->type = TOML_FLOAT;
		out->u.f.d = t[body] == 'i' ? (t[0] == '-' ? -HUGE_VAL : HUGE_VAL) : (t[0] == '-' ? -NAN : NAN);
		out->u.f.text = toml_strndup(p->arena, (const char *)t, n);
		return 0;
	}
	if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b'))
		return prefixed(p, start, n, t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2, out);
	if (n > 3 && body && t[1] == '0' && (t[2] == 'x' || t[2] == 'o' || t[2] == 'b'))
		return tp_error(p, start, "a sign is not allowed before a hexadecimal, octal or binary integer");
	return decimal(p, start, n, out);
}
