/*
 * blitz config in tox 4.58's layout: which keys tox shows for a run env, a
 * packaging env and the core, in its order, each value stringified as tox
 * does (text) or turned into the JSON value tox writes.
 */
#include "showconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pyvalue.h"
#include "../config/factor.h"
#include "../config/keys.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* One key of a section and its value. */
struct pair {
	const char *key;
	struct pyvalue v;
};

struct pairs {
	struct pair *v;
	size_t n, alloc;
	struct strvec known;	/* every spelling of the keys in v, for the unused ones */
};

static struct pyvalue *add(struct pairs *ps, const char *key, enum pv_kind kind)
{
	struct pair *p;

	ps->v = xgrow(ps->v, &ps->alloc, ps->n + 1, sizeof(*ps->v));
	p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	p->key = key;
	p->v.kind = kind;
	strvec_push(&ps->known, key);
	const struct keydef *k = key_lookup(key);
	if (k && k->alias && strcmp(k->name, key) == 0)
		strvec_push(&ps->known, k->alias);
	return &p->v;
}

static void add_str(struct pairs *ps, const char *key, const char *s)
{
	add(ps, key, PV_STR)->s = xstrdup(s ? s : "");
}

static void add_bool(struct pairs *ps, const char *key, int b)
{
	add(ps, key, PV_BOOL)->i = b != 0;
}

static void add_int(struct pairs *ps, const char *key, long i)
{
	add(ps, key, PV_INT)->i = i;
}

static void add_float(struct pairs *ps, const char *key, double f)
{
	add(ps, key, PV_FLOAT)->f = f;
}

static void add_list(struct pairs *ps, const char *key, const struct strvec *items)
{
	strvec_extend(&add(ps, key, PV_LIST)->a, items);
}

/* A set: tox sorts it to print it. */
static void add_sorted(struct pairs *ps, const char *key, const struct strvec *items)
{
	struct pyvalue *v = add(ps, key, PV_LIST);

	strvec_extend(&v->a, items);
	strvec_sort(&v->a);
}

static void pairs_release(struct pairs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		pyvalue_release(&ps->v[i].v);
	free(ps->v);
	strvec_clear(&ps->known);
	memset(ps, 0, sizeof(*ps));
}

/* A command as tox shows it: each word shell-quoted, joined with spaces. */
static char *shell_line(const struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < argv->n; i++) {
		char *q = shlex_quote(argv->v[i]);
		strbuf_adds(&sb, i ? " " : "");
		strbuf_adds(&sb, q);
		free(q);
	}
	return strbuf_detach(&sb);
}

static void add_commands(struct pairs *ps, const char *key, const struct tox_commands *cs)
{
	struct pyvalue *v = add(ps, key, PV_LIST);

	for (size_t i = 0; i < cs->n; i++)
		strvec_push_owned(&v->a, shell_line(&cs->v[i].argv));
}

static void add_command(struct pairs *ps, const char *key, const struct strvec *argv)
{
	add(ps, key, PV_STR)->s = shell_line(argv);
}

/*
 * install_command as tox 4.58 shows it: {opts} taken out, or --pre in its
 * place with pip_pre (appended when the command has no {opts}); tox's own
 * default runs "python -E" for a Python 2.
 */
static char *install_command(const struct toxenv *e)
{
	static const char *const dflt[] = { "python", "-I", "-m", "pip", "install", "{opts}", "{packages}", NULL };
	struct strvec argv = STRVEC_INIT;
	int opts = 0, is_default = e->install_command.n == 7;
	char *line;

	for (size_t i = 0; is_default && i < 7; i++)
		is_default = strcmp(e->install_command.v[i], dflt[i]) == 0;

	for (size_t i = 0; i < e->install_command.n; i++) {
		const char *w = e->install_command.v[i];
		if (strcmp(w, "{opts}") == 0) {
			opts = 1;
			if (e->pip_pre)
				strvec_push(&argv, "--pre");
			continue;
		}
		if (i == 1 && strcmp(w, "-I") == 0 && starts_with(e->py_dot_ver, "2."))
			w = "-E";
		strvec_push(&argv, w);
	}
	/*
	 * tox post-processes its own default twice: once made, once read, so
	 * with pip_pre it gets a second --pre at the end
	 */
	if (e->pip_pre && (!opts || is_default))
		strvec_push(&argv, "--pre");
	line = shell_line(&argv);
	strvec_clear(&argv);
	return line;
}

