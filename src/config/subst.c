/*
 * tox's substitution language: {posargs}, {env:K:default}, {tty:on:off},
 * {[section]key}, {key}, {/}, {:}, nested freely, backslash escapes. This
 * follows tox 4's parser: an expression's arguments are split at ':' and
 * substituted first (so defaults may hold expressions), a '{' with no
 * matching '}' is an ordinary character, and a replacement that itself holds
 * expressions is substituted again, up to a fixed depth.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "envctx.h"
#include "ini.h"
#include "shlex.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

#define MAX_DEPTH 100
#define MAX_NESTING 200

static int escapable(char c)
{
	return c == '{' || c == '}';
}

/*
 * Return the index of the '}' closing the expression that opens at s[i], or -1
 * when there is none (the '{' is then literal). A nested expression without
 * its own '}' can have none for the outer one either, so failure propagates
 * at once: that keeps pathological input linear instead of exponential.
 */
static long expr_end(const char *s, size_t len, size_t i, int nesting)
{
	size_t p = i + 1;

	if (nesting > MAX_NESTING)
		return -1;
	while (p < len) {
		if (s[p] == '\\' && p + 1 < len && escapable(s[p + 1])) {
			p += 2;
			continue;
		}
		if (s[p] == '}')
			return (long)p;
		if (s[p] == '{') {
			long e = expr_end(s, len, p, nesting + 1);
			if (e < 0)
				return -1;
			p = (size_t)e + 1;
			continue;
		}
		p++;
	}
	return -1;
}

static void expand_into(struct envctx *c, const char *s, size_t len, struct strbuf *out, int depth);

/* Return 1 when s holds at least one substitution expression. */
static int has_expr(const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && escapable(s[i + 1]))
			i++;
		else if (s[i] == '{' && expr_end(s, len, i, 0) >= 0)
			return 1;
	}
	return 0;
}

/* A replacement is substituted again when it holds expressions (tox's needs_expansion). */
static void add_replacement(struct envctx *c, char *value, struct strbuf *out, int depth)
{
	if (has_expr(value)) {
		if (depth + 1 > MAX_DEPTH) {
			warn("could not expand '%s' after %d levels of substitution", value, MAX_DEPTH);
			strbuf_adds(out, value);
		} else {
			char *again = subst(c, value, depth + 1);
			strbuf_adds(out, again);
			free(again);
		}
	} else {
		strbuf_adds(out, value);
	}
	free(value);
}

static void replace_env(struct envctx *c, struct strvec *args, struct strbuf *out, int depth)
{
	const char *key = args->n > 1 ? args->v[1] : "";
	char *chainkey = xasprintf("env:%s", key);
	long at = strvec_find(&c->chain, chainkey);
	const char *v;

	if (!*key) {
		free(chainkey);
		c->failed = 1;
		diag_set(c->d, c->t->path, c->cur_line, c->cur_col,
			 "{env} needs a variable name, as in {env:NAME} or {env:NAME:default}");
		return;
	}
	if (at < 0) {
		v = envctx_setenv(c, key);
		if (v) {
			strbuf_adds(out, v);
			free(chainkey);
			return;
		}
	} else if ((size_t)at != c->chain.n - 1) {
		struct strbuf cycle = STRBUF_INIT;
		for (size_t i = (size_t)at; i < c->chain.n; i++)
			strbuf_addf(&cycle, "%s%s", i > (size_t)at ? " -> " : "", c->chain.v[i]);
		strbuf_addf(&cycle, " -> %s", chainkey);
		c->failed = 1;
		diag_set(c->d, c->t->path, c->cur_line, c->cur_col,
			 "circular reference in set_env of env '%s': %s; break the cycle",
			 c->name, strbuf_str(&cycle));
		strbuf_release(&cycle);
		free(chainkey);
		return;
	}
	free(chainkey);
	v = getenv(key);
	if (v) {
		strbuf_adds(out, v);
		return;
	}
	for (size_t i = 2; i < args->n; i++) {
		if (i > 2)
			strbuf_addch(out, ':');
		strbuf_adds(out, args->v[i]);
	}
	(void)depth;
}

static void replace_posargs(struct envctx *c, struct strvec *args, struct strbuf *out)
{
	const struct strvec *pa = c->t->opts.posargs;

	if (pa) {
		for (size_t i = 0; i < pa->n; i++) {
			char *q = shlex_quote(pa->v[i]);
			if (i)
				strbuf_addch(out, ' ');
			strbuf_adds(out, q);
			free(q);
		}
		return;
	}
	for (size_t i = 1; i < args->n; i++) {
		if (i > 1)
			strbuf_addch(out, ':');
		strbuf_adds(out, args->v[i]);
	}
}

static int is_key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_';
}

/*
 * {[section]key:default}, {[testenv:name]key}, {key}: tox's _REPLACE_REF.
 * Returns 1 when replaced, 0 when the expression is to be left as written.
 */
