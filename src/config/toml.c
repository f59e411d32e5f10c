/*
 * The TOML tree: tables in document order with a hash index once they grow,
 * arrays, and the lookups and typed accessors of toml.h. Parsing is in
 * toml_parse.c and toml_scalar.c, which build on this file and which it never
 * calls (toml_get_path, which reads its path as a key, is in toml_parse.c).
 */
#include "toml.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "toml_int.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Tables with fewer keys are searched in order: cheaper than hashing for the usual handful. */
#define INDEX_FROM 8

/*
 * A document's tree lives in an arena: chunks that allocations are cut from
 * and that are freed together, which saves a malloc and a free per key, value
 * and string (most of the parse's time otherwise), and leaves nothing to free
 * when a parse stops half-way.
 *
 * Under AddressSanitizer each allocation gets a malloc of its own, so that
 * ASan still sees every object's bounds, and the memory an array leaves when
 * it grows is poisoned, so that a pointer kept across the growth is caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define CHUNK_FIRST (8 << 10)	/* chunks double from this */
#define CHUNK_MAX (256 << 10)	/* up to this; a larger allocation gets a chunk of its own */

struct toml_chunk {
	struct toml_chunk *next;
	max_align_t data[];
};

struct toml_arena {
	struct toml_chunk *chunks;	/* every chunk, to free them */
	char *next;			/* where the next allocation goes in the current chunk */
	size_t left, size;		/* room at next; the current chunk's size */
};

struct toml_arena *toml_arena_new(void)
{
	return xcalloc(1, sizeof(struct toml_arena));
}

static struct toml_chunk *chunk_new(struct toml_arena *a, size_t n)
{
	struct toml_chunk *c = xmalloc(sizeof(*c) + n);

	c->next = a->chunks;
	a->chunks = c;
	return c;
}

void *toml_alloc(struct toml_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	char *p;

	n = n ? (n + align - 1) & ~(align - 1) : align;
#ifdef ARENA_ASAN
	return chunk_new(a, n)->data;
#endif
	if (n > a->left) {
		if (n > CHUNK_MAX / 4)
			return chunk_new(a, n)->data;	/* the current chunk keeps its room */
		a->size = a->size ? (a->size < CHUNK_MAX ? 2 * a->size : CHUNK_MAX) : CHUNK_FIRST;
		a->next = (char *)chunk_new(a, a->size)->data;
		a->left = a->size;
	}
	p = a->next;
	a->next += n;
	a->left -= n;
	return p;
}

void *toml_zalloc(struct toml_arena *a, size_t n)
{
	return memset(toml_alloc(a, n), 0, n);
}

