/*
 * The structure of a TOML document: keys, key/value pairs, [table] and
 * [[array of tables]] headers, arrays and inline tables, and the rules on
 * what may be defined where; and toml_get_path, whose path is a key. Scalars
 * and the error helpers are in toml_scalar.c, the tree in toml.c.
 *
 * Redefinition follows each table's origin (enum toml_origin):
 * - a header may pass through any table but an inline one, and through the
 *   last element of an array of tables; it may name a table nobody defined
 *   (new, or implicit: met on the way to an earlier header), once;
 * - a dotted key may pass through tables made by dotted keys, and through
 *   implicit ones, which it then makes its own (a header can no longer
 *   define them); never through a header's table, an inline table, an array
 *   or another value;
 * - a key is set once per table.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "toml_int.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* Room for a key quoted in a message. */
#define KEY_TEXT 160

int tp_col(const struct toml_parser *p, size_t at)
{
	return (int)(at - p->bol) + 1;
}

int tp_bare_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void skip_ws(struct toml_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* A comment at pos ('#'), up to its newline (not consumed). */
static int comment(struct toml_parser *p)
{
	char buf[48];

	while (p->pos < p->len && p->s[p->pos] != '\n') {
		unsigned char c = p->s[p->pos];
		if ((c < 0x20 && c != '\t' && !(c == '\r' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n')) ||
		    c == 0x7f)
			return tp_error(p, p->pos, "%s in a comment", tp_describe(p, p->pos, buf, sizeof(buf)));
		if (c == '\r')
			break;
		p->pos++;
	}
	return 0;
}

/* Spaces, a comment, then a newline or the end of the file; what names what came before. */
static int end_of_line(struct toml_parser *p, const char *what)
{
	char buf[48];

	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '#' && comment(p) < 0)
		return -1;
	if (p->pos >= p->len || tp_newline(p))
		return 0;
	return tp_error(p, p->pos, "expected a newline after %s, found %s", what, tp_describe(p, p->pos, buf, sizeof(buf)));
}

/* Spaces, newlines and comments, as an array allows between its items. */
static int skip_blank(struct toml_parser *p)
{
	for (;;) {
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == '#' && comment(p) < 0)
			return -1;
		if (!tp_newline(p))
			return 0;
	}
}

static void keys_add(struct toml_keys *keys, const char *s, size_t n, struct toml_parser *p, size_t at)
{
	struct toml_key_part *part;

	keys->parts = xgrow(keys->parts, &keys->alloc, keys->n + 1, sizeof(*keys->parts));
	part = &keys->parts[keys->n++];
	part->off = keys->buf.len;
	part->len = n;
	part->line = p->line;
	part->col = tp_col(p, at);
	part->at = at;
	strbuf_add(&keys->buf, s, n);
}

int tp_key(struct toml_parser *p, struct toml_keys *keys)
{
	char buf[48];

	strbuf_reset(&keys->buf);
	keys->n = 0;
	for (;;) {
		size_t at = p->pos, dot;
		unsigned char c = at < p->len ? p->s[at] : 0;

		if (at < p->len && tp_bare_char(c)) {
			while (p->pos < p->len && tp_bare_char(p->s[p->pos]))
				p->pos++;
			keys_add(keys, (const char *)p->s + at, p->pos - at, p, at);
		} else if (c == '"' || c == '\'') {
			if (at + 2 < p->len && p->s[at + 1] == c && p->s[at + 2] == c)
				return tp_error(p, at, "a multi-line string cannot be a key");
			if (tp_string(p, 0) < 0)
				return -1;
			keys_add(keys, p->sb.buf, p->sb.len, p, at);
		} else {
			return tp_error(p, at, keys->n ? "expected a key after '.', found %s" : "expected a key, found %s",
					tp_describe(p, at, buf, sizeof(buf)));
		}
		dot = p->pos;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '.') {
			p->pos = dot;
			return 0;
		}
		p->pos++;
		skip_ws(p);
	}
}

