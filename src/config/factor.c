#include "factor.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* More names than this from one expression is a mistake, not a matrix (and keeps fuzzing bounded). */
#define EXPAND_LIMIT ENVLIST_MAX

/*
 * tox recognises a brace group with the pattern {[^}]+}: from '{' to the next
 * '}', at least one character between. Returns the index of that '}' or -1.
 */
static long brace_end(const char *s, size_t len, size_t i)
{
	const char *p;

	if (i + 1 >= len || s[i + 1] == '}')
		return -1;
	p = memchr(s + i + 1, '}', len - i - 1);
	return p ? p - s : -1;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Append s without whitespace (tox 3 and env lists drop all of it). */
static void add_nows(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			strbuf_addch(sb, s[i]);
}

/* An alternative "8-12" (digits, dash, digits) is a range: return 1 and the bounds. */
static int parse_range(const char *s, long *lo, long *hi)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return 0;
	*lo = strtol(s, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return 0;
	*hi = strtol(end + 1, &end, 10);
	return *end == '\0';
}

/* Split the inside of a brace group into alternatives (whitespace removed, ranges expanded). */
static int brace_alternatives(const char *s, size_t n, struct strvec *alts, int strip_only, int ranges)
{
	struct strbuf all = STRBUF_INIT;
	const char *p, *q;
	int rc = 0;

	if (strip_only)
		strbuf_add(&all, s, n);
	else
		add_nows(&all, s, n);
	p = strbuf_str(&all);
	for (;;) {
		long lo, hi;
		char *item;
		const char *a;
		size_t alen;

		q = strchr(p, ',');
		a = p;
		alen = q ? (size_t)(q - p) : strlen(p);
		trim(&a, &alen);
		item = xstrndup(a, alen);
		if (ranges && parse_range(item, &lo, &hi)) {
			long step = lo <= hi ? 1 : -1;
			if ((hi - lo) * step >= EXPAND_LIMIT) {
				rc = -1;
				free(item);
				break;
			}
			for (long v = lo;; v += step) {
				strvec_pushf(alts, "%ld", v);
				if (v == hi)
					break;
			}
			free(item);
		} else {
			strvec_push_owned(alts, item);
		}
		if (!q)
			break;
		p = q + 1;
	}
	strbuf_release(&all);
	return rc;
}

/* Expand one comma-free group ("py{38,39}-x") into variants appended to out; -1 past the limit. */
static int expand_group(const char *g, size_t len, struct strvec *out, int strip_only, int ranges)
{
	struct strvec cur = STRVEC_INIT, alts = STRVEC_INIT, next = STRVEC_INIT;
	struct strbuf lit = STRBUF_INIT;
	size_t i = 0;
	int rc = 0;

	strvec_push(&cur, "");
	while (i <= len && rc == 0) {
		long end = i < len && g[i] == '{' ? brace_end(g, len, i) : -1;
		if (i < len && end < 0) {
			if (strip_only)
				strbuf_addch(&lit, g[i]);
			else
				add_nows(&lit, g + i, 1);
			i++;
			continue;
		}
		/* flush the literal text gathered so far onto every variant */
		if (lit.len) {
			if (strip_only) {
				/* tox 4 strips each literal piece: "py {38,39}" is "py" then the group */
				const char *a = lit.buf;
				size_t alen = lit.len;
				trim(&a, &alen);
				memmove(lit.buf, a, alen);
				lit.len = alen;
				lit.buf[alen] = '\0';
			}
			for (size_t k = 0; k < cur.n; k++) {
				char *v = xconcat(cur.v[k], lit.buf, NULL);
				free(cur.v[k]);
				cur.v[k] = v;
			}
			strbuf_reset(&lit);
		}
		if (i == len)
			break;
		strvec_clear(&alts);
		if (brace_alternatives(g + i + 1, (size_t)end - i - 1, &alts, strip_only, ranges) < 0 ||
		    cur.n * alts.n > EXPAND_LIMIT) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < cur.n; k++)
			for (size_t a = 0; a < alts.n; a++)
				strvec_push_owned(&next, xconcat(cur.v[k], alts.v[a], NULL));
		strvec_clear(&cur);
		cur = next;
		memset(&next, 0, sizeof(next));
		i = (size_t)end + 1;
	}
	if (rc == 0)
		for (size_t k = 0; k < cur.n; k++)
			strvec_push(out, cur.v[k]);
	strvec_clear(&cur);
	strvec_clear(&alts);
	strbuf_release(&lit);
	return rc;
}

