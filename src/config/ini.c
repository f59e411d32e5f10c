#include "ini.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* Python's str.strip() whitespace, restricted to ASCII. */
static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       (c >= 0x1c && c <= 0x1f);
}

static void strip(const char **s, const char **e)
{
	while (*s < *e && is_ws((unsigned char)**s))
		(*s)++;
	while (*e > *s && is_ws((unsigned char)(*e)[-1]))
		(*e)--;
}

static struct ini_section *add_section(struct ini *ini, const char *name, size_t n, int line)
{
	struct ini_section *sec;

	ini->sections = xgrow(ini->sections, &ini->alloc, ini->n + 1, sizeof(*ini->sections));
	sec = &ini->sections[ini->n++];
	memset(sec, 0, sizeof(*sec));
	sec->name = xstrndup(name, n);
	sec->line = line;
	strmap_intern(&ini->index, name, n);	/* ids count from 0 as sections do */
	return sec;
}

/* The value being read: lines kept apart until the entry is finished. */
struct pending {
	struct ini_entry *e;
	struct strbuf text;
	int *lines, *cols;
	size_t n, alloc, calloc;
};

static void pending_add(struct pending *p, const char *s, size_t n, int line, int col)
{
	if (p->n)
		strbuf_addch(&p->text, '\n');
	strbuf_add(&p->text, s, n);
	p->lines = xgrow(p->lines, &p->alloc, p->n + 1, sizeof(*p->lines));
	p->cols = xgrow(p->cols, &p->calloc, p->n + 1, sizeof(*p->cols));
	p->cols[p->n] = col;
	p->lines[p->n++] = line;
}

/* configparser joins a value's lines and strips the trailing whitespace (blank lines included). */
static void pending_finish(struct pending *p)
{
	size_t nl = 1;

	if (!p->e)
		return;
	strbuf_rtrim(&p->text);
	for (size_t i = 0; i < p->text.len; i++)
		nl += p->text.buf[i] == '\n';
	p->e->value = strbuf_detach(&p->text);
	p->e->nvlines = nl < p->n ? nl : p->n;
	p->e->vlines = p->lines;
	p->e->vcols = p->cols;
	p->lines = p->cols = NULL;
	p->n = p->alloc = p->calloc = 0;
	p->e = NULL;
}

static int find_line_end(const char *text, size_t len, size_t pos, size_t *next)
{
	size_t i = pos;

	while (i < len && text[i] != '\n' && text[i] != '\r')
		i++;
	if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
		*next = i + 2;
	else
		*next = i < len ? i + 1 : i;
	return (int)(i - pos);
}

