#define _GNU_SOURCE	/* strverscmp */
#include "def.h"

#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../config/diag.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../util/strbuf.h"
#include "../util/util.h"

#define PREFIX "blitz:service:"

static int newest_first(const void *a, const void *b)
{
	return strverscmp(*(char *const *)b, *(char *const *)a);
}

/* Each line of value a folder or a glob of folders; those that exist go into out, newest version first. */
static void expand_path(const char *value, struct strvec *out)
{
	struct strvec lines = STRVEC_INIT;

	strvec_split(&lines, value, "\n", 0);
	for (size_t i = 0; i < lines.n; i++) {
		glob_t g;
		if (!lines.v[i][0] || glob(lines.v[i], GLOB_ONLYDIR, NULL, &g) != 0)
			continue;
		qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), newest_first);
		for (size_t k = 0; k < g.gl_pathc; k++)
			strvec_push(out, g.gl_pathv[k]);
		globfree(&g);
	}
	strvec_clear(&lines);
}

/* The non-empty lines of value. */
static void lines_of(const char *value, struct strvec *out)
{
	struct strvec all = STRVEC_INIT;

	strvec_split(&all, value, "\n", 0);
	for (size_t i = 0; i < all.n; i++) {
		const char *s = all.v[i];
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s)
			strvec_push(out, s);
	}
	strvec_clear(&all);
}

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

char *svc_subst(const struct svc_def *def, const char *raw, const struct svc_vars *v, char *err, size_t errsz)
{
	struct strbuf out = STRBUF_INIT;

	for (const char *s = raw; *s;) {
		if (*s == '\\' && (s[1] == '{' || s[1] == '}')) {
			strbuf_addch(&out, s[1]);
			s += 2;
			continue;
		}
		if (*s != '{') {
			strbuf_addch(&out, *s++);
			continue;
		}
		const char *end = strchr(s, '}');
		if (!end) {
			snprintf(err, errsz, "'{' without its '}' in: %s", raw);
			strbuf_release(&out);
			return NULL;
		}
		char *key = xstrndup(s + 1, (size_t)(end - s - 1));
		if (strcmp(key, "port") == 0) {
			strbuf_addf(&out, "%d", v->port);
		} else if (strcmp(key, "host") == 0) {
			strbuf_addf(&out, "127.0.0.1");
		} else if (strcmp(key, "service_dir") == 0) {
			strbuf_add(&out, v->dir, strlen(v->dir));
		} else if (strcmp(key, "slot") == 0) {
			strbuf_addf(&out, "%zu", v->slot);
		} else if (strcmp(key, "name") == 0) {
			strbuf_add(&out, def->name, strlen(def->name));
		} else if (strcmp(key, "toxinidir") == 0 || strcmp(key, "tox_root") == 0) {
			strbuf_add(&out, v->toxinidir, strlen(v->toxinidir));
		} else if (strncmp(key, "env:", 4) == 0) {
			char *name = key + 4, *dflt = strchr(name, ':');
			if (dflt)
				*dflt++ = '\0';
			const char *val = getenv(name);
			const char *put = val ? val : dflt ? dflt : "";
			strbuf_add(&out, put, strlen(put));
		} else {
			snprintf(err, errsz, "unknown substitution {%s}: a service knows {port}, {host}, {service_dir}, "
				 "{slot}, {name}, {toxinidir} and {env:KEY[:default]}", key);
			free(key);
			strbuf_release(&out);
			return NULL;
		}
		free(key);
		s = end + 1;
	}
	return strbuf_detach(&out);
}

int svc_words(const struct svc_def *def, const char *raw, const struct svc_vars *v, struct strvec *out, char *err,
	      size_t errsz)
{
	char *s = svc_subst(def, raw, v, err, errsz);

	if (!s)
		return -1;
	int rc = shlex_split(s, out, 0, NULL);
	free(s);
	if (rc < 0 || !out->n) {
		snprintf(err, errsz, rc < 0 ? "unbalanced quotes in: %s" : "an empty command", raw);
		strvec_clear(out);
		return -1;
	}
	return 0;
}

