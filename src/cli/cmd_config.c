/*
 * blitz config: each selected env's resolved settings, in the layout of
 * tox 4.58's `tox config` (so the two can be diffed), or as the JSON of its
 * `--format json` (showconf.c). Files read with tox 3 semantics keep blitz's
 * earlier layout: the keys below, and JSON with tox 3's own names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "showconf.h"
#include "../config/diag.h"
#include "../config/keys.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../util/strbuf.h"
#include "../util/util.h"

static const char *const default_keys[] = {
	"base_python", "deps", "commands_pre", "commands", "commands_post", "set_env", "pass_env",
	"allowlist_externals", "change_dir", "env_dir", "depends", "labels", "extras", "description",
	"skip_install", "use_develop", "ignore_outcome", "ignore_errors", "install_command", NULL,
};

static char *command_line(const struct tox_command *c)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < c->argv.n; i++) {
		char *q = shlex_quote(c->argv.v[i]);
		strbuf_adds(&sb, i ? " " : "");
		strbuf_adds(&sb, q);
		free(q);
	}
	return strbuf_detach(&sb);
}

static void commands_lines(const struct tox_commands *cs, struct strvec *out)
{
	for (size_t i = 0; i < cs->n; i++)
		strvec_push_owned(out, command_line(&cs->v[i]));
}

/*
 * The printed lines of key for e: one of e's own lists, or tmp filled with
 * lines made for printing. NULL when blitz does not know the key.
 */
static const struct strvec *key_lines(const struct toxenv *e, const char *key, struct strvec *out)
{
	const struct keydef *k = key_lookup(key);
	const char *name = k ? k->name : key;

	if (strcmp(name, "base_python") == 0)
		return &e->base_python;
	else if (strcmp(name, "deps") == 0)
		return &e->deps;
	else if (strcmp(name, "commands") == 0)
		commands_lines(&e->commands, out);
	else if (strcmp(name, "commands_pre") == 0)
		commands_lines(&e->commands_pre, out);
	else if (strcmp(name, "commands_post") == 0)
		commands_lines(&e->commands_post, out);
	else if (strcmp(name, "set_env") == 0)
		for (size_t i = 0; i < e->n_set_env; i++)
			strvec_push_owned(out, xconcat(e->set_env[i].key, "=", e->set_env[i].value, NULL));
	else if (strcmp(name, "pass_env") == 0)
		return &e->pass_env;
	else if (strcmp(name, "allowlist_externals") == 0)
		return &e->allowlist_externals;
	else if (strcmp(name, "depends") == 0)
		return &e->depends;
	else if (strcmp(name, "labels") == 0)
		return &e->labels;
	else if (strcmp(name, "blitz_services") == 0)
		return &e->services;
	else if (strcmp(name, "extras") == 0)
		return &e->extras;
	else if (strcmp(name, "install_command") == 0) {
		struct tox_command c = { e->install_command, 0 };
		strvec_push_owned(out, command_line(&c));
	} else if (strcmp(name, "change_dir") == 0)
		strvec_push(out, e->change_dir);
	else if (strcmp(name, "env_dir") == 0)
		strvec_push(out, e->env_dir);
	else if (strcmp(name, "env_name") == 0)
		strvec_push(out, e->name);
	else if (strcmp(name, "description") == 0) {
		if (*e->description)
			strvec_push(out, e->description);
	} else if (strcmp(name, "skip_install") == 0)
		strvec_push(out, e->skip_install ? "True" : "False");
	else if (strcmp(name, "use_develop") == 0)
		strvec_push(out, e->use_develop ? "True" : "False");
	else if (strcmp(name, "ignore_outcome") == 0)
		strvec_push(out, e->ignore_outcome ? "True" : "False");
	else if (strcmp(name, "ignore_errors") == 0)
		strvec_push(out, e->ignore_errors ? "True" : "False");
	else
		return NULL;
	return out;
}