int ini_parse(struct ini *ini, const char *path, const char *text, size_t len, struct diag *d)
{
	struct ini_section *cur = NULL;
	struct pending p = { NULL, STRBUF_INIT, NULL, NULL, 0, 0, 0 };
	size_t pos = 0, next;
	int lineno = 0, indent_level = 0, rc = 0;

	ini->path = xstrdup(path);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		int n = find_line_end(text, len, pos, &next);
		const char *line = text + pos, *s = line, *e = line + n;
		int indent;

		lineno++;
		pos = next;
		if (memchr(line, '\0', (size_t)n)) {
			rc = diag_set(d, path, lineno, (int)((const char *)memchr(line, '\0', (size_t)n) - line) + 1,
				      "NUL byte in the file: is it a text file?");
			break;
		}
		strip(&s, &e);
		if (s == e) {
			if (cur && p.e)
				pending_add(&p, "", 0, lineno, 1);
			continue;
		}
		if (*s == '#' || *s == ';')
			continue;
		indent = (int)(s - line);
		if (cur && p.e && indent > indent_level) {
			pending_add(&p, s, (size_t)(e - s), lineno, indent + 1);
			continue;
		}
		indent_level = indent;
		pending_finish(&p);
		if (*s == '[') {
			const char *close = e;
			while (close > s + 1 && close[-1] != ']')
				close--;
			if (close > s + 2) {
				const char *name = s + 1;
				size_t nlen = (size_t)(close - 1 - name);
				int seen = strmap_get(&ini->index, name, nlen);
				if (seen >= 0) {
					rc = diag_set(d, path, lineno, indent + 1,
						      "section '%.*s' already exists (first at line %d): merge the two sections",
						      (int)nlen, name, ini->sections[seen].line);
					goto out;
				}
				cur = add_section(ini, name, nlen, lineno);
				continue;
			}
		}
		if (!cur) {
			rc = diag_set(d, path, lineno, indent + 1,
				      "text before the first [section] header: start the file with a section such as [tox]");
			break;
		}
		const char *delim = s;
		while (delim < e && *delim != '=' && *delim != ':')
			delim++;
		const char *ks = s, *ke = delim;
		strip(&ks, &ke);
		if (delim == e || ks == ke) {
			rc = diag_set(d, path, lineno, indent + 1,
				      "expected 'key = value', a [section] header or an indented continuation line: indent the line to continue the value above, or comment it out with '#'");
			break;
		}
		char *key = xstrndup(ks, (size_t)(ke - ks));
		for (char *k = key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				*k = (char)(*k - 'A' + 'a');
		if (ini_get(cur, key)) {
			rc = diag_set(d, path, lineno, indent + 1,
				      "key '%s' in section [%s] already set (line %d): keep one of the two",
				      key, cur->name, ini_get(cur, key)->line);
			free(key);
			break;
		}
		cur->entries = xgrow(cur->entries, &cur->alloc, cur->n + 1, sizeof(*cur->entries));
		struct ini_entry *ent = &cur->entries[cur->n++];
		memset(ent, 0, sizeof(*ent));
		ent->key = key;
		ent->id = ini->nentries++;
		const char *vs = delim + 1, *ve = e;
		strip(&vs, &ve);
		ent->line = lineno;
		ent->col = (int)(vs - line) + 1;
		p.e = ent;
		pending_add(&p, vs, (size_t)(ve - vs), lineno, ent->col);
	}
out:
	pending_finish(&p);
	strbuf_release(&p.text);
	free(p.lines);
	free(p.cols);
	/* An entry whose parse stopped early still needs a value for release and lookups. */
	for (size_t i = 0; i < ini->n; i++)
		for (size_t j = 0; j < ini->sections[i].n; j++)
			if (!ini->sections[i].entries[j].value)
				ini->sections[i].entries[j].value = xstrdup("");
	return rc;
}

const struct ini_section *ini_section(const struct ini *ini, const char *name)
{
	int i = strmap_get(&ini->index, name, strlen(name));

	return i >= 0 ? &ini->sections[i] : NULL;
}

const struct ini_entry *ini_get(const struct ini_section *sec, const char *key)
{
	char lower[64];
	size_t n = strlen(key);

	if (!sec)
		return NULL;
	/* keys are stored lower-cased: lower-case the question once, then compare plainly */
	if (n >= sizeof(lower)) {
		for (size_t i = 0; i < sec->n; i++)
			if (strcasecmp(sec->entries[i].key, key) == 0)
				return &sec->entries[i];
		return NULL;
	}
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)((key[i] >= 'A' && key[i] <= 'Z') ? key[i] - 'A' + 'a' : key[i]);
	for (size_t i = 0; i < sec->n; i++) {
		const char *k = sec->entries[i].key;
		if (k[0] == lower[0] && strcmp(k, lower) == 0)
			return &sec->entries[i];
	}
	return NULL;
}

int ini_value_line(const struct ini_entry *e, size_t idx)
{
	return idx < e->nvlines ? e->vlines[idx] : e->line;
}

int ini_value_col(const struct ini_entry *e, size_t idx)
{
	return idx < e->nvlines ? e->vcols[idx] : e->col;
}

int ini_find_text(const struct ini_entry *e, const char *text, size_t n, int *line, int *col)
{
	size_t idx = 0;

	*line = e->line;
	*col = e->col;
	for (const char *p = e->value; *p; idx++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		for (size_t i = 0; n && i + n <= len; i++)
			if (memcmp(p + i, text, n) == 0) {
				*line = ini_value_line(e, idx);
				*col = ini_value_col(e, idx) + (int)i;
				return 1;
			}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

void ini_release(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		struct ini_section *sec = &ini->sections[i];
		for (size_t j = 0; j < sec->n; j++) {
			free(sec->entries[j].key);
			free(sec->entries[j].value);
			free(sec->entries[j].vlines);
			free(sec->entries[j].vcols);
		}
		free(sec->entries);
		free(sec->name);
	}
	free(ini->sections);
	free(ini->path);
	strmap_clear(&ini->index);
	memset(ini, 0, sizeof(*ini));
}
