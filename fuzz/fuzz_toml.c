/*
 * Fuzz the TOML reader: toml_parse on raw bytes (not NUL-terminated). A
 * rejected input must give a message with a line and column, and leave no
 * tree. An accepted one is walked whole: every key and value has a position,
 * every key is found again by toml_find and by toml_get_path, and the tree
 * written back as TOML (inline tables, quoted keys) must parse to the same tree.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/config/diag.h"
#include "../src/config/toml.h"
#include "../src/util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_string(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, (char)c);
	}
	strbuf_addch(sb, '"');
}

static void write_value(struct strbuf *sb, const struct toml_value *v);

static void write_table(struct strbuf *sb, const struct toml_table *t, int top)
{
	if (!top)
		strbuf_addch(sb, '{');
	for (size_t i = 0; i < toml_table_len(t); i++) {
		const struct toml_kv *kv = toml_table_at(t, i);
		if (!top && i)
			strbuf_adds(sb, ", ");
		write_string(sb, kv->key, kv->keylen);
		strbuf_adds(sb, " = ");
		write_value(sb, &kv->value);
		if (top)
			strbuf_addch(sb, '\n');
	}
	if (!top)
		strbuf_addch(sb, '}');
}

static void write_value(struct strbuf *sb, const struct toml_value *v)
{
	char buf[64];

	switch (v->type) {
	case TOML_TABLE:
		write_table(sb, v->u.tab, 0);
		break;
	case TOML_ARRAY:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < toml_array_len(v); i++) {
			if (i)
				strbuf_adds(sb, ",\n");
			write_value(sb, toml_array_at(v, i));
		}
		strbuf_addch(sb, ']');
		break;
	case TOML_STRING:
		write_string(sb, v->u.str.ptr, v->u.str.len);
		break;
	case TOML_INTEGER:
		strbuf_addf(sb, "%lld", v->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f.d)) {
			strbuf_adds(sb, signbit(v->u.f.d) ? "-nan" : "nan");
		} else if (isinf(v->u.f.d)) {
			strbuf_adds(sb, v->u.f.d < 0 ? "-inf" : "inf");
		} else {
			snprintf(buf, sizeof(buf), "%.17g", v->u.f.d);
			strbuf_adds(sb, buf);
			if (!strpbrk(buf, ".e"))
				strbuf_adds(sb, ".0");
		}
		break;
	case TOML_BOOL:
		strbuf_adds(sb, v->u.b ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		strbuf_adds(sb, v->u.dt->text);
		break;
	}
}

static int same_value(const struct toml_value *a, const struct toml_value *b);

static int same_table(const struct toml_table *a, const struct toml_table *b)
{
	if (toml_table_len(a) != toml_table_len(b))
		return 0;
	for (size_t i = 0; i < toml_table_len(a); i++) {
		const struct toml_kv *ka = toml_table_at(a, i), *kb = toml_table_at(b, i);
		if (ka->keylen != kb->keylen || memcmp(ka->key, kb->key, ka->keylen) != 0 ||
		    !same_value(&ka->value, &kb->value))
			return 0;
	}
	return 1;
}

static int same_value(const struct toml_value *a, const struct toml_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case TOML_TABLE:
		return same_table(a->u.tab, b->u.tab);
	case TOML_ARRAY:
		if (toml_array_len(a) != toml_array_len(b))
			return 0;
		for (size_t i = 0; i < toml_array_len(a); i++)
			if (!same_value(toml_array_at(a, i), toml_array_at(b, i)))
				return 0;
		return 1;
	case TOML_STRING:
		return a->u.str.len == b->u.str.len && memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
	case TOML_INTEGER:
		return a->u.i == b->u.i;
	case TOML_FLOAT:
		if (isnan(a->u.f.d) || isnan(b->u.f.d))
			return isnan(a->u.f.d) && isnan(b->u.f.d);
		return a->u.f.d == b->u.f.d && signbit(a->u.f.d) == signbit(b->u.f.d);
	case TOML_BOOL:
		return a->u.b == b->u.b;
	default:
		return strcmp(a->u.dt->text, b->u.dt->text) == 0;
	}
}

/* The length of each line of the input (1-based; a first line's without a BOM), to check columns against. */
static size_t *line_len;
static int lines;

