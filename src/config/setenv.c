/*
 * set_env, read the way tox reads it: KEY=VALUE lines kept raw and substituted
 * only when a value is asked for (so {env:K} can see other set_env entries and
 * a self-reference like PATH={env:PATH}:x reads the outer environment), lines
 * that hold only a substitution ({[testenv]set_env}) expanded into more lines
 * on demand, and the entries tox adds itself.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "envctx.h"
#include "ini.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

static struct envctx_setenv *find(struct envctx *c, const char *key)
{
	for (size_t i = 0; i < c->nse; i++)
		if (strcmp(c->se[i].key, key) == 0)
			return &c->se[i];
	return NULL;
}

/* Add or replace key; a later line wins, the key keeps its first place (a Python dict). */
static void put(struct envctx *c, const char *key, size_t klen, const char *raw, size_t rlen, int line,
		enum setenv_origin origin, int order)
{
	char *k = xstrndup(key, klen);
	struct envctx_setenv *s = find(c, k);

	if (s) {
		free(k);
		free(s->raw);
		free(s->value);
		s->value = NULL;
	} else {
		c->se = xgrow(c->se, &c->se_alloc, c->nse + 1, sizeof(*c->se));
		s = &c->se[c->nse++];
		s->key = k;
		s->value = NULL;
	}
	s->raw = xstrndup(raw, rlen);
	s->line = line;
	s->is_default = origin == SETENV_DEFAULT;
	s->origin = origin;
	s->order = order;
}