static void add_set_env(struct pairs *ps, const struct toxenv *e)
{
	struct pyvalue *v = add(ps, "set_env", PV_MAP);

	for (size_t i = 0; i < e->n_set_env; i++) {
		strvec_push(&v->a, e->set_env[i].key);
		strvec_push(&v->b, e->set_env[i].value);
	}
}

/* extras as tox keeps them: a set of normalised names ("Test_X" -> "test-x"). */
static void add_extras(struct pairs *ps, const struct toxenv *e)
{
	struct strvec norm = STRVEC_INIT;

	for (size_t i = 0; i < e->extras.n; i++) {
		struct strbuf sb = STRBUF_INIT;
		for (const char *p = e->extras.v[i]; *p; p++) {
			if (*p == '-' || *p == '_' || *p == '.') {
				while (p[1] == '-' || p[1] == '_' || p[1] == '.')
					p++;
				strbuf_addch(&sb, '-');
			} else {
				strbuf_addch(&sb, (char)tolower((unsigned char)*p));
			}
		}
		if (strvec_find(&norm, strbuf_str(&sb)) < 0)
			strvec_push(&norm, strbuf_str(&sb));
		strbuf_release(&sb);
	}
	add_sorted(ps, "extras", &norm);
	strvec_clear(&norm);
}

/* The keys every tox 4.58 env has, from its type down to the interpreter's facts. */
static void env_common(struct pairs *ps, struct tox *t, const struct toxenv *e)
{
	char *constraints = xconcat("-c ", t->toxinidir, "/tox.ini", NULL);

	add_str(ps, "env_name", e->name);
	add_sorted(ps, "labels", &e->labels);
	add_str(ps, "env_dir", e->env_dir);
	add_str(ps, "env_tmp_dir", e->env_tmp_dir);
	add_str(ps, "env_log_dir", e->env_log_dir);
	add_float(ps, "suicide_timeout", e->suicide_timeout);
	add_float(ps, "interrupt_timeout", e->interrupt_timeout);
	add_float(ps, "terminate_timeout", e->terminate_timeout);
	add_str(ps, "platform", e->platform);
	add_list(ps, "pass_env", &e->pass_env);
	add_list(ps, "disallow_pass_env", &e->disallow_pass_env);
	add_bool(ps, "parallel_show_output", e->parallel_show_output);
	add_bool(ps, "recreate", e->recreate);
	add_list(ps, "allowlist_externals", &e->allowlist_externals);
	add_command(ps, "list_dependencies_command", &e->list_dependencies_command);
	add_bool(ps, "pip_pre", e->pip_pre);
	add(ps, "install_command", PV_STR)->s = install_command(e);
	add(ps, "constraints", PV_STR)->s = constraints;
	add_bool(ps, "constrain_package_deps", e->constrain_package_deps);
	add_bool(ps, "use_frozen_constraints", e->use_frozen_constraints);
}

static void env_python(struct pairs *ps, const struct toxenv *e)
{
	add_list(ps, "default_base_python", &e->default_base_python);
	add_list(ps, "base_python_file", &e->base_python_file);
	add_list(ps, "base_python", &e->base_python);
	add_str(ps, "env_site_packages_dir", e->env_site_packages_dir);
	add_str(ps, "env_site_packages_dir_plat", e->env_site_packages_dir);
	add_str(ps, "env_bin_dir", e->env_bin_dir);
	add_str(ps, "env_python", e->env_python);
	add_str(ps, "py_dot_ver", e->py_dot_ver);
	add_str(ps, "py_impl", e->py_impl);
	add_bool(ps, "py_free_threaded", e->py_free_threaded);
	add_bool(ps, "py_debug", e->py_debug);
}

static void env_virtualenv(struct pairs *ps, const struct toxenv *e)
{
	add_bool(ps, "system_site_packages", e->system_site_packages);
	add_bool(ps, "always_copy", e->always_copy);
	add_bool(ps, "download", e->download);
	add_str(ps, "virtualenv_spec", e->virtualenv_spec);
}

