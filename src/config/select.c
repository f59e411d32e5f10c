#include "select.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ini.h"
#include "factor.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/*
 * How alike two names are, 0..1: twice the longest common subsequence over
 * the total length, close to difflib's ratio, which tox uses for its "did
 * you mean" (a transposition, "litn" for "lint", still scores 0.75).
 */
static double similarity(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof(*row));

	if (!la && !lb) {
		free(row);
		return 1;
	}
	for (size_t i = 1; i <= la; i++) {
		size_t diag = 0;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			row[j] = a[i - 1] == b[j - 1] ? diag + 1 : (row[j] > row[j - 1] ? row[j] : row[j - 1]);
			diag = up;
		}
	}
	double r = 2.0 * (double)row[lb] / (double)(la + lb);
	free(row);
	return r;
}

const char *select_closest(const struct strvec *known, const char *name)
{
	const char *best = NULL;
	double bestr = 0.6;	/* difflib.get_close_matches' cutoff */

	for (size_t i = 0; i < known->n; i++) {
		double r = similarity(known->v[i], name);
		if (r >= bestr && (!best || r > bestr)) {
			bestr = r;
			best = known->v[i];
		}
	}
	return best;
}

/* A factor tox accepts without any env defining it: a Python version ("py312", "3.11", "pypy3"). */
static int dynamic_factor(const char *f)
{
	if (strncmp(f, "pypy", 4) == 0)
		f += 4;
	else if (strncmp(f, "py", 2) == 0)
		f += 2;
	else if (strncmp(f, "cython", 6) == 0)
		f += 6;
	if (!*f)
		return 1;
	for (; *f; f++)
		if (!((*f >= '0' && *f <= '9') || *f == '.'))
			return 0;
	return 1;
}

/*
 * Where a diagnostic about an env the command line names points: the
 * envlist (where the file says which envs it has), else the core section,
 * else the top of the file.
 */
static void envs_position(struct tox *t, int *line, int *col)
{
	const struct ini_entry *e = ini_get(t->core, "env_list");

	if (!e)
		e = ini_get(t->core, "envlist");
	*line = e ? e->line : t->core ? t->core->line : 1;
	*col = e ? e->col : 1;
}

/* The close-match message for env, from the known names and factors. */
static int unknown_env(struct tox *t, const struct strvec *all, const struct strvec *known, const char *env,
		       struct diag *d)
{
	int line, col;

	struct strvec f = STRVEC_INIT;
	struct strbuf guess = STRBUF_INIT;
	int guessable = 1;

	env_factors(env, &f);
	for (size_t i = 0; i < f.n; i++) {
		const char *use = strvec_find(known, f.v[i]) >= 0 ? f.v[i] : select_closest(known, f.v[i]);
		if (!use)
			guessable = 0;
		strbuf_addf(&guess, "%s%s", i ? "-" : "", use ? use : "");
	}
	const char *whole = select_closest(all, env);
	envs_position(t, &line, &col);
	if (whole)
		diag_set(d, t->path, line, col, "env '%s' is not in this configuration: did you mean '%s'? (blitz list --all shows every env)", env, whole);
	else if (guessable && strcmp(strbuf_str(&guess), env) != 0)
		diag_set(d, t->path, line, col, "env '%s' is not in this configuration: did you mean '%s'? (blitz list --all shows every env)", env, strbuf_str(&guess));
	else
		diag_set(d, t->path, line, col, "env '%s' is not in this configuration: blitz list --all shows every env", env);
	strvec_clear(&f);
	strbuf_release(&guess);
	return -1;
}

