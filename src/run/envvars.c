#include "envvars.h"

#include <stdlib.h>
#include <string.h>

#include "../config/tox.h"
#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Set key=value in out, replacing an earlier value of key (index maps keys to their place). */
static void put(struct strvec *out, struct strmap *index, const char *key, size_t klen, const char *value)
{
	char *k = xstrndup(key, klen);
	char *kv = xconcat(k, "=", value, NULL);
	int at = strmap_get(index, k, klen);

	if (at >= 0 && (size_t)at < out->n) {
		free(out->v[at]);
		out->v[at] = kv;
	} else {
		strmap_intern(index, k, klen);	/* ids follow out's order */
		strvec_push_owned(out, kv);
	}
	free(k);
}

static int passes(const struct toxenv *e, const char *name)
{
	for (size_t i = 0; i < e->pass_env.n; i++)
		if (tox_glob_match(e->pass_env.v[i], name, 1))
			return 1;
	return 0;
}

/* Whether set_env sets key. */
static int sets(const struct toxenv *e, const char *key)
{
	for (size_t i = 0; i < e->n_set_env; i++)
		if (strcmp(e->set_env[i].key, key) == 0)
			return 1;
	return 0;
}

/*
 * Build out from environ_ (every variable with all, else those pass_env lets
 * through), set_env and tox's own variables; mode: 4 for tox 4, 3 for tox
 * 3's commands, 33 for tox 3's set-up.
 */
static void build(const struct toxenv *e, const char *work_dir, int mode, char *const *environ_, struct strvec *out)
{
	struct strmap index = STRMAP_INIT;
	const char *path = "";
	char *bin = xconcat(e->env_dir, "/bin", NULL), *newpath;

	for (size_t i = 0; i < out->n; i++)
		strmap_intern(&index, out->v[i], strcspn(out->v[i], "="));
	for (char *const *v = environ_; v && *v; v++) {
		size_t klen = strcspn(*v, "=");
		char *name = xstrndup(*v, klen);
		if (strcmp(name, "PATH") == 0)
			path = *v + klen + 1;
		else if ((*v)[klen] != '=')
			;
		else if (mode == 33 ? strcmp(name, "PYTHONPATH") != 0 || passes(e, name) || sets(e, name) : passes(e, name))
			put(out, &index, *v, klen, *v + klen + 1);
		free(name);
	}
	for (size_t i = 0; i < e->n_set_env; i++)
		put(out, &index, e->set_env[i].key, strlen(e->set_env[i].key), e->set_env[i].value);
	/* the env's programs first; a PATH that set_env wrote is the rest */
	for (size_t i = 0; i < e->n_set_env; i++)
		if (strcmp(e->set_env[i].key, "PATH") == 0)
			path = e->set_env[i].value;
	newpath = *path ? xconcat(bin, ":", path, NULL) : xstrdup(bin);
	put(out, &index, "PATH", 4, newpath);
	put(out, &index, "VIRTUAL_ENV", 11, e->env_dir);
	put(out, &index, "TOX_ENV_NAME", 12, e->name);
	put(out, &index, "TOX_ENV_DIR", 11, e->env_dir);
	put(out, &index, "TOX_WORK_DIR", 12, work_dir);
	if (mode == 4) {
		/* tox 4 sets these over anything set_env says */
		put(out, &index, "PYTHONIOENCODING", 16, "utf-8");
		put(out, &index, "PIP_USER", 8, "0");
	} else if (mode == 33) {
		put(out, &index, "PIP_USER", 8, "0");
		put(out, &index, "PIP_NO_DEPS", 11, "0");
	}
	free(newpath);
	free(bin);
	strmap_clear(&index);
}

void envvars_build(const struct toxenv *e, const char *work_dir, int tox3, char *const *environ_, struct strvec *out)
{
	build(e, work_dir, tox3 ? 3 : 4, environ_, out);
}

void envvars_build_install_tox3(const struct toxenv *e, const char *work_dir, char *const *environ_, struct strvec *out)
{
	build(e, work_dir, 33, environ_, out);
}

void envvars_set(struct strvec *envp, const char *key, const char *value)
{
	size_t n = strlen(key), i = 0;

	if (!envp->n)
		return;
	while (i < envp->n && !(strncmp(envp->v[i], key, n) == 0 && envp->v[i][n] == '='))
		i++;
	if (i < envp->n)
		strvec_remove(envp, i);
	strvec_push_owned(envp, xconcat(key, "=", value, NULL));
}