static void measure_lines(const uint8_t *data, size_t size)
{
	size_t start = size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	line_len = calloc((size_t)lines + 1, sizeof(*line_len));
	if (!line_len)
		abort();
	for (size_t i = start, l = 1; i <= size; i++)
		if (i == size || data[i] == '\n') {
			line_len[l++] = i - start;
			start = i + 1;
		}
}

/* A position must lie on a line of the input, at most one past its end. */
static int valid_pos(int line, int col)
{
	return line >= 1 && line <= lines && col >= 1 && (size_t)col <= line_len[line] + 1;
}

/* Every value has a position, a string its NUL, a date-time its text. */
static void check_value(const struct toml_value *v);

static void check_table(const struct toml_table *t, const struct toml_table *root, struct strbuf *path)
{
	for (size_t i = 0; i < toml_table_len(t); i++) {
		const struct toml_kv *kv = toml_table_at(t, i);
		size_t len = path->len;
		if (!valid_pos(kv->line, kv->col) || kv->key[kv->keylen] != '\0')
			__builtin_trap();
		if (toml_find(t, kv->key, kv->keylen) != kv)
			__builtin_trap();	/* the index finds every key, and finds it first */
		if (path->len)
			strbuf_addch(path, '.');
		write_string(path, kv->key, kv->keylen);
		if (toml_get_path(root, path->buf) != &kv->value)
			__builtin_trap();
		check_value(&kv->value);
		if (kv->value.type == TOML_TABLE)
			check_table(kv->value.u.tab, root, path);
		else if (kv->value.type == TOML_ARRAY)
			for (size_t k = 0; k < toml_array_len(&kv->value); k++) {
				const struct toml_value *item = toml_array_at(&kv->value, k);
				if (item->type == TOML_TABLE) {
					struct strbuf sub = STRBUF_INIT;
					check_table(item->u.tab, item->u.tab, &sub);
					strbuf_release(&sub);
				}
			}
		path->len = len;
		path->buf[len] = '\0';
	}
}

static void check_value(const struct toml_value *v)
{
	if (!valid_pos(v->line, v->col))
		__builtin_trap();
	if (v->type == TOML_STRING && v->u.str.ptr[v->u.str.len] != '\0')
		__builtin_trap();
	if (toml_datetime(v) && !v->u.dt->text[0])
		__builtin_trap();
	if (v->type == TOML_ARRAY)
		for (size_t i = 0; i < toml_array_len(v); i++)
			check_value(toml_array_at(v, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_doc doc, again;
	struct diag d;
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;

	measure_lines(data, size);
	memset(&d, 0, sizeof(d));
	if (toml_parse(&doc, "fuzz.toml", (const char *)data, size, &d) < 0) {
		if (doc.root || !valid_pos(d.line, d.col) || !d.msg[0])
			__builtin_trap();
		toml_release(&doc);
		free(line_len);
		return 0;
	}
	check_table(doc.root, doc.root, &path);
	write_table(&sb, doc.root, 1);
	memset(&d, 0, sizeof(d));
	if (toml_parse(&again, "again.toml", sb.buf ? sb.buf : "", sb.len, &d) < 0) {
		fprintf(stderr, "the tree written back does not parse: %d:%d: %s\n%s\n", d.line, d.col, d.msg,
			sb.buf);
		__builtin_trap();
	}
	if (!same_table(doc.root, again.root))
		__builtin_trap();
	toml_release(&again);
	toml_release(&doc);
	strbuf_release(&sb);
	strbuf_release(&path);
	free(line_len);
	return 0;
}
