/*
 * Resolving one env's keys: where a key is written (the env's section, its
 * bases, [testenv]), how its raw text is prepared (comments, factor
 * conditions), and the computed keys tox provides ({envdir}, {envpython},
 * {envsitepackagesdir}, ...). set_env is kept apart because {env:KEY} reads it
 * lazily, line by line, the way tox does.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "envctx.h"
#include "factor.h"
#include "filter.h"
#include "ini.h"
#include "keys.h"
#include "pyspec.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

static void add_section(struct envctx *c, const struct ini_section *sec)
{
	if (!sec || c->nsecs == sizeof(c->secs) / sizeof(c->secs[0]))
		return;
	for (size_t i = 0; i < c->nsecs; i++)
		if (c->secs[i] == sec)
			return;
	c->secs[c->nsecs++] = sec;
}

/*
 * tox 4's `base`: the sections an env section inherits missing keys from,
 * [testenv] unless `base` names others; each name is tried as [name], then
 * as [testenv:name]. Returns 1 when sec had a `base` (so [testenv] is not implied).
 */
static int add_bases(struct envctx *c, const struct ini_section *sec, int depth)
{
	const struct ini_entry *e = ini_get(sec, "base");
	struct strvec names = STRVEC_INIT;

	add_section(c, sec);
	if (!e || depth > 8)
		return 0;
	char *v = envctx_process_entry(c, e);
	strvec_split(&names, v, ",\n", 0);
	free(v);
	for (size_t i = 0; i < names.n; i++) {
		const struct ini_section *b = ini_section(&c->t->ini, names.v[i]);
		if (!b) {
			char *full = xasprintf("%s:%s", c->t->env_prefix, names.v[i]);
			b = ini_section(&c->t->ini, full);
			free(full);
		}
		if (b)
			add_bases(c, b, depth + 1);
	}
	strvec_clear(&names);
	return 1;
}

/* The contexts of a tox, by env name. */
struct envcache {
	struct envctx **v;
	size_t n, alloc;
	struct strmap index;	/* name -> position in v */
};

struct envctx *envctx_get(struct tox *t, const char *name)
{
	struct envcache *ec = t->cache;
	struct envctx *c;
	char *secname;
	int at;

	if (!ec)
		ec = t->cache = xcalloc(1, sizeof(*ec));
	at = strmap_get(&ec->index, name, strlen(name));
	if (at >= 0 && ec->v[at])
		return ec->v[at];
	c = xcalloc(1, sizeof(*c));
	c->t = t;
	c->name = xstrdup(name);
	env_factors(name, &c->factors);
	if (!t->tox3) {
		/* tox 4.58 matches the platform and the machine in conditions as if the env named them */
		struct strvec own = STRVEC_INIT;
		strvec_extend(&own, &c->factors);
		factor_platform(&own, &c->factors);
		strvec_clear(&own);
	}
	long gen = strmap_get(&t->section_ids, name, strlen(name));
	secname = gen >= 0 ? xstrdup(t->section_of.v[gen]) : xconcat(t->env_prefix, ":", name, NULL);
	/* tox 4 bases a packaging env on [pkgenv] (then [testenv:pkgenv]), a run env on [testenv] */
	c->package = *name && tox_is_package_env(t, name);
	c->own = ini_section(&t->ini, secname);
	if (t->tox3 || !ini_section(&t->ini, secname) || !add_bases(c, ini_section(&t->ini, secname), 0)) {
		add_section(c, ini_section(&t->ini, secname));
		add_section(c, ini_section(&t->ini, c->package ? "pkgenv" : t->env_prefix));
		if (c->package)
			add_section(c, ini_section(&t->ini, "testenv:pkgenv"));
	}
	free(secname);
	if (at >= 0) {
		ec->v[at] = c;	/* forgotten before, made again */
		return c;
	}
	ec->v = xgrow(ec->v, &ec->alloc, ec->n + 1, sizeof(*ec->v));
	ec->v[ec->n] = c;
	strmap_intern(&ec->index, name, strlen(name));
	ec->n++;
	return c;
}

