/*
 * The TOML tree: tables in document order with a hash index once they grow,
 * arrays, and the lookups and typed accessors of toml.h. Parsing is in
 * toml_parse.c and toml_scalar.c.
 */
#include "toml.h"

#include <stdarg.h>
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

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int same_key(const struct toml_kv *kv, const char *key, size_t len)
{
	return kv->keylen == len && memcmp(kv->key, key, len) == 0;
}

/* The slot of key in t's index: the one holding it, or the empty one where it would go. */
static size_t index_slot(const struct toml_table *t, const char *key, size_t len)
{
	size_t mask = t->index_cap - 1, i = (size_t)hash(key, len) & mask;

	while (t->index[i] && !same_key(&t->kv[t->index[i] - 1], key, len))
		i = (i + 1) & mask;
	return i;
}

static void index_rebuild(struct toml_table *t)
{
	size_t cap = 16;

	while (cap < 2 * (t->n + 1))
		cap *= 2;
	free(t->index);
	t->index = xcalloc(cap, sizeof(*t->index));
	t->index_cap = cap;
	for (size_t k = 0; k < t->n; k++)
		t->index[index_slot(t, t->kv[k].key, t->kv[k].keylen)] = (unsigned)(k + 1);
}

struct toml_table *toml_table_new(enum toml_origin origin)
{
	struct toml_table *t = xcalloc(1, sizeof(*t));

	t->origin = origin;
	return t;
}

struct toml_kv *toml_table_find(struct toml_table *t, const char *key, size_t len)
{
	if (t->index) {
		unsigned k = t->index[index_slot(t, key, len)];
		return k ? &t->kv[k - 1] : NULL;
	}
	for (size_t k = 0; k < t->n; k++)
		if (same_key(&t->kv[k], key, len))
			return &t->kv[k];
	return NULL;
}

struct toml_kv *toml_table_add(struct toml_table *t, const char *key, size_t len, int line, int col)
{
	struct toml_kv *kv;

	t->kv = xgrow(t->kv, &t->alloc, t->n + 1, sizeof(*t->kv));
	kv = &t->kv[t->n++];
	memset(kv, 0, sizeof(*kv));
	kv->key = xstrndup(key, len);
	kv->keylen = len;
	kv->line = line;
	kv->col = col;
	if (t->index && 2 * (t->n + 1) <= t->index_cap)
		t->index[index_slot(t, key, len)] = (unsigned)t->n;
	else if (t->n >= INDEX_FROM)
		index_rebuild(t);
	return kv;
}

void toml_value_release(struct toml_value *v)
{
	switch (v->type) {
	case TOML_STRING:
		free(v->u.str.ptr);
		break;
	case TOML_FLOAT:
		free(v->u.f.text);
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		free(v->u.dt.text);
		break;
	case TOML_ARRAY:
		if (v->u.arr) {
			for (size_t i = 0; i < v->u.arr->n; i++)
				toml_value_release(&v->u.arr->items[i]);
			free(v->u.arr->items);
			free(v->u.arr);
		}
		break;
	case TOML_TABLE:
		toml_table_free(v->u.tab);
		break;
	case TOML_INTEGER:
	case TOML_BOOL:
		break;
	}
	v->type = TOML_BOOL;	/* holds nothing: a second release is harmless */
}

void toml_table_free(struct toml_table *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < t->n; k++) {
		free(t->kv[k].key);
		toml_value_release(&t->kv[k].value);
	}
	free(t->kv);
	free(t->index);
	free(t);
}

void toml_release(struct toml_doc *doc)
{
	toml_table_free(doc->root);
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

const struct toml_value *toml_get_path(const struct toml_table *t, const char *path)
{
	struct toml_parser p;
	struct toml_keys keys = { STRBUF_INIT, NULL, 0, 0 };
	struct diag d;
	const struct toml_value *v = NULL;

	if (!t)
		return NULL;
	memset(&p, 0, sizeof(p));
	p.path = "";
	p.s = (const unsigned char *)path;
	p.len = strlen(path);
	p.line = 1;
	p.d = &d;
	if (tp_key(&p, &keys) == 0 && p.pos == p.len) {
		for (size_t i = 0; i < keys.n; i++) {
			const struct toml_kv *kv;
			if (i && !(t = toml_table(v))) {
				v = NULL;
				break;
			}
			kv = toml_find(t, keys.buf.buf + keys.parts[i].off, keys.parts[i].len);
			if (!kv) {
				v = NULL;
				break;
			}
			v = &kv->value;
		}
	}
	tp_keys_release(&keys);
	strbuf_release(&p.sb);
	return v;
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
	return &v->u.dt;
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

/* "an integer", "a string": the article a message needs before a type's name. */
static const char *article(enum toml_type type)
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
				 what, article(v->type), toml_type_name(v->type));
	for (size_t i = 0; i < v->u.arr->n; i++) {
		const struct toml_value *item = &v->u.arr->items[i];
		if (item->type != TOML_STRING)
			return toml_diag(d, doc, item, "'%s' must be an array of strings, found %s %s",
					 what, article(item->type), toml_type_name(item->type));
		if (memchr(item->u.str.ptr, '\0', item->u.str.len))
			return toml_diag(d, doc, item, "'%s' holds a string with a NUL character", what);
	}
	for (size_t i = 0; i < v->u.arr->n; i++)
		strvec_push(out, v->u.arr->items[i].u.str.ptr);
	return 0;
}
