#include "factor.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

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

/* tox 4's bounds of an open range: {10-} runs to the newest Python minor, {-13} from the oldest. */
#define RANGE_OPEN_MIN 10
#define RANGE_OPEN_MAX 14

/* Read the digits at s[i..n) as a number; returns where they end, with *v set (-1 when too large). */
static size_t read_number(const char *s, size_t n, size_t i, long *v)
{
	*v = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		*v = *v < 0 || *v > (EXPAND_LIMIT * 1000L) ? -1 : *v * 10 + (s[i] - '0');
	return i;
}

static int ends_range(const char *s, size_t n, size_t i)
{
	return i < n && (s[i] == ',' || s[i] == '}');
}

/* Append lo..hi (either direction) comma-separated; -1 past the limit of numbers. */
static int add_range(struct strbuf *out, long lo, long hi, long *budget)
{
	long step = lo <= hi ? 1 : -1;

	if (lo < 0 || hi < 0 || (hi - lo) * step + 1 > *budget)
		return -1;
	*budget -= (hi - lo) * step + 1;
	for (long v = lo;; v += step) {
		strbuf_addf(out, "%s%ld", v == lo ? "" : ",", v);
		if (v == hi)
			return 0;
	}
}

int factor_expand_ranges(const char *s, size_t n, struct strbuf *out)
{
	long budget = EXPAND_LIMIT;
	size_t i = 0;

	while (i < n) {
		long a, b;
		size_t j, k;
		if (isdigit((unsigned char)s[i])) {
			j = read_number(s, n, i, &a);
			if (j < n && s[j] == '-' && j + 1 < n && isdigit((unsigned char)s[j + 1]) &&
			    ends_range(s, n, (k = read_number(s, n, j + 1, &b)))) {
				/* {10-13}: closed (or descending: {13-10}) */
				if (add_range(out, a, b, &budget) < 0)
					return -1;
				strbuf_addch(out, s[k]);
				i = k + 1;
				continue;
			}
			if (j < n && s[j] == '-' && ends_range(s, n, j + 1)) {
				/* {10-}: up to the newest minor; nothing when past it */
				if (a <= RANGE_OPEN_MAX && add_range(out, a, RANGE_OPEN_MAX, &budget) < 0)
					return -1;
				strbuf_addch(out, s[j + 1]);
				i = j + 2;
				continue;
			}
			if (ends_range(s, n, j)) {
				/* a lone number stays, and its delimiter with it */
				strbuf_add(out, s + i, j + 1 - i);
				i = j + 1;
				continue;
			}
		} else if (s[i] == '-' && i > 0 && (s[i - 1] == '{' || s[i - 1] == ',') && i + 1 < n &&
			   isdigit((unsigned char)s[i + 1]) && ends_range(s, n, (k = read_number(s, n, i + 1, &b)))) {
			/* {-13}: from the oldest minor */
			if (b >= RANGE_OPEN_MIN && add_range(out, RANGE_OPEN_MIN, b, &budget) < 0)
				return -1;
			strbuf_addch(out, s[k]);
			i = k + 1;
			continue;
		}
		strbuf_addch(out, s[i]);
		i++;
	}
	return 0;
}

/*
 * Whether text may hold a range for factor_expand_ranges() to rewrite: a
 * digit next to a '-' (most values have none, and skip the copy).
 */
static int may_have_range(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if ((s[i] == '-' && isdigit((unsigned char)s[i + 1])) || (isdigit((unsigned char)s[i]) && s[i + 1] == '-'))
			return 1;
	return 0;
}

/* Split the inside of a brace group into alternatives (whitespace removed). */
static void brace_alternatives(const char *s, size_t n, struct strvec *alts, int strip_only)
{
	struct strbuf all = STRBUF_INIT;
	const char *p, *q;

	if (strip_only)
		strbuf_add(&all, s, n);
	else
		add_nows(&all, s, n);
	p = strbuf_str(&all);
	for (;;) {
		const char *a;
		size_t alen;

		q = strchr(p, ',');
		a = p;
		alen = q ? (size_t)(q - p) : strlen(p);
		trim(&a, &alen);
		strvec_push_owned(alts, xstrndup(a, alen));
		if (!q)
			break;
		p = q + 1;
	}
	strbuf_release(&all);
}