static void envctx_free(struct envctx *c)
{
	free(c->name);
	strvec_clear(&c->factors);
	strvec_clear(&c->chain);
	for (size_t k = 0; k < c->nse; k++) {
		free(c->se[k].key);
		free(c->se[k].raw);
		free(c->se[k].value);
	}
	free(c->se);
	strvec_clear(&c->se_lines);
	strvec_clear(&c->se_lines_pos);
	for (int k = 0; k < KEY_COUNT; k++)
		free(c->cache[k]);
	strvec_clear(&c->errors);
	strvec_clear(&c->refs);
	free(c->pending_ref);
	free(c->first_failure);
	free(c->missing);
	free(c);
}

void envctx_fail(struct envctx *c)
{
	c->failed = 1;
	if (!c->first_failure && c->d && c->d->msg[0]) {
		c->first_failure = xmalloc(sizeof(*c->first_failure));
		*c->first_failure = *c->d;
	}
}

void envctx_forget(struct tox *t, const char *name)
{
	struct envcache *ec = t->cache;
	int at = ec ? strmap_get(&ec->index, name, strlen(name)) : -1;

	if (at >= 0 && ec->v[at]) {
		envctx_free(ec->v[at]);
		ec->v[at] = NULL;
	}
}

void envctx_free_all(struct tox *t)
{
	struct envcache *ec = t->cache;

	if (!ec)
		return;
	for (size_t i = 0; i < ec->n; i++)
		if (ec->v[i])
			envctx_free(ec->v[i]);
	free(ec->v);
	strmap_clear(&ec->index);
	free(ec);
	t->cache = NULL;
}

/*
 * tox 4's process_raw: comments cut, "\#" made "#", factor conditions applied,
 * then "\r" dropped and backslash-newline continuations joined (without a
 * space: the space before the backslash separates the words). tox 3 only
 * applies the factor conditions here.
 */
char *envctx_process_entry(struct envctx *c, const struct ini_entry *e)
{
	char *filtered = filter_entry(c->t, e, &c->factors);
	struct strbuf out = STRBUF_INIT;

	if (c->t->tox3 || (!strchr(filtered, '\r') && !strstr(filtered, "\\\n")))
		return filtered;
	for (const char *p = filtered; *p; p++) {
		if (*p == '\r' || (p[0] == '\\' && p[1] == '\n')) {
			p += *p == '\\';
			continue;
		}
		strbuf_addch(&out, *p);
	}
	free(filtered);
	return strbuf_detach(&out);
}

char *envctx_raw(struct envctx *c, const char *key, const struct ini_entry **where)
{
	const struct keydef *k = key_lookup(key);
	const char *names[4];
	size_t nn = key_names(k, key, c->t->tox3, names);

	if (c->t->tox3) {
		/* tox 3 asks for each spelling in turn, through every section */
		for (size_t i = 0; i < nn; i++)
			for (size_t s = 0; s < c->nsecs; s++) {
				const struct ini_entry *e = ini_get(c->secs[s], names[i]);
				if (!e)
					continue;
				if (where)
					*where = e;
				return envctx_process_entry(c, e);
			}
		return NULL;
	}
	/*
	 * tox 4 asks each section for every spelling before it goes on to the
	 * next; a value whose every line a condition dropped counts as not
	 * written (4.58), so the key is looked up further.
	 */
	for (size_t s = 0; s < c->nsecs; s++)
		for (size_t i = 0; i < nn; i++) {
			const struct ini_entry *e = ini_get(c->secs[s], names[i]);
			if (!e)
				continue;
			char *v = envctx_process_entry(c, e);
			if (!*v && !filter_entry_blank(c->t, e)) {
				free(v);
				continue;
			}
			if (where)
				*where = e;
			return v;
		}
	return NULL;
}

static char *substituted(struct envctx *c, const char *key)
{
	const struct ini_entry *e = NULL;
	char *raw = envctx_raw(c, key, &e);
	char *v;
	int line = c->cur_line, col = c->cur_col;

	if (!raw)
		return NULL;
	c->cur_line = e->line;
	c->cur_col = e->col;
	v = subst(c, raw, 0);
	/*
	 * tox 3 filters and substitutes twice, so conditions in lines that a
	 * {[section]key} brought in apply too, and "a: b: c" loses both
	 * conditions (not in commands, which it reads its own way).
	 */
	if (c->t->tox3 && !c->failed && !starts_with(key, "commands")) {
		char *again = factor_filter(v, &c->factors, 1);
		free(v);
		v = subst(c, again, 0);
		free(again);
	}
	c->cur_line = line;
	c->cur_col = col;
	free(raw);
	return v;
}