static void print_text(const struct toxenv *e, const struct strvec *keys, int first)
{
	printf("%s[testenv:%s]\n", first ? "" : "\n", e->name);
	for (size_t i = 0; i < keys->n; i++) {
		struct strvec tmp = STRVEC_INIT;
		const struct strvec *lines;
		const char *key = keys->v[i];
		const struct keydef *k = key_lookup(key);
		const char *err = NULL;

		for (size_t j = 0; j < e->errors.n; j++) {
			const char *tab = strchr(e->errors.v[j], '\t');
			if (tab && k && (size_t)(tab - e->errors.v[j]) == strlen(k->name) &&
			    strncmp(e->errors.v[j], k->name, strlen(k->name)) == 0)
				err = tab + 1;
		}
		fputs(key, stdout);
		if (err) {
			printf(" = # Exception: %s\n", err);
		} else if (!(lines = key_lines(e, key, &tmp))) {
			printf(" = # Exception: blitz does not know the key '%s'\n", key);
		} else if (lines->n == 0) {
			fputs(" = \n", stdout);
		} else if (lines->n == 1 && !strchr(lines->v[0], '\n')) {
			fputs(" = ", stdout);
			fputs(lines->v[0], stdout);
			putchar('\n');
		} else {
			fputs(" =\n", stdout);
			for (size_t j = 0; j < lines->n; j++) {
				fputs("  ", stdout);
				fputs(lines->v[j], stdout);
				putchar('\n');
			}
		}
		strvec_clear(&tmp);
	}
}

static void json_list(const char *name, const struct strvec *v, int last)
{
	printf("    ");
	json_string(stdout, name);
	printf(": [");
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			printf(", ");
		json_string(stdout, v->v[i]);
	}
	printf("]%s\n", last ? "" : ",");
}

static void json_commands(const char *name, const struct tox_commands *cs)
{
	printf("    ");
	json_string(stdout, name);
	printf(": [");
	for (size_t i = 0; i < cs->n; i++) {
		printf("%s[", i ? ", " : "");
		for (size_t j = 0; j < cs->v[i].argv.n; j++) {
			if (j)
				printf(", ");
			json_string(stdout, cs->v[i].argv.v[j]);
		}
		printf("]");
	}
	printf("],\n");
}

static void json_field(const char *name, const char *value)
{
	printf("    ");
	json_string(stdout, name);
	printf(": ");
	json_string(stdout, value);
	printf(",\n");
}

static void json_bool(const char *name, int on)
{
	printf("    ");
	json_string(stdout, name);
	printf(": %s,\n", on ? "true" : "false");
}

/* One env as JSON (tox 3 files), with the keys tox 3's own resolver prints (envname, basepython, setenv, ...). */
static void print_json(const struct toxenv *e, int first)
{
	printf("%s  ", first ? "" : ",\n");
	json_string(stdout, e->name);
	printf(": {\n");
	json_field("envname", e->name);
	json_field("basepython", e->base_python.n ? e->base_python.v[0] : "");
	json_list("base_python", &e->base_python, 0);
	json_field("description", e->description);
	json_list("deps", &e->deps, 0);
	json_commands("commands_pre", &e->commands_pre);
	json_commands("commands", &e->commands);
	json_commands("commands_post", &e->commands_post);
	printf("    \"setenv\": {");
	for (size_t i = 0; i < e->n_set_env; i++) {
		printf("%s", i ? ", " : "");
		json_string(stdout, e->set_env[i].key);
		printf(": ");
		json_string(stdout, e->set_env[i].value);
	}
	printf("},\n");
	json_list("passenv", &e->pass_env, 0);
	json_list("allowlist_externals", &e->allowlist_externals, 0);
	json_list("depends", &e->depends, 0);
	json_list("labels", &e->labels, 0);
	json_list("extras", &e->extras, 0);
	json_list("install_command", &e->install_command, 0);
	json_field("changedir", e->change_dir);
	json_field("envdir", e->env_dir);
	json_field("platform", e->platform);
	json_bool("skip_install", e->skip_install);
	json_bool("usedevelop", e->use_develop);
	json_bool("ignore_outcome", e->ignore_outcome);
	json_bool("ignore_errors", e->ignore_errors);
	json_bool("recreate", e->recreate);
	json_bool("sitepackages", e->system_site_packages);
	json_bool("skip_missing_interpreters", e->skip_missing_interpreters);
	json_list("errors", &e->errors, 1);
	printf("  }");
}

/* Whether the envs asked for are ALL (-e ALL, or TOXENV=ALL without -e), as tox config -e ALL. */
static int asked_all(const struct opts *o)
{
	struct strvec names = STRVEC_INIT;
	const char *toxenv = getenv("TOXENV");
	int all;

	for (size_t i = 0; i < o->envs.n; i++)
		strvec_split(&names, o->envs.v[i], ",", 0);
	if (!o->envs.n && toxenv)
		strvec_split(&names, toxenv, ",", 0);
	all = strvec_find(&names, "ALL") >= 0;
	strvec_clear(&names);
	return all;
}

