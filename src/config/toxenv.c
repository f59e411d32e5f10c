/*
 * Turning an env's resolved strings into typed settings (struct toxenv):
 * commands split into argv like tox, deps normalised, set_env sorted, lists
 * split, flags parsed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "envctx.h"
#include "factor.h"
#include "shlex.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/util.h"

static int parse_bool(const char *v)
{
	return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
		     strcasecmp(v, "on") == 0);
}

/* Drop "\\\n" continuations, joining the lines as tox does for commands. */
static char *join_continuations(const char *v)
{
	struct strbuf out = STRBUF_INIT;

	for (const char *p = v; *p; p++) {
		if (p[0] == '\\' && p[1] == '\n') {
			strbuf_addch(&out, ' ');
			p++;
			continue;
		}
		strbuf_addch(&out, *p);
	}
	return strbuf_detach(&out);
}

/* Replace every "\#" by "#": tox's escape for a '#' that is not a comment. */
static char *unescape_hash(const char *v)
{
	struct strbuf out = STRBUF_INIT;

	for (const char *p = v; *p; p++) {
		if (p[0] == '\\' && p[1] == '#')
			p++;
		strbuf_addch(&out, *p);
	}
	return strbuf_detach(&out);
}

/* Split one command line into argv as tox does (a leading '-' becomes its own "-" element). */
static void split_command(const char *line, int tox3, struct strvec *argv)
{
	size_t rest;
	char *clean = unescape_hash(line);

	if (shlex_split(clean, argv, tox3, &rest) < 0 && clean[rest])
		strvec_push(argv, clean + rest);
	free(clean);
	if (argv->n && argv->v[0][0] == '-' && strcmp(argv->v[0], "-") != 0) {
		char *rest0 = xstrdup(argv->v[0] + 1);
		free(argv->v[0]);
		argv->v[0] = rest0;
		strvec_push(argv, "");
		memmove(argv->v + 1, argv->v, (argv->n - 1) * sizeof(char *));
		argv->v[0] = xstrdup("-");
	}
}

/* "[]" standing alone in a command is the old spelling of {posargs}. */
static void legacy_posargs(struct tox *t, struct strvec *argv)
{
	struct strvec out = STRVEC_INIT;

	if (strvec_find(argv, "[]") < 0)
		return;
	for (size_t i = 0; i < argv->n; i++) {
		if (strcmp(argv->v[i], "[]") != 0)
			strvec_push(&out, argv->v[i]);
		else if (t->opts.posargs)
			strvec_extend(&out, t->opts.posargs);
	}
	strvec_clear(argv);
	*argv = out;
}

static void parse_commands(struct envctx *c, const char *key, struct tox_commands *out)
{
	char *v = envctx_value(c, key), *joined, *un;

	if (!v)
		return;
	joined = join_continuations(v);
	un = unescape_braces(joined);
	for (char *p = un; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (*s) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			memset(&out->v[out->n], 0, sizeof(out->v[0]));
			split_command(s, c->t->tox3, &out->v[out->n].argv);
			legacy_posargs(c->t, &out->v[out->n].argv);
			if (out->v[out->n].argv.n)
				out->n++;
			else
				strvec_clear(&out->v[out->n].argv);
		}
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(un);
	free(joined);
	free(v);
}

/*
 * tox 4 writes requirement-file options with one space ("-r file"); tox 3
 * keeps "-rfile" as written but joins "-r file" the same way ("-rfile").
 */
static char *normalize_dep(const char *d, int tox3)
{
	static const char *const opts[] = { "-r", "-c", "-e", NULL };

	for (int i = 0; opts[i]; i++) {
		if (strncmp(d, opts[i], 2) != 0 || (d[2] && !isspace((unsigned char)d[2]) && tox3))
			continue;
		const char *arg = d + 2;
		while (isspace((unsigned char)*arg))
			arg++;
		if (!*arg)
			break;
		return tox3 ? xasprintf("%s%s", opts[i], arg) : xasprintf("%s %s", opts[i], arg);
	}
	return xstrdup(d);
}

static void parse_deps(struct envctx *c, struct strvec *out)
{
	char *v = envctx_value(c, "deps"), *un, *hash;

	if (!v)
		return;
	un = unescape_braces(v);
	hash = c->t->tox3 ? xstrdup(un) : unescape_hash(un);
	for (char *p = hash; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n), *s = line;
		while (isspace((unsigned char)*s))
			s++;
		size_t len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		if (c->t->tox3) {
			/* tox 3 cuts " #comment" off each dep */
			for (char *h = s; *h; h++)
				if (*h == '#' && h > s && isspace((unsigned char)h[-1])) {
					char *e = h;
					while (e > s && isspace((unsigned char)e[-1]))
						e--;
					*e = '\0';
					break;
				}
		}
		if (*s && *s != '#')
			strvec_push_owned(out, normalize_dep(s, c->t->tox3));
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(hash);
	free(un);
	free(v);
}