static char *path_join(const char *dir, const char *rel)
{
	if (*rel == '/')
		return xstrdup(rel);
	return xconcat(dir, "/", rel, NULL);
}

/* Resolve a path key: its value made absolute against {toxinidir}, or dflt. */
static char *path_value(struct envctx *c, const char *key, const char *dflt)
{
	char *v = substituted(c, key);
	char *r;

	if (!v || !*v) {
		free(v);
		return xstrdup(dflt);
	}
	r = path_join(c->t->toxinidir, v);
	free(v);
	return r;
}

/*
 * The version of the env's interpreter, from the first base_python: read off
 * the spec ("py311", "python3.11") or asked of the interpreter when the spec
 * names none ("python3"). Returns 0 with *major, *minor (-1 when unknown),
 * *impl ("cpython", "pypy", ...) and the spec's free-threaded and debug marks.
 */
static void python_version(struct envctx *c, int *major, int *minor, char *impl, size_t implsz, int *threaded,
			   int *debug)
{
	char *bp = envctx_value(c, "base_python");
	struct pyspec sp;

	*major = *minor = -1;
	*threaded = *debug = 0;
	snprintf(impl, implsz, "cpython");
	if (bp && !*bp && !c->t->tox3) {
		/* an empty base_python: tox 4 runs its own python */
		free(bp);
		bp = xstrdup(tox_default_python(c->t));
	}
	if (!bp || !*bp) {
		free(bp);
		return;
	}
	char *nl = strchr(bp, '\n');
	if (nl)
		*nl = '\0';
	pyspec_parse(bp, &sp);
	if (*sp.impl)
		snprintf(impl, implsz, "%s", sp.impl);
	*threaded = sp.free_threaded == 1;
	*debug = sp.debug == 1;
	if (!sp.is_path && sp.major >= 0 && sp.minor >= 0) {
		*major = sp.major;
		*minor = sp.minor;
	} else if (c->t->python_info) {
		char got[32] = "";
		c->t->python_info(bp, major, minor, got, sizeof(got));
		if (*got)
			snprintf(impl, implsz, "%s", got);
	}
	free(bp);
}

/* The interpreter's "lib/pythonX.Y" folder. */
static char *site_packages(struct envctx *c, const char *envdir)
{
	int major, minor, threaded, debug, pypy;
	char impl[32];

	python_version(c, &major, &minor, impl, sizeof(impl), &threaded, &debug);
	pypy = strcmp(impl, "pypy") == 0;
	if (major < 0)
		return xasprintf("%s/lib/%s/site-packages", envdir, pypy ? "pypy3" : "python3");
	return xasprintf("%s/lib/%s%d.%d%s/site-packages", envdir, pypy ? "pypy" : "python", major, minor,
			 threaded ? "t" : "");
}

/* {py_dot_ver}, {py_impl}, {py_free_threaded}, {py_debug}: what tox asks the interpreter, read off its spec. */
static char *python_fact(struct envctx *c, const char *key)
{
	int major, minor, threaded, debug;
	char impl[32];

	python_version(c, &major, &minor, impl, sizeof(impl), &threaded, &debug);
	if (strcmp(key, "py_dot_ver") == 0)
		return major < 0 ? xstrdup("") : xasprintf("%d.%d", major, minor);
	if (strcmp(key, "py_impl") == 0)
		return xstrdup(impl);
	if (strcmp(key, "py_free_threaded") == 0)
		return xstrdup(threaded ? "True" : "False");
	return xstrdup(debug ? "True" : "False");
}

/* base_python as tox resolves it (one spec per line). */
/*
 * base_python_file: the first version line (not blank, not a comment) of
 * the first of files that exists in the project's folder, into out; an
 * error on base_python when none has one, as tox fails the env.
 */
