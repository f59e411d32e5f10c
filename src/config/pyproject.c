/* What tox reads of pyproject.toml besides its own configuration: dependency groups (PEP 735). */
#include "pyproject.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "toml.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

char *pyname_normalise(const char *name, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (ch == '-' || ch == '_' || ch == '.') {
			if (!sb.len || sb.buf[sb.len - 1] != '-')
				strbuf_addch(&sb, '-');
			continue;
		}
		strbuf_addch(&sb, (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch));
	}
	return strbuf_detach(&sb);
}

struct groups {
	const struct toml_doc *doc;
	const struct toml_table *table;		/* [dependency-groups] */
	const struct toml_table *extras;	/* [project.optional-dependencies], or NULL */
	char *project;				/* [project] name, normalised, or NULL */
	struct strvec stack;			/* the groups being resolved, for cycles */
	struct diag *d;
};

/* The value of group name (normalised) in [dependency-groups], or NULL. */
static const struct toml_value *find_group(const struct groups *g, const char *name)
{
	for (size_t i = 0; i < toml_table_len(g->table); i++) {
		const struct toml_kv *kv = toml_table_at(g->table, i);
		char *n = pyname_normalise(kv->key, kv->keylen);
		int same = strcmp(n, name) == 0;
		free(n);
		if (same)
			return &kv->value;
	}
	return NULL;
}

/*
 * A requirement naming the project itself with extras ("proj[test]"): the
 * extras' optional dependencies go in its place (1); else 0.
 */
static int self_reference(struct groups *g, const char *req, struct strvec *out)
{
	const char *bracket = strchr(req, '[');
	size_t n = strcspn(req, "[ ;<>=!~");

	if (!g->project || !g->extras || !bracket || (size_t)(bracket - req) != n)
		return 0;
	char *name = pyname_normalise(req, n);
	int self = strcmp(name, g->project) == 0;
	free(name);
	if (!self)
		return 0;
	const char *end = strchr(bracket, ']');
	if (!end)
		return 0;
	char *list = xstrndup(bracket + 1, (size_t)(end - bracket - 1));
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		while (*tok == ' ')
			tok++;
		size_t len = strlen(tok);
		while (len && tok[len - 1] == ' ')
			tok[--len] = '\0';
		char *x = pyname_normalise(tok, len);
		for (size_t i = 0; i < toml_table_len(g->extras); i++) {
			const struct toml_kv *kv = toml_table_at(g->extras, i);
			char *k = pyname_normalise(kv->key, kv->keylen);
			if (strcmp(k, x) == 0)
				toml_string_array(g->doc, &kv->value, "project.optional-dependencies", out, NULL);
			free(k);
		}
		free(x);
	}
	free(list);
	return 1;
}

static int resolve(struct groups *g, const char *name, const struct toml_value *at, struct strvec *out)
{
	const struct toml_value *v = find_group(g, name);

	if (!v)
		return toml_diag(g->d, g->doc, at, "dependency group '%s' not found", name);
	if (strvec_find(&g->stack, name) >= 0) {
		struct strbuf path = STRBUF_INIT;
		for (size_t i = 0; i < g->stack.n; i++)
			strbuf_addf(&path, "%s -> ", g->stack.v[i]);
		strbuf_adds(&path, name);
		toml_diag(g->d, g->doc, at, "Cyclic dependency group include: %s", strbuf_str(&path));
		strbuf_release(&path);
		return -1;
	}
	if (toml_array_len(v) == 0 && v->type != TOML_ARRAY)
		return toml_diag(g->d, g->doc, v, "dependency group '%s' must be an array, found %s", name,
				 toml_type_name(v->type));
	strvec_push(&g->stack, name);
	for (size_t i = 0; i < toml_array_len(v); i++) {
		const struct toml_value *item = toml_array_at(v, i);
		const char *req = toml_string(item);
		const struct toml_table *t = toml_table(item);
		if (req) {
			if (!self_reference(g, req, out))
				strvec_push(out, req);
			continue;
		}
		const char *inc = t ? toml_string(toml_get(t, "include-group")) : NULL;
		if (!inc) {
			g->stack.n--;
			free(g->stack.v[g->stack.n]);
			g->stack.v[g->stack.n] = NULL;
			return toml_diag(g->d, g->doc, item, "dependency group '%s': write a requirement string or "
					 "{include-group = \"NAME\"}", name);
		}
		char *n = pyname_normalise(inc, strlen(inc));
		int rc = resolve(g, n, item, out);
		free(n);
		if (rc < 0)
			return -1;
	}
	g->stack.n--;
	free(g->stack.v[g->stack.n]);
	g->stack.v[g->stack.n] = NULL;
	return 0;
}

int pyproject_dependency_groups(const char *root, const struct strvec *groups, struct strvec *out, struct diag *d)
{
	struct toml_doc doc = { 0 };
	struct strvec reqs = STRVEC_INIT;
	char *path, *text;
	size_t len;
	int rc = 0;

	if (!groups->n)
		return 0;
	path = xconcat(root, "/pyproject.toml", NULL);
	text = read_file(path, &len);
	if (!text) {
		rc = errno == ENOENT ? 0 : diag_set(d, path, 0, 0, "cannot read it: %s", strerror(errno));
		free(path);
		return rc;
	}
	if (toml_parse(&doc, path, text, len, d) < 0) {
		free(text);
		free(path);
		return -1;
	}
	struct groups g = { .doc = &doc, .d = d };
	g.table = toml_table(toml_get(doc.root, "dependency-groups"));
	g.extras = toml_table(toml_get_path(doc.root, "project.optional-dependencies"));
	const char *project = toml_string(toml_get_path(doc.root, "project.name"));
	g.project = project ? pyname_normalise(project, strlen(project)) : NULL;
	if (!g.table) {
		rc = diag_set(d, path, 0, 0, "no dependency groups defined in %s: add a [dependency-groups] table, "
			      "or drop dependency_groups", path);
	}
	for (size_t i = 0; i < groups->n && rc == 0; i++) {
		char *n = pyname_normalise(groups->v[i], strlen(groups->v[i]));
		rc = resolve(&g, n, NULL, &reqs);
		free(n);
	}
	if (rc == 0) {
		strvec_sort(&reqs);
		for (size_t i = 0; i < reqs.n; i++)
			if (strvec_find(out, reqs.v[i]) < 0)
				strvec_push(out, reqs.v[i]);
	}
	strvec_clear(&reqs);
	strvec_clear(&g.stack);
	free(g.project);
	toml_release(&doc);
	free(text);
	free(path);
	return rc;
}
