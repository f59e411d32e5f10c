/*
 * blitz config in tox 4.58's layout: which keys tox shows for a run env, a
 * packaging env and the core, in its order, each value stringified as tox
 * does (text) or turned into the JSON value tox writes.
 */
#include "showconf.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../config/factor.h"
#include "../config/keys.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/* A value as tox holds it: its Python type decides how it prints. */
enum cv_kind {
	CV_STR,
	CV_BOOL,
	CV_INT,
	CV_FLOAT,
	CV_LIST,	/* a, one item each */
	CV_MAP,		/* a keys, b values */
	CV_LISTMAP,	/* a keys, b values that are lists joined with '\n' ([tox] labels) */
	CV_ERROR,	/* s: why the value could not be computed */
};

struct cval {
	enum cv_kind kind;
	char *s;
	long i;
	double f;
	struct strvec a, b;
};

/* One key of a section and its value. */
struct pair {
	const char *key;
	struct cval v;
};

struct pairs {
	struct pair *v;
	size_t n, alloc;
	struct strvec known;	/* every spelling of the keys in v, for the unused ones */
};

static struct cval *add(struct pairs *ps, const char *key, enum cv_kind kind)
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
	add(ps, key, CV_STR)->s = xstrdup(s ? s : "");
}

static void add_bool(struct pairs *ps, const char *key, int b)
{
	add(ps, key, CV_BOOL)->i = b != 0;
}

static void add_int(struct pairs *ps, const char *key, long i)
{
	add(ps, key, CV_INT)->i = i;
}

static void add_float(struct pairs *ps, const char *key, double f)
{
	add(ps, key, CV_FLOAT)->f = f;
}

static void add_list(struct pairs *ps, const char *key, const struct strvec *items)
{
	strvec_extend(&add(ps, key, CV_LIST)->a, items);
}

/* A set: tox sorts it to print it. */
static void add_sorted(struct pairs *ps, const char *key, const struct strvec *items)
{
	struct cval *v = add(ps, key, CV_LIST);

	strvec_extend(&v->a, items);
	strvec_sort(&v->a);
}

static void cval_release(struct cval *v)
{
	free(v->s);
	strvec_clear(&v->a);
	strvec_clear(&v->b);
}

static void pairs_release(struct pairs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		cval_release(&ps->v[i].v);
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
	struct cval *v = add(ps, key, CV_LIST);

	for (size_t i = 0; i < cs->n; i++)
		strvec_push_owned(&v->a, shell_line(&cs->v[i].argv));
}

static void add_command(struct pairs *ps, const char *key, const struct strvec *argv)
{
	add(ps, key, CV_STR)->s = shell_line(argv);
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
	struct cval *v = add(ps, "set_env", CV_MAP);

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
	add(ps, "install_command", CV_STR)->s = install_command(e);
	add(ps, "constraints", CV_STR)->s = constraints;
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
		struct cval *v = add(ps, key_lookup(key) ? key_lookup(key)->name : "config_settings", CV_MAP);
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
			v->kind = CV_STR;
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
	struct cval *v = add(ps, "requires", CV_LIST);
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
	add(ps, "base", CV_LIST);
	add_str(ps, "on_platform", factor_sys_platform());
	v = tox_core_value(t, "min_version");
	add_str(ps, "min_version", v && *v ? v : "None");
	free(v);
	v = tox_core_value(t, "provision_tox_env");
	add_str(ps, "provision_tox_env", v && *v ? v : ".tox");
	free(v);
	add_requires(ps, t);
	tox_core_labels(t, &labels, &envs);
	struct cval *lv = add(ps, "labels", CV_LISTMAP);
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

/* ---- output ------------------------------------------------------------------------ */

void py_float_repr(double d, char *buf, size_t size)
{
	char digits[32];
	int prec, exp10;

	if (isnan(d)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d < 0 ? "-inf" : "inf");
		return;
	}
	if (d == 0) {
		snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* the fewest significant digits that read back as d, as Python's repr finds them */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	char *e = strchr(digits, 'e');
	exp10 = atoi(e + 1);
	*e = '\0';
	/* the mantissa's digits without sign and point */
	char mant[32];
	size_t m = 0;
	for (const char *p = digits; *p; p++)
		if (isdigit((unsigned char)*p))
			mant[m++] = *p;
	mant[m] = '\0';
	while (m > 1 && mant[m - 1] == '0')
		mant[--m] = '\0';
	const char *sign = d < 0 ? "-" : "";
	if (exp10 < -4 || exp10 >= 16) {
		snprintf(buf, size, "%s%c%s%s%se%c%02d", sign, mant[0], m > 1 ? "." : "", mant + 1, "",
			 exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 < 0) {
		snprintf(buf, size, "%s0.%0*d%s", sign, -exp10 - 1, 0, mant);
		if (exp10 == -1)
			snprintf(buf, size, "%s0.%s", sign, mant);
	} else if ((size_t)exp10 + 1 >= m) {
		snprintf(buf, size, "%s%s%0*d.0", sign, mant, exp10 + 1 - (int)m, 0);
		if ((size_t)exp10 + 1 == m)
			snprintf(buf, size, "%s%s.0", sign, mant);
	} else {
		snprintf(buf, size, "%s%.*s.%s", sign, exp10 + 1, mant, mant + exp10 + 1);
	}
}

/* A string as Python's json.dumps writes it (ensure_ascii: every non-ASCII character as \uXXXX). */
static void json_py_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned c = *p;
		unsigned long cp;
		int extra;
		switch (c) {
		case '"': fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x80) {
			fputc((int)c, f);
			p++;
			continue;
		}
		/* decode UTF-8; a broken sequence is written byte by byte as U+00XX */
		extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
		cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : c & 0x1f;
		for (int k = 1; extra > 0 && k <= extra; k++) {
			if ((p[k] & 0xc0) != 0x80) {
				extra = -1;
				break;
			}
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (extra < 0) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			fprintf(f, "\\u%04lx", cp);
		}
		p += extra + 1;
	}
	fputc('"', f);
}