void tp_keys_release(struct toml_keys *keys)
{
	strbuf_release(&keys->buf);
	free(keys->parts);
	keys->parts = NULL;
	keys->n = keys->alloc = 0;
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

/*
 * The key buffer of a table at level: a key/value's key stays in it while its
 * value is read, whose inline tables lie deeper and use their own. Made on
 * first use, each level after the one above it.
 */
static struct toml_keys *keys_at(struct toml_parser *p, int level)
{
	for (int i = 0; i <= level; i++)
		if (!p->keys[i])
			p->keys[i] = xcalloc(1, sizeof(struct toml_keys));
	return p->keys[level];
}

/* Write the bytes of a key into out, quoted and escaped unless they form a bare key. */
static void quote_key(struct strbuf *out, const char *s, size_t n)
{
	int bare = n > 0;

	for (size_t i = 0; i < n; i++)
		bare = bare && tp_bare_char((unsigned char)s[i]);
	if (bare) {
		strbuf_add(out, s, n);
		return;
	}
	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(out, "\\u%04X", c);
		else
			strbuf_addch(out, (char)c);
	}
	strbuf_addch(out, '"');
}

/* The key's parts 0 to last, joined by dots, for a message (cut at KEY_TEXT bytes). */
static const char *key_text(const struct toml_keys *keys, size_t last, char *buf)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb, KEY_TEXT - 4);
	for (size_t i = 0; i <= last && i < keys->n; i++) {
		if (i)
			strbuf_addch(&sb, '.');
		quote_key(&sb, keys->buf.buf + keys->parts[i].off, keys->parts[i].len);
	}
	if (sb.truncated && sb.len) {
		/* cut before the last character when the cap split it */
		size_t k = sb.len - 1, need;
		while (k && ((unsigned char)sb.buf[k] & 0xc0) == 0x80)
			k--;
		need = (unsigned char)sb.buf[k] >= 0xf0 ? 4 : (unsigned char)sb.buf[k] >= 0xe0 ? 3 :
		       (unsigned char)sb.buf[k] >= 0xc0 ? 2 : 1;
		if (k + need > sb.len)
			sb.len = k;
	}
	snprintf(buf, KEY_TEXT, "%.*s%s", (int)sb.len, strbuf_str(&sb), sb.truncated ? "..." : "");
	strbuf_release(&sb);
	return buf;
}

/* Why a dotted key or a header cannot go through the existing value v of key part i. */
static int not_a_table(struct toml_parser *p, const struct toml_keys *keys, size_t i, const struct toml_kv *kv)
{
	char buf[KEY_TEXT];
	const struct toml_value *v = &kv->value;
	const struct toml_key_part *part = &keys->parts[i];

	key_text(keys, i, buf);
	if (v->type == TOML_TABLE && v->u.tab->origin == TOML_ORIGIN_INLINE)
		return tp_error(p, part->at, "cannot add to '%s', an inline table (line %d): it is complete as written",
				buf, v->line);
	if (v->type == TOML_TABLE)
		return tp_error(p, part->at, "cannot add to table '%s' with a dotted key: it is defined by its [header] at line %d",
				buf, v->line);
	if (v->type == TOML_ARRAY && v->u.arr->of_tables)
		return tp_error(p, part->at, "cannot add to '%s' with a dotted key: it is an array of tables (line %d)",
				buf, v->line);
	return tp_error(p, part->at, "'%s' is already %s %s (line %d), not a table", buf, toml_article(v->type),
			toml_type_name(v->type), kv->line);
}