static void python_version_file(struct envctx *c, const struct strvec *files, struct strbuf *out)
{
	struct strbuf names = STRBUF_INIT;

	for (size_t i = 0; i < files->n; i++) {
		char *path = files->v[i][0] == '/' ? xstrdup(files->v[i]) : xconcat(c->t->toxinidir, "/", files->v[i], NULL);
		char *text = read_file(path, NULL);
		free(path);
		strbuf_addf(&names, "%s'%s'", i ? ", " : "", files->v[i]);
		if (!text)
			continue;
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			size_t n = strlen(line);
			while (n && isspace((unsigned char)line[n - 1]))
				n--;
			if (n && line[0] != '#') {
				strbuf_add(out, line, n);
				free(text);
				strbuf_release(&names);
				return;
			}
		}
		free(text);
	}
	strvec_pushf(&c->errors, "base_python\tbase_python_file: no valid Python version found in %s", names.buf);
	strbuf_release(&names);
}

static char *base_python(struct envctx *c)
{
	char *v = substituted(c, "base_python");
	struct strbuf out = STRBUF_INIT;

	if (c->t->tox3) {
		char *implied = pyspec_from_env_tox3(c->name);
		if (v && *v) {
			strbuf_adds(&out, v);
			strbuf_rtrim(&out);
		} else if (implied) {
			strbuf_adds(&out, implied);
		} else {
			strbuf_adds(&out, tox_default_python(c->t));
		}
		if (implied && tox_core_flag(c->t, "ignore_base_python_conflict")) {
			strbuf_reset(&out);
			strbuf_adds(&out, implied);
		}
		free(implied);
		free(v);
		return strbuf_detach(&out);
	}
	char *conflict = NULL;
	char *implied = pyspec_from_env_tox4(c->name, &conflict);
	if (conflict) {
		strvec_pushf(&c->errors, "base_python\tconflicting factors %s in %s", conflict, c->name);
		free(conflict);
	}
	int written = v != NULL;
	if (v) {
		/* a list: one per line, or comma-separated on one line */
		int by_line = strchr(v, '\n') != NULL;
		char *save, *tok;
		for (tok = strtok_r(v, by_line ? "\n" : ",", &save); tok; tok = strtok_r(NULL, by_line ? "\n" : ",", &save)) {
			while (isspace((unsigned char)*tok))
				tok++;
			size_t n = strlen(tok);
			while (n && isspace((unsigned char)tok[n - 1]))
				n--;
			if (!n)
				continue;
			if (out.len)
				strbuf_addch(&out, '\n');
			strbuf_add(&out, tok, n);
		}
		free(v);
	}
	struct strvec files = STRVEC_INIT;
	envctx_list(c, "base_python_file", 0, &files);
	if (written && files.n)
		strvec_push(&c->errors, "base_python\tcannot set both base_python and base_python_file");
	if (!written) {
		/*
		 * only when the key is not written ("basepython =", or {env:UNSET},
		 * is an empty list): the env name's factor, else base_python_file's
		 * first version, else default_base_python (tox's own Python)
		 */
		if (implied)
			strbuf_adds(&out, implied);
		else if (files.n)
			python_version_file(c, &files, &out);
		else if (envctx_written(c, "default_base_python")) {
			struct strvec dflt = STRVEC_INIT;
			envctx_list(c, "default_base_python", 0, &dflt);
			for (size_t i = 0; i < dflt.n; i++)
				strbuf_addf(&out, "%s%s", i ? "\n" : "", dflt.v[i]);
			strvec_clear(&dflt);
		} else {
			strbuf_adds(&out, tox_default_python(c->t));
		}
	} else if (out.len && implied) {
		struct pyspec want, have;
		pyspec_parse(implied, &want);
		char *lines = xstrdup(out.buf), *save, *tok;
		for (tok = strtok_r(lines, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			pyspec_parse(tok, &have);
			if (pyspec_conflict(&want, &have)) {
				if (tox_core_flag(c->t, "ignore_base_python_conflict")) {
					strbuf_reset(&out);
					strbuf_adds(&out, implied);
				} else {
					strvec_pushf(&c->errors, "base_python\tenv name %s conflicting with base python %s",
						     c->name, tok);
				}
				break;
			}
		}
		free(lines);
	}
	free(implied);
	strvec_clear(&files);
	return strbuf_detach(&out);
}

static char *compute(struct envctx *c, const char *key)
{
	struct tox *t = c->t;

	if (strcmp(key, "env_name") == 0)
		return xstrdup(c->name);
	if (strcmp(key, "env_dir") == 0) {
		char *dflt = xconcat(t->workdir, "/", c->name, NULL);
		char *v = path_value(c, key, dflt);
		free(dflt);
		return v;
	}
	if (strcmp(key, "env_bin_dir") == 0 || strcmp(key, "env_python") == 0 ||
	    strcmp(key, "env_tmp_dir") == 0 || strcmp(key, "env_log_dir") == 0 ||
	    strcmp(key, "env_site_packages_dir") == 0) {
		char *dir = envctx_value(c, "env_dir");
		char *v;
		if (!dir)
			return NULL;
		if (strcmp(key, "env_bin_dir") == 0)
			v = xconcat(dir, "/bin", NULL);
		else if (strcmp(key, "env_python") == 0)
			v = xconcat(dir, "/bin/python", NULL);
		else if (strcmp(key, "env_tmp_dir") == 0 || strcmp(key, "env_log_dir") == 0) {
			/* tox 4 keeps them in {work_dir}/NAME when env_dir moves; tox 3 puts them in env_dir */
			const char *sub = key[4] == 't' ? "/tmp" : "/log";
			char *dflt = t->tox3 ? xconcat(dir, sub, NULL) : xconcat(t->workdir, "/", c->name, sub, NULL);
			v = path_value(c, key, dflt);
			free(dflt);
		}
		else
			v = site_packages(c, dir);
		free(dir);
		return v;
	}
	if (strcmp(key, "env_site_packages_dir_plat") == 0)
		return envctx_value(c, "env_site_packages_dir");
	if (starts_with(key, "py_") && (strcmp(key, "py_dot_ver") == 0 || strcmp(key, "py_impl") == 0 ||
					strcmp(key, "py_free_threaded") == 0 || strcmp(key, "py_debug") == 0))
		return python_fact(c, key);
	if (strcmp(key, "base_python") == 0)
		return base_python(c);
	if (strcmp(key, "change_dir") == 0)
		return path_value(c, key, t->toxinidir);
	if (strcmp(key, "set_env") == 0) {
		struct strbuf out = STRBUF_INIT;
		envctx_setenv_all(c);
		for (size_t i = 0; i < c->nse; i++) {
			strbuf_adds(&out, i ? "\n" : "");
			strbuf_adds(&out, c->se[i].key);
			strbuf_addch(&out, '=');
			strbuf_adds(&out, c->se[i].value ? c->se[i].value : "");
		}
		return strbuf_detach(&out);
	}
	{
		char *v = substituted(c, key);
		if (v)
			return v;
	}
	return key_default(key_lookup(key), t->tox3);
}

char *envctx_value(struct envctx *c, const char *key)
{
	const struct keydef *k = key_lookup(key);
	const char *canon = k ? k->name : key;
	const char *hit = k ? c->cache[key_index(k)] : NULL;
	char *v;

	if (hit)
		return xstrdup(hit);
	if (!k)
		return NULL;
	if (strvec_find(&c->chain, canon) >= 0) {
		struct strbuf cycle = STRBUF_INIT;
		for (size_t i = (size_t)strvec_find(&c->chain, canon); i < c->chain.n; i++)
			strbuf_addf(&cycle, "%s -> ", c->chain.v[i]);
		strbuf_adds(&cycle, canon);
		if (!c->failed)
			diag_set(c->d, c->t->path, c->cur_line, c->cur_col,
				 "circular reference while resolving env '%s': %s; break the cycle",
				 c->name, strbuf_str(&cycle));
		envctx_fail(c);
		strbuf_release(&cycle);
		return NULL;
	}
	strvec_push(&c->chain, canon);
	v = compute(c, canon);
	free(c->chain.v[--c->chain.n]);
	c->chain.v[c->chain.n] = NULL;
	if (!v || c->failed)
		return v;
	c->cache[key_index(k)] = xstrdup(v);
	return v;
}
