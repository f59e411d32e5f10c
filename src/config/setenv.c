/*
 * set_env, read the way tox reads it: KEY=VALUE lines kept raw and substituted
 * only when a value is asked for (so {env:K} can see other set_env entries and
 * a self-reference like PATH={env:PATH}:x reads the outer environment), lines
 * that hold only a substitution ({[testenv]set_env}) expanded into more lines
 * on demand, and the entries tox adds itself.
 */
#include <ctype.h>
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
static void put(struct envctx *c, const char *key, size_t klen, const char *raw, size_t rlen, int line)
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
	s->is_default = 0;
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

/* Parse "KEY=VALUE" into put(); returns -1 when the line has no '='. */
static int parse_line(struct envctx *c, const char *p, size_t n, int line)
{
	const char *eq = memchr(p, '=', n);
	const char *ks = p, *ke = eq, *vs, *ve = p + n;

	if (!eq)
		return -1;
	vs = eq + 1;
	trim(&ks, &ke);
	trim(&vs, &ve);
	put(c, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line);
	return 0;
}

/* Read KEY=VALUE lines of an env file (set_env's "file|path"). */
static void load_env_file(struct envctx *c, const char *spec, int line)
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
			if (s < e && *s != '#')
				parse_line(c, s, (size_t)(e - s), line);
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
	put(c, key, strlen(key), value, strlen(value), 0);
	find(c, key)->is_default = 1;
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
	size_t idx = 0;

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
				/* tox 4.11 reads env files after the inline lines: theirs win */
				strvec_push_owned(&files, xstrndup(s + 5, (size_t)(end - s) - 5));
				strvec_pushf(&files_line, "%d", line);
			} else if (parse_line(c, p, n, line) < 0) {
				if (has_brace_expr(s, (size_t)(end - s))) {
					strvec_push_owned(&c->se_lines, xstrndup(s, (size_t)(end - s)));
					strvec_pushf(&c->se_lines_pos, "%d", line);
				} else {
					strvec_pushf(&c->errors, "set_env\tinvalid line '%.*s' in set_env (%s:%d): write KEY=VALUE",
						     (int)(end - s), s, c->t->path, line);
				}
			}
		}
		p += n + (nl ? 1 : 0);
	}
	free(raw);
	for (size_t i = 0; i < files.n; i++)
		load_env_file(c, files.v[i], atoi(files_line.v[i]));
	strvec_clear(&files);
	strvec_clear(&files_line);
	add_defaults(c);
}

/*
 * An entry from a line that only held a substitution: it may replace what an
 * earlier line set, but not what tox added itself (tox applies its defaults
 * before such lines are expanded). Returns -1 when the line has no '='.
 */
static int deferred_line(struct envctx *c, const char *p, size_t n, int line)
{
	const char *eq = memchr(p, '=', n);
	const char *ks = p, *ke = eq;
	struct envctx_setenv *s;

	if (!eq)
		return -1;
	trim(&ks, &ke);
	char *key = xstrndup(ks, (size_t)(ke - ks));
	s = find(c, key);
	free(key);
	if (s && s->is_default)
		return 0;
	return parse_line(c, p, n, line);
}

/* Expand the next line that only held a substitution into entries; returns 0 when none was left. */
static int expand_pending(struct envctx *c)
{
	char *line, *v;
	int lineno;

	if (!c->se_lines.n)
		return 0;
	line = c->se_lines.v[0];
	lineno = atoi(c->se_lines_pos.v[0]);
	memmove(c->se_lines.v, c->se_lines.v + 1, c->se_lines.n * sizeof(char *));
	c->se_lines.n--;
	free(c->se_lines_pos.v[0]);
	memmove(c->se_lines_pos.v, c->se_lines_pos.v + 1, c->se_lines_pos.n * sizeof(char *));
	c->se_lines_pos.n--;
	v = subst(c, line, 0);
	for (char *p = v; *p && !c->failed;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && deferred_line(c, p, n, lineno) < 0)
			strvec_pushf(&c->errors, "set_env\tinvalid line '%.*s' in set_env (%s:%d): write KEY=VALUE",
				     (int)n, p, c->t->path, lineno);
		p += n + (nl ? 1 : 0);
	}
	free(v);
	free(line);
	return 1;
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
	while (!(s = find(c, key)) && expand_pending(c))
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