/*
 * Split on commas outside brace groups and expand each non-blank group, as
 * tox's re.split(r"((?:{[^}]+})+)|,") followed by itertools.product does.
 */
static long expand_line(const char *s, size_t len, struct strvec *out, int strip_only, int ranges)
{
	size_t start = 0, i = 0, before = out->n;

	while (i <= len) {
		if (i < len && s[i] == '{') {
			long end = brace_end(s, len, i);
			if (end >= 0) {
				i = (size_t)end + 1;
				continue;
			}
		}
		if (i == len || s[i] == ',') {
			const char *a = s + start, *b = s + i;
			while (a < b && isspace((unsigned char)*a))
				a++;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
			if (a < b && expand_group(a, (size_t)(b - a), out, strip_only, ranges) < 0)
				return -1;
			if (out->n - before > EXPAND_LIMIT)
				return -1;
			start = i + 1;
		}
		i++;
	}
	return (long)(out->n - before);
}

size_t envlist_expand(const char *line, struct strvec *out)
{
	long n = expand_line(line, strlen(line), out, 0, 1);

	return n < 0 ? 0 : (size_t)n;
}

int envlist_expand_value(const char *value, struct strvec *out, int flags)
{
	int dedup = flags & ENVLIST_DEDUP;
	struct strvec tmp = STRVEC_INIT;
	const char *p = value;
	int rc = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (expand_line(p, n, &tmp, 0, flags & ENVLIST_RANGES) < 0 || tmp.n > ENVLIST_MAX) {
			rc = -1;
			break;
		}
		p += n + (nl ? 1 : 0);
	}
	struct strmap seen = STRMAP_INIT;
	for (size_t i = 0; rc == 0 && dedup && i < out->n; i++)
		strmap_add(&seen, out->v[i]);
	for (size_t i = 0; rc == 0 && i < tmp.n; i++)
		if (!dedup || strmap_add(&seen, tmp.v[i]))
			strvec_push(out, tmp.v[i]);
	strmap_clear(&seen);
	strvec_clear(&tmp);
	return rc;
}

void env_factors(const char *name, struct strvec *out)
{
	const char *p = name;

	for (;;) {
		const char *d = strchr(p, '-');
		size_t n = d ? (size_t)(d - p) : strlen(p);
		char *f = xstrndup(p, n);

		if (strvec_find(out, f) < 0)
			strvec_push_owned(out, f);
		else
			free(f);
		if (!d)
			break;
		p = d + 1;
	}
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* tox 4's test for each '-'-separated part of a condition: !?[\w._][\w._-]* (a part has no '-'). */
static int valid_part(const char *p, size_t n)
{
	if (n && *p == '!')
		p++, n--;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(is_word((unsigned char)p[i]) || p[i] == '.'))
			return 0;
	return 1;
}

/*
 * Split one alternative ("py38-!lint") into alt; returns -1 when a part is not
 * a factor. tox 3 (lenient) takes any part, even an empty one: its pattern
 * already vetted the characters, and a part no env has simply never matches.
 */
static int split_alternative(const char *v, size_t n, struct strvec *alt, int lenient)
{
	const char *p = v, *end = v + n;

	for (;;) {
		const char *d = memchr(p, '-', (size_t)(end - p));
		size_t len = d ? (size_t)(d - p) : (size_t)(end - p);
		if (!lenient && !valid_part(p, len))
			return -1;
		strvec_push_owned(alt, xstrndup(p, len));
		if (!d)
			return 0;
		p = d + 1;
	}
}

