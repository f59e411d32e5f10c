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

static int parse_bool(const char *v)
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
static void split_command(struct tox *t, const char *line, struct tox_command *cmd)
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

	split_command(t, line, &cmd);
	if (!cmd.argv.n) {
		strvec_clear(&cmd.argv);
		return;
	}
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = cmd;
}

/* One command per non-blank line; tox 3 first joins lines ending in a backslash (with a space). */
static void parse_commands(struct envctx *c, const char *key, struct tox_commands *out)
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
static void parse_list(struct envctx *c, const char *key, int split_spaces, struct strvec *out)
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
static int flag(struct envctx *c, const char *key)
{
	static const char *const valid[] = { "", "0", "1", "false", "no", "off", "on", "true", "yes", NULL };
	char *v = envctx_value(c, key);
	int on = parse_bool(v), ok = 0;

	if (v) {
		char *s = v, *e = v + strlen(v);
		while (isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		on = parse_bool(s);
		for (int i = 0; valid[i]; i++)
			ok |= strcasecmp(s, valid[i]) == 0;
		if (!ok)
			strvec_pushf(&c->errors, "%s\tvalue '%s' cannot be transformed to bool, valid: , 0, 1, false, no, off, on, true, yes",
				     key, s);
	}
	free(v);
	return on;
}

static char *str(struct envctx *c, const char *key)
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

static void tox4_passenv_list(struct envctx *c, struct strvec *out)
{
	parse_list(c, "pass_env", 0, out);
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

/* Whether key is written for this env (in its sections, after conditions). */
static int written(struct envctx *c, const char *key)
{
	char *v = envctx_raw(c, key, NULL);

	free(v);
	return v != NULL;
}

/* A boolean setting, or def when the file does not set it. */
static int flag_or(struct envctx *c, const char *key, int def)
{
	return written(c, key) ? flag(c, key) : def;
}

/*
 * The default of tox's virtualenv switches: the env's variable (its set_env,
 * then blitz's environment, which pass_env's VIRTUALENV_* lets through),
 * read as a boolean; an invalid one is reported on key.
 */
static int virtualenv_default(struct envctx *c, const char *key, const char *var, const char *var2)
{
	const char *v = envctx_setenv(c, var);

	if (!v && var2)
		v = envctx_setenv(c, var2);
	if (!v)
		v = getenv(var);
	if (!v && var2)
		v = getenv(var2);
	if (!v)
		return 0;
	if (!parse_bool(v) && *v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 &&
	    strcasecmp(v, "off") != 0)
		strvec_pushf(&c->errors, "%s\tvalue '%s' cannot be transformed to bool, valid: , 0, 1, false, no, off, on, true, yes",
			     key, v);
	return parse_bool(v);
}

/* A float setting (tox's float()): def when unset; a value that is no number is reported and reads def. */
static double number(struct envctx *c, const char *key, double def)
{
	char *v = envctx_raw(c, key, NULL), *end;
	double d = def;

	if (!v)
		return def;
	free(v);
	v = envctx_value(c, key);
	if (v) {
		const char *s = v;
		while (isspace((unsigned char)*s))
			s++;
		d = strtod(s, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end) {
			strvec_pushf(&c->errors, "%s\tcould not convert string to float: '%s'", key, v);
			d = def;
		}
	}
	free(v);
	return d;
}

/* An int setting: def when unset; a value that is no integer is reported and reads def. */
static int integer(struct envctx *c, const char *key, int def)
{
	char *v = envctx_raw(c, key, NULL), *end;
	long n = def;

	if (!v)
		return def;
	free(v);
	v = envctx_value(c, key);
	if (v) {
		n = strtol(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (end == v || *end || n < 0 || n > 1000000) {
			strvec_pushf(&c->errors, "%s\tinvalid literal for int() with base 10: '%s'", key, v);
			n = def;
		}
	}
	free(v);
	return (int)n;
}

/* packaging's canonicalize_name: lower case, each run of '-', '_' and '.' one '-'. */
static char *canonical_name(const char *s)
{
	struct strbuf out = STRBUF_INIT;

	for (const char *p = s; *p; p++) {
		if (*p == '-' || *p == '_' || *p == '.') {
			while (p[1] == '-' || p[1] == '_' || p[1] == '.')
				p++;
			strbuf_addch(&out, '-');
		} else {
			strbuf_addch(&out, (char)tolower((unsigned char)*p));
		}
	}
	return strbuf_detach(&out);
}

/* A set of names as tox 4 keeps extras and dependency groups: normalised, sorted, each once. */
static void name_set(struct envctx *c, const char *key, struct strvec *out)
{
	struct strvec raw = STRVEC_INIT;

	parse_list(c, key, 0, &raw);
	for (size_t i = 0; i < raw.n; i++) {
		char *n = canonical_name(raw.v[i]);
		if (strvec_find(out, n) < 0)
			strvec_push_owned(out, n);
		else
			free(n);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	strvec_clear(&raw);
}

/* pyproject.toml, setup.py or setup.cfg in dir: tox 4.58 has something to package. */
static int has_project(const char *dir)
{
	static const char *const files[] = { "pyproject.toml", "setup.py", "setup.cfg", NULL };

	for (int i = 0; files[i]; i++) {
		char *p = xconcat(dir, "/", files[i], NULL);
		int ok = access(p, F_OK) == 0;
		free(p);
		if (ok)
			return 1;
	}
	return 0;
}

/*
 * The build backend pyproject.toml in root names ([build-system]
 * build-backend), read just well enough for that one string; setuptools'
 * legacy backend when there is none, as pip and tox assume. Returns a new string.
 */
static char *build_backend(const char *root)
{
	char *path = xconcat(root, "/pyproject.toml", NULL);
	char *text = read_file(path, NULL), *res = NULL;
	int in_table = 0;

	free(path);
	for (char *p = text; p && *p && !res;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n), *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '[') {
			in_table = strncmp(s, "[build-system]", 14) == 0;
		} else if (in_table && strncmp(s, "build-backend", 13) == 0) {
			char *q = strpbrk(s + 13, "\"'");
			char *e = q ? strchr(q + 1, *q) : NULL;
			if (e)
				res = xstrndup(q + 1, (size_t)(e - q - 1));
		}
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	return res ? res : xstrdup("setuptools.build_meta:__legacy__");
}

/*
 * tox 4.58 picks an older virtualenv only when every base_python names a
 * version its own virtualenv (21.7) can no longer create an env for: up to
 * 3.8 needs virtualenv < 21.5.0, up to 3.6 < 20.22.0.
 */
static char *auto_virtualenv_spec(const struct strvec *base_python)
{
	int floor_major = 0, floor_minor = 0;

	for (size_t i = 0; i < base_python->n; i++) {
		struct pyspec sp;
		int fmaj, fmin;
		pyspec_parse(base_python->v[i], &sp);
		if (sp.major < 0 || sp.minor < 0)
			return xstrdup("");
		if (sp.major < 3 || (sp.major == 3 && sp.minor <= 6))
			fmaj = 20, fmin = 22;
		else if (sp.major == 3 && sp.minor <= 8)
			fmaj = 21, fmin = 5;
		else
			return xstrdup("");
		if (!floor_major || fmaj < floor_major || (fmaj == floor_major && fmin < floor_minor))
			floor_major = fmaj, floor_minor = fmin;
	}
	if (!floor_major)
		return xstrdup("");
	return xasprintf("virtualenv<%d.%d.0", floor_major, floor_minor);
}

/* The interpreter facts tox compares when it picks a wheel build env: "cpython3.11" and the like. */
static char *python_tag(struct envctx *c)
{
	char *impl = envctx_value(c, "py_impl"), *ver = envctx_value(c, "py_dot_ver");
	char *ft = envctx_value(c, "py_free_threaded"), *dbg = envctx_value(c, "py_debug");
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, impl ? impl : "");
	for (const char *p = ver ? ver : ""; *p; p++)
		if (*p != '.')
			strbuf_addch(&sb, *p);
	if (ft && strcmp(ft, "True") == 0)
		strbuf_addch(&sb, 't');
	if (dbg && strcmp(dbg, "True") == 0)
		strbuf_addch(&sb, 'd');
	free(impl);
	free(ver);
	free(ft);
	free(dbg);
	return strbuf_detach(&sb);
}

/* wheel_build_env's default: the packaging env itself when it runs the same Python, else one named for this one. */
static char *default_wheel_build_env(struct envctx *c, const char *package_env)
{
	struct envctx *pkg = envctx_get(c->t, package_env);
	char *mine = python_tag(c), *theirs = python_tag(pkg), *res;

	if (strcmp(mine, theirs) == 0 || !*mine)
		res = xstrdup(package_env);
	else
		res = xconcat(package_env, "-", mine, NULL);
	free(mine);
	free(theirs);
	return res;
}

/* The packaging settings of a run env: package_type, package_env, wheel_build_env. */
static void resolve_package(struct envctx *c, struct toxenv *e)
{
	static const char *const types[] = { "wheel", "sdist", "sdist-wheel", "editable", "editable-legacy",
					     "deps-only", "skip", "external", NULL };
	struct tox *t = c->t;

	if (e->no_package || e->skip_install) {
		e->package_type = xstrdup("skip");
	} else if (e->use_develop) {
		e->package_type = xstrdup("editable");
	} else if (!t->tox3 && written(c, "package")) {
		e->package_type = str(c, "package");
		int ok = 0;
		for (int i = 0; types[i]; i++)
			ok |= strcmp(e->package_type, types[i]) == 0;
		if (!ok)
			strvec_pushf(&c->errors, "package\tinvalid package config type %s requested, must be one of wheel, sdist, sdist-wheel, editable, editable-legacy, deps-only, skip, external",
				     e->package_type);
	} else {
		e->package_type = xstrdup(t->tox3 || has_project(t->toxinidir) ? "sdist" : "skip");
	}
	if (strcmp(e->package_type, "skip") == 0) {
		e->package_env = xstrdup("");
		e->wheel_build_env = xstrdup("");
		return;
	}
	char *own = t->tox3 ? NULL : envctx_raw(c, "package_env", NULL);
	if (own) {
		free(own);
		e->package_env = str(c, "package_env");
	} else {
		e->package_env = tox_core_package_env(t);
	}
	if (strcmp(e->package_type, "external") == 0) {
		char *ext = xconcat(e->package_env, "_external", NULL);
		free(e->package_env);
		e->package_env = ext;
	}
	if (t->tox3 || (strcmp(e->package_type, "wheel") != 0 && strcmp(e->package_type, "sdist-wheel") != 0 &&
			strcmp(e->package_type, "editable") != 0))
		e->wheel_build_env = xstrdup("");
	else if (written(c, "wheel_build_env"))
		e->wheel_build_env = str(c, "wheel_build_env");
	else
		e->wheel_build_env = default_wheel_build_env(c, e->package_env);
}

/* config_settings_ENDPOINT of a packaging env: "KEY=VALUE" lines, kept as "ENDPOINT\tKEY\tVALUE". */
static void config_settings(struct envctx *c, struct strvec *out)
{
	static const char *const endpoints[] = {
		"get_requires_for_build_sdist", "build_sdist", "get_requires_for_build_wheel",
		"prepare_metadata_for_build_wheel", "build_wheel", "get_requires_for_build_editable",
		"prepare_metadata_for_build_editable", "build_editable", NULL,
	};

	for (int i = 0; endpoints[i]; i++) {
		char *key = xconcat("config_settings_", endpoints[i], NULL);
		char *v = written(c, key) ? envctx_value(c, key) : NULL;
		for (char *p = v; p && *p;) {
			char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char *row = xstrndup(p, n), *eq = strchr(row, '=');
			const char *k = row, *ke, *val = "", *ve;
			while (isspace((unsigned char)*k))
				k++;
			if (*k && !eq) {
				strvec_pushf(&c->errors, "%s\tdictionary lines must be of form key=value, found '%s'", key, row);
			} else if (*k) {
				*eq = '\0';
				val = eq + 1;
				ke = k + strlen(k);
				while (ke > k && isspace((unsigned char)ke[-1]))
					ke--;
				while (isspace((unsigned char)*val))
					val++;
				ve = val + strlen(val);
				while (ve > val && isspace((unsigned char)ve[-1]))
					ve--;
				strvec_pushf(out, "%s\t%.*s\t%.*s", endpoints[i], (int)(ke - k), k, (int)(ve - val), val);
			}
			free(row);
			p += n + (nl ? 1 : 0);
		}
		if (v && !*v)
			strvec_pushf(out, "%s", endpoints[i]);	/* written, but empty: {} */
		free(v);
		free(key);
	}
}

/* Everything tox 4.58 added since blitz followed 4.11, or blitz did not read yet. */
static void resolve_more(struct envctx *c, struct toxenv *e)
{
	struct tox *t = c->t;
	char *v;

	e->is_package_env = c->package;
	e->env_bin_dir = str(c, "env_bin_dir");
	e->env_python = str(c, "env_python");
	e->env_site_packages_dir = str(c, "env_site_packages_dir");
	e->py_dot_ver = str(c, "py_dot_ver");
	e->py_impl = str(c, "py_impl");
	v = str(c, "py_free_threaded");
	e->py_free_threaded = strcmp(v, "True") == 0;
	free(v);
	v = str(c, "py_debug");
	e->py_debug = strcmp(v, "True") == 0;
	free(v);
	if (written(c, "default_base_python"))
		parse_list(c, "default_base_python", 0, &e->default_base_python);
	else
		strvec_push(&e->default_base_python, tox_default_python(t));
	e->no_package = tox_core_flag(t, "no_package");
	v = t->tox3 ? NULL : envctx_raw(c, "package_root", NULL);
	if (v && c->package) {
		free(v);
		e->package_root = envctx_value(c, "package_root");
	} else {
		free(v);
		v = tox_core_value(t, "package_root");
		e->package_root = v && *v ? (*v == '/' ? xstrdup(v) : xconcat(t->toxinidir, "/", v, NULL)) : xstrdup(t->toxinidir);
		free(v);
	}
	if (e->package_root[0] != '/') {
		char *abs = xconcat(t->toxinidir, "/", e->package_root, NULL);
		free(e->package_root);
		e->package_root = abs;
	}
	if (c->package) {
		e->package_type = xstrdup("");
		e->package_env = xstrdup("");
		e->wheel_build_env = xstrdup("");
	} else {
		resolve_package(c, e);
	}
	name_set(c, "dependency_groups", &e->dependency_groups);
	e->pip_pre = flag(c, "pip_pre");
	e->constrain_package_deps = flag(c, "constrain_package_deps");
	e->use_frozen_constraints = flag(c, "use_frozen_constraints");
	e->env_tmp_dir = str(c, "env_tmp_dir");
	e->env_log_dir = str(c, "env_log_dir");
	e->suicide_timeout = number(c, "suicide_timeout", 0.0);
	e->interrupt_timeout = number(c, "interrupt_timeout", 0.3);
	e->terminate_timeout = number(c, "terminate_timeout", 0.2);
	parse_commands(c, "extra_setup_commands", &e->extra_setup_commands);
	parse_commands(c, "recreate_commands", &e->recreate_commands);
	v = envctx_value(c, "list_dependencies_command");
	if (v) {
		struct tox_command lc = { STRVEC_INIT, 0 };
		split_command(t, v, &lc);
		e->list_dependencies_command = lc.argv;
		free(v);
	}
	parse_list(c, "disallow_pass_env", 0, &e->disallow_pass_env);
	e->parallel_show_output = flag(c, "parallel_show_output");
	e->interrupt_post_commands = flag(c, "interrupt_post_commands");
	e->args_are_paths = flag(c, "args_are_paths");
	e->commands_retry = integer(c, "commands_retry", 0);
	e->fail_fast = flag(c, "fail_fast");
	if (written(c, "system_site_packages"))
		e->system_site_packages = flag(c, "system_site_packages");
	else if (!t->tox3)
		e->system_site_packages = virtualenv_default(c, "system_site_packages", "VIRTUALENV_SYSTEM_SITE_PACKAGES", NULL);
	e->always_copy = written(c, "always_copy") ? flag(c, "always_copy")
			 : t->tox3 ? 0 : virtualenv_default(c, "always_copy", "VIRTUALENV_COPIES", "VIRTUALENV_ALWAYS_COPY");
	e->download = written(c, "download") ? flag(c, "download")
		      : t->tox3 ? 0 : virtualenv_default(c, "download", "VIRTUALENV_DOWNLOAD", NULL);
	e->virtualenv_spec = written(c, "virtualenv_spec") ? str(c, "virtualenv_spec") : auto_virtualenv_spec(&e->base_python);
	e->pylock = str(c, "pylock");
	parse_list(c, "base_python_file", 0, &e->base_python_file);
	e->runner = str(c, "runner");
	v = c->own && !t->tox3 ? (ini_get(c->own, "base") ? envctx_process_entry(c, ini_get(c->own, "base")) : NULL) : NULL;
	if (v) {
		strvec_split(&e->base, v, strchr(v, '\n') ? "\n" : ",", 0);
		free(v);
	} else {
		strvec_push(&e->base, c->package ? "pkgenv" : t->env_prefix);
	}
	if (c->package) {
		char *backend = build_backend(e->package_root);
		e->meta_dir = written(c, "meta_dir") ? str(c, "meta_dir") : xconcat(e->env_dir, "/.meta", NULL);
		e->pkg_dir = written(c, "pkg_dir") ? str(c, "pkg_dir") : xconcat(e->env_dir, "/dist", NULL);
		e->fresh_subprocess = flag_or(c, "fresh_subprocess", starts_with(backend, "setuptools") &&
						  (backend[10] == '\0' || backend[10] == '.' || backend[10] == ':'));
		free(backend);
		config_settings(c, &e->config_settings);
	} else {
		e->meta_dir = xstrdup("");
		e->pkg_dir = xstrdup("");
	}
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
static int resolve(struct tox *t, const char *name, struct toxenv *e, struct diag *d, int loading)
{
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
	parse_commands(c, "commands_pre", &e->commands_pre);
	parse_commands(c, "commands", &e->commands);
	parse_commands(c, "commands_post", &e->commands_post);
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
	parse_list(c, "allowlist_externals", t->tox3, &e->allowlist_externals);
	parse_list(c, "extras", 0, &e->extras);
	parse_list(c, "labels", 0, &e->labels);
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
		split_command(t, v, &ic);
		e->install_command = ic.argv;
		free(v);
	}
	e->description = one_line(str(c, "description"));
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
	/*
	 * tox 4.58: an env's own skip_missing_interpreters, else the core one,
	 * else false (4.11 skipped by default); tox 3: the core one, else false
	 */
	v = t->tox3 ? NULL : envctx_raw(c, "skip_missing_interpreters", NULL);
	if (v) {
		free(v);
		e->skip_missing_interpreters = flag(c, "skip_missing_interpreters");
	} else {
		v = tox_core_value(t, "skip_missing_interpreters");
		e->skip_missing_interpreters = v && strcasecmp(v, "config") != 0 && *v ? parse_bool(v) : 0;
		free(v);
	}
	resolve_more(c, e);
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

int tox_package_env_in_use(struct tox *t, const char *name)
{
	struct strvec all = STRVEC_INIT;
	int used = 0;

	if (t->tox3 || !tox_is_package_env(t, name))
		return 0;
	tox_all_envs(t, &all);
	for (size_t i = 0; i < all.n && !used; i++) {
		struct toxenv e;
		struct diag d = { 0 };
		if (tox_is_package_env(t, all.v[i]))
			continue;
		if (tox_env_resolve(t, all.v[i], &e, &d) == 0)
			used = strcmp(e.package_env, name) == 0 || strcmp(e.wheel_build_env, name) == 0;
		toxenv_release(&e);
	}
	strvec_clear(&all);
	return used;
}

void tox_run_envs(struct tox *t, struct strvec *out)
{
	struct strvec all = STRVEC_INIT;

	tox_all_envs(t, &all);
	for (size_t i = 0; i < all.n; i++)
		if (!tox_package_env_in_use(t, all.v[i]))
			strvec_push(out, all.v[i]);
	strvec_clear(&all);
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
