#include "filter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "factor.h"
#include "ini.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Below this many lines an index costs more than it saves. */
#define INDEX_MIN_LINES 32

struct fline {
	const char *text;	/* the kept text: the whole line, or what follows its condition */
	size_t len;
	int conditional;
	int *alts;		/* per alternative: count, then ids (negated: -id-1) */
	size_t nalts;
};

struct intvec {
	int *v;
	size_t n, cap;
};

struct prep {
	char *buf;		/* the value with comments cut; lines point into it */
	int blank;		/* buf is only whitespace */
	int continued;		/* a conditional line ends in '\\': lines are read in order, none indexed */
	struct fline *lines;
	size_t n;
	struct intvec always;	/* lines looked at for every env */
	struct intvec *bucket;	/* by factor id: lines whose condition needs that factor */
	size_t nbucket;
	unsigned *seen;		/* per line: the generation that already took it */
};

struct filter_state {
	struct prep **preps;	/* by ini entry id */
	size_t npreps;
	struct strmap ids;	/* factor name -> id */
	struct strvec names;	/* id -> factor name */
	unsigned *stamp;	/* per factor id: the generation whose env has it */
	size_t nstamp;
	unsigned gen;
};

static void intvec_push(struct intvec *iv, int x)
{
	iv->v = xgrow(iv->v, &iv->cap, iv->n + 1, sizeof(int));
	iv->v[iv->n++] = x;
}

static int factor_id(struct filter_state *fs, const char *name)
{
	int id = strmap_intern(&fs->ids, name, strlen(name));

	if ((size_t)id == fs->names.n)
		strvec_push(&fs->names, name);

	if ((size_t)id >= fs->nstamp) {
		size_t n = fs->nstamp ? fs->nstamp * 2 : 256;
		while (n <= (size_t)id)
			n *= 2;
		fs->stamp = xrealloc(fs->stamp, n * sizeof(*fs->stamp));
		memset(fs->stamp + fs->nstamp, 0, (n - fs->nstamp) * sizeof(*fs->stamp));
		fs->nstamp = n;
	}
	return id;
}

/*
 * tox 4 drops comment lines and cuts each line at the first '#' not escaped
 * by a backslash, with the whitespace before it, then unescapes "\#"; tox 3
 * only drops comment lines (it cuts inline comments from deps later).
 */
static char *strip_comments(const char *value, int tox3)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = value;
	int first = 1;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!(n && *p == '#')) {
			size_t cut = n;
			if (!tox3 && memchr(p, '#', n))
				for (size_t i = 0; i < n; i++)
					if (p[i] == '#' && (i == 0 || p[i - 1] != '\\')) {
						cut = i;
						while (cut && isspace((unsigned char)p[cut - 1]))
							cut--;
						break;
					}
			if (!first)
				strbuf_addch(&out, '\n');
			if (tox3 || !memchr(p, '\\', cut)) {
				strbuf_add(&out, p, cut);
			} else {
				for (size_t i = 0; i < cut; i++) {
					if (p[i] == '\\' && i + 1 < cut && p[i + 1] == '#')
						continue;
					strbuf_addch(&out, p[i]);
				}
			}
			first = 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return strbuf_detach(&out);
}

/* Collects one line's condition as flattened ids: per alternative a count, then the ids. */
struct collect {
	struct filter_state *fs;
	struct intvec flat, *freq;
	long alt;		/* the alternative being filled */
	size_t count_at;	/* where its count is */
};

static void collect_factor(void *ctx, size_t alt, const char *name, size_t len, int negated)
{
	struct collect *co = ctx;
	char small[64], *key = len < sizeof(small) ? small : xmalloc(len + 1);
	int id;

	memcpy(key, name, len);
	key[len] = '\0';
	id = factor_id(co->fs, key);
	if (key != small)
		free(key);
	if ((long)alt != co->alt) {
		co->alt = (long)alt;
		co->count_at = co->flat.n;
		intvec_push(&co->flat, 0);
	}
	co->flat.v[co->count_at]++;
	intvec_push(&co->flat, negated ? -id - 1 : id);
	if (!negated) {
		while (co->freq->n <= (size_t)id)
			intvec_push(co->freq, 0);
		co->freq->v[id]++;
	}
}

static struct prep *prepare(struct tox *t, struct filter_state *fs, const char *value)
{
	struct prep *pr = xcalloc(1, sizeof(*pr));
	struct intvec freq = { NULL, 0, 0 };
	size_t cap = 0;

