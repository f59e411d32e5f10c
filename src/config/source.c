#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "../util/strbuf.h"
#include "../util/util.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int line_of(const char *text, const char *at)
{
	int n = 1;

	for (const char *p = text; p < at; p++)
		n += *p == '\n';
	return n;
}

/* Decode a TOML string body [s, e) (basic when basic, else literal) into out. */
static void toml_decode(const char *s, const char *e, int basic, struct strbuf *out)
{
	while (s < e) {
		if (!basic || *s != '\\') {
			strbuf_addch(out, *s++);
			continue;
		}
		s++;
		if (s >= e)
			break;
		switch (*s) {
		case 'n': strbuf_addch(out, '\n'); s++; break;
		case 't': strbuf_addch(out, '\t'); s++; break;
		case 'r': strbuf_addch(out, '\r'); s++; break;
		case 'b': strbuf_addch(out, '\b'); s++; break;
		case 'f': strbuf_addch(out, '\f'); s++; break;
		case '"': strbuf_addch(out, '"'); s++; break;
		case '\\': strbuf_addch(out, '\\'); s++; break;
		case ' ': case '\t': case '\r': case '\n': {
			/* line-ending backslash: drop it and all whitespace up to the next text */
			const char *p = s;
			while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p < e && *p == '\n') {
				while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
					p++;
				s = p;
			} else {
				strbuf_addch(out, '\\');
			}
			break;
		}
		default:
			strbuf_addch(out, '\\');
			strbuf_addch(out, *s++);
		}
	}
}

char *source_pyproject_ini(const char *path, const char *text, struct diag *d, int *err)
{
	const char *p = text, *table = NULL;

	*err = 0;
	/* find the [tool.tox] table header at the start of a line */
	while (*p) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '[' && q[1] != '[') {
			const char *a = q + 1, *b;
			while (*a == ' ')
				a++;
			b = a;
			while (*b && *b != ']' && *b != '\n')
				b++;
			const char *be = b;
			while (be > a && be[-1] == ' ')
				be--;
			if (*b == ']') {
				if (table)
					break;	/* the next table ends [tool.tox] */
				if ((size_t)(be - a) == 8 && strncmp(a, "tool.tox", 8) == 0)
					table = b + 1;
			}
		} else if (table && strncmp(q, "legacy_tox_ini", 14) == 0) {
			const char *v = q + 14;
			while (*v == ' ' || *v == '\t')
				v++;
			if (*v != '=')
				goto next;
			v++;
			while (*v == ' ' || *v == '\t')
				v++;
			int basic = *v == '"';
			if (*v != '"' && *v != '\'') {
				*err = 1;
				diag_set(d, path, line_of(text, v), (int)(v - p) + 1,
					 "legacy_tox_ini must be a string: write legacy_tox_ini = \"\"\"...\"\"\"");
				return NULL;
			}
			const char *delim = basic ? "\"\"\"" : "'''";
			size_t dl = strncmp(v, delim, 3) == 0 ? 3 : 1;
			const char *body = v + dl, *end;
			if (dl == 3 && *body == '\n')
				body++;
			else if (dl == 3 && body[0] == '\r' && body[1] == '\n')
				body += 2;
			if (dl == 3) {
				end = strstr(body, delim);
			} else {
				end = body;
				while (*end && *end != v[0] && *end != '\n')
					end += (basic && *end == '\\' && end[1]) ? 2 : 1;
				if (*end != v[0])
					end = NULL;
			}
			if (!end) {
				*err = 1;
				diag_set(d, path, line_of(text, v), (int)(v - p) + 1,
					 "legacy_tox_ini string is not terminated: close it with %s", dl == 3 ? delim : (basic ? "\"" : "'"));
				return NULL;
			}
			struct strbuf out = STRBUF_INIT;
			/* pad so that INI line numbers are the file's line numbers */
			for (int i = 1; i < line_of(text, body); i++)
				strbuf_addch(&out, '\n');
			toml_decode(body, end, basic, &out);
			return strbuf_detach(&out);
		}
next:
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return NULL;
}

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Try to use file as the configuration; explicit: the user named it, so accept it whatever it holds. */
static int try_file(const char *file, int explicit, struct source *src, struct diag *d)
{
	const char *bn = base_name(file);
	size_t len;
	char *text = read_file(file, &len);

	if (!text) {
		if (explicit)
			return diag_set(d, file, 0, 0, "cannot read the configuration: %s", strerror(errno));
		return 0;
	}
	if (strcmp(bn, "setup.cfg") == 0) {
		if (!explicit && !strstr(text, "[tox:tox]")) {
			free(text);
			return 0;
		}
		src->kind = SOURCE_SETUP_CFG;
	} else if (strcmp(bn, "pyproject.toml") == 0) {
		int err;
		char *ini = source_pyproject_ini(file, text, d, &err);
		free(text);
		if (err)
			return -1;
		if (!ini) {
			if (explicit)
				return diag_set(d, file, 0, 0,
						"no [tool.tox] legacy_tox_ini in this file: blitz reads tox's INI format (tox.ini, setup.cfg [tox:tox], or legacy_tox_ini)");
			return 0;
		}
		text = ini;
		len = strlen(ini);
		src->kind = SOURCE_PYPROJECT;
	} else {
		src->kind = strcmp(bn, "setup.cfg") == 0 ? SOURCE_SETUP_CFG : SOURCE_TOX_INI;
	}
	src->path = xstrdup(file);
	src->text = text;
	src->len = len;
	return 1;
}

int source_find(const char *path, struct source *src, struct diag *d)
{
	static const char *const names[] = { "tox.ini", "setup.cfg", "pyproject.toml" };
	char dir[PATH_MAX];
	struct stat st;

	memset(src, 0, sizeof(*src));
	if (path && stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *abs = realpath(path, NULL);
		int rc = try_file(abs ? abs : path, 1, src, d);
		free(abs);
		return rc < 0 ? -1 : 0;
	}
	if (path && stat(path, &st) != 0)
		return diag_set(d, path, 0, 0, "no such file or folder: pass -c with the path of your tox.ini");
	if (!realpath(path ? path : ".", dir))
		return diag_set(d, path ? path : ".", 0, 0, "cannot resolve the folder: %s", strerror(errno));
	for (;;) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			char *file = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, names[i]);
			int rc = is_file(file) ? try_file(file, 0, src, d) : 0;
			free(file);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return 0;
		}
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (strcmp(dir, "/") == 0)
				break;
			strcpy(dir, "/");
			continue;
		}
		*slash = '\0';
	}
	if (!realpath(path ? path : ".", dir))
		snprintf(dir, sizeof(dir), "%s", path ? path : ".");
	return diag_set(d, dir, 0, 0,
			"no tox.ini, setup.cfg with [tox:tox] or pyproject.toml with legacy_tox_ini here or in any parent folder: run blitz inside your project or pass -c FILE");
}

void source_release(struct source *src)
{
	free(src->path);
	free(src->text);
	memset(src, 0, sizeof(*src));
}
