/*
 * Turning an env's resolved strings into typed settings (struct toxenv):
 * commands split into argv like tox, deps normalised, set_env sorted, lists
 * split, flags parsed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "diag.h"
#include "envctx.h"
#include "factor.h"
#include "pyspec.h"
#include "shlex.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/util.h"

int tox_bool(const char *v)
{
	return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
		     strcasecmp(v, "on") == 0);
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

/* "[]" standing alone in a tox 3 command is the old spelling of {posargs}. */
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

/*
 * Split one command line into argv as tox does: tox 4 uses POSIX shlex and
 * keeps an unterminated rest as one last word; tox 3 treats backslashes as
 * ordinary characters and '#' as a comment.
 */
void envctx_command(struct tox *t, const char *line, struct tox_command *cmd)
{
	size_t rest;
	char *clean = t->tox3 ? xstrdup(line) : unescape_hash(line);
	struct strvec *argv = &cmd->argv;

	if (shlex_split(clean, argv, t->tox3 ? SHLEX_NO_ESCAPE | SHLEX_COMMENTS : 0, &rest) < 0 && clean[rest])
		strvec_push(argv, clean + rest);
	free(clean);
	if (t->tox3) {
		legacy_posargs(t, argv);
		cmd->ignore_exit = argv->n && argv->v[0][0] == '-';
		return;
	}
	if (argv->n && argv->v[0][0] == '-') {
		cmd->ignore_exit = 1;
		if (strcmp(argv->v[0], "-") == 0) {
			free(argv->v[0]);
			memmove(argv->v, argv->v + 1, argv->n * sizeof(char *));
			argv->n--;
		} else {
			memmove(argv->v[0], argv->v[0] + 1, strlen(argv->v[0]));
		}
	}
}

static void add_command(struct tox *t, struct tox_commands *out, const char *line)
{
	struct tox_command cmd = { STRVEC_INIT, 0 };

	envctx_command(t, line, &cmd);
	if (!cmd.argv.n) {
		strvec_clear(&cmd.argv);
		return;
	}
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = cmd;
}

/* One command per non-blank line; tox 3 first joins lines ending in a backslash (with a space). */
void envctx_commands(struct envctx *c, const char *key, struct tox_commands *out)
{
	char *v = envctx_value(c, key);
	struct strbuf cur = STRBUF_INIT;

	if (!v)
		return;
	for (char *p = v; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (c->t->tox3 && n && p[n - 1] == '\\') {
			strbuf_addch(&cur, ' ');
			strbuf_add(&cur, p, n - 1);
		} else if (n || cur.len) {
			strbuf_add(&cur, p, n);
			const char *s = strbuf_str(&cur);
			while (isspace((unsigned char)*s))
				s++;
			if (*s)
				add_command(c->t, out, s);
			strbuf_reset(&cur);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (cur.len)
		add_command(c->t, out, strbuf_str(&cur));
	strbuf_release(&cur);
	free(v);
}

/* pip options that take one argument, as requirement files write them. */
static const char *const one_arg[] = {
	"--index-url", "--extra-index-url", "--editable", "--constraint", "--requirement", "--find-links",
	"--trusted-host", "--use-feature", "--no-binary", "--only-binary", "-i", "-e", "-c", "-r", "-f", NULL,
};

static int escapes_spaces(const char *opt)
{
	return strcmp(opt, "-c") == 0 || strcmp(opt, "--constraint") == 0 || strcmp(opt, "-r") == 0 ||
	       strcmp(opt, "--requirement") == 0 || strcmp(opt, "-f") == 0 || strcmp(opt, "--find-links") == 0 ||
	       strcmp(opt, "-e") == 0 || strcmp(opt, "--editable") == 0;
}

/*
 * tox 4 writes a requirement-file option and its argument apart ("-rfile" ->
 * "-r file") and escapes whitespace inside a path argument ("-r a b" -> "-r a\ b").
 */
static char *normalize_dep_tox4(const char *d)
{
	const char *opt = NULL;
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; d[0] == '-' && one_arg[i]; i++) {
		size_t n = strlen(one_arg[i]);
		if (strncmp(d, one_arg[i], n) == 0 && d[n] && !isspace((unsigned char)d[n]) && d[n] != '=') {
			strbuf_addf(&sb, "%s %s", one_arg[i], d + n);
			break;
		}
	}
	if (!sb.len)
		strbuf_adds(&sb, d);
	for (int i = 0; sb.buf[0] == '-' && one_arg[i]; i++) {
		size_t n = strlen(one_arg[i]);
		if (strncmp(sb.buf, one_arg[i], n) == 0 && isspace((unsigned char)sb.buf[n]) && escapes_spaces(one_arg[i])) {
			opt = one_arg[i];
			break;
		}
	}
	if (!opt)
		return strbuf_detach(&sb);
	struct strbuf out = STRBUF_INIT;
	size_t n = strlen(opt);
	strbuf_addf(&out, "%s ", opt);
	for (size_t i = n + 1; i < sb.len; i++) {
		if (isspace((unsigned char)sb.buf[i]) && sb.buf[i - 1] != '\\')
			strbuf_addch(&out, '\\');
		strbuf_addch(&out, sb.buf[i]);
	}
	strbuf_release(&sb);
	return strbuf_detach(&out);
}

/* tox 3: short options lose the space ("-r file" -> "-rfile"), long ones gain '=', " #..." is cut. */
static char *normalize_dep_tox3(const char *d)
{
	static const char *const shorts[] = { "-c", "-e", "-r", "-b", "-t", "-d", NULL };
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; shorts[i]; i++)
		if (strncmp(d, shorts[i], 2) == 0 && isspace((unsigned char)d[2])) {
			const char *a = d + 2;
			while (isspace((unsigned char)*a))
				a++;
			strbuf_addf(&sb, "%s%s", shorts[i], a);
			break;
		}
	if (!sb.len && d[0] == '-' && d[1] == '-') {
		const char *sp = d;
		while (*sp && !isspace((unsigned char)*sp) && *sp != '=')
			sp++;
		if (isspace((unsigned char)*sp)) {
			const char *a = sp;
			while (isspace((unsigned char)*a))
				a++;
			strbuf_addf(&sb, "%.*s=%s", (int)(sp - d), d, a);
		}
	}
	if (!sb.len)
		strbuf_adds(&sb, d);
	for (size_t i = 1; i < sb.len; i++)
		if (sb.buf[i] == '#' && isspace((unsigned char)sb.buf[i - 1])) {
			sb.len = i;
			sb.buf[i] = '\0';
			strbuf_rtrim(&sb);
			break;
		}
	return strbuf_detach(&sb);
}