/* A new table as the value of the entry key part i of keys just added to t. */
static struct toml_table *new_table(struct toml_parser *p, struct toml_table *t, const struct toml_keys *keys,
				    size_t i, enum toml_origin origin, int line, int col)
{
	const struct toml_key_part *part = &keys->parts[i];
	struct toml_kv *kv;

	if (t->level + 1 > TOML_MAX_DEPTH) {
		tp_error(p, part->at, "tables and arrays nested deeper than %d levels", TOML_MAX_DEPTH);
		return NULL;
	}
	kv = toml_table_add(p->arena, t, keys->buf.buf + part->off, part->len, part->line, part->col);
	kv->value.type = TOML_TABLE;
	kv->value.line = line;
	kv->value.col = col;
	kv->value.u.tab = toml_table_new(p->arena, origin);
	kv->value.u.tab->level = t->level + 1;
	return kv->value.u.tab;
}

/* Set the value of a dotted key in t to v, creating the tables on its way. */
static int set_dotted(struct toml_parser *p, struct toml_table *t, const struct toml_keys *keys, struct toml_value *v)
{
	char buf[KEY_TEXT];
	struct toml_kv *kv;
	size_t last = keys->n - 1;

	for (size_t i = 0; i < last; i++) {
		const struct toml_key_part *part = &keys->parts[i];
		kv = toml_table_find(t, keys->buf.buf + part->off, part->len);
		if (!kv) {
			if (!(t = new_table(p, t, keys, i, TOML_ORIGIN_DOTTED, part->line, part->col)))
				return -1;
			continue;
		}
		if (kv->value.type != TOML_TABLE ||
		    (kv->value.u.tab->origin != TOML_ORIGIN_DOTTED && kv->value.u.tab->origin != TOML_ORIGIN_IMPLICIT))
			return not_a_table(p, keys, i, kv);
		t = kv->value.u.tab;
		t->origin = TOML_ORIGIN_DOTTED;
	}
	kv = toml_table_find(t, keys->buf.buf + keys->parts[last].off, keys->parts[last].len);
	if (kv)
		return tp_error(p, keys->parts[last].at, "duplicate key '%s' (first defined at line %d)",
				key_text(keys, last, buf), kv->line);
	kv = toml_table_add(p->arena, t, keys->buf.buf + keys->parts[last].off, keys->parts[last].len,
			    keys->parts[last].line, keys->parts[last].col);
	kv->value = *v;
	return 0;
}

static int parse_value(struct toml_parser *p, struct toml_value *v, int level);

/* key = value at pos, set in t. */
static int keyval(struct toml_parser *p, struct toml_table *t)
{
	struct toml_keys *keys = keys_at(p, t->level);
	struct toml_value v;
	char buf[48];

	if (tp_key(p, keys) < 0)
		return -1;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '=')
		return tp_error(p, p->pos, "expected '=' after the key, found %s", tp_describe(p, p->pos, buf, sizeof(buf)));
	p->pos++;
	skip_ws(p);
	if (parse_value(p, &v, t->level + (int)keys->n) < 0)
		return -1;
	return set_dotted(p, t, keys, &v);
}

static int parse_array(struct toml_parser *p, struct toml_value *v, int level)
{
	struct toml_array *arr;
	char buf[48];

	v->type = TOML_ARRAY;
	v->u.arr = arr = toml_zalloc(p->arena, sizeof(*arr));
	p->pos++;
	for (;;) {
		if (skip_blank(p) < 0)
			return -1;
		if (p->pos < p->len && p->s[p->pos] == ']')
			break;
		arr->items = toml_grow(p->arena, arr->items, &arr->alloc, arr->n + 1, sizeof(*arr->items));
		if (parse_value(p, &arr->items[arr->n], level + 1) < 0)
			return -1;
		arr->n++;
		if (skip_blank(p) < 0)
			return -1;
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == ']')
			break;
		return tp_error(p, p->pos, "expected ',' or ']' after an item of the array, found %s",
				tp_describe(p, p->pos, buf, sizeof(buf)));
	}
	p->pos++;
	return 0;
}