static int replace_reference(struct envctx *c, const char *ref, struct strbuf *out, int depth)
{
	const char *p = ref, *sec = NULL, *env = NULL, *key, *def = NULL;
	size_t seclen = 0, envlen = 0, keylen;
	char *value = NULL;

	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close)
			return 0;
		sec = p + 1;
		seclen = (size_t)(close - sec);
		if (seclen >= 8 && strncmp(sec, "testenv:", 8) == 0) {
			env = sec + 8;
			envlen = seclen - 8;
			if (!envlen)
				return 0;
		} else {
			if (!seclen)
				return 0;
			for (size_t i = 0; i < seclen; i++)
				if (!(isalnum((unsigned char)sec[i]) || sec[i] == '_' || sec[i] == '-' ||
				      (unsigned char)sec[i] >= 0x80))
					return 0;
		}
		p = close + 1;
	}
	key = p;
	while (is_key_char(*p))
		p++;
	keylen = (size_t)(p - key);
	if (!keylen)
		return 0;
	if (*p == ':')
		def = p + 1;
	else if (*p)
		return 0;

	char *k = xstrndup(key, keylen);
	if (env) {
		char *name = xstrndup(env, envlen);
		if (tox_env_known(c->t, name)) {
			struct envctx *other = envctx_get(c->t, name);
			other->d = c->d;
			value = envctx_value(other, k);
			if (other->failed)
				c->failed = 1;
		}
		free(name);
		if (!value)
			value = envctx_value(c, k);
	} else if (sec && !(seclen == 7 && strncmp(sec, "testenv", 7) == 0) &&
		   c->t->core && strlen(c->t->core->name) == seclen &&
		   strncmp(c->t->core->name, sec, seclen) == 0) {
		value = tox_core_value(c->t, k);
		if (!value) {
			const struct ini_entry *e = ini_get(c->t->core, k);
			if (e)
				value = envctx_process_raw(c, e->value);
		}
	} else if (sec) {
		char *sname = xstrndup(sec, seclen);
		const struct ini_entry *e = ini_get(ini_section(&c->t->ini, sname), k);
		if (e)
			value = envctx_process_raw(c, e->value);
		free(sname);
	} else {
		value = tox_core_value(c->t, k);
		if (!value)
			value = envctx_value(c, k);
	}
	free(k);
	if (c->failed) {
		free(value);
		return 1;
	}
	if (!value) {
		if (!def)
			return 0;
		strbuf_adds(out, def);
		return 1;
	}
	add_replacement(c, value, out, depth);
	return 1;
}

/* Substitute the expression whose inside is s[0..len) (without braces). */
static void eval_expr(struct envctx *c, const char *s, size_t len, struct strbuf *out, int depth)
{
	struct strvec args = STRVEC_INIT;
	size_t start = 0, i = 0;

	/* split at ':' outside nested expressions, substituting each argument */
	while (i <= len) {
		if (i < len && s[i] == '\\' && i + 1 < len && escapable(s[i + 1])) {
			i += 2;
			continue;
		}
		if (i < len && s[i] == '{') {
			long e = expr_end(s, len, i, 0);
			if (e >= 0) {
				i = (size_t)e + 1;
				continue;
			}
		}
		if (i == len || s[i] == ':') {
			struct strbuf arg = STRBUF_INIT;
			expand_into(c, s + start, i - start, &arg, depth);
			strvec_push_owned(&args, strbuf_detach(&arg));
			start = i + 1;
			if (c->failed)
				goto done;
		}
		i++;
	}

	const char *kind = args.v[0];
	if (strcmp(kind, "/") == 0 && args.n == 1) {
		strbuf_addch(out, '/');
	} else if (!*kind && args.n == 2 && !*args.v[1]) {
		strbuf_addch(out, ':');
	} else if (strcmp(kind, "env") == 0) {
		replace_env(c, &args, out, depth);
	} else if (strcmp(kind, "tty") == 0) {
		const char *v = c->t->opts.isatty ? (args.n > 1 ? args.v[1] : "") : (args.n > 2 ? args.v[2] : "");
		strbuf_adds(out, v);
	} else if (strcmp(kind, "posargs") == 0) {
		replace_posargs(c, &args, out);
	} else {
		struct strbuf joined = STRBUF_INIT;
		for (size_t k = 0; k < args.n; k++)
			strbuf_addf(&joined, "%s%s", k ? ":" : "", args.v[k]);
		if (!replace_reference(c, strbuf_str(&joined), out, depth)) {
			strbuf_addch(out, '{');
			strbuf_add(out, s, len);
			strbuf_addch(out, '}');
		}
		strbuf_release(&joined);
	}
done:
	strvec_clear(&args);
}

static void expand_into(struct envctx *c, const char *s, size_t len, struct strbuf *out, int depth)
{
	size_t i = 0;

	while (i < len && !c->failed) {
		if (s[i] == '\\' && i + 1 < len && escapable(s[i + 1])) {
			strbuf_add(out, s + i, 2);
			i += 2;
			continue;
		}
		if (s[i] == '{') {
			long e = expr_end(s, len, i, 0);
			if (e >= 0) {
				eval_expr(c, s + i + 1, (size_t)e - i - 1, out, depth);
				i = (size_t)e + 1;
				continue;
			}
		}
		strbuf_addch(out, s[i++]);
	}
}

char *subst(struct envctx *c, const char *value, int depth)
{
	struct strbuf out = STRBUF_INIT;

	expand_into(c, value, strlen(value), &out, depth);
	return strbuf_detach(&out);
}

char *unescape_braces(const char *s)
{
	struct strbuf out = STRBUF_INIT;

	for (; *s; s++) {
		if (*s == '\\' && escapable(s[1]))
			s++;
		strbuf_addch(&out, *s);
	}
	return strbuf_detach(&out);
}
