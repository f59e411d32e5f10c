/*
 * The settings tox 4.58 reads beyond what an env runs (commands, deps,
 * set_env, ...): timeouts, the virtualenv switches, dependency groups, the
 * extra command lists, the packaging settings (package.c) and the facts
 * read off the interpreter's name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "envctx.h"
#include "pyspec.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

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
	if (!tox_bool(v) && *v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 &&
	    strcasecmp(v, "off") != 0)
		strvec_pushf(&c->errors, "%s\tvalue '%s' cannot be transformed to bool, valid: , 0, 1, false, no, off, on, true, yes",
			     key, v);
	return tox_bool(v);
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

	envctx_list(c, key, 0, &raw);
	for (size_t i = 0; i < raw.n; i++) {
		char *n = canonical_name(raw.v[i]);
		if (strvec_find(out, n) < 0)
			strvec_push_owned(out, n);
		else
			free(n);
	}
	strvec_sort(out);
	strvec_clear(&raw);
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

/* Everything tox 4.58 added since blitz followed 4.11, or blitz did not read yet. */
void toxenv_more(struct envctx *c, struct toxenv *e)
{
	struct tox *t = c->t;
	char *v;

	e->is_package_env = c->package;
	e->env_bin_dir = envctx_str(c, "env_bin_dir");
	e->env_python = envctx_str(c, "env_python");
	e->env_site_packages_dir = envctx_str(c, "env_site_packages_dir");
	e->py_dot_ver = envctx_str(c, "py_dot_ver");
	e->py_impl = envctx_str(c, "py_impl");
	v = envctx_str(c, "py_free_threaded");
	e->py_free_threaded = strcmp(v, "True") == 0;
	free(v);
	v = envctx_str(c, "py_debug");
	e->py_debug = strcmp(v, "True") == 0;
	free(v);
	if (envctx_written(c, "default_base_python"))
		envctx_list(c, "default_base_python", 0, &e->default_base_python);
	else
		strvec_push(&e->default_base_python, tox_default_python(t));
	e->no_package = tox_core_flag(t, "no_package");
	v = t->tox3 ? NULL : envctx_raw(c, "package_root", NULL);
	if (v && c->package) {
		free(v);
		e->package_root = envctx_value(c, "package_root");
	} else {
		free(v);
		/* [tox] package_root (setupdir), its substitutions ({toxinidir}/pkg) made in this env */
		char *raw = tox_core_value(t, "package_root");
		v = raw && *raw ? subst(c, raw, 0) : NULL;
		free(raw);
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
		toxenv_package(c, e);
	}
	name_set(c, "dependency_groups", &e->dependency_groups);
	e->pip_pre = envctx_flag(c, "pip_pre");
	e->constrain_package_deps = envctx_flag(c, "constrain_package_deps");
	e->use_frozen_constraints = envctx_flag(c, "use_frozen_constraints");
	e->env_tmp_dir = envctx_str(c, "env_tmp_dir");
	e->env_log_dir = envctx_str(c, "env_log_dir");
	e->suicide_timeout = number(c, "suicide_timeout", 0.0);
	e->interrupt_timeout = number(c, "interrupt_timeout", 0.3);
	e->terminate_timeout = number(c, "terminate_timeout", 0.2);
	envctx_commands(c, "extra_setup_commands", &e->extra_setup_commands);
	envctx_commands(c, "recreate_commands", &e->recreate_commands);
	v = envctx_value(c, "list_dependencies_command");
	if (v) {
		struct tox_command lc = { STRVEC_INIT, 0 };
		envctx_command(t, v, &lc);
		e->list_dependencies_command = lc.argv;
		free(v);
	}
	envctx_list(c, "disallow_pass_env", 0, &e->disallow_pass_env);
	e->parallel_show_output = envctx_flag(c, "parallel_show_output");
	e->interrupt_post_commands = envctx_flag(c, "interrupt_post_commands");
	e->args_are_paths = envctx_flag(c, "args_are_paths");
	e->commands_retry = integer(c, "commands_retry", 0);
	e->fail_fast = envctx_flag(c, "fail_fast");
	if (envctx_written(c, "system_site_packages"))
		e->system_site_packages = envctx_flag(c, "system_site_packages");
	else if (!t->tox3)
		e->system_site_packages = virtualenv_default(c, "system_site_packages", "VIRTUALENV_SYSTEM_SITE_PACKAGES", NULL);
	e->always_copy = envctx_written(c, "always_copy") ? envctx_flag(c, "always_copy")
			 : t->tox3 ? 0 : virtualenv_default(c, "always_copy", "VIRTUALENV_COPIES", "VIRTUALENV_ALWAYS_COPY");
	e->download = envctx_written(c, "download") ? envctx_flag(c, "download")
		      : t->tox3 ? 0 : virtualenv_default(c, "download", "VIRTUALENV_DOWNLOAD", NULL);
	e->virtualenv_spec = envctx_written(c, "virtualenv_spec") ? envctx_str(c, "virtualenv_spec") : auto_virtualenv_spec(&e->base_python);
	e->pylock = envctx_str(c, "pylock");
	envctx_list(c, "base_python_file", 0, &e->base_python_file);
	e->runner = envctx_str(c, "runner");
	v = c->own && !t->tox3 ? (ini_get(c->own, "base") ? envctx_process_entry(c, ini_get(c->own, "base")) : NULL) : NULL;
	if (v) {
		strvec_split(&e->base, v, strchr(v, '\n') ? "\n" : ",", 0);
		free(v);
	} else {
		strvec_push(&e->base, c->package ? "pkgenv" : t->env_prefix);
	}
	toxenv_package_env(c, e);
}