static void parse_deps(struct envctx *c, struct strvec *out)
{
	char *v = envctx_value(c, "deps");

	if (!v)
		return;
	for (char *p = v; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n), *s = line;
		while (isspace((unsigned char)*s))
			s++;
		size_t len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		if (*s)
			strvec_push_owned(out, c->t->tox3 ? normalize_dep_tox3(s) : normalize_dep_tox4(s));
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(v);
}

/*
 * tox 4's list: one item per line when the value has several lines, else
 * comma-separated. tox 3 (split_spaces) also splits each item at spaces.
 */
void envctx_list(struct envctx *c, const char *key, int split_spaces, struct strvec *out)
{
	char *v = envctx_value(c, key);

	if (!v)
		return;
	strvec_split(out, v, split_spaces ? "\n \t" : strchr(v, '\n') ? "\n" : ",", 1);
	free(v);
}

static int cmp_setenv(const void *a, const void *b)
{
	return strcmp(((const struct tox_setenv *)a)->key, ((const struct tox_setenv *)b)->key);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A boolean setting; a value that is no boolean is reported on the key, as tox does, and reads false. */
int envctx_flag(struct envctx *c, const char *key)
{
	static const char *const valid[] = { "", "0", "1", "false", "no", "off", "on", "true", "yes", NULL };
	char *v = envctx_value(c, key);
	int on = tox_bool(v), ok = 0;

	if (v) {
		char *s = v, *e = v + strlen(v);
		while (isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		on = tox_bool(s);
		for (int i = 0; valid[i]; i++)
			ok |= strcasecmp(s, valid[i]) == 0;
		if (!ok)
			strvec_pushf(&c->errors, "%s\tvalue '%s' cannot be transformed to bool, valid: , 0, 1, false, no, off, on, true, yes",
				     key, s);
	}
	free(v);
	return on;
}

char *envctx_str(struct envctx *c, const char *key)
{
	char *v = envctx_value(c, key);

	return v ? v : xstrdup("");
}

/* tox 4 turns every run of whitespace in a description, newlines included, into one space. */
static char *one_line(char *v)
{
	char *w = v;
	int space = 0;

	for (char *r = v; *r; r++) {
		if (isspace((unsigned char)*r)) {
			space = 1;
			continue;
		}
		if (space && w != v)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return v;
}

/* tox 4.58 passes these on besides what pass_env names (not on Windows); TERM and TERMINFO on a terminal. */
static const char *const tox4_passenv[] = {
	"CC", "CCSHARED", "CFLAGS", "CPPFLAGS", "CURL_CA_BUNDLE", "CXX", "FORCE_COLOR", "HOME", "LANG", "LANGUAGE",
	"LDFLAGS", "LD_LIBRARY_PATH", "NETRC", "NIX_LD", "NIX_LD_LIBRARY_PATH", "NO_COLOR", "PIP_*", "PKG_CONFIG",
	"PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "PYTHON_GIL", "REQUESTS_CA_BUNDLE", "SSH_AGENT_PID",
	"SSH_AUTH_SOCK", "SSL_CERT_FILE", "TMPDIR", "VIRTUALENV_*", "http_proxy", "https_proxy", "no_proxy", NULL,
};

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

	envctx_list(c, "pass_env", 1, &pats);
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

static void tox4_passenv_list(struct envctx *c, struct strvec *out)
{
	envctx_list(c, "pass_env", 0, out);
	for (size_t i = 0; i < out->n; i++)
		for (const char *p = out->v[i]; *p; p++)
			if (isspace((unsigned char)*p)) {
				strvec_pushf(&c->errors, "pass_env\tpass_env values cannot contain whitespace, use comma to have multiple values in a single line, invalid values found '%s'", out->v[i]);
				break;
			}
	for (int i = 0; tox4_passenv[i]; i++)
		strvec_push(out, tox4_passenv[i]);
	if (c->t->opts.isatty) {
		strvec_push(out, "TERM");
		strvec_push(out, "TERMINFO");
	}
	/* sorted, as tox prints it; then the defaults the file repeats go */
	qsort(out->v, out->n, sizeof(char *), cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (w && strcmp(out->v[w - 1], out->v[i]) == 0) {
			free(out->v[i]);
			continue;
		}
		out->v[w++] = out->v[i];
	}
	out->n = w;
	out->v[w] = NULL;
}

int envctx_written(struct envctx *c, const char *key)
{
	char *v = envctx_raw(c, key, NULL);

	free(v);
	return v != NULL;
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

/*
 * tox_env_resolve(); loading (tox 3's check of every env when it reads the
 * file) leaves set_env's values and unset {env:KEY}s for when the env is
 * used, as tox 3 does, so a file whose env would fail still lists.
 */
/*
 * An env name must be one path component: its venv (.tox/NAME) and logs
 * (.blitz/runs/RUN/NAME.log) are named by it, and "../x" or "a/b" would put
 * them elsewhere. -1 with d naming where it was written (its section, or
 * the envlist), or the command line.
 */
static int check_name(struct tox *t, const char *name, struct diag *d)
{
	if (*name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/'))
		return 0;
	char *section = xconcat("testenv:", name, NULL);
	const struct ini_section *sec = ini_section(&t->ini, section);
	const struct ini_entry *list = t->core ? ini_get(t->core, "env_list") : NULL;
	free(section);
	if (!list && t->core)
		list = ini_get(t->core, "envlist");
	int line = sec ? sec->line : list ? list->line : 0, col = sec ? 1 : list ? list->col : 0;
	return diag_set(d, t->path, line, col, "env name '%s' is not one path component: its venv and logs would be "
			"made outside .tox and .blitz (%s); name it without '/', or '.' or '..' alone", name,
			sec ? "its section" : list ? "the envlist, or the command line" : "the command line");
}

static int resolve(struct tox *t, const char *name, struct toxenv *e, struct diag *d, int loading)
{
	if (check_name(t, name, d) < 0) {
		memset(e, 0, sizeof(*e));	/* nothing to release */
		return -1;
	}
	struct envctx *c = envctx_get(t, name);
	char *v;

	c->d = d;
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	if (c->failed) {
		/* it failed before, perhaps inside another env's resolve: the same diagnostic */
		if (c->first_failure)
			*d = *c->first_failure;
		return -1;
	}
	v = envctx_value(c, "base_python");
	if (v && t->tox3) {
		/* tox 3's basepython is one string, lines and all ({[x]basepython} of two lines) */
		strvec_push(&e->base_python, v);
		free(v);
	} else if (v) {
		for (char *tok = strtok(v, "\n"); tok; tok = strtok(NULL, "\n"))
			strvec_push(&e->base_python, tok);
		free(v);
	}
	parse_deps(c, &e->deps);
	envctx_commands(c, "commands_pre", &e->commands_pre);
	envctx_commands(c, "commands", &e->commands);
	envctx_commands(c, "commands_post", &e->commands_post);
	if (!loading)
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
		tox4_passenv_list(c, &e->pass_env);
	envctx_list(c, "allowlist_externals", t->tox3, &e->allowlist_externals);
	envctx_list(c, "extras", 0, &e->extras);
	envctx_list(c, "labels", 0, &e->labels);
	v = envctx_value(c, "blitz_services");
	if (v) {
		strvec_split(&e->services, v, "\n \t,", 1);
		free(v);
	}
	v = envctx_value(c, "depends");
	if (v) {
		envlist_expand_value(v, &e->depends, ENVLIST_DEDUP | (t->tox3 ? 0 : ENVLIST_RANGES));
		free(v);
	}
	v = envctx_value(c, "install_command");
	if (v) {
		struct tox_command ic = { STRVEC_INIT, 0 };
		envctx_command(t, v, &ic);
		e->install_command = ic.argv;
		free(v);
	}
	e->description = one_line(envctx_str(c, "description"));
	e->env_dir = envctx_str(c, "env_dir");
	e->change_dir = envctx_str(c, "change_dir");
	e->platform = envctx_str(c, "platform");
	e->package = envctx_str(c, "package");
	e->skip_install = envctx_flag(c, "skip_install");
	e->use_develop = envctx_flag(c, "use_develop");
	e->ignore_outcome = envctx_flag(c, "ignore_outcome");
	e->ignore_errors = envctx_flag(c, "ignore_errors");
	e->recreate = envctx_flag(c, "recreate");
	e->system_site_packages = envctx_flag(c, "system_site_packages");
	/*
	 * tox 4.58: an env's own skip_missing_interpreters, else the core one,
	 * else false (4.11 skipped by default); tox 3: the core one, else false
	 */
	v = t->tox3 ? NULL : envctx_raw(c, "skip_missing_interpreters", NULL);
	if (v) {
		free(v);
		e->skip_missing_interpreters = envctx_flag(c, "skip_missing_interpreters");
	} else {
		v = tox_core_value(t, "skip_missing_interpreters");
		e->skip_missing_interpreters = v && strcasecmp(v, "config") != 0 && *v ? tox_bool(v) : 0;
		free(v);
	}
	toxenv_more(c, e);
	if (c->missing && !loading && !c->failed) {
		diag_set(d, t->path, c->missing_line, c->missing_col,
			 "env '%s': {env:%s} has no default and %s is not set: tox 3 stops here (MissingSubstitution); set it or write {env:%s:default}",
			 name, c->missing, c->missing, c->missing);
		envctx_fail(c);
	}
	/* a context resolved before (another env's reference, a tox 3 check) already holds its errors */
	for (size_t i = 0; i < c->errors.n; i++)
		if (strvec_find(&e->errors, c->errors.v[i]) < 0)
			strvec_push(&e->errors, c->errors.v[i]);
	if (c->failed) {
		envctx_fail(c);
		if (!d->msg[0] && c->first_failure)
			*d = *c->first_failure;
		return -1;
	}
	return 0;
}

int tox_env_resolve(struct tox *t, const char *name, struct toxenv *e, struct diag *d)
{
	return resolve(t, name, e, d, 0);
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
	strvec_clear(&e->services);
	strvec_clear(&e->extras);
	strvec_clear(&e->install_command);
	free(e->env_dir);
	free(e->change_dir);
	free(e->platform);
	free(e->package);
	strvec_clear(&e->errors);
	free(e->env_bin_dir);
	free(e->env_python);
	free(e->env_site_packages_dir);
	free(e->py_dot_ver);
	free(e->py_impl);
	strvec_clear(&e->default_base_python);
	free(e->package_type);
	free(e->package_env);
	free(e->wheel_build_env);
	free(e->package_root);
	strvec_clear(&e->dependency_groups);
	free(e->env_tmp_dir);
	free(e->env_log_dir);
	commands_release(&e->extra_setup_commands);
	commands_release(&e->recreate_commands);
	strvec_clear(&e->list_dependencies_command);
	strvec_clear(&e->disallow_pass_env);
	free(e->virtualenv_spec);
	free(e->pylock);
	strvec_clear(&e->base_python_file);
	free(e->runner);
	strvec_clear(&e->base);
	free(e->meta_dir);
	free(e->pkg_dir);
	strvec_clear(&e->config_settings);
	memset(e, 0, sizeof(*e));
}

void tox_env_unused(struct tox *t, const char *name, const struct strvec *known, struct strvec *out)
{
	struct envctx *c = envctx_get(t, name);

	if (!c->nsecs)
		return;
	for (size_t i = 0; i < c->secs[0]->n; i++) {
		const char *k = c->secs[0]->entries[i].key;
		if (strvec_find(known, k) < 0 && strvec_find(out, k) < 0)
			strvec_push(out, k);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
}

void tox_env_forget(struct tox *t, const char *name)
{
	envctx_forget(t, name);
}

int tox_check_all(struct tox *t, struct diag *d)
{
	struct strvec all = STRVEC_INIT;
	int rc = 0;

	tox_all_envs(t, &all);
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		struct toxenv e;
		rc = resolve(t, all.v[i], &e, d, 1);
		toxenv_release(&e);
		tox_env_forget(t, all.v[i]);
	}
	strvec_clear(&all);
	return rc;
}