static int parse_inline_table(struct toml_parser *p, struct toml_value *v, int level)
{
	struct toml_table *t;
	char buf[48];

	v->type = TOML_TABLE;
	v->u.tab = t = toml_table_new(p->arena, TOML_ORIGIN_INLINE);
	t->level = level;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (p->pos < p->len && (p->s[p->pos] == '\n' || p->s[p->pos] == '\r' || p->s[p->pos] == '#'))
			return tp_error(p, p->pos, "an inline table is written on one line: found %s before its '}'",
					p->s[p->pos] == '#' ? "a comment" : tp_describe(p, p->pos, buf, sizeof(buf)));
		if (keyval(p, t) < 0)
			return -1;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == '}')
				return tp_error(p, p->pos - 1, "trailing comma in an inline table");
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			return 0;
		}
		if (p->pos < p->len && (p->s[p->pos] == '\n' || p->s[p->pos] == '\r' || p->s[p->pos] == '#'))
			continue;	/* said above */
		return tp_error(p, p->pos, "expected ',' or '}' after a key/value of the inline table, found %s",
				tp_describe(p, p->pos, buf, sizeof(buf)));
	}
}

/* Whether the text at pos is word (then consumed). */
static int word(struct toml_parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return 0;
	p->pos += n;
	return 1;
}

/* A value at pos into v, which lies level tables and arrays deep. */
static int parse_value(struct toml_parser *p, struct toml_value *v, int level)
{
	size_t at = p->pos;
	unsigned char c = at < p->len ? p->s[at] : 0;
	char buf[48];

	memset(v, 0, sizeof(*v));
	v->type = TOML_BOOL;
	v->line = p->line;
	v->col = tp_col(p, at);
	if ((c == '[' || c == '{') && level > TOML_MAX_DEPTH)
		return tp_error(p, at, "tables and arrays nested deeper than %d levels", TOML_MAX_DEPTH);
	if (at >= p->len)
		return tp_error(p, at, "expected a value, found end of file");
	switch (c) {
	case '"':
	case '\'':
		if (tp_string(p, at + 2 < p->len && p->s[at + 1] == c && p->s[at + 2] == c) < 0)
			return -1;
		v->type = TOML_STRING;
		v->u.str.len = p->sb.len;
		v->u.str.ptr = toml_strndup(p->arena, p->sb.buf, p->sb.len);
		return 0;
	case '[':
		return parse_array(p, v, level);
	case '{':
		return parse_inline_table(p, v, level);
	case 't':
	case 'f':
		if (word(p, c == 't' ? "true" : "false")) {
			if (p->pos >= p->len || !tp_bare_char(p->s[p->pos])) {
				v->u.b = c == 't';
				return 0;
			}
			p->pos = at;	/* "falsey": a bare word, said below */
		}
		break;
	case 'i':
	case 'n':
	case '+':
	case '-':
		return tp_number(p, v);
	default:
		if (c >= '0' && c <= '9')
			return tp_number(p, v);
		break;
	}
	if (tp_bare_char(c)) {
		size_t end = at;
		while (end < p->len && end - at < 40 && tp_bare_char(p->s[end]))
			end++;
		return tp_error(p, at, "expected a value, found '%.*s' (a string needs quotes)", (int)(end - at),
				(const char *)p->s + at);
	}
	return tp_error(p, at, "expected a value, found %s", tp_describe(p, at, buf, sizeof(buf)));
}

