/*
 * tox's substitution language: {posargs}, {env:K:default}, {tty:on:off},
 * {[section]key}, {key}, {/}, {:}, [] (posargs), nested freely. This follows
 * tox 4's parser: a backslash before one of : { } [ ] makes that character
 * literal (the backslash goes), "\\" stays as two characters; an expression's
 * arguments are split at ':' and substituted first (so a default may hold
 * expressions); a '{' with no matching '}' is an ordinary character; a
 * replacement that itself holds expressions is substituted again, up to a
 * fixed depth; an expression nothing answers is written back as it was.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "envctx.h"
#include "ini.h"
#include "keys.h"
#include "shlex.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

#define MAX_DEPTH 100
#define MAX_NESTING 200
/* No real value is this large; an expansion that is has references multiplying. */
#define MAX_VALUE (64u << 20)

/* tox 4 escapes : { } [ ] and keeps "\\\\" whole; tox 3 escapes only braces. */
static int escapable(char c, int tox3)
{
	if (tox3)
		return c == '{' || c == '}';
	return c == ':' || c == '{' || c == '}' || c == '[' || c == ']' || c == '\\';
}

/* Length of the escape at s[i] ("\\{", or "\\\\" which tox 4 keeps as it is), or 0. */
static size_t escape_len(const char *s, size_t len, size_t i, int tox3)
{
	if (s[i] != '\\' || i + 1 >= len)
		return 0;
	return escapable(s[i + 1], tox3) ? 2 : 0;
}

/*
 * Return the index of the '}' closing the expression that opens at s[i], or -1
 * when there is none (the '{' is then literal). A nested expression without
 * its own '}' can have none for the outer one either, so failure propagates
 * at once: that keeps pathological input linear instead of exponential.
 */
static long expr_end(const char *s, size_t len, size_t i, int nesting, int tox3)
{
	size_t p = i + 1;

	if (nesting > MAX_NESTING)
		return -1;
	while (p < len) {
		size_t esc = escape_len(s, len, p, tox3);
		if (esc) {
			p += esc;
			continue;
		}
		if (s[p] == '}')
			return (long)p;
		if (s[p] == '{') {
			long e = expr_end(s, len, p, nesting + 1, tox3);
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

static int is_key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_';
}

/* Return 1 when s holds at least one substitution expression ({...} or []). */
static int has_expr(const char *s, int tox3)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		size_t esc = escape_len(s, len, i, tox3);
		if (esc)
			i += esc - 1;
		else if (!tox3 && s[i] == '[' && i + 1 < len && s[i + 1] == ']')
			return 1;
		else if (s[i] == '{' && expr_end(s, len, i, 0, tox3) >= 0)
			return 1;
	}
	return 0;
}

static void fail(struct envctx *c, const char *fmt, const char *a, const char *b)
{
	if (!c->failed)
		diag_set(c->d, c->t->path, c->cur_line, c->cur_col, fmt, a, b);
	envctx_fail(c);
}

/* A replacement is substituted again when it holds expressions (tox's needs_expansion). */
static void add_replacement(struct envctx *c, char *value, struct strbuf *out, int depth)
{
	if (out->len + strlen(value) > MAX_VALUE) {
		fail(c, "a substitution grows past %s bytes: look for references that multiply (a value naming another twice, nested)%s",
		     "64 MiB", "");
		free(value);
		return;
	}
	if (has_expr(value, c->t->tox3)) {
		if (depth + 1 > MAX_DEPTH) {
			/* tox 4 warns and pastes the text in as it is; a value that nests this deep refers to itself */
			fail(c, "substitutions nest more than 100 levels deep (%.60s...): a value refers to itself%s; break the cycle", value, "");
		} else {
			struct strbuf again = STRBUF_INIT;
			expand_into(c, value, strlen(value), &again, depth + 1);
			strbuf_add(out, again.buf ? again.buf : "", again.len);
			strbuf_release(&again);
		}
	} else {
		strbuf_adds(out, value);
	}
	free(value);
}


