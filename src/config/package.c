/*
 * What tox 4.58 resolves about packaging: how a run env gets the project
 * (package type, the packaging env, the env that builds its wheel), what a
 * packaging env (.pkg) asks of the build backend, and which envs only build
 * packages for others.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "envctx.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

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
void toxenv_package(struct envctx *c, struct toxenv *e)
{
	static const char *const types[] = { "wheel", "sdist", "sdist-wheel", "editable", "editable-legacy",
					     "deps-only", "skip", "external", NULL };
	struct tox *t = c->t;

	if (e->no_package || e->skip_install) {
		e->package_type = xstrdup("skip");
	} else if (e->use_develop) {
		e->package_type = xstrdup("editable");
	} else if (!t->tox3 && envctx_written(c, "package")) {
		e->package_type = envctx_str(c, "package");
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
		e->package_env = envctx_str(c, "package_env");
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
	else if (envctx_written(c, "wheel_build_env"))
		e->wheel_build_env = envctx_str(c, "wheel_build_env");
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
		char *v = envctx_written(c, key) ? envctx_value(c, key) : NULL;
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

/* A packaging env's own settings: its folders and what it asks of the build backend. */
void toxenv_package_env(struct envctx *c, struct toxenv *e)
{
	if (!c->package) {
		e->meta_dir = xstrdup("");
		e->pkg_dir = xstrdup("");
		return;
	}
	char *backend = build_backend(e->package_root);
	e->meta_dir = envctx_written(c, "meta_dir") ? envctx_str(c, "meta_dir") : xconcat(e->env_dir, "/.meta", NULL);
	e->pkg_dir = envctx_written(c, "pkg_dir") ? envctx_str(c, "pkg_dir") : xconcat(e->env_dir, "/dist", NULL);
	/* a new backend process per request where the backend is setuptools, tox's default */
	e->fresh_subprocess = envctx_written(c, "fresh_subprocess")
				      ? envctx_flag(c, "fresh_subprocess")
				      : starts_with(backend, "setuptools") &&
						(backend[10] == '\0' || backend[10] == '.' || backend[10] == ':');
	free(backend);
	config_settings(c, &e->config_settings);
}
