/*
 * Loading a tox configuration: the file, the core section, the envlist, the
 * envs each [testenv:...] header defines, and what `tox -a` lists.
 */
#include "tox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "envctx.h"
#include "factor.h"
#include "filter.h"
#include "keys.h"
#include "source.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/util.h"

/*
 * tox 4.58 filters core values too, for an env of no factors but the
 * platform's and the machine's ("linux: py39" in env_list applies on Linux);
 * a value every line of which a condition drops counts as not written.
 */
static char *core_filter(struct tox *t, char *v)
{
	struct strvec none = STRVEC_INIT, factors = STRVEC_INIT;
	char *out;
	int blank = 1;

	if (t->tox3 || !v || !strchr(v, ':'))
		return v;
	factor_platform(&none, &factors);
	out = factor_filter(v, &factors, 0);
	strvec_clear(&factors);
	for (const char *p = v; *p && blank; p++)
		blank = isspace((unsigned char)*p) != 0;
	free(v);
	if (!*out && !blank) {
		free(out);
		return NULL;
	}
	return out;
}

/* A core key's raw text, comments stripped and (tox 4) conditions applied; tox substitutes nothing there. */
static char *core_raw(struct tox *t, const char *key)
{
	const struct keydef *k = key_lookup(key);
	const char *names[4];
	size_t nn = key_names(k, key, t->tox3, names);

	for (size_t i = 0; i < nn; i++) {
		const struct ini_entry *e = ini_get(t->core, names[i]);
		if (!e)
			continue;
		struct strbuf out = STRBUF_INIT;
		const char *p = e->value;
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p), cut = n;
			for (size_t j = 0; j < n; j++)
				if (p[j] == '#' && (t->tox3 || j == 0 || p[j - 1] != '\\')) {
					cut = j;
					break;
				}
			while (cut && isspace((unsigned char)p[cut - 1]))
				cut--;
			if (out.len || cut)
				strbuf_addf(&out, "%s%.*s", out.len ? "\n" : "", (int)cut, p);
			if (!nl)
				break;
			p = nl + 1;
		}
		return core_filter(t, strbuf_detach(&out));
	}
	return NULL;
}

const char *tox_default_python(struct tox *t)
{
	if (t->find_default_python) {
		const char *path = t->find_default_python(t->default_python);
		if (path)
			t->default_python = path;
		t->find_default_python = NULL;
	}
	return t->default_python;
}

int tox_core_flag(struct tox *t, const char *key)
{
	char *v = core_raw(t, key);
	int on = v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
		       strcasecmp(v, "on") == 0);

	free(v);
	return on;
}

char *tox_core_value(struct tox *t, const char *key)
{
	const struct keydef *k = key_lookup(key);
	const char *home = getenv("HOME");

	if (!k || !k->core)
		return NULL;
	if (strcmp(k->name, "tox_root") == 0)
		return xstrdup(t->toxinidir);
	if (strcmp(k->name, "work_dir") == 0)
		return t->workdir ? xstrdup(t->workdir) : NULL;	/* NULL while toxworkdir itself is read */
	if (strcmp(k->name, "temp_dir") == 0)
		return t->workdir ? xasprintf("%s/.tmp", t->workdir) : NULL;
	/* tox 3 only: tox 4 leaves {homedir}, {distdir} and {distshare} as written */
	if (strcmp(k->name, "homedir") == 0)
		return t->tox3 ? xstrdup(home ? home : "") : NULL;
	if (strcmp(k->name, "distshare") == 0)
		return t->tox3 ? xasprintf("%s/.tox/distshare", home ? home : "") : NULL;
	if (strcmp(k->name, "distdir") == 0)
		return t->tox3 && t->workdir ? xasprintf("%s/dist", t->workdir) : NULL;
	return core_raw(t, key);
}

/*
 * tox 3 semantics are chosen when the file asks for tox < 4 in requires
 * (tox would provision tox 3 for it). Plugins named in requires are noted: blitz
 * does not load tox plugins.
 */
