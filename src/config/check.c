#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "envctx.h"
#include "ini.h"
#include "keys.h"
#include "tox.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Why read_file() failed, in words. */
static const char *why(int e)
{
	if (e == EINVAL)
		return "not a regular file";
	if (e == EFBIG)
		return "larger than any requirements file should be";
	return strerror(e);
}

/* Nested requirement files deeper than this are a loop, not a project. */
#define MAX_INCLUDE 10

/* "-r file", "-rfile", "--requirement file", "--requirement=file" (and -c): the file, or NULL. */
static char *requirement_file(const char *line)
{
	static const char *const opts[] = { "--requirement", "--constraint", "-r", "-c", NULL };
	const char *p = line;

	while (isspace((unsigned char)*p))
		p++;
	for (int i = 0; opts[i]; i++) {
		size_t n = strlen(opts[i]);
		if (strncmp(p, opts[i], n) != 0)
			continue;
		const char *a = p + n;
		if (n > 2 && *a != '=' && !isspace((unsigned char)*a))
			continue;
		while (*a == '=' || isspace((unsigned char)*a))
			a++;
		if (!*a)
			return NULL;
		/* the path ends at unescaped whitespace; "\ " is a space in it */
		struct strbuf sb = STRBUF_INIT;
		for (; *a && !isspace((unsigned char)*a); a++) {
			if (a[0] == '\\' && a[1] && isspace((unsigned char)a[1]))
				a++;
			strbuf_addch(&sb, *a);
		}
		return strbuf_detach(&sb);
	}
	return NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

/* Check the requirement files file includes (each once: includes may form cycles), reporting against file's lines. */
static int check_included(const char *file, int depth, const char *env, struct strvec *out, struct strvec *seen)
{
	char *text, *dir, *real = realpath(file, NULL);
	int problems = 0, lineno = 0;

	if (!real || strvec_find(seen, real) >= 0 || depth > MAX_INCLUDE) {
		free(real);
		return 0;
	}
	strvec_push_owned(seen, real);
	text = read_file(file, NULL);
	if (!text)
		return 0;
	dir = dir_of(file);
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n), *req = requirement_file(line);
		lineno++;
		if (req) {
			char *full = *req == '/' ? xstrdup(req) : xconcat(dir, "/", req, NULL);
			char *sub = read_file(full, NULL);
			if (!sub) {
				strvec_push_owned(out, xasprintf("%s:%d:%d: requirement file '%s' (needed by env '%s') cannot be read: %s; create it or fix the path",
								 file, lineno, (int)(strstr(line, req) ? strstr(line, req) - line : 0) + 1,
								 full, env, why(errno)));
				problems++;
			} else {
				free(sub);
				problems += check_included(full, depth + 1, env, out, seen);
			}
			free(full);
			free(req);
		}
		free(line);
		p += n + (nl ? 1 : 0);
	}
	free(dir);
	free(text);
	return problems;
}

/* Where key is written for env (its entry), or NULL when nothing sets it. */
static const struct ini_entry *written(struct tox *t, const char *env, const char *key)
{
	const struct ini_entry *e = NULL;
	char *raw = envctx_raw(envctx_get(t, env), key, &e);

	free(raw);
	return e;
}

/* The requirement files of e's deps, and theirs: problems to out, each file read to seen (real paths). */
static int check_deps(struct tox *t, const struct toxenv *e, struct strvec *out, struct strvec *seen)
{
	const struct ini_entry *deps = written(t, e->name, "deps");
	int problems = 0;

	for (size_t i = 0; i < e->deps.n; i++) {
		char *req = requirement_file(e->deps.v[i]);
		if (!req)
			continue;
		char *full = *req == '/' ? xstrdup(req) : xconcat(t->toxinidir, "/", req, NULL);
		char *text = read_file(full, NULL);
		if (!text) {
			int line = 0, col = 0;
			if (deps && !ini_find_text(deps, req, strlen(req), &line, &col)) {
				/* written through a substitution ({toxinidir}/x.txt): look for the file name */
				const char *base = strrchr(req, '/') ? strrchr(req, '/') + 1 : req;
				ini_find_text(deps, base, strlen(base), &line, &col);
			}
			strvec_push_owned(out, xasprintf("%s:%d:%d: requirement file '%s' of env '%s' cannot be read: %s; create it or fix the path in deps",
							 t->path, line, col, full, e->name, why(errno)));
			problems++;
		} else {
			free(text);
			problems += check_included(full, 1, e->name, out, seen);
		}
		free(full);
		free(req);
	}
	return problems;
}

void tox_env_requirement_files(struct tox *t, const struct toxenv *e, struct strvec *files)
{
	struct strvec problems = STRVEC_INIT;

	check_deps(t, e, &problems, files);
	strvec_clear(&problems);
}

int tox_env_check(struct tox *t, const struct toxenv *e, struct strvec *out)
{
	struct strvec seen = STRVEC_INIT;
	int problems = check_deps(t, e, out, &seen);

	for (size_t i = 0; i < e->errors.n; i++) {
		const char *tab = strchr(e->errors.v[i], '\t');
		char *key = tab ? xstrndup(e->errors.v[i], (size_t)(tab - e->errors.v[i])) : xstrdup("");
		const struct ini_entry *where = written(t, e->name, key);
		if (where)
			strvec_push_owned(out, xasprintf("%s:%d:%d: env '%s': %s", t->path, where->line, where->col,
							 e->name, tab ? tab + 1 : e->errors.v[i]));
		else
			strvec_push_owned(out, xasprintf("%s: env '%s': %s", t->path, e->name, tab ? tab + 1 : e->errors.v[i]));
		free(key);
		problems++;
	}
	strvec_clear(&seen);
	return problems;
}