/* A run env (VirtualEnvRunner), its keys in the order tox 4.58 registers them. */
static void run_env_pairs(struct pairs *ps, struct tox *t, const struct toxenv *e)
{
	add_set_env(ps, e);
	add_list(ps, "base", &e->base);
	add_str(ps, "runner", e->runner);
	add_str(ps, "description", e->description);
	add_list(ps, "depends", &e->depends);
	env_common(ps, t, e);
	add_commands(ps, "commands_pre", &e->commands_pre);
	add_commands(ps, "commands", &e->commands);
	add_commands(ps, "commands_post", &e->commands_post);
	add_bool(ps, "interrupt_post_commands", e->interrupt_post_commands);
	add_commands(ps, "recreate_commands", &e->recreate_commands);
	add_str(ps, "change_dir", e->change_dir);
	add_bool(ps, "args_are_paths", e->args_are_paths);
	add_bool(ps, "ignore_errors", e->ignore_errors);
	add_int(ps, "commands_retry", e->commands_retry);
	add_bool(ps, "ignore_outcome", e->ignore_outcome);
	add_bool(ps, "fail_fast", e->fail_fast);
	env_python(ps, e);
	add_list(ps, "deps", &e->deps);
	add_sorted(ps, "dependency_groups", &e->dependency_groups);
	add_extras(ps, e);
	add_str(ps, "pylock", e->pylock);
	add_commands(ps, "extra_setup_commands", &e->extra_setup_commands);
	add_bool(ps, "skip_missing_interpreters", e->skip_missing_interpreters);
	env_virtualenv(ps, e);
	/* what tox registers depends on what the env packages */
	if (!e->no_package)
		add_bool(ps, "skip_install", e->skip_install);
	if (!e->no_package && !e->skip_install)
		add_bool(ps, "use_develop", e->use_develop);
	add_str(ps, "package", e->package_type);
	if (strcmp(e->package_type, "skip") != 0) {
		add_str(ps, "package_env", e->package_env);
		add_str(ps, "package_tox_env_type", strcmp(e->package_type, "external") == 0 ? "virtualenv-cmd-builder"
												 : "virtualenv-pep-517");
	}
	if (*e->wheel_build_env)
		add_str(ps, "wheel_build_env", e->wheel_build_env);
}

/* A packaging env (Pep517VirtualEnvPackager). */
static void package_env_pairs(struct pairs *ps, struct tox *t, const struct toxenv *e)
{
	static const char *const endpoints[] = {
		"get_requires_for_build_sdist", "build_sdist", "get_requires_for_build_wheel",
		"prepare_metadata_for_build_wheel", "build_wheel", "get_requires_for_build_editable",
		"prepare_metadata_for_build_editable", "build_editable", NULL,
	};

	add_set_env(ps, e);
	add_list(ps, "base", &e->base);
	env_common(ps, t, e);
	add_str(ps, "package_root", e->package_root);
	env_python(ps, e);
	env_virtualenv(ps, e);
	add_str(ps, "meta_dir", e->meta_dir);
	add_str(ps, "pkg_dir", e->pkg_dir);
	for (int i = 0; endpoints[i]; i++) {
		char key[96];
		size_t n = strlen(endpoints[i]);
		int set = 0;
		snprintf(key, sizeof(key), "config_settings_%s", endpoints[i]);
		struct pyvalue *v = add(ps, key_lookup(key) ? key_lookup(key)->name : "config_settings", PV_MAP);
		for (size_t k = 0; k < e->config_settings.n; k++) {
			const char *item = e->config_settings.v[k];
			if (strncmp(item, endpoints[i], n) != 0 || (item[n] && item[n] != '\t'))
				continue;
			set = 1;
			if (!item[n])
				continue;
			const char *tab = strchr(item + n + 1, '\t');
			strvec_push_owned(&v->a, xstrndup(item + n + 1, (size_t)(tab - item - n - 1)));
			strvec_push(&v->b, tab + 1);
		}
		if (!set) {
			/* tox's default: None */
			v->kind = PV_STR;
			v->s = xstrdup("None");
		}
	}
	add_bool(ps, "fresh_subprocess", e->fresh_subprocess);
	add_list(ps, "deps", &e->deps);
}

/*
 * A PEP 508 marker as packaging writes it back: one blank between tokens,
 * none inside parentheses, values in double quotes (python_version>'3.8'
 * -> python_version > "3.8").
 */