static void read_requires(struct tox *t)
{
	char *v = core_raw(t, "requires");

	if (!v)
		return;
	for (char *line = strtok(v, "\n"); line; line = strtok(NULL, "\n")) {
		char name[128];
		size_t n = 0;
		while (isspace((unsigned char)*line))
			line++;
		while (line[n] && (isalnum((unsigned char)line[n]) || strchr("-_.", line[n])) && n + 1 < sizeof(name))
			n++;
		if (!n)
			continue;
		memcpy(name, line, n);
		name[n] = '\0';
		const char *spec = line + n;
		if (strcasecmp(name, "tox") == 0) {
			/* "tox<4", "tox < 4.0", "tox<=3.28": an upper bound below 4 */
			const char *lt = strchr(spec, '<');
			if (lt) {
				const char *num = lt + 1 + (lt[1] == '=');
				while (isspace((unsigned char)*num))
					num++;
				double ver = atof(num);
				if ((lt[1] == '=' && ver < 4) || (lt[1] != '=' && ver <= 4))
					t->tox3 = 1;
			}
		} else if (strvec_find(&t->ignored_requires, line) < 0) {
			char *req = xstrdup(line);
			size_t len = strlen(req);
			while (len && isspace((unsigned char)req[len - 1]))
				req[--len] = '\0';
			strvec_push_owned(&t->ignored_requires, req);
		}
	}
	free(v);
}

/* Compare dotted versions numerically: <0, 0, >0. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		while (*a && !isdigit((unsigned char)*a))
			a++;
		while (*b && !isdigit((unsigned char)*b))
			b++;
	}
	return 0;
}

/*
 * A '{' in the envlist without its '}' on the same line would make names
 * like "py{38": tox 4 crashes on them, tox 3 runs envs nobody meant. Say where.
 */