/* {env:KEY:default}: the env's set_env first, then blitz's environment, then the default. */
static char *replace_env(struct envctx *c, struct strvec *args)
{
	const char *key = args->n > 1 ? args->v[1] : "";
	char *chainkey;
	long at;
	const char *v;
	struct strbuf dflt = STRBUF_INIT;

	if (!*key) {
		fail(c, "{env} needs a variable name, as in {env:NAME} or {env:NAME:default}%s%s", "", "");
		return xstrdup("");
	}
	chainkey = xconcat("env:", key, NULL);
	at = strvec_find(&c->chain, chainkey);
	if (at < 0 && c->name) {
		v = envctx_setenv(c, key);
		free(chainkey);
		if (v)
			return xstrdup(v);
	} else if (at >= 0 && (size_t)at != c->chain.n - 1) {
		struct strbuf cycle = STRBUF_INIT;
		for (size_t i = (size_t)at; i < c->chain.n; i++)
			strbuf_addf(&cycle, "%s -> ", c->chain.v[i] + (starts_with(c->chain.v[i], "env:") ? 4 : 0));
		strbuf_adds(&cycle, key);
		fail(c, "circular reference between set_env entries %s of env '%s': break the cycle", strbuf_str(&cycle), c->name);
		strbuf_release(&cycle);
		free(chainkey);
		return xstrdup("");
	} else {
		/* a self-reference (PATH={env:PATH}:x) reads the outer environment */
		free(chainkey);
	}
	v = getenv(key);
	if (v)
		return xstrdup(v);
	if (c->t->tox3 && args->n <= 2 && !c->missing) {
		/* tox 3 raises MissingSubstitution when the env is used (tox -l still lists it) */
		c->missing = xstrdup(key);
		c->missing_line = c->cur_line;
		c->missing_col = c->cur_col;
	}
	for (size_t i = 2; i < args->n; i++) {
		strbuf_adds(&dflt, i > 2 ? ":" : "");
		strbuf_adds(&dflt, args->v[i]);
	}
	return strbuf_detach(&dflt);
}

/* {posargs:default}: the arguments after --, shell-quoted, or the default when none were given. */
static char *replace_posargs(struct envctx *c, struct strvec *args)
{
	const struct strvec *pa = c->t->opts.posargs;
	struct strbuf out = STRBUF_INIT;

	if (pa) {
		for (size_t i = 0; i < pa->n; i++) {
			char *q = shlex_quote(pa->v[i]);
			strbuf_adds(&out, i ? " " : "");
			strbuf_adds(&out, q);
			free(q);
		}
	} else {
		for (size_t i = 1; i < args->n; i++) {
			strbuf_adds(&out, i > 1 ? ":" : "");
			strbuf_adds(&out, args->v[i]);
		}
	}
	return strbuf_detach(&out);
}


/* A value read from another env is a stringified setting: tox escapes its '#' so no comment cut applies. */
static char *escape_hashes(char *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (!v || !strchr(v, '#'))
		return v;
	for (const char *p = v; *p; p++) {
		if (*p == '#')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *p);
	}
	free(v);
	return strbuf_detach(&sb);
}

/*
 * The raw value of [section] key, comments stripped and filtered for the
 * calling env; NULL when absent. Its text is substituted next, so a value
 * that reaches itself again ({[testenv]deps} inside [testenv] deps) is a
 * cycle: tox 3 rejects it, tox 4 would paste it a hundred levels deep.
 * blitz stops with an error.
 */
static char *section_raw(struct envctx *c, const char *section, const char *key, int *section_found)
{
	const struct ini_section *sec = ini_section(&c->t->ini, section);
	const struct ini_entry *e = ini_get(sec, key);
	char *ref;

	*section_found = sec != NULL;
	if (!e)
		return NULL;
	ref = xconcat("[", section, "]", key, NULL);
	if (strvec_find(&c->refs, ref) >= 0) {
		fail(c, "circular reference: {%s} refers back to itself through substitutions%s; break the cycle", ref, "");
		free(ref);
		return NULL;
	}
	free(c->pending_ref);
	c->pending_ref = ref;
	return envctx_process_entry(c, e);
}

/*
 * {[section]key:default}, {[testenv:name]key}, {key}: tox 4's replace_reference.
 * Returns the replacement, or NULL when the expression is to be left as written.
 */