static long condition(const char *cond, size_t len, struct strvec **alts, int lenient)
{
	struct strvec vars = STRVEC_INIT;
	struct strvec *res;
	size_t n = 0, cap = 0;

	*alts = NULL;
	trim(&cond, &len);
	res = NULL;
	if (!memchr(cond, '{', len)) {
		/* the common case, "py38-django,docs": commas separate alternatives */
		const char *p = cond, *end = cond + len;
		if (!len)
			return 0;
		for (;;) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			const char *a = p;
			size_t alen = c ? (size_t)(c - p) : (size_t)(end - p);
			trim(&a, &alen);
			res = xgrow(res, &cap, n + 1, sizeof(*res));
			memset(&res[n], 0, sizeof(res[n]));
			n++;
			if (split_alternative(a, alen, &res[n - 1], lenient) < 0) {
				factor_alts_free(res, n);
				return -1;
			}
			if (!c)
				break;
			p = c + 1;
		}
		*alts = res;
		return (long)n;
	}
	if (expand_line(cond, len, &vars, 1, 0) < 0) {
		strvec_clear(&vars);
		return -1;
	}
	res = xcalloc(vars.n ? vars.n : 1, sizeof(*res));
	for (size_t i = 0; i < vars.n; i++)
		if (split_alternative(vars.v[i], strlen(vars.v[i]), &res[i], lenient) < 0) {
			factor_alts_free(res, vars.n);
			strvec_clear(&vars);
			return -1;
		}
	*alts = res;
	len = vars.n;
	strvec_clear(&vars);
	return (long)len;
}

long factor_condition(const char *cond, size_t len, struct strvec **alts)
{
	return condition(cond, len, alts, 0);
}

void factor_alts_free(struct strvec *alts, size_t n)
{
	if (!alts)
		return;
	for (size_t i = 0; i < n; i++)
		strvec_clear(&alts[i]);
	free(alts);
}

int factor_match(const struct strvec *alts, size_t n, const struct strvec *factors)
{
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < alts[i].n; k++) {
			const char *f = alts[i].v[k];
			int neg = *f == '!';
			int has = strvec_find(factors, f + neg) >= 0;
			if (has == neg)
				break;
		}
		if (k == alts[i].n)
			return 1;
	}
	return 0;
}

/* tox 3's pattern ^([\w{}\.!,-]+)\:\s+(.+): the length of the condition, or 0 when the line has none. */
static size_t tox3_condition_len(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (is_word((unsigned char)line[i]) || strchr("{}.!,-", line[i])))
		i++;
	if (i == 0 || i + 2 > n || line[i] != ':' || !isspace((unsigned char)line[i + 1]))
		return 0;
	for (size_t k = i + 1; k < n; k++)
		if (!isspace((unsigned char)line[k]))
			return i;
	return 0;
}

/*
 * tox 4 reads "cond: text" at the first ':' that is followed by whitespace or
 * ends the line; "https://x", "error::Warning" or "5672:5672/tcp" hold none.
 */
static const char *tox4_marker(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (line[i] == ':' && (i + 1 == n || isspace((unsigned char)line[i + 1])))
			return line + i;
	return NULL;
}

/* Find a line's condition by tox 3's or tox 4's rule: 1 with its length in *condlen, 0 when it has none. */
static int find_condition(const char *line, size_t n, int tox3, size_t *condlen)
{
	const char *colon;

	if (tox3) {
		*condlen = tox3_condition_len(line, n);
		return *condlen > 0;
	}
	colon = tox4_marker(line, n);
	*condlen = colon ? (size_t)(colon - line) : 0;
	return colon != NULL;
}

/* The text after a condition of condlen bytes, trimmed. */
static void content_after(const char *line, size_t n, size_t condlen, size_t *coff, size_t *clen)
{
	*coff = condlen + 1;
	*clen = n - condlen - 1;
	while (*clen && isspace((unsigned char)line[*coff]))
		(*coff)++, (*clen)--;
	while (*clen && isspace((unsigned char)line[*coff + *clen - 1]))
		(*clen)--;
}

long factor_line(const char *line, size_t n, int tox3, struct strvec **alts, size_t *coff, size_t *clen)
{
	size_t condlen;
	long na;

	*alts = NULL;
	if (!find_condition(line, n, tox3, &condlen))
		return -1;
	na = condition(line, condlen, alts, tox3);
	if (na < 0)
		return -1;
	content_after(line, n, condlen, coff, clen);
	return na;
}