/* Check that every line of raw substitutes and splits; -1 with d filled at line. */
static int check_commands(const char *file, struct svc_def *def, const struct strvec *lines, int line, struct diag *d)
{
	struct svc_vars v = { 1, "/x", 0, "/x" };
	char err[300];

	for (size_t i = 0; i < lines->n; i++) {
		struct strvec w = STRVEC_INIT;
		if (svc_words(def, lines->v[i], &v, &w, err, sizeof(err)) < 0)
			return diag_set(d, file, line, 1, "[%s%s]: %s", PREFIX, def->name, err);
		strvec_clear(&w);
	}
	return 0;
}

static int load_one(struct tox *t, const struct ini_section *sec, struct svc_def *def, struct diag *d)
{
	char err[300];
	const char *name = sec->name + strlen(PREFIX);

	def->name = xstrdup(name);
	def->ready_timeout = 30;
	if (!*name || name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")])
		return diag_set(d, t->path, sec->line, 1, "[%s]: name the service with letters, digits, '-' or '_' "
				"after '%s'", sec->name, PREFIX);
	for (size_t i = 0; i < sec->n; i++) {
		const struct ini_entry *e = &sec->entries[i];
		const char *k = e->key;
		if (strcmp(k, "path") == 0) {
			/* known before any instance: {toxinidir} and {env:KEY} */
			struct svc_vars v = { 0, "", 0, t->toxinidir };
			char *value = svc_subst(def, e->value, &v, err, sizeof(err));
			if (!value)
				return diag_set(d, t->path, e->line, e->col, "[%s] path: %s", sec->name, err);
			expand_path(value, &def->path);
			free(value);
		} else if (strcmp(k, "user") == 0) {
			free(def->user);
			def->user = e->value[0] ? xstrdup(e->value) : NULL;
			if (def->user && getuid() == 0 && !getpwnam(def->user))
				return diag_set(d, t->path, e->line, e->col, "[%s] user = %s: there is no such user on this "
						"machine: create it, or name another", sec->name, def->user);
		} else if (strcmp(k, "setup") == 0) {
			lines_of(e->value, &def->setup);
			def->setup_line = e->line;
		} else if (strcmp(k, "command") == 0) {
			struct strvec l = STRVEC_INIT;
			lines_of(e->value, &l);
			if (l.n != 1) {
				strvec_clear(&l);
				return diag_set(d, t->path, e->line, e->col, "[%s] command: write the one command that "
						"runs the server in the foreground", sec->name);
			}
			free(def->command);
			def->command = xstrdup(l.v[0]);
			def->command_line = e->line;
			strvec_clear(&l);
		} else if (strcmp(k, "ready") == 0) {
			const char *v = e->value;
			def->ready_line = e->line;
			free(def->ready_arg);
			if (strncmp(v, "tcp", 3) == 0 && (v[3] == ' ' || v[3] == '\t')) {
				def->ready = SVC_READY_TCP;
				def->ready_arg = trimmed(v + 4, strlen(v + 4));
			} else if (strncmp(v, "unix", 4) == 0 && (v[4] == ' ' || v[4] == '\t')) {
				def->ready = SVC_READY_UNIX;
				def->ready_arg = trimmed(v + 5, strlen(v + 5));
			} else if (strncmp(v, "cmd", 3) == 0 && (v[3] == ' ' || v[3] == '\t')) {
				def->ready = SVC_READY_CMD;
				def->ready_arg = trimmed(v + 4, strlen(v + 4));
			} else {
				def->ready_arg = NULL;
				return diag_set(d, t->path, e->line, e->col, "[%s] ready = %s: write 'unix PATH' (the "
						"socket accepts connections), 'tcp {port}' (the port does) or 'cmd COMMAND' "
						"(COMMAND exits 0)", sec->name, v);
			}
		} else if (strcmp(k, "ready_timeout") == 0) {
			char *end;
			def->ready_timeout = strtod(e->value, &end);
			if (end == e->value || *end || def->ready_timeout <= 0)
				return diag_set(d, t->path, e->line, e->col, "[%s] ready_timeout = %s: write the seconds "
						"to wait, a number above 0", sec->name, e->value);
		} else if (strcmp(k, "pass_env") == 0) {
			/* names (or globs) of blitz's environment the service's commands get too */
			char *copy = xstrdup(e->value), *save = NULL;
			for (char *w = strtok_r(copy, ", \t\n", &save); w; w = strtok_r(NULL, ", \t\n", &save))
				strvec_push(&def->pass_env, w);
			free(copy);
		} else if (strcmp(k, "reset") == 0) {
			lines_of(e->value, &def->reset);
			def->reset_line = e->line;
		} else if (strcmp(k, "env") == 0) {
			struct strvec l = STRVEC_INIT;
			lines_of(e->value, &l);
			def->env_line = e->line;
			for (size_t k2 = 0; k2 < l.n; k2++) {
				const char *eq = strchr(l.v[k2], '=');
				if (!eq || eq == l.v[k2]) {
					int line = ini_value_line(e, k2 + (e->value[0] == '\n'));
					strvec_clear(&l);
					return diag_set(d, t->path, line, 1, "[%s] env: write KEY = VALUE on each line",
							sec->name);
				}
				strvec_push_owned(&def->env_keys, trimmed(l.v[k2], (size_t)(eq - l.v[k2])));
				strvec_push_owned(&def->env_values, trimmed(eq + 1, strlen(eq + 1)));
			}
			strvec_clear(&l);
		} else {
			return diag_set(d, t->path, e->line, 1, "[%s]: unknown key '%s' (a service has path, user, setup, "
					"command, ready, ready_timeout, reset, env and pass_env)", sec->name, k);
		}
	}
	if (!def->command)
		return diag_set(d, t->path, sec->line, 1, "[%s]: no command: write the command that runs the server",
				sec->name);
	if (!def->ready_arg)
		return diag_set(d, t->path, sec->line, 1, "[%s]: no ready: write 'ready = unix PATH', 'ready = tcp {port}' "
				"or 'ready = cmd COMMAND', how blitz knows the server is up", sec->name);
	struct strvec one = STRVEC_INIT;
	strvec_push(&one, def->command);
	int rc = check_commands(t->path, def, &one, def->command_line, d);
	strvec_clear(&one);
	if (rc < 0 || check_commands(t->path, def, &def->setup, def->setup_line, d) < 0 ||
	    check_commands(t->path, def, &def->reset, def->reset_line, d) < 0)
		return -1;
	struct svc_vars v = { 1, "/x", 0, "/x" };
	for (size_t i = 0; i <= def->env_values.n; i++) {
		const char *raw = i < def->env_values.n ? def->env_values.v[i] : def->ready_arg;
		char *s = svc_subst(def, raw, &v, err, sizeof(err));
		if (!s)
			return diag_set(d, t->path, i < def->env_values.n ? def->env_line : def->ready_line, 1,
					"[%s]: %s", sec->name, err);
		free(s);
	}
	return 0;
}

int svc_defs_load(struct tox *t, struct svc_defs *out, struct diag *d)
{
	for (size_t i = 0; i < t->ini.n; i++) {
		const struct ini_section *sec = &t->ini.sections[i];
		if (strncmp(sec->name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		struct svc_def *def = &out->v[out->n++];
		memset(def, 0, sizeof(*def));
		if (load_one(t, sec, def, d) < 0)
			return -1;
	}
	return 0;
}

const struct svc_def *svc_def_find(const struct svc_defs *defs, const char *name)
{
	for (size_t i = 0; i < defs->n; i++)
		if (strcmp(defs->v[i].name, name) == 0)
			return &defs->v[i];
	return NULL;
}

void svc_defs_release(struct svc_defs *defs)
{
	for (size_t i = 0; i < defs->n; i++) {
		struct svc_def *def = &defs->v[i];
		free(def->name);
		free(def->user);
		free(def->command);
		free(def->ready_arg);
		strvec_clear(&def->path);
		strvec_clear(&def->setup);
		strvec_clear(&def->reset);
		strvec_clear(&def->pass_env);
		strvec_clear(&def->env_keys);
		strvec_clear(&def->env_values);
	}
	free(defs->v);
	memset(defs, 0, sizeof(*defs));
}