static void add_marker(struct strbuf *sb, const char *m)
{
	int first = 1, after_paren = 0;

	while (*m) {
		const char *start = m;
		char quoted = 0;
		while (isspace((unsigned char)*m))
			m++;
		if (!*m)
			break;
		start = m;
		if (*m == '\'' || *m == '"') {
			quoted = *m;
			const char *end = strchr(m + 1, quoted);
			m = end ? end + 1 : m + strlen(m);
		} else if (strchr("<>=!~", *m)) {
			while (*m && strchr("<>=!~", *m))
				m++;
		} else if (*m == '(' || *m == ')') {
			m++;
		} else {
			while (*m && !isspace((unsigned char)*m) && !strchr("<>=!~()'\"", *m))
				m++;
		}
		if (!first && !after_paren && *start != ')')
			strbuf_addch(sb, ' ');
		first = 0;
		after_paren = *start == '(';
		if (quoted) {
			size_t n = (size_t)(m - start);
			const char *inner = start + 1;
			size_t ilen = n >= 2 && start[n - 1] == quoted ? n - 2 : n - 1;
			if (memchr(inner, '"', ilen))
				strbuf_addf(sb, "'%.*s'", (int)ilen, inner);
			else
				strbuf_addf(sb, "\"%.*s\"", (int)ilen, inner);
		} else {
			strbuf_add(sb, start, (size_t)(m - start));
		}
	}
}

/* [tox] requires as packaging writes each requirement: no blanks, specifiers sorted; then tox's own. */
static void add_requires(struct pairs *ps, struct tox *t)
{
	struct pyvalue *v = add(ps, "requires", PV_LIST);
	char *raw = tox_core_value(t, "requires"), *minv = tox_core_value(t, "min_version");

	/* a list: one per line, or comma-separated when on one line */
	const char *sep = raw && strchr(raw, '\n') ? "\n" : ",";
	for (char *line = raw ? strtok(raw, sep) : NULL; line; line = strtok(NULL, sep)) {
		struct strvec specs = STRVEC_INIT;
		struct strbuf sb = STRBUF_INIT;
		char *marker = strchr(line, ';'), *p = line;
		if (marker)
			*marker++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		while (*p && (isalnum((unsigned char)*p) || strchr("-_.[],", *p))) {
			if (*p == '[') {
				const char *close = strchr(p, ']');
				if (!close)
					break;
				strbuf_add(&sb, p, (size_t)(close - p + 1));
				p += close - p + 1;
				continue;
			}
			strbuf_addch(&sb, *p++);
		}
		if (!sb.len) {
			strbuf_release(&sb);
			continue;
		}
		/* the specifiers, blanks dropped, sorted as a SpecifierSet prints them */
		char *rest = xstrdup(p), *w = rest;
		for (const char *q = rest; *q; q++)
			if (!isspace((unsigned char)*q))
				*w++ = *q;
		*w = '\0';
		strvec_split(&specs, rest, ",", 0);
		strvec_sort(&specs);
		for (size_t i = 0; i < specs.n; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", specs.v[i]);
		if (marker) {
			while (isspace((unsigned char)*marker))
				marker++;
			if (*marker) {
				strbuf_adds(&sb, "; ");
				add_marker(&sb, marker);
			}
		}
		strvec_push_owned(&v->a, strbuf_detach(&sb));
		free(rest);
		strvec_clear(&specs);
	}
	if (minv && *minv)
		strvec_pushf(&v->a, "tox>=%s", minv);
	else
		strvec_push(&v->a, "tox");
	free(raw);
	free(minv);
}

/* The core section, in tox 4.58's order. */
static void core_pairs(struct pairs *ps, struct tox *t, int packaging)
{
	struct strvec labels = STRVEC_INIT, envs = STRVEC_INIT;
	char *v, *dir;

	add_str(ps, "config_file_path", t->path);
	add_str(ps, "tox_root", t->toxinidir);
	add_str(ps, "work_dir", t->workdir);
	v = tox_core_value(t, "temp_dir");
	dir = v && *v ? (*v == '/' ? xstrdup(v) : xconcat(t->toxinidir, "/", v, NULL)) : xconcat(t->workdir, "/.tmp", NULL);
	add_str(ps, "temp_dir", dir);
	free(dir);
	free(v);
	add_str(ps, "host_python", tox_default_python(t));
	add_list(ps, "env_list", &t->envlist);
	add(ps, "base", PV_LIST);
	add_str(ps, "on_platform", factor_sys_platform());
	v = tox_core_value(t, "min_version");
	add_str(ps, "min_version", v && *v ? v : "None");
	free(v);
	v = tox_core_value(t, "provision_tox_env");
	add_str(ps, "provision_tox_env", v && *v ? v : ".tox");
	free(v);
	add_requires(ps, t);
	tox_core_labels(t, &labels, &envs);
	struct pyvalue *lv = add(ps, "labels", PV_LISTMAP);
	for (size_t i = 0; i < labels.n; i++) {
		long at = strvec_find(&lv->a, labels.v[i]);
		if (at < 0) {
			strvec_push(&lv->a, labels.v[i]);
			strvec_push(&lv->b, envs.v[i]);
		} else {
			char *joined = xconcat(lv->b.v[at], "\n", envs.v[i], NULL);
			free(lv->b.v[at]);
			lv->b.v[at] = joined;
		}
	}
	strvec_clear(&labels);
	strvec_clear(&envs);
	add_bool(ps, "ignore_base_python_conflict", tox_core_flag(t, "ignore_base_python_conflict"));
	add_bool(ps, "skip_missing_interpreters", tox_core_flag(t, "skip_missing_interpreters"));
	add_bool(ps, "no_package", tox_core_flag(t, "no_package"));
	if (packaging) {
		v = tox_core_package_env(t);
		add_str(ps, "package_env", v);
		free(v);
		v = tox_core_value(t, "package_root");
		dir = v && *v ? (*v == '/' ? xstrdup(v) : xconcat(t->toxinidir, "/", v, NULL)) : xstrdup(t->toxinidir);
		add_str(ps, "package_root", dir);
		free(dir);
		free(v);
	}
	/* the spellings tox also reads */
	static const char *const aliases[] = {
		"envlist", "toxinidir", "toxworkdir", "minversion", "ignore_basepython_conflict", "skipsdist",
		"isolated_build_env", "setupdir", NULL,
	};
	for (int i = 0; aliases[i]; i++)
		strvec_push(&ps->known, aliases[i]);
}

/* The pair for key (any spelling tox reads), or NULL when the section has no such key. */
static const struct pair *find_pair(const struct pairs *ps, const char *key)
{
	const struct keydef *k = key_lookup(key);

	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].key, key) == 0 || (k && strcmp(ps->v[i].key, k->name) == 0))
			return &ps->v[i];
	return NULL;
}