	pr->buf = strip_comments(value, t->tox3);
	for (char *p = pr->buf;;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), coff = 0, clen = n;
		struct collect co = { fs, { NULL, 0, 0 }, &freq, -1, 0 };
		long na = factor_line_visit(p, n, t->tox3, &coff, &clen, collect_factor, &co);
		struct fline *l;

		pr->lines = xgrow(pr->lines, &cap, pr->n + 1, sizeof(*pr->lines));
		l = &pr->lines[pr->n++];
		memset(l, 0, sizeof(*l));
		l->text = p + coff;
		l->len = clen;
		if (na >= 0) {
			l->conditional = 1;
			l->nalts = (size_t)na;
			l->alts = co.flat.v;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	pr->blank = 1;
	for (const char *q = pr->buf; *q && pr->blank; q++)
		pr->blank = isspace((unsigned char)*q) != 0;
	for (size_t i = 0; i < pr->n && !t->tox3; i++)
		if (pr->lines[i].conditional && pr->lines[i].len && pr->lines[i].text[pr->lines[i].len - 1] == '\\')
			pr->continued = 1;
	pr->seen = xcalloc(pr->n, sizeof(*pr->seen));
	/* buckets only for values large enough to be indexed (the rest is looked at whole) */
	pr->nbucket = pr->n < INDEX_MIN_LINES ? 0 : fs->ids.n;
	pr->bucket = pr->nbucket ? xcalloc(pr->nbucket, sizeof(*pr->bucket)) : NULL;
	for (size_t i = 0; i < pr->n; i++) {
		struct fline *l = &pr->lines[i];
		const int *a = l->alts;
		if (!l->conditional && !l->len && !pr->continued)
			continue;	/* a blank line is never kept */
		if (!l->conditional || pr->n < INDEX_MIN_LINES || pr->continued) {
			intvec_push(&pr->always, (int)i);
			continue;
		}
		/* file the line under the rarest factor each alternative needs */
		for (size_t k = 0; k < l->nalts; k++) {
			int cnt = *a++, best = -1;
			for (int j = 0; j < cnt; j++)
				if (a[j] >= 0 && (best < 0 || freq.v[a[j]] < freq.v[best]))
					best = a[j];
			struct intvec *iv = best < 0 ? &pr->always : &pr->bucket[best];
			if (!iv->n || iv->v[iv->n - 1] != (int)i)
				intvec_push(iv, (int)i);
			a += cnt;
		}
	}
	free(freq.v);
	return pr;
}

static int alt_matches(const struct filter_state *fs, const int *a, int cnt)
{
	for (int j = 0; j < cnt; j++) {
		int id = a[j] >= 0 ? a[j] : -a[j] - 1;
		int has = fs->stamp[id] == fs->gen;
		if (has != (a[j] >= 0))
			return 0;
	}
	return 1;
}

static int line_matches(const struct filter_state *fs, const struct fline *l)
{
	const int *a = l->alts;

	for (size_t k = 0; k < l->nalts; k++) {
		int cnt = *a++;
		if (alt_matches(fs, a, cnt))
			return 1;
		a += cnt;
	}
	return 0;
}

/* Merge the ascending list b into the ascending list a. */
static void merge(struct intvec *a, const struct intvec *b)
{
	struct intvec out = { NULL, 0, 0 };
	size_t i = 0, j = 0;

	if (!b->n)
		return;
	out.v = xgrow(NULL, &out.cap, a->n + b->n, sizeof(int));
	while (i < a->n || j < b->n)
		out.v[out.n++] = (j >= b->n || (i < a->n && a->v[i] < b->v[j])) ? a->v[i++] : b->v[j++];
	free(a->v);
	*a = out;
}

static void take(struct prep *pr, const struct intvec *iv, unsigned gen, struct intvec *out)
{
	for (size_t i = 0; i < iv->n; i++)
		if (pr->seen[iv->v[i]] != gen) {
			pr->seen[iv->v[i]] = gen;
			intvec_push(out, iv->v[i]);
		}
}

/* The prepared form of e, made on first use. */
static struct prep *prepared(struct tox *t, const struct ini_entry *e)
{
	struct filter_state *fs = t->filter;

