/*
 * blitz's pytest plugin (blitz_pytest.py, built in) and what a pytest
 * process needs to load it: the plugin written to blitz's cache, outside
 * the project; the process's environment; a command's words without its
 * own --junitxml; and whether a pytest command may run in shards at all.
 * The only writer of the run's plugin_dir.
 */
#include "run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../env/fingerprint.h"
#include "../util/util.h"

static const char plugin_source[] =
#include "blitz_pytest.inc"
	;

/*
 * Write the plugin where PYTHONPATH will find it (once a run); its folder,
 * or NULL. The folder is in blitz's cache, outside the project, named by
 * the plugin's contents: the tests see no blitz folder in their tree, and
 * blitz versions side by side never overwrite each other's plugin.
 */
const char *plugin_dir(struct ctx *c)
{
	if (c->plugin_dir)
		return c->plugin_dir;
	char *base = cache_dir("pytest");
	if (!base || mkdirs(base) < 0) {
		free(base);
		base = xconcat(c->o->state_dir, "/pytest", NULL);	/* no cache to be had: the project's state */
	}
	uint64_t h = fp_bytes(FP_INIT, plugin_source, sizeof(plugin_source) - 1);
	char *dir = xasprintf("%s/%016llx", base, (unsigned long long)h);
	char *path = xconcat(dir, "/blitz_pytest.py", NULL);
	size_t len = 0;
	char *old = read_file(path, &len);
	free(base);
	if (!old || len != sizeof(plugin_source) - 1 || memcmp(old, plugin_source, len) != 0) {
		char *tmp = xconcat(path, ".tmp-XXXXXX", NULL);
		int fd = mkdirs(dir) == 0 ? mkstemp(tmp) : -1;
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		int ok = f && fwrite(plugin_source, 1, sizeof(plugin_source) - 1, f) == sizeof(plugin_source) - 1;
		if (f && fclose(f) != 0)
			ok = 0;
		else if (!f && fd >= 0)
			close(fd);
		if (!ok || chmod(tmp, 0644) < 0 || rename(tmp, path) < 0) {
			warn("cannot write blitz's pytest plugin '%s' (%s): tests run unsplit", path, strerror(errno));
			unlink(tmp);
			free(dir);
			dir = NULL;
		}
		free(tmp);
	}
	free(old);
	free(path);
	c->plugin_dir = dir;
	return dir;
}

/* Whether a pytest command (its own arguments from at) may run in shards; why not into *why. */
static int splittable(const struct strvec *argv, long at, const char **why)
{
	const char *prog = strrchr(argv->v[0], '/') ? strrchr(argv->v[0], '/') + 1 : argv->v[0];

	if (strcmp(prog, "coverage") == 0) {
		*why = "it runs under coverage (shards would overwrite each other's data)";
		return 0;
	}
	for (long k = 1; k < at; k++)
		if (strcmp(argv->v[k], "-I") == 0 || strcmp(argv->v[k], "-E") == 0) {
			*why = "python -I/-E would not load blitz's pytest plugin";
			return 0;
		}
	for (size_t k = (size_t)at; k < argv->n; k++) {
		const char *w = argv->v[k];
		if (strcmp(w, "--") == 0)
			break;
		if (strcmp(w, "-n") == 0 || starts_with(w, "--numprocesses") || (w[0] == '-' && w[1] == 'n' && w[2] &&
		    (w[2] == 'a' || (w[2] >= '0' && w[2] <= '9')))) {
			*why = "pytest-xdist runs its tests in processes of its own (-n)";
			return 0;
		}
		if (starts_with(w, "--cov")) {
			*why = "pytest-cov measures coverage (shards would overwrite each other's data)";
			return 0;
		}
		if (strcmp(w, "--pdb") == 0 || strcmp(w, "--trace") == 0) {
			*why = "it runs pytest's debugger";
			return 0;
		}
	}
	return 1;
}

long plugin_split_step(const struct steps *steps, const char **why)
{
	*why = "no pytest command";
	for (size_t i = 0; i < steps->n; i++) {
		const struct step *st = &steps->v[i];
		long at = st->kind == STEP_COMMAND ? steps_pytest_args(&st->argv) : -1;
		if (at >= 0)
			return splittable(&st->argv, at, why) ? (long)i : -1;
	}
	return -1;
}

/* The command's words without any --junitxml option: blitz gives each shard its own. */
void plugin_without_junit(const struct strvec *argv, long at, struct strvec *out)
{
	for (size_t k = 0; k < argv->n; k++) {
		const char *w = argv->v[k];
		if ((long)k >= at && (starts_with(w, "--junitxml") || starts_with(w, "--junit-xml"))) {
			const char *rest = w + (w[7] == '-' ? 11 : 10);
			if (*rest == '\0')
				k++;	/* its value is the next word */
			if (*rest == '\0' || *rest == '=')
				continue;
		}
		strvec_push(out, w);
	}
}

/* er's environment for a pytest process that loads the plugin, with the variables of extra (NULL-ended). */
void plugin_envp(struct ctx *c, const struct envrun *er, const char *const *extra, struct strvec *out)
{
	const char *dir = plugin_dir(c), *old = NULL;

	for (size_t i = 0; i < er->envp.n; i++) {
		if (starts_with(er->envp.v[i], "PYTHONPATH="))
			old = er->envp.v[i] + 11;
		else
			strvec_push(out, er->envp.v[i]);
	}
	strvec_push_owned(out, old && *old ? xconcat("PYTHONPATH=", dir, ":", old, NULL) : xconcat("PYTHONPATH=", dir, NULL));
	for (size_t i = 0; extra[i]; i++)
		strvec_push(out, extra[i]);
}

void plugin_release(struct ctx *c)
{
	free(c->plugin_dir);
	c->plugin_dir = NULL;
}