/* tox 3: an -e name is known, or each of its factors is a known factor or a Python version. */
static int check_known_tox3(struct tox *t, const struct strvec *all, const char *env, struct diag *d)
{
	struct strvec known = STRVEC_INIT, f = STRVEC_INIT;
	struct strmap seen = STRMAP_INIT;
	int ok = 1;

	if (tox_env_known(t, env))
		return 0;
	for (size_t i = 0; i < all->n; i++)
		env_factors_unique(all->v[i], &known, &seen);
	/* factors that only conditions name ("cov: pytest-cov") make envs too */
	for (size_t s = 0; s < t->ini.n; s++)
		for (size_t k = 0; k < t->ini.sections[s].n; k++) {
			struct strvec markers = STRVEC_INIT;
			factor_condition_envs(t->ini.sections[s].entries[k].value, &markers);
			for (size_t m = 0; m < markers.n; m++)
				env_factors_unique(markers.v[m], &known, &seen);
			strvec_clear(&markers);
		}
	env_factors(env, &f);
	for (size_t i = 0; i < f.n && ok; i++)
		ok = strmap_get(&seen, f.v[i], strlen(f.v[i])) >= 0 || dynamic_factor(f.v[i]);
	strmap_clear(&seen);
	if (!ok)
		unknown_env(t, all, &known, env, d);
	strvec_clear(&known);
	strvec_clear(&f);
	return ok ? 0 : -1;
}

/*
 * tox 4.58's _DYNAMIC_ENV_FACTORS in full: (pypy|py|cython|)((\d(\.\d+(\.\d+)?)?|\d+)t?)?
 * ("py312", "3.12", "pypy3.10", "313t", and the empty factor).
 */
static int dynamic_factor_tox4(const char *f)
{
	static const char *const prefixes[] = { "pypy", "py", "cython", "", NULL };

	for (int i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]), len;
		const char *v = f + n;
		if (strncmp(f, prefixes[i], n) != 0)
			continue;
		len = strlen(v);
		if (len && v[len - 1] == 't')
			len--;
		if (!len)
			return !*v;	/* a lone 't' is no version */
		size_t digits = strspn(v, "0123456789");
		if (digits == len)
			return 1;
		/* one digit, then .N or .N.N */
		if (digits == 1 && v[1] == '.') {
			const char *p = v + 2, *end = v + len;
			int parts = 0;
			for (;;) {
				size_t k = strspn(p, "0123456789");
				if (!k || p + k > end)
					break;
				p += k;
				parts++;
				if (p == end)
					return parts <= 2;
				if (*p != '.')
					break;
				p++;
			}
		}
	}
	return 0;
}

/* tox 4.58's _PY_PRE_RELEASE_FACTOR: alpha, beta, rc.N. */
static int prerelease_factor(const char *f)
{
	if (strcmp(f, "alpha") == 0 || strcmp(f, "beta") == 0)
		return 1;
	return strncmp(f, "rc.", 3) == 0 && f[3] && strspn(f + 3, "0123456789") == strlen(f + 3);
}

/* name with the dots of its Python-version factors taken out ("py3.12-x" -> "py312-x"), as tox 4.58 normalises it. */
static char *normalized_name(const char *name)
{
	struct strbuf out = STRBUF_INIT;

	for (const char *p = name;;) {
		const char *dash = strchr(p, '-');
		char *part = xstrndup(p, dash ? (size_t)(dash - p) : strlen(p));
		if (out.len || p != name)
			strbuf_addch(&out, '-');
		for (const char *c = part; *c; c++)
			if (*c != '.' || !dynamic_factor_tox4(part))
				strbuf_addch(&out, *c);
		free(part);
		if (!dash)
			break;
		p = dash + 1;
	}
	return strbuf_detach(&out);
}

/*
 * What tox 4.58 accepts with -e: the names of the file (envlist, [testenv:x]
 * headers, condition markers; not label-only envs) and, for any other name,
 * factors that are each a Python version, a pre-release, an envlist factor, a
 * whole known name or a factor of a condition marker. A factor that occurs
 * only inside a [testenv:a-b] header no longer counts (4.11 took it).
 */
struct tox4_known {
	struct strmap names;	/* the names of the file */
	struct strmap combinable;
	struct strvec all_factors;	/* for suggestions */
	int ready;
};