/* Report each part of the brace-free condition cond to visit; returns the number of alternatives, -1 when invalid. */
static long visit_simple(const char *cond, size_t len, int lenient, factor_visit_fn visit, void *ctx)
{
	long nalts = 0;

	for (int pass = 0; pass < 2; pass++) {
		const char *p = cond, *end = cond + len;
		nalts = 0;
		for (;;) {
			const char *c = memchr(p, ',', (size_t)(end - p));
			const char *a = p;
			size_t alen = c ? (size_t)(c - p) : (size_t)(end - p);
			trim(&a, &alen);
			for (const char *q = a, *aend = a + alen;;) {
				const char *d = memchr(q, '-', (size_t)(aend - q));
				size_t plen = d ? (size_t)(d - q) : (size_t)(aend - q);
				if (pass == 0 && !lenient && !valid_part(q, plen))
					return -1;
				if (pass == 1) {
					int neg = plen && *q == '!';
					visit(ctx, (size_t)nalts, q + neg, plen - (size_t)neg, neg);
				}
				if (!d)
					break;
				q = d + 1;
			}
			nalts++;
			if (!c)
				break;
			p = c + 1;
		}
	}
	return nalts;
}

long factor_line_visit(const char *line, size_t n, int tox3, size_t *coff, size_t *clen,
		       factor_visit_fn visit, void *ctx)
{
	size_t condlen, len;
	const char *cond = line;

	if (!find_condition(line, n, tox3, &condlen))
		return -1;
	len = condlen;
	trim(&cond, &len);
	if (len && !memchr(cond, '{', len)) {
		long na = visit_simple(cond, len, tox3, visit, ctx);
		if (na < 0)
			return -1;
		content_after(line, n, condlen, coff, clen);
		return na;
	}
	/* braces (or an empty condition): expand, then report what factor_line found */
	struct strvec *alts;
	long na = factor_line(line, n, tox3, &alts, coff, clen);
	for (long a = 0; a < na; a++)
		for (size_t k = 0; k < alts[a].n; k++) {
			const char *f = alts[a].v[k];
			int neg = *f == '!';
			visit(ctx, (size_t)a, f + neg, strlen(f + neg), neg);
		}
	factor_alts_free(alts, na > 0 ? (size_t)na : 0);
	return na;
}

char *factor_filter(const char *value, const struct strvec *factors, int tox3)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = value;
	int first = 1;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t coff = 0, clen = n;
		struct strvec *alts;
		long na = factor_line(p, n, tox3, &alts, &coff, &clen);
		/* an unconditional line is kept when not empty; a matching condition even when its text is */
		int keep = na < 0 ? n > 0 : factor_match(alts, (size_t)na, factors);

		factor_alts_free(alts, na > 0 ? (size_t)na : 0);
		if (keep) {
			if (!first)
				strbuf_addch(&out, '\n');
			strbuf_add(&out, p + coff, clen);
			first = 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return strbuf_detach(&out);
}

void factor_condition_envs(const char *value, struct strvec *out)
{
	const char *p = value;
	struct strmap seen = STRMAP_INIT;

	for (size_t i = 0; i < out->n; i++)
		strmap_add(&seen, out->v[i]);

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = tox4_marker(p, n);

		if (colon) {
			struct strvec *alts;
			long na = factor_condition(p, (size_t)(colon - p), &alts);
			for (long i = 0; i < na; i++) {
				struct strbuf name = STRBUF_INIT;
				for (size_t k = 0; k < alts[i].n; k++) {
					const char *f = alts[i].v[k];
					if (k)
						strbuf_addch(&name, '-');
					strbuf_adds(&name, f + (*f == '!'));
				}
				if (strmap_add(&seen, strbuf_str(&name)))
					strvec_push(out, strbuf_str(&name));
				strbuf_release(&name);
			}
			factor_alts_free(alts, na > 0 ? (size_t)na : 0);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	strmap_clear(&seen);
}