static char *replace_reference(struct envctx *c, const char *ref)
{
	const char *p = ref, *sec = NULL, *key, *def = NULL;
	size_t seclen = 0, keylen;
	char *value = NULL, *k, *sname = NULL;
	int found_section = 0;

	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close || close == p + 1)
			return NULL;
		sec = p + 1;
		seclen = (size_t)(close - sec);
		if (!(seclen > 8 && strncmp(sec, "testenv:", 8) == 0))
			for (size_t i = 0; i < seclen; i++)
				if (!(isalnum((unsigned char)sec[i]) || sec[i] == '_' || sec[i] == '-' ||
				      (unsigned char)sec[i] >= 0x80))
					return NULL;
		p = close + 1;
	}
	key = p;
	while (is_key_char(*p))
		p++;
	keylen = (size_t)(p - key);
	if (!keylen || (*p && *p != ':'))
		return NULL;
	if (*p == ':')
		def = p + 1;
	k = xstrndup(key, keylen);
	if (sec)
		sname = xstrndup(sec, seclen);

	if (c->t->tox3) {
		/* tox 3: {name} is one of its substitutions or an error; {[sec]key} reads that section only */
		if (!sname && (strcmp(k, "opts") == 0 || strcmp(k, "packages") == 0) && !def) {
			/* filled in by the installer, not by the config */
			value = xconcat("{", k, "}", NULL);
		} else if (!sname) {
			/* tox 3 knows its own spellings only: {basepython}, not {base_python} */
			const struct keydef *kd = key_lookup(k);
			int tox3_name = kd && ((kd->tox3 && strcmp(k, kd->tox3) == 0) ||
					       (kd->tox3_alias && strcmp(k, kd->tox3_alias) == 0));
			value = tox3_name ? tox_core_value(c->t, k) : NULL;
			if (!value && tox3_name && !kd->core)
				value = envctx_value(c, k);
			if (!value && !c->failed)
				fail(c, "substitution key '%s' not found%s: use one tox knows, such as {toxinidir} or {envname}", k, "");
		} else {
			value = section_raw(c, sname, k, &found_section);
			if (!value && !def && !c->failed) {
				char *full = xasprintf("[%s]%s", sname, k);
				fail(c, "substitution key '%s' not found%s: that section does not set the key (tox 3 does not look in [testenv])", full, "");
				free(full);
			}
		}
	} else if (sname && starts_with(sname, "testenv:")) {
		const char *name = sname + 8;
		if (tox_env_known(c->t, name) && key_lookup(k)) {
			struct envctx *other = envctx_get(c->t, name);
			struct diag *saved = other->d;
			other->d = c->d;
			value = escape_hashes(envctx_value(other, k));
			other->d = saved;
			if (other->failed) {
				/* failed before, in another env's resolve: pass its diagnostic on */
				if (c->d && !c->d->msg[0] && other->first_failure)
					*c->d = *other->first_failure;
				envctx_fail(c);
			}
		}
		if (!value && !c->failed)
			value = section_raw(c, sname, k, &found_section);
		if (!found_section && !tox_env_known(c->t, name))
			def = NULL;
	} else if (sname) {
		if (c->t->core && (strcmp(sname, "tox") == 0 || strcmp(sname, c->t->core->name) == 0) &&
		    key_lookup(k) && key_lookup(k)->core)
			value = tox_core_value(c->t, k);
		if (!value)
			value = section_raw(c, strcmp(sname, "tox") == 0 && c->t->core ? c->t->core->name : sname, k,
					    &found_section);
		if (!found_section)
			def = NULL;	/* a missing section leaves the expression as written */
	} else {
		value = tox_core_value(c->t, k);
		if (!value && c->name)
			value = escape_hashes(envctx_value(c, k));
	}
	free(k);
	free(sname);
	if (c->failed) {
		free(value);
		return xstrdup("");
	}
	if (!value && def)
		return xstrdup(def);
	return value;
}

