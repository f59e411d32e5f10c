#include "keys.h"

#include <string.h>

#include "../util/strmap.h"
#include "../util/util.h"

static const struct keydef keys[] = {
	/* env settings */
	{ "base_python", "basepython", "basepython", NULL, NULL, 0 },
	{ "set_env", "setenv", "setenv", NULL, NULL, 0 },
	{ "pass_env", "passenv", "passenv", NULL, "", 0 },
	{ "deps", NULL, "deps", NULL, "", 0 },
	{ "commands", NULL, "commands", NULL, "", 0 },
	{ "commands_pre", NULL, "commands_pre", NULL, "", 0 },
	{ "commands_post", NULL, "commands_post", NULL, "", 0 },
	{ "description", NULL, "description", NULL, "", 0 },
	{ "allowlist_externals", NULL, "allowlist_externals", "whitelist_externals", "", 0 },
	{ "change_dir", "changedir", "changedir", NULL, NULL, 0 },
	{ "env_dir", "envdir", "envdir", NULL, NULL, 0 },
	{ "env_tmp_dir", "envtmpdir", "envtmpdir", NULL, NULL, 0 },
	{ "env_log_dir", "envlogdir", "envlogdir", NULL, NULL, 0 },
	{ "use_develop", "usedevelop", "usedevelop", NULL, "False", 0 },
	{ "skip_install", NULL, "skip_install", NULL, "False", 0 },
	{ "system_site_packages", "sitepackages", "sitepackages", NULL, "False", 0 },
	{ "extras", NULL, "extras", NULL, "", 0 },
	{ "depends", NULL, "depends", NULL, "", 0 },
	{ "labels", NULL, NULL, NULL, "", 0 },
	{ "platform", NULL, "platform", NULL, "", 0 },
	{ "package", NULL, NULL, NULL, "", 0 },
	{ "install_command", NULL, "install_command", NULL, NULL, 0 },
	{ "ignore_outcome", NULL, "ignore_outcome", NULL, "False", 0 },
	{ "ignore_errors", NULL, "ignore_errors", NULL, "False", 0 },
	{ "recreate", NULL, "recreate", NULL, "False", 0 },
	{ "parallel_show_output", NULL, "parallel_show_output", NULL, "False", 0 },
	{ "args_are_paths", NULL, "args_are_paths", NULL, "True", 0 },
	{ "pip_pre", NULL, "pip_pre", NULL, "False", 0 },
	{ "download", NULL, "download", NULL, "False", 0 },
	{ "suicide_timeout", NULL, "suicide_timeout", NULL, "0.0", 0 },
	{ "interrupt_timeout", NULL, "interrupt_timeout", NULL, "0.3", 0 },
	{ "terminate_timeout", NULL, "terminate_timeout", NULL, "0.2", 0 },
	{ "blitz_services", NULL, "blitz_services", NULL, "", 0 },
	/* tox 4.58's other env settings (some only for packaging envs) */
	{ "runner", NULL, NULL, NULL, "virtualenv", 0 },
	{ "disallow_pass_env", NULL, NULL, NULL, "", 0 },
	{ "list_dependencies_command", NULL, "list_dependencies_command", NULL, "python -m pip freeze --all", 0 },
	{ "constraints", NULL, NULL, NULL, "", 0 },
	{ "constrain_package_deps", NULL, NULL, NULL, "False", 0 },
	{ "use_frozen_constraints", NULL, NULL, NULL, "False", 0 },
	{ "interrupt_post_commands", NULL, NULL, NULL, "False", 0 },
	{ "recreate_commands", NULL, NULL, NULL, "", 0 },
	{ "commands_retry", NULL, NULL, NULL, "0", 0 },
	{ "fail_fast", NULL, NULL, NULL, "False", 0 },
	{ "default_base_python", NULL, NULL, NULL, NULL, 0 },
	{ "base_python_file", NULL, NULL, NULL, "", 0 },
	{ "dependency_groups", NULL, NULL, NULL, "", 0 },
	{ "pylock", NULL, NULL, NULL, "", 0 },
	{ "extra_setup_commands", NULL, NULL, NULL, "", 0 },
	{ "always_copy", "alwayscopy", "alwayscopy", NULL, NULL, 0 },
	{ "virtualenv_spec", NULL, NULL, NULL, NULL, 0 },
	{ "wheel_build_env", NULL, NULL, NULL, NULL, 0 },
	{ "meta_dir", NULL, NULL, NULL, NULL, 0 },
	{ "pkg_dir", NULL, NULL, NULL, NULL, 0 },
	{ "fresh_subprocess", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_get_requires_for_build_sdist", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_build_sdist", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_get_requires_for_build_wheel", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_prepare_metadata_for_build_wheel", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_build_wheel", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_get_requires_for_build_editable", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_prepare_metadata_for_build_editable", NULL, NULL, NULL, NULL, 0 },
	{ "config_settings_build_editable", NULL, NULL, NULL, NULL, 0 },
	/* computed per env */
	{ "env_name", "envname", "envname", NULL, NULL, 0 },
	{ "env_bin_dir", "envbindir", "envbindir", NULL, NULL, 0 },
	{ "env_python", "envpython", "envpython", NULL, NULL, 0 },
	{ "env_site_packages_dir", "envsitepackagesdir", "envsitepackagesdir", NULL, NULL, 0 },
	{ "env_site_packages_dir_plat", "envsitepackagesdir_plat", NULL, NULL, NULL, 0 },
	{ "py_dot_ver", NULL, NULL, NULL, NULL, 0 },
	{ "py_impl", NULL, NULL, NULL, NULL, 0 },
	{ "py_free_threaded", NULL, NULL, NULL, NULL, 0 },
	{ "py_debug", NULL, NULL, NULL, NULL, 0 },
	/* core settings */
	{ "tox_root", "toxinidir", "toxinidir", NULL, NULL, 1 },
	{ "work_dir", "toxworkdir", "toxworkdir", NULL, NULL, 1 },
	{ "temp_dir", NULL, "temp_dir", NULL, NULL, 1 },
	{ "env_list", "envlist", "envlist", NULL, "", 1 },
	{ "min_version", "minversion", "minversion", "min_version", "", 1 },
	{ "requires", NULL, "requires", NULL, "", 1 },
	{ "skip_missing_interpreters", NULL, "skip_missing_interpreters", NULL, "config", 1 },
	{ "ignore_base_python_conflict", "ignore_basepython_conflict", "ignore_basepython_conflict", NULL, "False", 1 },
	{ "no_package", "skipsdist", "skipsdist", NULL, "False", 1 },
	{ "isolated_build", NULL, "isolated_build", NULL, "False", 1 },
	{ "homedir", NULL, "homedir", NULL, NULL, 1 },
	{ "distshare", NULL, "distshare", NULL, NULL, 1 },
	{ "distdir", NULL, "distdir", NULL, NULL, 1 },
	/* core settings that an env (package_env, package_root) may set too */
	{ "package_env", "isolated_build_env", "isolated_build_env", NULL, ".pkg", 1 },
	{ "package_root", "setupdir", "setupdir", NULL, NULL, 1 },
	{ "provision_tox_env", NULL, "provision_tox_env", NULL, ".tox", 1 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) <= KEY_COUNT, "raise KEY_COUNT");

int key_index(const struct keydef *k)
{
	return (int)(k - keys);
}

/* Every spelling of every key, interned; spelling_key maps a spelling's id to its key. */
static struct strmap spellings;
static int spelling_key[4 * sizeof(keys) / sizeof(keys[0])];

const struct keydef *key_lookup(const char *key)
{
	int i;

	if (!spellings.n)
		for (int k = 0; keys[k].name; k++) {
			const char *names[] = { keys[k].name, keys[k].alias, keys[k].tox3, keys[k].tox3_alias };
			for (int j = 0; j < 4; j++)
				if (names[j] && strmap_get(&spellings, names[j], strlen(names[j])) < 0)
					spelling_key[strmap_intern(&spellings, names[j], strlen(names[j]))] = k;
		}
	i = strmap_get(&spellings, key, strlen(key));
	return i < 0 ? NULL : &keys[spelling_key[i]];
}

size_t key_names(const struct keydef *k, const char *key, int tox3, const char **names)
{
	size_t n = 0;

	if (!k) {
		names[n++] = key;
		return n;
	}
	if (tox3) {
		if (k->tox3)
			names[n++] = k->tox3;
		if (k->tox3_alias)
			names[n++] = k->tox3_alias;
		return n;
	}
	names[n++] = k->name;
	if (k->alias)
		names[n++] = k->alias;
	return n;
}

char *key_default(const struct keydef *k, int tox3)
{
	if (k && strcmp(k->name, "install_command") == 0)
		return xstrdup(tox3 ? "python -m pip install {opts} {packages}"
				    : "python -I -m pip install {opts} {packages}");
	return k && k->dflt ? xstrdup(k->dflt) : NULL;
}