	if (!fs)
		fs = t->filter = xcalloc(1, sizeof(*fs));
	if (e->id >= fs->npreps) {
		size_t n = t->ini.nentries > e->id ? t->ini.nentries : e->id + 1;
		fs->preps = xrealloc(fs->preps, n * sizeof(*fs->preps));
		memset(fs->preps + fs->npreps, 0, (n - fs->npreps) * sizeof(*fs->preps));
		fs->npreps = n;
	}
	if (!fs->preps[e->id])
		fs->preps[e->id] = prepare(t, fs, e->value);
	return fs->preps[e->id];
}

void filter_entry_markers(struct tox *t, const struct ini_entry *e, struct strmap *seen, struct strvec *out)
{
	struct prep *pr = prepared(t, e);
	struct filter_state *fs = t->filter;
	struct strbuf name = STRBUF_INIT;

	for (size_t i = 0; i < pr->n; i++) {
		const int *a = pr->lines[i].alts;
		for (size_t k = 0; k < pr->lines[i].nalts; k++) {
			int cnt = *a++;
			strbuf_reset(&name);
			for (int j = 0; j < cnt; j++) {
				int id = a[j] >= 0 ? a[j] : -a[j] - 1;
				if (j)
					strbuf_addch(&name, '-');
				strbuf_adds(&name, fs->names.v[id]);
			}
			if (strmap_add(seen, strbuf_str(&name)))
				strvec_push(out, strbuf_str(&name));
			a += cnt;
		}
	}
	strbuf_release(&name);
}

char *filter_entry(struct tox *t, const struct ini_entry *e, const struct strvec *factors)
{
	struct filter_state *fs = t->filter;
	struct intvec cand = { NULL, 0, 0 };
	struct strbuf out = STRBUF_INIT;
	struct prep *pr;
	int first = 1;

	pr = prepared(t, e);
	fs = t->filter;
	fs->gen++;
	int small[32], *ids = factors->n <= 32 ? small : xmalloc(factors->n * sizeof(int));
	size_t nids = factors->n;
	for (size_t i = 0; i < nids; i++) {
		ids[i] = strmap_get(&fs->ids, factors->v[i], strlen(factors->v[i]));
		if (ids[i] >= 0)
			fs->stamp[ids[i]] = fs->gen;
	}
	take(pr, &pr->always, fs->gen, &cand);
	for (size_t i = 0; i < nids; i++) {
		int id = ids[i];
		if (id >= 0 && (size_t)id < pr->nbucket && pr->bucket[id].n) {
			/* every list is in line order: merge, so the kept lines keep the file's order */
			struct intvec more = { NULL, 0, 0 };
			take(pr, &pr->bucket[id], fs->gen, &more);
			merge(&cand, &more);
			free(more.v);
		}
	}
	/*
	 * tox 4.58: a skipped conditional line ending in '\\' takes the next
	 * unconditional line with it, unless that one continues further
	 * (pending: a skip is owed; continuing: the last kept line ends in '\\').
	 */
	int pending = 0, continuing = 0;
	for (size_t i = 0; i < cand.n; i++) {
		const struct fline *l = &pr->lines[cand.v[i]];
		int ends = l->len && l->text[l->len - 1] == '\\', keep;
		if (l->conditional) {
			keep = line_matches(fs, l);
			if (keep)
				continuing = ends;
			pending = !keep && ends;
		} else {
			if (pending && !continuing && !ends) {
				pending = 0;
				continue;
			}
			/* an unconditional line is kept when not empty; a matching condition even when its text is */
			keep = l->len > 0;
			if (keep)
				continuing = ends;
			pending = 0;
		}
		if (keep) {
			if (!first)
				strbuf_addch(&out, '\n');
			strbuf_add(&out, l->text, l->len);
			first = 0;
		}
	}
	free(cand.v);
	if (ids != small)
		free(ids);
	return strbuf_detach(&out);
}

int filter_entry_blank(struct tox *t, const struct ini_entry *e)
{
	return prepared(t, e)->blank;
}

void filter_release(struct tox *t)
{
	struct filter_state *fs = t->filter;

	if (!fs)
		return;
	for (size_t i = 0; i < fs->npreps; i++) {
		struct prep *pr = fs->preps[i];
		if (!pr)
			continue;
		for (size_t k = 0; k < pr->n; k++)
			free(pr->lines[k].alts);
		for (size_t k = 0; k < pr->nbucket; k++)
			free(pr->bucket[k].v);
		free(pr->bucket);
		free(pr->always.v);
		free(pr->lines);
		free(pr->seen);
		free(pr->buf);
		free(pr);
	}
	free(fs->preps);
	strmap_clear(&fs->ids);
	strvec_clear(&fs->names);
	free(fs->stamp);
	free(fs);
	t->filter = NULL;
}