static void tox4_known_init(struct tox *t, const struct strvec *all, struct tox4_known *k)
{
	struct strvec f = STRVEC_INIT;

	if (k->ready)
		return;
	k->ready = 1;
	for (size_t i = 0; i < t->envlist.n; i++)
		strmap_add(&k->names, t->envlist.v[i]);
	for (size_t i = 0; i < t->section_names.n; i++)
		strmap_add(&k->names, t->section_names.v[i]);
	for (size_t i = 0; i < t->markers.n; i++)
		strmap_add(&k->names, t->markers.v[i]);
	for (size_t i = 0; i < t->envlist.n; i++)
		env_factors(t->envlist.v[i], &f);
	for (size_t i = 0; i < t->markers.n; i++)
		env_factors(t->markers.v[i], &f);
	for (size_t i = 0; i < f.n; i++)
		strmap_add(&k->combinable, f.v[i]);
	for (size_t i = 0; i < t->envlist.n; i++)
		strmap_add(&k->combinable, t->envlist.v[i]);
	for (size_t i = 0; i < t->section_names.n; i++)
		strmap_add(&k->combinable, t->section_names.v[i]);
	for (size_t i = 0; i < t->markers.n; i++)
		strmap_add(&k->combinable, t->markers.v[i]);
	strmap_add(&k->combinable, ".pkg");
	struct strmap seen = STRMAP_INIT;
	for (size_t i = 0; i < all->n; i++)
		env_factors_unique(all->v[i], &k->all_factors, &seen);
	for (size_t i = 0; i < f.n; i++)
		if (strmap_add(&seen, f.v[i]))
			strvec_push(&k->all_factors, f.v[i]);
	strmap_clear(&seen);
	strvec_clear(&f);
}

static void tox4_known_release(struct tox4_known *k)
{
	strmap_clear(&k->names);
	strmap_clear(&k->combinable);
	strvec_clear(&k->all_factors);
}

static int check_known_tox4(struct tox *t, const struct strvec *all, struct tox4_known *k, const char *env,
			    struct diag *d)
{
	struct strvec f = STRVEC_INIT;
	int ok = 1;

	tox4_known_init(t, all, k);
	if (strmap_get(&k->names, env, strlen(env)) >= 0 || starts_with(env, ".pkg_external"))
		return 0;
	char *norm = normalized_name(env);
	if (strcmp(norm, env) != 0 && strmap_get(&k->names, norm, strlen(norm)) >= 0) {
		int line, col;
		envs_position(t, &line, &col);
		diag_set(d, t->path, line, col, "env '%s' is not in this configuration: did you mean '%s'? (blitz list --all shows every env)",
			 env, norm);
		free(norm);
		return -1;
	}
	free(norm);
	/* (an empty part, "a--b", is the empty factor: a Python factor to tox's pattern) */
	strvec_split(&f, env, "-", 0);
	for (size_t i = 0; i < f.n && ok; i++)
		ok = dynamic_factor_tox4(f.v[i]) || prerelease_factor(f.v[i]) ||
		     strmap_get(&k->combinable, f.v[i], strlen(f.v[i])) >= 0;
	strvec_clear(&f);
	if (!ok)
		unknown_env(t, all, &k->all_factors, env, d);
	return ok ? 0 : -1;
}

/* -f: each value ("py38-django" or "py38") is a group of factors the env must all have; any group will do. */
static int factors_match(const char *env, const struct strvec *groups)
{
	struct strvec f = STRVEC_INIT;
	int any = 0;

	env_factors(env, &f);
	for (size_t g = 0; g < groups->n && !any; g++) {
		struct strvec want = STRVEC_INIT;
		env_factors(groups->v[g], &want);
		any = 1;
		for (size_t i = 0; i < want.n && any; i++)
			any = strvec_find(&f, want.v[i]) >= 0;
		strvec_clear(&want);
	}
	strvec_clear(&f);
	return any;
}

/*
 * TOX_SKIP_ENV is a Python regular expression: turn the escapes POSIX
 * extended expressions lack (\d \w \s and their negations) into classes.
 */