/* Substitute the expression whose inside is s[0..len) (without braces). */
static void eval_expr(struct envctx *c, const char *s, size_t len, struct strbuf *out, int depth)
{
	struct strvec args = STRVEC_INIT;
	size_t start = 0, i = 0;
	char *value = NULL;

	/* split at ':' outside nested expressions, substituting each argument */
	while (i <= len) {
		size_t esc = i < len ? escape_len(s, len, i, c->t->tox3) : 0;
		if (esc) {
			i += esc;
			continue;
		}
		if (i < len && s[i] == '{') {
			long e = expr_end(s, len, i, 0, c->t->tox3);
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
	if (strcmp(kind, "/") == 0 && args.n == 1)
		value = xstrdup("/");
	else if (!*kind && args.n == 2 && !*args.v[1])
		value = xstrdup(":");
	else if (strcmp(kind, "env") == 0)
		value = replace_env(c, &args);
	else if (strcmp(kind, "tty") == 0)
		value = xstrdup(c->t->opts.isatty ? (args.n > 1 ? args.v[1] : "") : (args.n > 2 ? args.v[2] : ""));
	else if (strcmp(kind, "posargs") == 0)
		value = replace_posargs(c, &args);
	struct strbuf joined = STRBUF_INIT;
	for (size_t k = 0; k < args.n; k++) {
		strbuf_adds(&joined, k ? ":" : "");
		strbuf_adds(&joined, args.v[k]);
	}
	if (!value)
		value = replace_reference(c, strbuf_str(&joined));
	if (value && !(value[0] == '{' && strncmp(value + 1, joined.buf ? joined.buf : "", joined.len) == 0 &&
		       value[joined.len + 1] == '}' && !value[joined.len + 2])) {
		/* while a section's value is substituted, it is on the stack of references */
		char *ref = c->pending_ref;
		c->pending_ref = NULL;
		if (ref)
			strvec_push_owned(&c->refs, ref);
		add_replacement(c, value, out, depth);
		if (ref) {
			free(c->refs.v[--c->refs.n]);
			c->refs.v[c->refs.n] = NULL;
		}
	} else {
		/* nothing answers it (or it answers with itself): leave it as written */
		free(value);
		strbuf_addch(out, '{');
		strbuf_adds(out, strbuf_str(&joined));
		strbuf_addch(out, '}');
	}
	strbuf_release(&joined);
done:
	strvec_clear(&args);
}

/*
 * tox reads a '{' it cannot close as a plain character; that is right for
 * python -c "print('{')", but "{env:HOME" or "{posargs" is a typo whose
 * silent result would be a wrong command, so blitz stops there.
 */
static int looks_like_substitution(const char *s, size_t len)
{
	static const char *const starts[] = { "env:", "posargs", "tty:", "[testenv", "[tox]", NULL };
	static const char *const keys[] = { "toxinidir", "toxworkdir", "envdir", "envname", "envpython",
					    "envbindir", "envsitepackagesdir", "envtmpdir", "envlogdir",
					    "basepython", "tox_root", "work_dir", "env_name", "env_dir", NULL };

	for (int i = 0; starts[i]; i++)
		if (len >= strlen(starts[i]) && strncmp(s, starts[i], strlen(starts[i])) == 0)
			return 1;
	for (int i = 0; keys[i]; i++) {
		size_t n = strlen(keys[i]);
		if (len >= n && strncmp(s, keys[i], n) == 0 && (len == n || !is_key_char(s[n])))
			return 1;
	}
	return 0;
}

static void expand_into(struct envctx *c, const char *s, size_t len, struct strbuf *out, int depth)
{
	size_t i = 0;

	while (i < len && !c->failed) {
		size_t esc = escape_len(s, len, i, c->t->tox3);
		if (esc == 2 && s[i + 1] != '\\') {
			strbuf_addch(out, s[i + 1]);
			i += 2;
			continue;
		}
		if (esc) {
			strbuf_add(out, s + i, 2);
			i += 2;
			continue;
		}
		if (!c->t->tox3 && s[i] == '[' && i + 1 < len && s[i + 1] == ']') {
			struct strvec none = STRVEC_INIT;
			strvec_push(&none, "posargs");
			add_replacement(c, replace_posargs(c, &none), out, depth);
			strvec_clear(&none);
			i += 2;
			continue;
		}
		if (s[i] == '{') {
			long e = expr_end(s, len, i, 0, c->t->tox3);
			if (e >= 0) {
				eval_expr(c, s + i + 1, (size_t)e - i - 1, out, depth);
				i = (size_t)e + 1;
				continue;
			}
			if (looks_like_substitution(s + i + 1, len - i - 1)) {
				char *what = xstrndup(s + i, strcspn(s + i, " \n") < 40 ? strcspn(s + i, " \n") : 40);
				fail(c, "unterminated '%s' (no closing '}'): close the substitution with '}'%s", what, "");
				free(what);
				return;
			}
		}
		/* copy the run of ordinary characters up to the next one that may start something */
		size_t run = 1;
		while (i + run < len && s[i + run] != '\\' && s[i + run] != '{' && s[i + run] != '[')
			run++;
		strbuf_add(out, s + i, run);
		i += run;
	}
}

char *subst(struct envctx *c, const char *value, int depth)
{
	struct strbuf out = STRBUF_INIT;

	expand_into(c, value, strlen(value), &out, depth);
	return strbuf_detach(&out);
}