/* The source line of the value line that holds text (for messages), or the key's line. */
static int line_of(const struct ini_entry *e, const char *text, size_t n)
{
	int line, col;

	ini_find_text(e, text, n, &line, &col);
	return line;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Split "KEY=VALUE" (trimmed); returns -1 when the line has no '='. */
static int split_line(const char *p, size_t n, const char **ks, const char **ke, const char **vs, const char **ve)
{
	const char *eq = memchr(p, '=', n);

	if (!eq)
		return -1;
	*ks = p;
	*ke = eq;
	*vs = eq + 1;
	*ve = p + n;
	trim(ks, ke);
	trim(vs, ve);
	return 0;
}

/* Parse "KEY=VALUE" into put(); returns -1 when the line has no '='. */
static int parse_line(struct envctx *c, const char *p, size_t n, int line, enum setenv_origin origin, int order)
{
	const char *ks, *ke, *vs, *ve;

	if (split_line(p, n, &ks, &ke, &vs, &ve) < 0)
		return -1;
	put(c, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line, origin, order);
	return 0;
}

/*
 * Read KEY=VALUE lines of an env file (set_env's "file|path", at position
 * order of the value): tox 4.58 lets them replace what the lines before the
 * file| line set, not what the lines after it set.
 */
static void load_env_file(struct envctx *c, const char *spec, int line, int order)
{
	char *path = subst(c, spec, 0);
	char *full = *path == '/' ? xstrdup(path) : xasprintf("%s/%s", c->t->toxinidir, path);
	char *text = read_file(full, NULL);

	if (!text) {
		strvec_pushf(&c->errors, "set_env\tenv file '%s' (%s:%d) cannot be read", full, c->t->path, line);
	} else {
		for (char *p = text; *p;) {
			char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			const char *s = p, *e = p + n;
			trim(&s, &e);
			const char *ks, *ke, *vs, *ve;
			if (s < e && *s != '#' && split_line(s, (size_t)(e - s), &ks, &ke, &vs, &ve) == 0) {
				char *key = xstrndup(ks, (size_t)(ke - ks));
				struct envctx_setenv *had = find(c, key);
				free(key);
				if (!had || had->origin != SETENV_LINE || had->order < order)
					put(c, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line, SETENV_FILE, order);
			}
			p += n + (nl ? 1 : 0);
		}
	}
	free(text);
	free(full);
	free(path);
}

static int has_brace_expr(const char *s, size_t n)
{
	const char *o = memchr(s, '{', n);

	return o && memchr(o, '}', n - (size_t)(o - s));
}

static void put_default(struct envctx *c, const char *key, const char *value)
{
	put(c, key, strlen(key), value, strlen(value), 0, SETENV_DEFAULT, -1);
}

/*
 * What tox adds itself. tox 4 adds PYTHONHASHSEED and
 * PIP_DISABLE_PIP_VERSION_CHECK only where the file does not set them, and
 * forces PYTHONIOENCODING; tox 3 adds PYTHONHASHSEED and always sets
 * TOX_ENV_NAME and TOX_ENV_DIR.
 */
static void add_defaults(struct envctx *c)
{
	struct tox *t = c->t;

	if (t->tox3) {
		if (!find(c, "PYTHONHASHSEED"))
			put_default(c, "PYTHONHASHSEED", t->hashseed);
		char *dir = envctx_value(c, "env_dir");
		put_default(c, "TOX_ENV_NAME", c->name);
		put_default(c, "TOX_ENV_DIR", dir ? dir : "");
		free(dir);
		return;
	}
	if (!find(c, "PYTHONHASHSEED"))
		put_default(c, "PYTHONHASHSEED", t->hashseed);
	if (!find(c, "PIP_DISABLE_PIP_VERSION_CHECK"))
		put_default(c, "PIP_DISABLE_PIP_VERSION_CHECK", "1");
	put_default(c, "PYTHONIOENCODING", "utf-8");
}

static void parse(struct envctx *c)
{
	const struct ini_entry *e = NULL;
	struct strvec files = STRVEC_INIT, files_line = STRVEC_INIT;
	char *raw;
	int idx = 0;

	if (c->setenv_parsed)
		return;
	c->setenv_parsed = 1;
	raw = envctx_raw(c, "set_env", &e);
	if (!raw) {
		add_defaults(c);
		return;
	}
	for (char *p = raw; *p; idx++) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p, *end = p + n;
		int line;

		trim(&s, &end);
		line = line_of(e, s, (size_t)(end - s));
		if (s < end) {
			if ((size_t)(end - s) > 5 && strncmp(s, "file|", 5) == 0) {
				/* env files are read after the lines, each knowing where its file| line was */
				strvec_push_owned(&files, xstrndup(s + 5, (size_t)(end - s) - 5));
				strvec_pushf(&files_line, "%d %d", line, idx);
			} else if (parse_line(c, p, n, line, SETENV_LINE, idx) < 0) {
				if (has_brace_expr(s, (size_t)(end - s))) {
					strvec_push_owned(&c->se_lines, xstrndup(s, (size_t)(end - s)));
					strvec_pushf(&c->se_lines_pos, "%d %d", line, idx);
				} else {
					strvec_pushf(&c->errors, "set_env\tinvalid line '%.*s' in set_env (%s:%d): write KEY=VALUE",
						     (int)(end - s), s, c->t->path, line);
				}
			}
		}
		p += n + (nl ? 1 : 0);
		idx += s < end;
	}
	free(raw);
	for (size_t i = 0; i < files.n; i++) {
		int fl = 0, fo = 0;
		sscanf(files_line.v[i], "%d %d", &fl, &fo);
		load_env_file(c, files.v[i], fl, fo);
	}
	strvec_clear(&files);
	strvec_clear(&files_line);
	add_defaults(c);
}

/*
 * An entry from a line that only held a substitution (at position order of
 * the value). tox 4.58 keeps whatever the value's own lines and env files
 * set, and an earlier such line's entries; it replaces only what tox added
 * itself. tox 3 reads the lines in order: a later line wins, but not over
 * what tox added. Returns -1 when the line has no '='.
 */