static char *posix_regex(const char *py)
{
	struct strbuf out = STRBUF_INIT;
	int in_class = 0;

	strbuf_addch(&out, '^');
	strbuf_addch(&out, '(');
	for (const char *p = py; *p; p++) {
		if (*p == '\\' && p[1]) {
			const char *cls = NULL;
			switch (p[1]) {
			case 'd': cls = in_class ? "0-9" : "[0-9]"; break;
			case 'D': cls = in_class ? NULL : "[^0-9]"; break;
			case 'w': cls = in_class ? "[:alnum:]_" : "[[:alnum:]_]"; break;
			case 'W': cls = in_class ? NULL : "[^[:alnum:]_]"; break;
			case 's': cls = in_class ? "[:space:]" : "[[:space:]]"; break;
			case 'S': cls = in_class ? NULL : "[^[:space:]]"; break;
			}
			if (cls) {
				strbuf_adds(&out, cls);
				p++;
				continue;
			}
			if (in_class && (p[1] == ']' || p[1] == '\\' || p[1] == '-' || p[1] == '^')) {
				/* POSIX classes have no escapes: place the character where it is literal */
				strbuf_addch(&out, p[1]);
				p++;
				continue;
			}
			strbuf_add(&out, p, 2);
			p++;
			continue;
		}
		if (*p == '[' && !in_class) {
			in_class = 1;
			strbuf_addch(&out, '[');
			if (p[1] == '^')
				strbuf_addch(&out, *++p);
			if (p[1] == ']')
				strbuf_addch(&out, *++p);
			continue;
		}
		if (*p == ']' && in_class)
			in_class = 0;
		strbuf_addch(&out, *p);
	}
	strbuf_addch(&out, ')');
	return strbuf_detach(&out);
}

/*
 * tox-gh-actions' job: in GitHub Actions, with no envs named, run the envs
 * whose factors [gh-actions] python maps the job's Python to ("3.11: py311,
 * lint"). blitz does not load the plugin; it reads the same table. Fills
 * out and returns 1 when the table applied.
 */
static int gh_actions_envs(struct tox *t, struct strvec *out, char *note, size_t notesz)
{
	const struct ini_entry *map = ini_get(ini_section(&t->ini, "gh-actions"), "python");
	const char *gha = getenv("GITHUB_ACTIONS");
	int major, minor;
	char impl[32] = "", key[64], major_key[64];
	struct strvec factors = STRVEC_INIT;

	if (!map || !gha || strcmp(gha, "true") != 0 || !t->python_info ||
	    t->python_info("python", &major, &minor, impl, sizeof(impl)) < 0)
		return 0;
	const char *pfx = strcmp(impl, "pypy") == 0 ? "pypy-" : "";
	snprintf(key, sizeof(key), "%s%d.%d", pfx, major, minor);
	snprintf(major_key, sizeof(major_key), "%s%d", pfx, major);
	for (int pass = 0; pass < 2 && !factors.n; pass++)
		for (const char *p = map->value; *p;) {
			const char *nl = strchr(p, '\n'), *colon;
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			colon = memchr(p, ':', n);
			if (colon) {
				const char *k = pass ? major_key : key;
				const char *ks = p, *ke = colon;
				while (ks < ke && (*ks == ' ' || *ks == '\t'))
					ks++;
				while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
					ke--;
				if ((size_t)(ke - ks) == strlen(k) && strncmp(ks, k, (size_t)(ke - ks)) == 0) {
					char *list = xstrndup(colon + 1, n - (size_t)(colon + 1 - p));
					for (char *tok = strtok(list, ", \t"); tok; tok = strtok(NULL, ", \t"))
						strvec_push(&factors, tok);
					free(list);
				}
			}
			p += n + (nl ? 1 : 0);
		}
	if (!factors.n) {
		strvec_clear(&factors);
		return 0;
	}
	for (size_t i = 0; i < t->envlist.n; i++) {
		struct strvec f = STRVEC_INIT;
		int any = 0;
		env_factors(t->envlist.v[i], &f);
		for (size_t k = 0; k < factors.n && !any; k++)
			any = strvec_find(&f, factors.v[k]) >= 0;
		if (any)
			strvec_push(out, t->envlist.v[i]);
		strvec_clear(&f);
	}
	snprintf(note, notesz, "GitHub Actions with Python %s: [gh-actions] selects the envs with factor %s%s",
		 key, factors.v[0], factors.n > 1 ? " (or another it lists)" : "");
	strvec_clear(&factors);
	return 1;
}

