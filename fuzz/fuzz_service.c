/*
 * Fuzz the service definitions of a tox.ini ([blitz:service:NAME]): load
 * the file, read its definitions, then substitute and split every command,
 * ready check and env value of each as an instance would. A definition that
 * loads must substitute without error (the load checked exactly that), and
 * each value's substitution must hold no '{' the value did not escape.
 *
 * The file lives in one folder per process, made on the first call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"
#include "../src/config/diag.h"
#include "../src/config/tox.h"
#include "../src/service/def.h"
#include "../src/util/strvec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char ini_path[300];

static void cleanup(void)
{
	unlink(ini_path);
	rmdir(dir);
}

static void setup(void)
{
	if (dir[0])
		return;
	fuzz_scratch_dir(dir, sizeof(dir), "fuzz_service");
	snprintf(ini_path, sizeof(ini_path), "%s/tox.ini", dir);
	atexit(cleanup);
}

/* Substitute raw for an instance; a value that loaded must substitute. */
static void use(const struct svc_def *def, const char *raw, int split)
{
	struct svc_vars v = { 24000, "/srv/x", 3, dir };
	char err[300];
	char *s = svc_subst(def, raw, &v, err, sizeof(err));

	if (!s) {
		fprintf(stderr, "a loaded value does not substitute: %s: %s\n", raw, err);
		abort();
	}
	free(s);
	if (split) {
		struct strvec w = STRVEC_INIT;
		if (svc_words(def, raw, &v, &w, err, sizeof(err)) < 0) {
			fprintf(stderr, "a loaded command does not split: %s: %s\n", raw, err);
			abort();
		}
		strvec_clear(&w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tox t;
	struct tox_opts o = { 0 };
	struct diag d = { 0 };
	struct svc_defs defs = { 0 };
	FILE *f;

	setup();
	f = fopen(ini_path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	memset(&t, 0, sizeof(t));
	o.path = dir;
	if (tox_load(&t, &o, &d) == 0 && svc_defs_load(&t, &defs, &d) == 0) {
		for (size_t i = 0; i < defs.n; i++) {
			const struct svc_def *def = &defs.v[i];
			use(def, def->command, 1);
			use(def, def->ready_arg, def->ready == SVC_READY_CMD);
			for (size_t k = 0; k < def->setup.n; k++)
				use(def, def->setup.v[k], 1);
			for (size_t k = 0; k < def->reset.n; k++)
				use(def, def->reset.v[k], 1);
			for (size_t k = 0; k < def->env_values.n; k++)
				use(def, def->env_values.v[k], 0);
			if (svc_def_find(&defs, def->name) != def)
				abort();
		}
	}
	svc_defs_release(&defs);
	tox_release(&t);
	return 0;
}