static int check_envlist_braces(struct tox *t, struct diag *d)
{
	const struct ini_entry *e = ini_get(t->core, t->tox3 ? "envlist" : "env_list");
	size_t idx = 0;

	if (!e && !t->tox3)
		e = ini_get(t->core, "envlist");
	if (!e)
		return 0;
	for (const char *p = e->value; *p; idx++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int depth = 0;
		size_t open = 0;
		for (size_t i = 0; i < n && p[i] != '#'; i++) {
			if (p[i] == '{' && depth++ == 0)
				open = i;
			else if (p[i] == '}' && depth > 0)
				depth--;
			else if (p[i] == '}')
				return diag_set(d, t->path, ini_value_line(e, idx), ini_value_col(e, idx) + (int)i,
						"'}' without '{' in the envlist: remove it or add the '{' it closes");
		}
		if (depth)
			return diag_set(d, t->path, ini_value_line(e, idx), ini_value_col(e, idx) + (int)open,
					"unterminated '{' in the envlist: close it with '}' on the same line");
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

static int read_envlist(struct tox *t, struct diag *d)
{
	char *v;

	if (check_envlist_braces(t, d) < 0)
		return -1;
	v = core_raw(t, "env_list");
	if (!v)
		return 0;
	if (t->tox3) {
		/* tox 3 joins the lines with commas, keeping duplicates */
		for (char *p = v; *p; p++)
			if (*p == '\n')
				*p = ',';
	}
	int rc = envlist_expand_value(v, &t->envlist, t->tox3 ? 0 : ENVLIST_DEDUP | ENVLIST_RANGES);
	free(v);
	if (rc < 0) {
		const struct ini_entry *e = ini_get(t->core, "env_list");
		if (!e)
			e = ini_get(t->core, "envlist");
		return diag_set(d, t->path, e ? e->line : 0, e ? e->col : 0,
				"the envlist expands to more than %d envs: check its ranges and braces", ENVLIST_MAX);
	}
	return 0;
}

/*
 * tox 3's generative section names: the whole header is split at brace groups
 * ({\s*[\w\s,-]+\s*}) and every part, literal parts too, at commas; the
 * product gives the section names. Only names that are env sections count.
 */
static void tox3_section_names(const char *header, struct strvec *out)
{
	struct strvec cur = STRVEC_INIT;
	const char *p = header;

	strvec_push(&cur, "");
	while (*p) {
		const char *open = strchr(p, '{'), *close = NULL;
		const char *end;
		int brace = 0;
		if (open) {
			close = strchr(open, '}');
			for (const char *q = open + 1; close && q < close; q++)
				if (!(isalnum((unsigned char)*q) || *q == '_' || *q == ',' || *q == '-' || isspace((unsigned char)*q)))
					close = NULL;
			if (close && close == open + 1)
				close = NULL;
		}
		if (open == p && close) {
			brace = 1;
			end = close;
		} else {
			end = (open && close) ? open : p + strlen(p);
		}
		const char *s = p + brace, *e = end;
		struct strvec alts = STRVEC_INIT, next = STRVEC_INIT;
		for (;;) {
			const char *comma = memchr(s, ',', (size_t)(e - s));
			const char *ae = comma ? comma : e, *as = s;
			while (as < ae && isspace((unsigned char)*as) && (brace || as > s || comma || s != p))
				as++;
			while (ae > as && isspace((unsigned char)ae[-1]))
				ae--;
			strvec_push_owned(&alts, xstrndup(as, (size_t)(ae - as)));
			if (!comma)
				break;
			s = comma + 1;
		}
		for (size_t i = 0; i < cur.n; i++)
			for (size_t k = 0; k < alts.n; k++)
				strvec_push_owned(&next, xasprintf("%s%s", cur.v[i], alts.v[k]));
		strvec_clear(&cur);
		strvec_clear(&alts);
		cur = next;
		p = brace ? end + 1 : end;
	}
	strvec_extend(out, &cur);
	strvec_clear(&cur);
}

static void add_section_env(struct tox *t, const char *env, const char *header)
{
	if (strmap_get(&t->section_ids, env, strlen(env)) >= 0)
		return;
	strmap_intern(&t->section_ids, env, strlen(env));	/* ids count as section_names does */
	strvec_push(&t->section_names, env);
	strvec_push(&t->section_of, header);
}

/*
 * The env names each [testenv:...] header defines ([testenv:py{38,39}] defines
 * two). tox 3 lists the sections a header expands into before all the others
 * (its INI reader sorts sections by line, and the expanded ones have none).
 */
static void read_sections(struct tox *t)
{
	size_t plen = strlen(t->env_prefix);
	struct strvec later = STRVEC_INIT, later_of = STRVEC_INIT;

	for (size_t i = 0; i < t->ini.n; i++) {
		const char *name = t->ini.sections[i].name;
		struct strvec names = STRVEC_INIT;
		if (t->tox3) {
			tox3_section_names(name, &names);
			int generative = names.n != 1 || strcmp(names.v[0], name) != 0;
			for (size_t k = 0; k < names.n; k++) {
				if (strncmp(names.v[k], t->env_prefix, plen) != 0 || names.v[k][plen] != ':')
					continue;
				if (generative) {
					/* a section written out by name wins over one a header generates */
					if (!ini_section(&t->ini, names.v[k]))
						add_section_env(t, names.v[k] + plen + 1, name);
				} else {
					strvec_push(&later, names.v[k] + plen + 1);
					strvec_push(&later_of, name);
				}
			}
		} else if (strncmp(name, t->env_prefix, plen) == 0 && name[plen] == ':') {
			/* tox 4 expands commas and braces in a header */
			envlist_expand(name + plen + 1, &names);
			for (size_t k = 0; k < names.n; k++)
				add_section_env(t, names.v[k], name);
		}
		strvec_clear(&names);
	}
	for (size_t i = 0; i < later.n; i++)
		add_section_env(t, later.v[i], later_of.v[i]);
	strvec_clear(&later);
	strvec_clear(&later_of);
}

int tox_load(struct tox *t, const struct tox_opts *o, struct diag *d)
{
	struct source src;
	char *slash, *wd;

	memset(t, 0, sizeof(*t));
	t->opts = *o;
	t->default_python = "python3";
	if (source_find(o->path, &src, d) < 0)
		return -1;
	t->path = xstrdup(src.path);
	t->toxinidir = xstrdup(src.path);
	slash = strrchr(t->toxinidir, '/');
	if (slash)
		*(slash == t->toxinidir ? slash + 1 : slash) = '\0';
	if (ini_parse(&t->ini, t->path, src.text, src.len, d) < 0) {
		source_release(&src);
		return -1;
	}
	t->core = ini_section(&t->ini, (src.kind == SOURCE_SETUP_CFG) ? "tox:tox" : "tox");
	source_release(&src);
	t->env_prefix = "testenv";
	t->tox3 = o->tox3;
	read_requires(t);
	t->hashseed = xstrdup(o->hashseed ? o->hashseed : "0");
	if (t->tox3) {
		char *minv = core_raw(t, "min_version");
		if (minv && *minv && version_cmp(minv, "3.28.0") > 0) {
			const struct ini_entry *e = ini_get(t->core, "minversion");
			if (!e)
				e = ini_get(t->core, "min_version");
			diag_set(d, t->path, e ? e->line : 0, e ? e->col : 0,
				 "the file requires tox >= %s, which tox 3 semantics cannot honour: drop --tox3", minv);
			free(minv);
			return -1;
		}
		free(minv);
	}
	wd = core_raw(t, "work_dir");
	if (wd && *wd) {
		/* toxworkdir may use {toxinidir} and {homedir}; resolved against the file's folder */
		struct envctx *c = envctx_get(t, "");
		char *v = subst(c, wd, 0);
		if (strstr(v, "{toxworkdir}") || strstr(v, "{work_dir}") || strstr(v, "{temp_dir}")) {
			const struct ini_entry *e = ini_get(t->core, t->tox3 ? "toxworkdir" : "work_dir");
			if (!e)
				e = ini_get(t->core, "toxworkdir");
			diag_set(d, t->path, e ? e->line : 0, e ? e->col : 0,
				 "toxworkdir refers to itself: write the folder, e.g. {toxinidir}/.tox");
			free(v);
			free(wd);
			envctx_free_all(t);
			return -1;
		}
		t->workdir = *v == '/' ? xstrdup(v) : xasprintf("%s/%s", t->toxinidir, v);
		free(v);
		envctx_free_all(t);
	} else {
		t->workdir = xasprintf("%s/.tox", t->toxinidir);
	}
	free(wd);
	if (read_envlist(t, d) < 0)
		return -1;
	read_sections(t);
	return 0;
}

/* Add each factor of env to the set known. */
static void register_factors(struct strmap *known, const char *env)
{
	for (const char *p = env;;) {
		const char *d = strchr(p, '-');
		strmap_intern(known, p, d ? (size_t)(d - p) : strlen(p));
		if (!d)
			break;
		p = d + 1;
	}
}

/* Add name to t->all unless it is there (tox 3's -a keeps the envlist's repeats: force). */
static void add_env(struct tox *t, const char *name, int force)
{
	if (strmap_add(&t->all_set, name) || force)
		strvec_push(&t->all, name);
}

/* Return 1 when some factor of env is not in known. */
static int has_unknown_factor(const struct strmap *known, const char *env)
{
	for (const char *p = env;;) {
		const char *d = strchr(p, '-');
		if (strmap_get(known, p, d ? (size_t)(d - p) : strlen(p)) < 0)
			return 1;
		if (!d)
			return 0;
		p = d + 1;
	}
}

/*
 * tox 4.58's _is_tox_section: the core section, [testenv] and [testenv:*]
 * ([gh-actions], [flake8] or setup.cfg's [options] are not tox's). A section
 * name's prefix is what comes before its first ':'; [testenv] counts only
 * when its prefix is the core's (none in tox.ini, "tox" in setup.cfg).
 */
static int is_tox_section(struct tox *t, const struct ini_section *sec)
{
	size_t plen = strlen(t->env_prefix);
	const char *colon, *core_colon, *rest;

	if (sec == t->core || (strncmp(sec->name, t->env_prefix, plen) == 0 && sec->name[plen] == ':'))
		return 1;
	colon = strchr(sec->name, ':');
	core_colon = t->core ? strchr(t->core->name, ':') : NULL;
	if (!colon != !core_colon)
		return 0;
	if (colon && (colon - sec->name != core_colon - t->core->name ||
		      strncmp(sec->name, t->core->name, (size_t)(colon - sec->name)) != 0))
		return 0;
	rest = colon ? colon + 1 : sec->name;
	return strncmp(rest, t->env_prefix, plen) == 0 && (rest[plen] == '\0' || rest[plen] == ':');
}

static void compute_all(struct tox *t)
{
	struct strmap known = STRMAP_INIT;

	for (size_t i = 0; i < t->envlist.n; i++) {
		add_env(t, t->envlist.v[i], t->tox3);
		register_factors(&known, t->envlist.v[i]);
	}
	for (size_t i = 0; i < t->section_names.n; i++) {
		const char *n = t->section_names.v[i];
		register_factors(&known, n);
		if (t->tox3 && tox_core_flag(t, "isolated_build") && strcmp(n, ".package") == 0)
			continue;
		add_env(t, n, 0);
	}
	if (!t->tox3) {
		/* tox 4 also lists condition markers naming factors no env has, from tox's own sections (4.58) */
		struct strvec markers = STRVEC_INIT;
		struct strmap seen = STRMAP_INIT;
		for (size_t s = 0; s < t->ini.n; s++)
			if (is_tox_section(t, &t->ini.sections[s]))
				for (size_t k = 0; k < t->ini.sections[s].n; k++)
					filter_entry_markers(t, &t->ini.sections[s].entries[k], &seen, &markers);
		strmap_clear(&seen);
		for (size_t i = 0; i < markers.n; i++)
			if (has_unknown_factor(&known, markers.v[i])) {
				add_env(t, markers.v[i], 0);
				strvec_push(&t->markers, markers.v[i]);
			}
		strvec_clear(&markers);
	}
	if (!t->tox3) {
		/* and the envs [tox] labels names */
		struct strvec labels = STRVEC_INIT, envs = STRVEC_INIT;
		tox_core_labels(t, &labels, &envs);
		for (size_t i = 0; i < envs.n; i++)
			add_env(t, envs.v[i], 0);
		strvec_clear(&labels);
		strvec_clear(&envs);
	}
	if (t->tox3 && !t->all.n)
		add_env(t, "python", 0);
	strmap_clear(&known);
	t->all_done = 1;
}

void tox_all_envs(struct tox *t, struct strvec *out)
{
	if (!t->all_done)
		compute_all(t);
	strvec_extend(out, &t->all);
}

int tox_env_known(struct tox *t, const char *name)
{
	if (!t->all_done)
		compute_all(t);
	return strmap_get(&t->all_set, name, strlen(name)) >= 0;
}

char *tox_core_package_env(struct tox *t)
{
	char *v = core_raw(t, "package_env");

	if (v && *v)
		return v;
	free(v);
	return xstrdup(t->tox3 ? ".package" : ".pkg");
}

/* Add each line of e's value (a condition taken off) to the names of packaging envs. */
static void add_pkg_names(struct tox *t, const struct ini_entry *e)
{
	for (const char *p = e->value; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), coff = 0, clen = n;
		struct strvec *alts;
		long na = factor_line(p, n, 0, &alts, &coff, &clen);
		factor_alts_free(alts, na > 0 ? (size_t)na : 0);
		while (clen && isspace((unsigned char)p[coff]))
			coff++, clen--;
		while (clen && isspace((unsigned char)p[coff + clen - 1]))
			clen--;
		if (clen && !memchr(p + coff, '{', clen))
			strmap_intern(&t->pkg_envs, p + coff, clen);
		p += n + (nl ? 1 : 0);
	}
}

int tox_is_package_env(struct tox *t, const char *name)
{
	if (t->tox3)
		return 0;
	if (!t->pkg_envs_done) {
		char *core = tox_core_package_env(t);
		t->pkg_envs_done = 1;
		strmap_add(&t->pkg_envs, core);
		free(core);
		for (size_t s = 0; s < t->ini.n; s++) {
			const struct ini_section *sec = &t->ini.sections[s];
			if (sec == t->core)
				continue;
			for (size_t k = 0; k < sec->n; k++)
				if (strcmp(sec->entries[k].key, "package_env") == 0 || strcmp(sec->entries[k].key, "wheel_build_env") == 0)
					add_pkg_names(t, &sec->entries[k]);
		}
	}
	if (strmap_get(&t->pkg_envs, name, strlen(name)) >= 0)
		return 1;
	/* the wheel build envs tox names after the packaging env: ".pkg-cpython311" */
	char *core = tox_core_package_env(t);
	size_t n = strlen(core);
	int is = strncmp(name, core, n) == 0 && name[n] == '-';
	free(core);
	return is;
}

void tox_core_labels(struct tox *t, struct strvec *labels, struct strvec *envs)
{
	char *core = core_raw(t, "labels");

	if (!core)
		return;
	/* one label per line: name = env, env (a generative list) */
	for (char *line = core; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *eq = strchr(line, '=');
		if (eq) {
			char *k = line, *ke = eq;
			while (isspace((unsigned char)*k))
				k++;
			while (ke > k && isspace((unsigned char)ke[-1]))
				ke--;
			struct strvec these = STRVEC_INIT;
			envlist_expand_value(eq + 1, &these, ENVLIST_DEDUP | ENVLIST_RANGES);
			for (size_t i = 0; i < these.n; i++) {
				strvec_push_owned(labels, xstrndup(k, (size_t)(ke - k)));
				strvec_push(envs, these.v[i]);
			}
			strvec_clear(&these);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(core);
}

int tox_env_has_label(struct tox *t, const char *env, const char *label)
{
	struct strvec labels = STRVEC_INIT, envs = STRVEC_INIT;
	int found = 0;

	tox_core_labels(t, &labels, &envs);
	for (size_t i = 0; i < labels.n && !found; i++)
		found = strcmp(labels.v[i], label) == 0 && strcmp(envs.v[i], env) == 0;
	strvec_clear(&labels);
	strvec_clear(&envs);
	if (!found && !t->tox3) {
		struct envctx *c = envctx_get(t, env);
		char *v = envctx_value(c, "labels");
		if (v) {
			struct strvec own = STRVEC_INIT;
			strvec_split(&own, v, ",\n", 0);
			found = strvec_find(&own, label) >= 0;
			strvec_clear(&own);
			free(v);
		}
	}
	return found;
}

void tox_release(struct tox *t)
{
	envctx_free_all(t);
	filter_release(t);
	ini_release(&t->ini);
	free(t->path);
	free(t->toxinidir);
	free(t->workdir);
	free(t->hashseed);
	strvec_clear(&t->envlist);
	strvec_clear(&t->ignored_requires);
	strvec_clear(&t->all);
	strvec_clear(&t->markers);
	strmap_clear(&t->pkg_envs);
	strmap_clear(&t->all_set);
	strvec_clear(&t->section_names);
	strvec_clear(&t->section_of);
	strmap_clear(&t->section_ids);
	memset(t, 0, sizeof(*t));
}

void tox_set_workdir(struct tox *t, const char *dir)
{
	free(t->workdir);
	t->workdir = xstrdup(dir);
	envctx_free_all(t);
}

const char *tox_blitz_value(struct tox *t, const char *key, int *line)
{
	const struct ini_section *sec = ini_section(&t->ini, "blitz");
	const struct ini_entry *e = sec ? ini_get(sec, key) : NULL;

	if (e && line)
		*line = e->line;
	return e ? e->value : NULL;
}

int tox_blitz_bool(struct tox *t, const char *key, int def, struct diag *d)
{
	const struct ini_section *sec = ini_section(&t->ini, "blitz");
	const struct ini_entry *e = sec ? ini_get(sec, key) : NULL;
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

	if (!e)
		return def;
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(e->value, yes[i]) == 0)
			return 1;
		if (strcasecmp(e->value, no[i]) == 0)
			return 0;
	}
	diag_set(d, t->path, e->line, e->col, "[blitz] %s = %s: write true or false", key, e->value);
	return -1;
}