int select_envs(struct tox *t, const struct select_opts *so, struct strvec *out, struct diag *d)
{
	struct strvec all = STRVEC_INIT, cand = STRVEC_INIT, chosen = STRVEC_INIT;
	struct strmap seen = STRMAP_INIT;
	int rc = 0, explicit = 0;
	regex_t skip;
	int have_skip = 0;

	if (so->envs && so->envs->n) {
		for (size_t i = 0; i < so->envs->n; i++)
			envlist_expand(so->envs->v[i], &cand);
		explicit = 1;
	} else if (so->toxenv && *so->toxenv) {
		envlist_expand(so->toxenv, &cand);
		explicit = 1;
	}
	/* the full list (with tox 4's condition markers) costs a pass over every value: only when needed */
	if (explicit || (so->factors && so->factors->n) || (so->labels && so->labels->n))
		tox_run_envs(t, &all);
	if (explicit && strvec_find(&cand, "ALL") >= 0) {
		/* tox 4's ALL: the envs of the file, not those only [tox] labels names */
		struct strmap listed = STRMAP_INIT;	/* a set: one lookup per env, not a scan */
		for (size_t i = 0; i < t->envlist.n; i++)
			strmap_add(&listed, t->envlist.v[i]);
		for (size_t i = 0; i < t->markers.n; i++)
			strmap_add(&listed, t->markers.v[i]);
		strvec_clear(&cand);
		for (size_t i = 0; i < all.n; i++)
			if (t->tox3 || strmap_get(&listed, all.v[i], strlen(all.v[i])) >= 0 ||
			    strmap_get(&t->section_ids, all.v[i], strlen(all.v[i])) >= 0)
				strvec_push(&cand, all.v[i]);
		strmap_clear(&listed);
		explicit = 0;
	} else if (!explicit && (so->factors && so->factors->n)) {
		strvec_extend(&cand, &all);
	} else if (!explicit && (so->labels && so->labels->n)) {
		strvec_extend(&cand, &all);
	} else if (!explicit && t->envlist.n && gh_actions_envs(t, &cand, t->note, sizeof(t->note))) {
		/* chosen by the job's Python, as tox-gh-actions does */
	} else if (!explicit && t->envlist.n) {
		strvec_extend(&cand, &t->envlist);
	} else if (!explicit && t->tox3) {
		/* no envlist: tox 3 runs every env it knows (or "python"), tox 4 runs "py" */
		tox_all_envs(t, &cand);
	} else if (!explicit) {
		strvec_push(&cand, "py");
	}
	if (explicit) {
		struct tox4_known k = { STRMAP_INIT, STRMAP_INIT, STRVEC_INIT, 0 };
		for (size_t i = 0; i < cand.n && rc == 0; i++)
			rc = t->tox3 ? check_known_tox3(t, &all, cand.v[i], d) : check_known_tox4(t, &all, &k, cand.v[i], d);
		tox4_known_release(&k);
	}
	if (rc == 0 && so->skip_env && *so->skip_env) {
		char *anchored = posix_regex(so->skip_env);
		if (regcomp(&skip, anchored, REG_EXTENDED | REG_NOSUB) != 0)
			rc = diag_set(d, "TOX_SKIP_ENV", 0, 0, "'%s' is not a valid regular expression: fix or unset TOX_SKIP_ENV", so->skip_env);
		else
			have_skip = 1;
		free(anchored);
	}
	for (size_t i = 0; i < cand.n && rc == 0; i++) {
		const char *env = cand.v[i];
		/* -f and -m each select envs; given both, an env either selects is in (tox 4) */
		int by_factor = so->factors && so->factors->n, by_label = so->labels && so->labels->n;
		if (by_factor || by_label) {
			int in = by_factor && factors_match(env, so->factors);
			for (size_t k = 0; by_label && !in && k < so->labels->n; k++)
				in = tox_env_has_label(t, env, so->labels->v[k]);
			if (!in)
				continue;
		}
		if (have_skip && regexec(&skip, env, 0, NULL, 0) == 0)
			continue;
		if (strmap_add(&seen, env))
			strvec_push(&chosen, env);
	}
	if (have_skip)
		regfree(&skip);
	if (rc == 0)
		strvec_extend(out, &chosen);
	strvec_clear(&all);
	strvec_clear(&cand);
	strvec_clear(&chosen);
	strmap_clear(&seen);
	return rc;
}