/* Resolve env name into e; on failure print the diagnostic and return -1. */
static int resolve(struct tox *t, const char *name, struct toxenv *e)
{
	struct diag d = { 0 };

	if (tox_env_resolve(t, name, e, &d) == 0)
		return 0;
	char *msg = diag_format(&d);
	fflush(stdout);
	fprintf(stderr, "blitz: error: %s\n", msg);
	free(msg);
	toxenv_release(e);
	return -1;
}

/*
 * tox 4.58's layout. With -e ALL, packaging envs are shown too: one that
 * has a [testenv:NAME] section where the section stands among the envs,
 * the others after the run envs that use them, in the order first used;
 * then the core section (also with --core).
 */
static int config_tox4(struct tox *t, const struct opts *o, const struct strvec *envs)
{
	struct showconf sc;
	struct strvec order = STRVEC_INIT, pkgs = STRVEC_INIT, shown = STRVEC_INIT;
	int all = asked_all(o), packaging = 0, rc = 0;

	if (all) {
		struct strvec every = STRVEC_INIT;
		tox_all_envs(t, &every);
		for (size_t i = 0; i < every.n; i++)
			if (strvec_find(envs, every.v[i]) >= 0 || tox_package_env_in_use(t, every.v[i]))
				strvec_push(&order, every.v[i]);
		for (size_t i = 0; i < envs->n; i++)
			if (strvec_find(&order, envs->v[i]) < 0)
				strvec_push(&order, envs->v[i]);
		strvec_clear(&every);
	} else {
		strvec_extend(&order, envs);
	}
	showconf_begin(&sc, stdout, o->json, &o->keys);
	for (size_t i = 0; i < order.n && rc == 0; i++) {
		struct toxenv e;
		if (resolve(t, order.v[i], &e) < 0) {
			rc = 2;
			break;
		}
		showconf_env(&sc, t, &e);
		strvec_push(&shown, e.name);
		if (!e.is_package_env && e.package_type && strcmp(e.package_type, "skip") != 0) {
			packaging = 1;
			if (*e.package_env && strvec_find(&pkgs, e.package_env) < 0)
				strvec_push(&pkgs, e.package_env);
			if (*e.wheel_build_env && strvec_find(&pkgs, e.wheel_build_env) < 0)
				strvec_push(&pkgs, e.wheel_build_env);
		}
		toxenv_release(&e);
		tox_env_forget(t, order.v[i]);
	}
	for (size_t i = 0; all && i < pkgs.n && rc == 0; i++) {
		struct toxenv e;
		if (strvec_find(&shown, pkgs.v[i]) >= 0)
			continue;
		if (resolve(t, pkgs.v[i], &e) < 0) {
			rc = 2;
			break;
		}
		showconf_env(&sc, t, &e);
		toxenv_release(&e);
		tox_env_forget(t, pkgs.v[i]);
	}
	if (rc == 0 && (all || o->core)) {
		if (!packaging) {
			char *core_pkg = tox_core_package_env(t);
			packaging = tox_package_env_in_use(t, core_pkg);
			free(core_pkg);
		}
		showconf_core(&sc, t, packaging);
	}
	if (rc == 0)
		showconf_end(&sc);
	strvec_clear(&order);
	strvec_clear(&pkgs);
	strvec_clear(&shown);
	return rc;
}

int cmd_config(const struct opts *o)
{
	struct tox t;
	struct strvec envs = STRVEC_INIT, keys = STRVEC_INIT;
	int rc = 0;

	cli_load(&t, o);
	cli_select(&t, o, &envs);
	if (!t.tox3) {
		rc = config_tox4(&t, o, &envs);
		strvec_clear(&envs);
		tox_release(&t);
		return rc;
	}
	if (o->keys.n)
		strvec_extend(&keys, &o->keys);
	else
		for (int i = 0; default_keys[i]; i++)
			strvec_push(&keys, default_keys[i]);
	if (o->json)
		printf("{\n");
	for (size_t i = 0; i < envs.n; i++) {
		struct toxenv e;
		if (resolve(&t, envs.v[i], &e) < 0) {
			rc = 2;
			break;
		}
		if (o->json)
			print_json(&e, i == 0);
		else
			print_text(&e, &keys, i == 0);
		toxenv_release(&e);
		tox_env_forget(&t, envs.v[i]);
	}
	if (o->json && rc == 0)
		printf("\n}\n");
	strvec_clear(&envs);
	strvec_clear(&keys);
	tox_release(&t);
	return rc;
}