/* Why a header cannot name the existing entry kv as its table. */
static int header_clash(struct toml_parser *p, const struct toml_keys *keys, const struct toml_kv *kv, int aot)
{
	char buf[KEY_TEXT];
	const struct toml_value *v = &kv->value;
	const char *open = aot ? "[[" : "[", *close = aot ? "]]" : "]";
	size_t last = keys->n - 1;
	size_t at = keys->parts[0].at;

	key_text(keys, last, buf);
	if (v->type == TOML_TABLE) {
		switch (v->u.tab->origin) {
		case TOML_ORIGIN_INLINE:
			return tp_error(p, at, "%s%s%s: '%s' is already an inline table (line %d)", open, buf, close, buf, v->line);
		case TOML_ORIGIN_DOTTED:
			return tp_error(p, at, "%s%s%s: table '%s' is already defined by dotted keys (line %d)",
					open, buf, close, buf, v->line);
		default:
			if (aot)
				return tp_error(p, at, "[[%s]]: '%s' is already a table (line %d), not an array of tables",
						buf, buf, v->line);
			return tp_error(p, at, "table [%s] is defined twice (first at line %d)", buf, v->line);
		}
	}
	if (v->type == TOML_ARRAY && v->u.arr->of_tables)
		return tp_error(p, at, "[%s]: '%s' is already an array of tables (line %d); add an element with [[%s]]",
				buf, buf, v->line, buf);
	if (v->type == TOML_ARRAY && aot)
		return tp_error(p, at, "[[%s]]: '%s' is already an array (line %d), which [[...]] cannot add to",
				buf, buf, kv->line);
	return tp_error(p, at, "%s%s%s: '%s' is already %s %s (line %d)", open, buf, close, buf,
			toml_article(v->type), toml_type_name(v->type), kv->line);
}

/* A [table] or [[array of tables]] header at pos: the table its key/values go to, in *cur. */
static int header(struct toml_parser *p, struct toml_table *root, struct toml_table **cur)
{
	struct toml_keys *keys = keys_at(p, 0);
	size_t at = p->pos, last;
	int aot = at + 1 < p->len && p->s[at + 1] == '[';
	int line = p->line, col = tp_col(p, at);
	struct toml_table *t = root;
	struct toml_kv *kv;
	char buf[48];

	p->pos += aot ? 2 : 1;
	skip_ws(p);
	if (tp_key(p, keys) < 0)
		return -1;
	skip_ws(p);
	if (!word(p, aot ? "]]" : "]"))
		return tp_error(p, p->pos, "expected '%s' to close the header, found %s", aot ? "]]" : "]",
				tp_describe(p, p->pos, buf, sizeof(buf)));
	last = keys->n - 1;
	for (size_t i = 0; i < last; i++) {
		const struct toml_key_part *part = &keys->parts[i];
		kv = toml_table_find(t, keys->buf.buf + part->off, part->len);
		if (!kv) {
			if (!(t = new_table(p, t, keys, i, TOML_ORIGIN_IMPLICIT, part->line, part->col)))
				return -1;
		} else if (kv->value.type == TOML_TABLE && kv->value.u.tab->origin != TOML_ORIGIN_INLINE) {
			t = kv->value.u.tab;
		} else if (kv->value.type == TOML_ARRAY && kv->value.u.arr->of_tables) {
			struct toml_array *arr = kv->value.u.arr;
			t = arr->items[arr->n - 1].u.tab;
		} else {
			return not_a_table(p, keys, i, kv);
		}
	}
	kv = toml_table_find(t, keys->buf.buf + keys->parts[last].off, keys->parts[last].len);
	if (!aot) {
		if (!kv) {
			if (!(*cur = new_table(p, t, keys, last, TOML_ORIGIN_HEADER, line, col)))
				return -1;
		} else if (kv->value.type == TOML_TABLE && kv->value.u.tab->origin == TOML_ORIGIN_IMPLICIT) {
			kv->value.u.tab->origin = TOML_ORIGIN_HEADER;
			kv->value.line = line;
			kv->value.col = col;
			*cur = kv->value.u.tab;
		} else {
			return header_clash(p, keys, kv, 0);
		}
		return end_of_line(p, "the header");
	}
	if (!kv) {
		if (t->level + 2 > TOML_MAX_DEPTH)
			return tp_error(p, keys->parts[last].at, "tables and arrays nested deeper than %d levels", TOML_MAX_DEPTH);
		kv = toml_table_add(p->arena, t, keys->buf.buf + keys->parts[last].off, keys->parts[last].len,
				    keys->parts[last].line, keys->parts[last].col);
		kv->value.type = TOML_ARRAY;
		kv->value.line = line;
		kv->value.col = col;
		kv->value.u.arr = toml_zalloc(p->arena, sizeof(struct toml_array));
		kv->value.u.arr->of_tables = 1;
	} else if (kv->value.type != TOML_ARRAY || !kv->value.u.arr->of_tables) {
		return header_clash(p, keys, kv, 1);
	}
	struct toml_array *arr = kv->value.u.arr;
	struct toml_value *elem;
	arr->items = toml_grow(p->arena, arr->items, &arr->alloc, arr->n + 1, sizeof(*arr->items));
	elem = &arr->items[arr->n++];
	memset(elem, 0, sizeof(*elem));
	elem->type = TOML_TABLE;
	elem->line = line;
	elem->col = col;
	elem->u.tab = *cur = toml_table_new(p->arena, TOML_ORIGIN_HEADER);
	elem->u.tab->level = t->level + 2;
	return end_of_line(p, "the header");
}