static int deferred_line(struct envctx *c, const char *p, size_t n, int line, int order)
{
	const char *ks, *ke, *vs, *ve;
	struct envctx_setenv *s;

	if (split_line(p, n, &ks, &ke, &vs, &ve) < 0)
		return -1;
	char *key = xstrndup(ks, (size_t)(ke - ks));
	s = find(c, key);
	free(key);
	if (s && (c->t->tox3 ? s->is_default || s->order > order : !s->is_default))
		return 0;
	put(c, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line, SETENV_REF, order);
	return 0;
}

/* Expand the next line that only held a substitution into entries; returns 0 when none was left. */
static int expand_pending(struct envctx *c)
{
	char *line, *v;
	int lineno = 0, order = 0;

	if (!c->se_lines.n)
		return 0;
	line = c->se_lines.v[0];
	sscanf(c->se_lines_pos.v[0], "%d %d", &lineno, &order);
	memmove(c->se_lines.v, c->se_lines.v + 1, c->se_lines.n * sizeof(char *));
	c->se_lines.n--;
	free(c->se_lines_pos.v[0]);
	memmove(c->se_lines_pos.v, c->se_lines_pos.v + 1, c->se_lines_pos.n * sizeof(char *));
	c->se_lines_pos.n--;
	v = subst(c, line, 0);
	for (char *p = v; *p && !c->failed;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && deferred_line(c, p, n, lineno, order) < 0)
			strvec_pushf(&c->errors, "set_env\tinvalid line '%.*s' in set_env (%s:%d): write KEY=VALUE",
				     (int)n, p, c->t->path, lineno);
		p += n + (nl ? 1 : 0);
	}
	free(v);
	free(line);
	return 1;
}

/*
 * Whether a pending substitution line may still replace s: tox 4.58's may
 * replace only tox's own entries, tox 3's any entry an earlier line set.
 */
static int may_change(struct envctx *c, const struct envctx_setenv *s)
{
	int last = 0, lineno;

	if (!c->se_lines.n)
		return 0;
	if (!c->t->tox3)
		return s->is_default;
	sscanf(c->se_lines_pos.v[c->se_lines_pos.n - 1], "%d %d", &lineno, &last);
	return !s->is_default && last > s->order;
}

/* Substitute entry idx (by index: substitution may add entries and move the array). */
static void materialize(struct envctx *c, size_t idx)
{
	char *chainkey, *v, *raw;
	struct strbuf sb = STRBUF_INIT;
	int line = c->cur_line, col = c->cur_col;

	if (c->se[idx].value || !c->se[idx].raw)
		return;
	chainkey = xconcat("env:", c->se[idx].key, NULL);
	strvec_push_owned(&c->chain, chainkey);
	c->cur_line = c->se[idx].line;
	c->cur_col = 1;
	raw = xstrdup(c->se[idx].raw);
	v = subst(c, raw, 0);
	free(raw);
	c->cur_line = line;
	c->cur_col = col;
	free(c->chain.v[--c->chain.n]);
	c->chain.v[c->chain.n] = NULL;
	/* "\#" written to keep a '#' from being read as a comment */
	for (const char *p = v; *p; p++) {
		if (p[0] == '\\' && p[1] == '#' && !c->t->tox3)
			p++;
		strbuf_addch(&sb, *p);
	}
	free(v);
	free(c->se[idx].value);
	c->se[idx].value = strbuf_detach(&sb);
}

const char *envctx_setenv(struct envctx *c, const char *key)
{
	struct envctx_setenv *s;

	parse(c);
	while ((!(s = find(c, key)) || may_change(c, s)) && expand_pending(c))
		;
	if (!s || c->failed)
		return NULL;
	if (!s->value) {
		size_t idx = (size_t)(s - c->se);
		materialize(c, idx);
		s = &c->se[idx];
	}
	return s->value;
}

void envctx_setenv_all(struct envctx *c)
{
	parse(c);
	while (expand_pending(c))
		;
	for (size_t i = 0; i < c->nse && !c->failed; i++)
		if (!c->se[i].value)
			materialize(c, i);
}