/* Whether key's value is made from base_python: tox shows base_python's error on it too. */
static int needs_base_python(const char *key)
{
	static const char *const keys[] = {
		"install_command", "env_site_packages_dir", "env_site_packages_dir_plat", "env_bin_dir", "env_python",
		"py_dot_ver", "py_impl", "py_free_threaded", "py_debug", "virtualenv_spec", NULL,
	};

	for (int i = 0; keys[i]; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* Replace the value of each key e could not compute by its error. */
static void apply_errors(struct pairs *ps, const struct toxenv *e)
{
	for (size_t j = 0; j < e->errors.n; j++) {
		const char *tab = strchr(e->errors.v[j], '\t');
		if (!tab)
			continue;
		size_t klen = (size_t)(tab - e->errors.v[j]);
		int of_base = klen == 11 && strncmp(e->errors.v[j], "base_python", 11) == 0;
		for (size_t i = 0; i < ps->n; i++)
			if ((strlen(ps->v[i].key) == klen && strncmp(ps->v[i].key, e->errors.v[j], klen) == 0) ||
			    (of_base && needs_base_python(ps->v[i].key))) {
				pyvalue_release(&ps->v[i].v);
				memset(&ps->v[i].v, 0, sizeof(ps->v[i].v));
				ps->v[i].v.kind = PV_ERROR;
				ps->v[i].v.s = xstrdup(tab + 1);
			}
	}
}

/* Write one section: its pairs (those -k names, or all with type first and the unused keys last). */
static void write_section(struct showconf *sc, const char *header, const char *json_name, const char *type,
			  const struct pairs *ps, const struct strvec *unused)
{
	FILE *f = sc->out;
	int all = !sc->keys || !sc->keys->n;
	struct strvec order = STRVEC_INIT;

	if (all) {
		for (size_t i = 0; i < ps->n; i++)
			strvec_push(&order, ps->v[i].key);
	} else {
		for (size_t i = 0; i < sc->keys->n; i++)
			if (find_pair(ps, sc->keys->v[i]))
				strvec_push(&order, find_pair(ps, sc->keys->v[i])->key);
	}
	if (!sc->json) {
		fprintf(f, "%s%s\n", sc->nenv || sc->core_done ? "\n" : "", header);
		if (all && type)
			fprintf(f, "type = %s\n", type);
		for (size_t i = 0; i < order.n; i++)
			pyvalue_text(f, order.v[i], &find_pair(ps, order.v[i])->v);
		if (all && unused->n) {
			fputs("# !!! unused: ", f);
			for (size_t i = 0; i < unused->n; i++)
				fprintf(f, "%s%s", i ? ", " : "", unused->v[i]);
			fputc('\n', f);
		}
		strvec_clear(&order);
		return;
	}
	int depth = type ? 6 : 4, first = 1;	/* where the keys go: env sections sit inside "env" */
	pyjson_indent(f, depth - 2);
	pyjson_string(f, json_name);
	fputs(": {", f);
	if (all && type) {
		fputc('\n', f);
		pyjson_indent(f, depth);
		fputs("\"type\": ", f);
		pyjson_string(f, type);
		first = 0;
	}
	for (size_t i = 0; i < order.n; i++) {
		fputs(first ? "\n" : ",\n", f);
		first = 0;
		pyjson_indent(f, depth);
		pyjson_string(f, order.v[i]);
		fputs(": ", f);
		pyvalue_json(f, &find_pair(ps, order.v[i])->v, depth);
	}
	if (all && unused->n) {
		fputs(first ? "\n" : ",\n", f);
		first = 0;
		pyjson_indent(f, depth);
		fputs("\"unused\": ", f);
		pyjson_list(f, unused, depth);
	}
	if (!first) {
		fputc('\n', f);
		pyjson_indent(f, depth - 2);
	}
	fputc('}', f);
	strvec_clear(&order);
}

void showconf_begin(struct showconf *sc, FILE *out, int json, const struct strvec *keys)
{
	memset(sc, 0, sizeof(*sc));
	sc->out = out;
	sc->json = json;
	sc->keys = keys;
	if (json)
		fputs("{\n  \"env\": {", out);
	sc->in_env = json;
}

void showconf_env(struct showconf *sc, struct tox *t, const struct toxenv *e)
{
	struct pairs ps = { NULL, 0, 0, STRVEC_INIT };
	struct strvec unused = STRVEC_INIT;
	char *header = xconcat("[testenv:", e->name, "]", NULL);

	if (e->is_package_env)
		package_env_pairs(&ps, t, e);
	else
		run_env_pairs(&ps, t, e);
	apply_errors(&ps, e);
	/* blitz's own key is blitz's to read: asked for, it is shown, and never called unused */
	strvec_push(&ps.known, "blitz_services");
	if (!e->is_package_env && sc->keys && strvec_find(sc->keys, "blitz_services") >= 0)
		add_list(&ps, "blitz_services", &e->services);
	if (!sc->keys || !sc->keys->n)
		tox_env_unused(t, e->name, &ps.known, &unused);
	if (sc->json)
		fputs(sc->nenv ? ",\n" : "\n", sc->out);
	write_section(sc, header, e->name, e->is_package_env ? "Pep517VirtualEnvPackager" : "VirtualEnvRunner", &ps,
		      &unused);
	sc->nenv++;
	free(header);
	strvec_clear(&unused);
	pairs_release(&ps);
}

void showconf_core(struct showconf *sc, struct tox *t, int packaging)
{
	struct pairs ps = { NULL, 0, 0, STRVEC_INIT };
	struct strvec unused = STRVEC_INIT;

	core_pairs(&ps, t, packaging);
	if (t->core && (!sc->keys || !sc->keys->n)) {
		for (size_t i = 0; i < t->core->n; i++)
			if (strvec_find(&ps.known, t->core->entries[i].key) < 0)
				strvec_push(&unused, t->core->entries[i].key);
		strvec_sort(&unused);
	}
	if (sc->json) {
		fputs(sc->nenv ? "\n  },\n" : "},\n", sc->out);
		sc->in_env = 0;
	}
	write_section(sc, "[tox]", "tox", NULL, &ps, &unused);
	sc->core_done = 1;
	strvec_clear(&unused);
	pairs_release(&ps);
}

void showconf_end(struct showconf *sc)
{
	if (!sc->json)
		return;
	if (sc->in_env)
		fputs(sc->nenv ? "\n  }\n}\n" : "}\n}\n", sc->out);
	else
		fputs("\n}\n", sc->out);
}