/* Check that the whole document is UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static int check_utf8(struct toml_parser *p)
{
	const unsigned char *s = p->s;
	size_t n = p->len;

	if (n >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)))
		return tp_error(p, 0, "the file is UTF-16: TOML files are UTF-8");
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t need;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return tp_error(p, i, "invalid UTF-8: byte 0x%02X cannot start a character", c);
		}
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return tp_error(p, i, "invalid UTF-8: the character starting with byte 0x%02X is cut short", c);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min)
			return tp_error(p, i, "invalid UTF-8: an overlong encoding of U+%04X", (unsigned)cp);
		if (cp >= 0xd800 && cp <= 0xdfff)
			return tp_error(p, i, "invalid UTF-8: an encoded surrogate (U+%04X) is not a character", (unsigned)cp);
		if (cp > 0x10ffff)
			return tp_error(p, i, "invalid UTF-8: U+%X is beyond U+10FFFF", (unsigned)cp);
		i += need + 1;
	}
	return 0;
}

static int parse_document(struct toml_parser *p, struct toml_table *root)
{
	struct toml_table *cur = root;

	if (p->len > INT_MAX)
		return diag_set(p->d, p->path, 0, 0, "the file is larger than 2 GB: no configuration is");
	if (check_utf8(p) < 0)
		return -1;
	if (p->len >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		p->pos = p->bol = 3;
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->len)
			return 0;
		if (p->s[p->pos] == '[') {
			if (header(p, root, &cur) < 0)
				return -1;
		} else if (p->s[p->pos] == '#' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r') {
			if (p->s[p->pos] == '\r' && !(p->pos + 1 < p->len && p->s[p->pos + 1] == '\n'))
				return tp_error(p, p->pos, "carriage return without a line feed");
			if (end_of_line(p, "a comment") < 0)
				return -1;
		} else if (keyval(p, cur) < 0 || end_of_line(p, "the value") < 0) {
			return -1;
		}
	}
}

int toml_parse(struct toml_doc *doc, const char *path, const char *text, size_t len, struct diag *d)
{
	struct toml_parser p;
	int rc;

	memset(doc, 0, sizeof(*doc));
	memset(&p, 0, sizeof(p));
	doc->path = xstrdup(path);
	doc->arena = p.arena = toml_arena_new();
	doc->root = toml_table_new(p.arena, TOML_ORIGIN_HEADER);
	p.path = path;
	p.s = (const unsigned char *)text;
	p.len = len;
	p.line = 1;
	p.d = d;
	rc = parse_document(&p, doc->root);
	for (size_t i = 0; i <= TOML_MAX_DEPTH && p.keys[i]; i++) {
		tp_keys_release(p.keys[i]);
		free(p.keys[i]);
	}
	strbuf_release(&p.sb);
	if (rc < 0) {
		toml_arena_free(doc->arena);	/* what was read before the error */
		doc->arena = NULL;
		doc->root = NULL;
	}
	return rc;
}