char *toml_strndup(struct toml_arena *a, const char *s, size_t n)
{
	char *p = toml_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Memory of n bytes at p the tree no longer uses (an array's before it grew). */
static void arena_drop(void *p, size_t n)
{
#ifdef ARENA_ASAN
	ASAN_POISON_MEMORY_REGION(p, n);
#else
	(void)p;
	(void)n;
#endif
}

void toml_arena_free(struct toml_arena *a)
{
	if (!a)
		return;
	while (a->chunks) {
		struct toml_chunk *c = a->chunks;
		a->chunks = c->next;
#ifdef ARENA_ASAN
		ASAN_UNPOISON_MEMORY_REGION(c->data, 1);	/* the chunk's whole block is freed below */
#endif
		free(c);
	}
	free(a);
}

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	/*
	 * FNV's low bits depend only on the low bits of each byte, and the index
	 * uses the low bits: keys differing in a digit (sub1, sub2...) would pile
	 * up in a few slots. Mix the high bits down (splitmix64's finish).
	 */
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static int same_key(const struct toml_kv *kv, const char *key, size_t len)
{
	return kv->keylen == len && memcmp(kv->key, key, len) == 0;
}

/*
 * The slot of key (hashed h) in t's index: the one holding it, or the empty
 * one where it would go. A slot is two unsigned: the entry's index + 1 (0:
 * empty) and the low half of its key's hash, so that a probe compares keys
 * only when their hashes agree and a table's entries stay out of the cache.
 */
static size_t index_slot(const struct toml_table *t, uint64_t h, const char *key, size_t len)
{
	size_t mask = t->index_cap - 1, i = (size_t)h & mask;

	while (t->index[2 * i] && (t->index[2 * i + 1] != (unsigned)h || !same_key(&t->kv[t->index[2 * i] - 1], key, len)))
		i = (i + 1) & mask;
	return i;
}

static void index_set(struct toml_table *t, size_t k, uint64_t h)
{
	size_t i = index_slot(t, h, t->kv[k].key, t->kv[k].keylen);

	t->index[2 * i] = (unsigned)(k + 1);
	t->index[2 * i + 1] = (unsigned)h;
}

static void index_rebuild(struct toml_arena *a, struct toml_table *t)
{
	size_t cap = 16;

	while (cap < 2 * (t->n + 1))
		cap *= 2;
	if (t->index)
		arena_drop(t->index, 2 * t->index_cap * sizeof(*t->index));
	t->index = toml_zalloc(a, 2 * cap * sizeof(*t->index));
	t->index_cap = cap;
	for (size_t k = 0; k < t->n; k++)
		index_set(t, k, hash(t->kv[k].key, t->kv[k].keylen));
}

void *toml_grow(struct toml_arena *a, void *p, size_t *alloc, size_t n, size_t sz)
{
	size_t c = *alloc ? *alloc : 2;
	void *bigger;

	if (n <= *alloc)
		return p;
	while (c < n)
		c *= 2;
	if (c > ((size_t)-1) / sz)
		die(1, "out of memory growing an array to %zu elements", n);
	bigger = toml_alloc(a, c * sz);
	if (p) {
		memcpy(bigger, p, *alloc * sz);
		arena_drop(p, *alloc * sz);
	}
	*alloc = c;
	return bigger;
}

struct toml_table *toml_table_new(struct toml_arena *a, enum toml_origin origin)
{
	struct toml_table *t = toml_zalloc(a, sizeof(*t));

	t->origin = origin;
	return t;
}

struct toml_kv *toml_table_find(struct toml_table *t, const char *key, size_t len)
{
	if (t->index) {
		unsigned k = t->index[2 * index_slot(t, hash(key, len), key, len)];
		return k ? &t->kv[k - 1] : NULL;
	}
	for (size_t k = 0; k < t->n; k++)
		if (same_key(&t->kv[k], key, len))
			return &t->kv[k];
	return NULL;
}

struct toml_kv *toml_table_add(struct toml_arena *a, struct toml_table *t, const char *key, size_t len,
			       int line, int col)
{
	struct toml_kv *kv;

	t->kv = toml_grow(a, t->kv, &t->alloc, t->n + 1, sizeof(*t->kv));
	kv = &t->kv[t->n++];
	memset(kv, 0, sizeof(*kv));
	kv->key = toml_strndup(a, key, len);
	kv->keylen = len;
	kv->line = line;
	kv->col = col;
	if (t->index && 2 * (t->n + 1) <= t->index_cap)
		index_set(t, t->n - 1, hash(key, len));
	else if (t->n >= INDEX_FROM)
		index_rebuild(a, t);
	return kv;
}

void toml_release(struct toml_doc *doc)
{
	toml_arena_free(doc->arena);
	free(doc->path);
	memset(doc, 0, sizeof(*doc));
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE: return "table";
	case TOML_ARRAY: return "array";
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "offset date-time";
	case TOML_DATETIME_LOCAL: return "local date-time";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	}
	return "value";
}

const struct toml_kv *toml_find(const struct toml_table *t, const char *key, size_t len)
{
	/* the lookup changes nothing; it is shared with the parser, which holds t writable */
	return t ? toml_table_find((struct toml_table *)t, key, len) : NULL;
}

const struct toml_value *toml_get(const struct toml_table *t, const char *key)
{
	const struct toml_kv *kv = toml_find(t, key, strlen(key));

	return kv ? &kv->value : NULL;
}

size_t toml_table_len(const struct toml_table *t)
{
	return t ? t->n : 0;
}

const struct toml_kv *toml_table_at(const struct toml_table *t, size_t i)
{
	return t && i < t->n ? &t->kv[i] : NULL;
}

const struct toml_table *toml_table(const struct toml_value *v)
{
	return v && v->type == TOML_TABLE ? v->u.tab : NULL;
}

const char *toml_string(const struct toml_value *v)
{
	return v && v->type == TOML_STRING ? v->u.str.ptr : NULL;
}

int toml_integer(const struct toml_value *v, long long *out)
{
	if (!v || v->type != TOML_INTEGER)
		return -1;
	*out = v->u.i;
	return 0;
}

int toml_float(const struct toml_value *v, double *out)
{
	if (!v || v->type != TOML_FLOAT)
		return -1;
	*out = v->u.f.d;
	return 0;
}

int toml_bool(const struct toml_value *v, int *out)
{
	if (!v || v->type != TOML_BOOL)
		return -1;
	*out = v->u.b;
	return 0;
}

const struct toml_datetime *toml_datetime(const struct toml_value *v)
{
	if (!v || (v->type != TOML_DATETIME && v->type != TOML_DATETIME_LOCAL &&
		   v->type != TOML_DATE_LOCAL && v->type != TOML_TIME_LOCAL))
		return NULL;
	return v->u.dt;
}

size_t toml_array_len(const struct toml_value *v)
{
	return v && v->type == TOML_ARRAY ? v->u.arr->n : 0;
}

const struct toml_value *toml_array_at(const struct toml_value *v, size_t i)
{
	return i < toml_array_len(v) ? &v->u.arr->items[i] : NULL;
}

int toml_diag(struct diag *d, const struct toml_doc *doc, const struct toml_value *v, const char *fmt, ...)
{
	char msg[sizeof(d->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(d, doc->path, v ? v->line : 0, v ? v->col : 0, "%s", msg);
}

const char *toml_article(enum toml_type type)
{
	return type == TOML_INTEGER || type == TOML_ARRAY || type == TOML_DATETIME ? "an" : "a";
}

int toml_string_array(const struct toml_doc *doc, const struct toml_value *v, const char *what,
		      struct strvec *out, struct diag *d)
{
	if (!v)
		return 0;
	if (v->type != TOML_ARRAY)
		return toml_diag(d, doc, v, "'%s' must be an array of strings, found %s %s",
				 what, toml_article(v->type), toml_type_name(v->type));
	for (size_t i = 0; i < v->u.arr->n; i++) {
		const struct toml_value *item = &v->u.arr->items[i];
		if (item->type != TOML_STRING)
			return toml_diag(d, doc, item, "'%s' must be an array of strings, found %s %s",
					 what, toml_article(item->type), toml_type_name(item->type));
		if (memchr(item->u.str.ptr, '\0', item->u.str.len))
			return toml_diag(d, doc, item, "'%s' holds a string with a NUL character", what);
	}
	for (size_t i = 0; i < v->u.arr->n; i++)
		strvec_push(out, v->u.arr->items[i].u.str.ptr);
	return 0;
}