/* Expand one comma-free group ("py{38,39}-x") into variants appended to out; -1 past the limit. */
static int expand_group(const char *g, size_t len, struct strvec *out, int strip_only)
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
		brace_alternatives(g + i + 1, (size_t)end - i - 1, &alts, strip_only);
		if (cur.n * alts.n > EXPAND_LIMIT) {
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
static long expand_line_raw(const char *s, size_t len, struct strvec *out, int strip_only)
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
			if (a < b && expand_group(a, (size_t)(b - a), out, strip_only) < 0)
				return -1;
			if (out->n - before > EXPAND_LIMIT)
				return -1;
			start = i + 1;
		}
		i++;
	}
	return (long)(out->n - before);
}

/* expand_line_raw() after tox 4's range pre-pass when ranges is set. */
static long expand_line(const char *s, size_t len, struct strvec *out, int strip_only, int ranges)
{
	struct strbuf sb = STRBUF_INIT;
	long n;

	if (!ranges || !may_have_range(s, len))
		return expand_line_raw(s, len, out, strip_only);
	if (factor_expand_ranges(s, len, &sb) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	n = expand_line_raw(sb.buf, sb.len, out, strip_only);
	strbuf_release(&sb);
	return n;
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

void env_factors_unique(const char *name, struct strvec *out, struct strmap *seen)
{
	struct strvec f = STRVEC_INIT;

	env_factors(name, &f);
	for (size_t i = 0; i < f.n; i++)
		if (strmap_add(seen, f.v[i]))
			strvec_push(out, f.v[i]);
	strvec_clear(&f);
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/*
 * tox 4's test for each '-'-separated part of a condition: empty, or
 * !?[\w.*?]+ (4.58 lets a part be empty, "py38-", and hold the glob
 * characters, which match only themselves).
 */
static int valid_part(const char *p, size_t n)
{
	if (!n)
		return 1;
	if (*p == '!')
		p++, n--;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(is_word((unsigned char)p[i]) || p[i] == '.' || p[i] == '*' || p[i] == '?'))
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

/*
 * An empty alternative ("a,,b" or a trailing comma) is no alternative in tox
 * 4 (its split drops empty pieces); tox 3 (lenient) keeps it, never matching.
 */
static int skip_alternative(size_t rawlen, int lenient)
{
	return !lenient && rawlen == 0;
}

static long parse_condition(const char *cond, size_t len, struct strvec **alts, int lenient)
{
	struct strvec vars = STRVEC_INIT;
	struct strvec *res;
	size_t n = 0, cap = 0;

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
			if (skip_alternative(alen, lenient)) {
				if (!c)
					break;
				p = c + 1;
				continue;
			}
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

/* Parse a condition; tox 4 (not lenient) first expands its ranges ("py3{12-13}"). */
static long condition(const char *cond, size_t len, struct strvec **alts, int lenient)
{
	struct strbuf sb = STRBUF_INIT;
	long n;

	*alts = NULL;
	trim(&cond, &len);
	if (!lenient && may_have_range(cond, len)) {
		if (factor_expand_ranges(cond, len, &sb) < 0) {
			strbuf_release(&sb);
			return -1;
		}
		cond = sb.buf;
		len = sb.len;
	}
	n = parse_condition(cond, len, alts, lenient);
	strbuf_release(&sb);
	return n;
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
			if (skip_alternative(alen, lenient)) {
				if (!c)
					break;
				p = c + 1;
				continue;
			}
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
	if (len && !memchr(cond, '{', len) && (tox3 || !may_have_range(cond, len))) {
		long na = visit_simple(cond, len, tox3, visit, ctx);
		if (na < 0)
			return -1;
		content_after(line, n, condlen, coff, clen);
		return na;
	}
	/* braces, ranges or an empty condition: expand, then report what factor_line found */
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
	int first = 1, pending = 0, continuing = 0;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t coff = 0, clen = n;
		struct strvec *alts;
		long na = factor_line(p, n, tox3, &alts, &coff, &clen);
		/* an unconditional line is kept when not empty; a matching condition even when its text is */
		int keep = na < 0 ? n > 0 : factor_match(alts, (size_t)na, factors);
		int ends = clen && p[coff + clen - 1] == '\\';

		factor_alts_free(alts, na > 0 ? (size_t)na : 0);
		if (!tox3) {
			/* tox 4.58: a skipped line's backslash continuation goes with it (see filter_entry()) */
			if (na >= 0) {
				pending = !keep && ends;
			} else if (pending && !continuing && !ends) {
				keep = 0;
				pending = 0;
			} else {
				pending = 0;
			}
			if (keep)
				continuing = ends;
		}
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

/* The machine architecture as Python's python_discovery normalises it ("amd64" -> "x86_64"). */
static const char *normalize_isa(const char *isa, char *buf, size_t sz)
{
	static const char *const alias[][2] = {
		{ "amd64", "x86_64" }, { "aarch64", "arm64" }, { "i386", "x86" }, { "i486", "x86" },
		{ "i586", "x86" }, { "i686", "x86" }, { "powerpc", "ppc" }, { "powerpc64", "ppc64" },
		{ "powerpc64le", "ppc64le" }, { "sparcv9", "sparc64" },
	};
	size_t i;

	for (i = 0; isa[i] && i + 1 < sz; i++)
		buf[i] = (char)tolower((unsigned char)isa[i]);
	buf[i] = '\0';
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(buf, alias[i][0]) == 0)
			return alias[i][1];
	return buf;
}

static int known_architecture(const char *f)
{
	static const char *const known[] = {
		"arm64", "loongarch64", "ppc", "ppc64", "ppc64le", "riscv64", "s390x", "sparc64", "x86", "x86_64", NULL,
	};

	for (int i = 0; known[i]; i++)
		if (strcmp(f, known[i]) == 0)
			return 1;
	return 0;
}

/* sys.platform and the normalised machine, from uname(), found once. */
static void host(const char **platform_out, const char **machine_out)
{
	static char platform[64], machine[64];
	static int done;

	if (!done) {
		struct utsname u;
		char buf[64];
		done = 1;
		if (uname(&u) == 0) {
			/* Python's sys.platform: "linux", "darwin", "freebsd14", ... */
			size_t i;
			for (i = 0; u.sysname[i] && i + 1 < sizeof(platform); i++)
				platform[i] = (char)tolower((unsigned char)u.sysname[i]);
			platform[i] = '\0';
			if (strcmp(platform, "linux") != 0 && strcmp(platform, "darwin") != 0 && isdigit((unsigned char)u.release[0]))
				snprintf(platform + i, sizeof(platform) - i, "%d", atoi(u.release));
			snprintf(machine, sizeof(machine), "%s", normalize_isa(u.machine, buf, sizeof(buf)));
		}
	}
	*platform_out = platform;
	*machine_out = machine;
}

const char *factor_sys_platform(void)
{
	const char *platform, *machine;

	host(&platform, &machine);
	return platform;
}

void factor_platform(const struct strvec *env, struct strvec *out)
{
	const char *platform, *machine;
	char buf[64];

	host(&platform, &machine);
	if (*platform && strvec_find(out, platform) < 0)
		strvec_push(out, platform);
	if (!*machine)
		return;
	/* an env that names an architecture keeps it: the machine's would contradict it */
	for (size_t i = 0; i < env->n; i++)
		if (known_architecture(env->v[i]) || strcmp(normalize_isa(env->v[i], buf, sizeof(buf)), machine) == 0)
			return;
	if (strvec_find(out, machine) < 0)
		strvec_push(out, machine);
}