/* tox's list: one item per line, or comma-separated when written on one line. */
static void parse_list(struct envctx *c, const char *key, int split_spaces, struct strvec *out)
{
	char *v = envctx_value(c, key);

	if (!v)
		return;
	char *un = unescape_braces(v);
	const char *seps = strchr(un, '\n') ? "\n" : ",";
	if (split_spaces)
		seps = strchr(un, '\n') ? "\n \t," : ", \t";
	char *save = NULL;
	for (char *tok = strtok_r(un, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		size_t n = strlen(tok);
		while (n && isspace((unsigned char)tok[n - 1]))
			tok[--n] = '\0';
		if (n && strvec_find(out, tok) < 0)
			strvec_push(out, tok);
	}
	free(un);
	free(v);
}

static int cmp_setenv(const void *a, const void *b)
{
	return strcmp(((const struct tox_setenv *)a)->key, ((const struct tox_setenv *)b)->key);
}

static int flag(struct envctx *c, const char *key)
{
	char *v = envctx_value(c, key);
	int on = parse_bool(v);

	free(v);
	return on;
}

static char *str(struct envctx *c, const char *key)
{
	char *v = envctx_value(c, key);
	char *u;

	if (!v)
		return xstrdup("");
	u = unescape_braces(v);
	free(v);
	return u;
}

/* tox 3 passes on the variables of blitz's environment that match a pass_env pattern. */
static void tox3_passenv(struct envctx *c, struct strvec *out)
{
	static const char *const dflt[] = {
		"CURL_CA_BUNDLE", "LANG", "LANGUAGE", "LC_ALL", "LD_LIBRARY_PATH", "PATH", "PIP_INDEX_URL",
		"PIP_EXTRA_INDEX_URL", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "TOX_WORK_DIR", "HTTP_PROXY",
		"HTTPS_PROXY", "NO_PROXY", "TOX_REPORTER_TIMESTAMP", "TOX_PARALLEL_ENV", "TMPDIR", NULL,
	};
	extern char **environ;
	struct strvec pats = STRVEC_INIT;

	parse_list(c, "pass_env", 1, &pats);
	for (int i = 0; dflt[i]; i++)
		strvec_push(out, dflt[i]);
	for (size_t i = 0; i < pats.n; i++)
		for (char **e = environ; *e; e++) {
			char *name = xstrndup(*e, strcspn(*e, "="));
			if (tox_glob_match(pats.v[i], name, 1) && strvec_find(out, name) < 0)
				strvec_push(out, name);
			free(name);
		}
	strvec_clear(&pats);
}

int tox_glob_match(const char *pat, const char *s, int nocase)
{
	for (; *pat; pat++, s++) {
		if (*pat == '*') {
			for (const char *k = s;; k++) {
				if (tox_glob_match(pat + 1, k, nocase))
					return 1;
				if (!*k)
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*pat == '?')
			continue;
		if (nocase ? toupper((unsigned char)*pat) != toupper((unsigned char)*s) : *pat != *s)
			return 0;
	}
	return *s == '\0';
}

int tox_env_resolve(struct tox *t, const char *name, struct toxenv *e, struct diag *d)
{
	struct envctx *c = envctx_get(t, name);
	char *v;

	c->d = d;
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	v = envctx_value(c, "base_python");
	if (v) {
		for (char *tok = strtok(v, "\n"); tok; tok = strtok(NULL, "\n"))
			strvec_push(&e->base_python, tok);
		free(v);
	}
	parse_deps(c, &e->deps);
	parse_commands(c, "commands_pre", &e->commands_pre);
	parse_commands(c, "commands", &e->commands);
	parse_commands(c, "commands_post", &e->commands_post);
	envctx_setenv_all(c);
	e->set_env = xcalloc(c->nse ? c->nse : 1, sizeof(*e->set_env));
	for (size_t i = 0; i < c->nse; i++) {
		e->set_env[e->n_set_env].key = xstrdup(c->se[i].key);
		e->set_env[e->n_set_env].value = xstrdup(c->se[i].value ? c->se[i].value : "");
		e->n_set_env++;
	}
	qsort(e->set_env, e->n_set_env, sizeof(*e->set_env), cmp_setenv);
	if (t->tox3)
		tox3_passenv(c, &e->pass_env);
	else
		parse_list(c, "pass_env", 0, &e->pass_env);
	parse_list(c, "allowlist_externals", t->tox3, &e->allowlist_externals);
	parse_list(c, "extras", 0, &e->extras);
	parse_list(c, "labels", 0, &e->labels);
	v = envctx_value(c, "depends");
	if (v) {
		envlist_expand_value(v, &e->depends, 1);
		free(v);
	}
	v = envctx_value(c, "install_command");
	if (v) {
		split_command(v, t->tox3, &e->install_command);
		free(v);
	}
	e->description = str(c, "description");
	e->env_dir = str(c, "env_dir");
	e->change_dir = str(c, "change_dir");
	e->platform = str(c, "platform");
	e->package = str(c, "package");
	e->skip_install = flag(c, "skip_install");
	e->use_develop = flag(c, "use_develop");
	e->ignore_outcome = flag(c, "ignore_outcome");
	e->ignore_errors = flag(c, "ignore_errors");
	e->recreate = flag(c, "recreate");
	e->system_site_packages = flag(c, "system_site_packages");
	v = tox_core_value(t, "skip_missing_interpreters");
	e->skip_missing_interpreters = parse_bool(v);
	free(v);
	strvec_extend(&e->errors, &c->errors);
	return c->failed ? -1 : 0;
}

static void commands_release(struct tox_commands *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		strvec_clear(&cs->v[i].argv);
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

void toxenv_release(struct toxenv *e)
{
	free(e->name);
	free(e->description);
	strvec_clear(&e->base_python);
	strvec_clear(&e->deps);
	commands_release(&e->commands);
	commands_release(&e->commands_pre);
	commands_release(&e->commands_post);
	for (size_t i = 0; i < e->n_set_env; i++) {
		free(e->set_env[i].key);
		free(e->set_env[i].value);
	}
	free(e->set_env);
	strvec_clear(&e->pass_env);
	strvec_clear(&e->allowlist_externals);
	strvec_clear(&e->depends);
	strvec_clear(&e->labels);
	strvec_clear(&e->extras);
	strvec_clear(&e->install_command);
	free(e->env_dir);
	free(e->change_dir);
	free(e->platform);
	free(e->package);
	strvec_clear(&e->errors);
	memset(e, 0, sizeof(*e));
}