static void indent(FILE *f, int n)
{
	fprintf(f, "%*s", n, "");
}

static void json_list(FILE *f, const struct strvec *a, int depth)
{
	if (!a->n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; i < a->n; i++) {
		indent(f, depth + 2);
		json_py_string(f, a->v[i]);
		fputs(i + 1 < a->n ? ",\n" : "\n", f);
	}
	indent(f, depth);
	fputc(']', f);
}

static void json_value(FILE *f, const struct cval *v, int depth)
{
	char num[64];

	switch (v->kind) {
	case CV_STR:
		json_py_string(f, v->s);
		break;
	case CV_BOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	case CV_INT:
		fprintf(f, "%ld", v->i);
		break;
	case CV_FLOAT:
		py_float_repr(v->f, num, sizeof(num));
		fputs(num, f);
		break;
	case CV_LIST:
		json_list(f, &v->a, depth);
		break;
	case CV_MAP:
	case CV_LISTMAP:
		if (!v->a.n) {
			fputs("{}", f);
			break;
		}
		fputs("{\n", f);
		for (size_t i = 0; i < v->a.n; i++) {
			indent(f, depth + 2);
			json_py_string(f, v->a.v[i]);
			fputs(": ", f);
			if (v->kind == CV_MAP) {
				json_py_string(f, v->b.v[i]);
			} else {
				struct strvec items = STRVEC_INIT;
				strvec_split(&items, v->b.v[i], "\n", 0);
				json_list(f, &items, depth + 2);
				strvec_clear(&items);
			}
			fputs(i + 1 < v->a.n ? ",\n" : "\n", f);
		}
		indent(f, depth);
		fputc('}', f);
		break;
	case CV_ERROR:
		fputs("{\n", f);
		indent(f, depth + 2);
		fputs("\"error\": ", f);
		json_py_string(f, v->s);
		fputc('\n', f);
		indent(f, depth);
		fputc('}', f);
		break;
	}
}

/* tox's stringify(): the text and whether it is shown as lines under the key. */
static char *text_value(const struct cval *v, int *multi)
{
	struct strbuf sb = STRBUF_INIT;
	char num[64];

	*multi = 0;
	switch (v->kind) {
	case CV_STR:
		strbuf_adds(&sb, v->s);
		break;
	case CV_BOOL:
		strbuf_adds(&sb, v->i ? "True" : "False");
		break;
	case CV_INT:
		strbuf_addf(&sb, "%ld", v->i);
		break;
	case CV_FLOAT:
		py_float_repr(v->f, num, sizeof(num));
		strbuf_adds(&sb, num);
		break;
	case CV_LIST:
		for (size_t i = 0; i < v->a.n; i++)
			strbuf_addf(&sb, "%s%s", i ? "\n" : "", v->a.v[i]);
		*multi = 1;
		break;
	case CV_MAP:
	case CV_LISTMAP:
		for (size_t i = 0; i < v->a.n; i++)
			strbuf_addf(&sb, "%s%s=%s", i ? "\n" : "", v->a.v[i], v->b.v[i]);
		*multi = 1;
		break;
	case CV_ERROR:
		strbuf_addf(&sb, "# Exception: %s", v->s);
		break;
	}
	if (*multi && !strchr(strbuf_str(&sb), '\n'))
		*multi = 0;
	return strbuf_detach(&sb);
}

static void text_pair(FILE *f, const char *key, const struct cval *v)
{
	int multi;
	char *s = text_value(v, &multi);

	if (!multi) {
		fprintf(f, "%s = %s\n", key, s);
	} else {
		/* textwrap.indent: lines of only whitespace get no prefix */
		fprintf(f, "%s =\n", key);
		for (char *line = s;;) {
			char *nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);
			int blank = 1;
			for (size_t i = 0; i < n && blank; i++)
				blank = isspace((unsigned char)line[i]) != 0;
			fprintf(f, "%s%.*s\n", blank ? "" : "  ", (int)n, line);
			if (!nl)
				break;
			line = nl + 1;
		}
	}
	free(s);
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
				cval_release(&ps->v[i].v);
				memset(&ps->v[i].v, 0, sizeof(ps->v[i].v));
				ps->v[i].v.kind = CV_ERROR;
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
			text_pair(f, order.v[i], &find_pair(ps, order.v[i])->v);
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
	indent(f, depth - 2);
	json_py_string(f, json_name);
	fputs(": {", f);
	if (all && type) {
		fputc('\n', f);
		indent(f, depth);
		fputs("\"type\": ", f);
		json_py_string(f, type);
		first = 0;
	}
	for (size_t i = 0; i < order.n; i++) {
		fputs(first ? "\n" : ",\n", f);
		first = 0;
		indent(f, depth);
		json_py_string(f, order.v[i]);
		fputs(": ", f);
		json_value(f, &find_pair(ps, order.v[i])->v, depth);
	}
	if (all && unused->n) {
		fputs(first ? "\n" : ",\n", f);
		first = 0;
		indent(f, depth);
		fputs("\"unused\": ", f);
		json_list(f, unused, depth);
	}
	if (!first) {
		fputc('\n', f);
		indent(f, depth - 2);
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
