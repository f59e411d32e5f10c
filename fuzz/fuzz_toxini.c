/*
 * Fuzz the whole engine on a tox.ini: load it, list every env, resolve up to
 * MAX_ENVS of them (and check them as blitz check does), select envs as -e,
 * -f, -m and TOXENV would, then release everything. The first
 * input byte picks the options (bit 0: --tox3, bit 1: the file is a setup.cfg,
 * bit 2: posargs given, then --hashseed, a tty, -f, -m, TOX_SKIP_ENV); the rest
 * is the file.
 *
 * The file must be on disk because tox_load finds and reads it (and its
 * folder is {toxinidir}); it lives in one folder per process, made on the
 * first call. No interpreter is ever asked about: python_info stays NULL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "scratch.h"
#include "../src/config/check.h"
#include "../src/config/diag.h"
#include "../src/config/select.h"
#include "../src/config/tox.h"
#include "../src/util/strvec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENVS 20

static char dir[256];
static char ini_path[300], cfg_path[300];

static void cleanup(void)
{
	unlink(ini_path);
	unlink(cfg_path);
	rmdir(dir);
}

static void setup(void)
{
	if (dir[0])
		return;
	fuzz_scratch_dir(dir, sizeof(dir), "fuzz_toxini");
	snprintf(ini_path, sizeof(ini_path), "%s/tox.ini", dir);
	snprintf(cfg_path, sizeof(cfg_path), "%s/setup.cfg", dir);
	atexit(cleanup);
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Return 1 when the size bytes at data hold s (memmem is not POSIX). */
static int contains(const uint8_t *data, size_t size, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= size; i++)
		if (memcmp(data + i, s, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "a b", "--flag", "{x}" };
	struct strvec posargs = STRVEC_INIT, envs = STRVEC_INIT, all = STRVEC_INIT, sel = STRVEC_INIT;
	struct tox_opts o;
	struct tox t;
	struct diag d = { 0 };
	uint8_t flags;
	const char *path;
	int check_files;

	if (size < 1)
		return 0;
	if (fuzz_expansion((const char *)data, size) > FUZZ_MAX_NAMES)
		return 0;
	setup();
	flags = data[0];
	/*
	 * blitz check reads the -r files deps name, wherever they are; a device
	 * (-r /dev/zero) would hang the fuzzer, not find a bug, as it hangs pip
	 */
	check_files = !contains(data, size, "/dev") && !contains(data, size, "/proc") &&
		      !contains(data, size, "/sys");
	path = (flags & 2) ? cfg_path : ini_path;
	if (write_file(path, data + 1, size - 1) < 0) {
		perror("fuzz_toxini: write");
		abort();
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		strvec_push(&posargs, words[i]);

	memset(&o, 0, sizeof(o));
	o.path = path;
	o.tox3 = flags & 1;
	o.posargs = (flags & 4) ? &posargs : NULL;
	o.hashseed = (flags & 8) ? "123" : NULL;
	o.isatty = (flags & 16) != 0;
	if (tox_load(&t, &o, &d) < 0) {
		if (!d.msg[0])
			__builtin_trap();	/* a failed load says why */
		goto out;
	}
	t.python_info = NULL;		/* never start an interpreter from the fuzzer */
	t.default_python = "python3";

	if (t.tox3 && tox_check_all(&t, &d) < 0)
		goto out;
	tox_all_envs(&t, &envs);
	for (size_t i = 0; i < envs.n && i < MAX_ENVS; i++) {
		struct toxenv e;
		struct diag ed = { 0 };
		memset(&e, 0, sizeof(e));
		/* blitz check goes on after an env fails, so every later env must still say why */
		if (tox_env_resolve(&t, envs.v[i], &e, &ed) < 0) {
			if (!ed.msg[0])
				__builtin_trap();
		} else if (check_files) {
			struct strvec problems = STRVEC_INIT;
			(void)tox_env_check(&t, &e, &problems);
			strvec_clear(&problems);
		}
		toxenv_release(&e);
		(void)tox_env_has_label(&t, envs.v[i], "lint");
		(void)tox_env_known(&t, envs.v[i]);
	}

	/* -e ALL -f py -m lint, as the CLI would select */
	{
		struct select_opts so;
		struct strvec f = STRVEC_INIT, m = STRVEC_INIT;
		struct diag sd = { 0 };
		strvec_push(&all, "ALL");
		strvec_push(&f, "py");
		strvec_push(&m, "lint");
		memset(&so, 0, sizeof(so));
		so.envs = &all;
		(void)select_envs(&t, &so, &sel, &sd);
		strvec_clear(&sel);
		so.envs = NULL;
		so.factors = (flags & 32) ? &f : NULL;
		so.labels = (flags & 64) ? &m : NULL;
		(void)select_envs(&t, &so, &sel, &sd);
		strvec_clear(&sel);
		/* -e with a known name and a misspelt one (the suggestion), then TOXENV and TOX_SKIP_ENV */
		if (envs.n) {
			struct strvec named = STRVEC_INIT;
			strvec_push(&named, envs.v[0]);
			strvec_pushf(&named, "%sx", envs.v[envs.n - 1]);
			memset(&so, 0, sizeof(so));
			so.envs = &named;
			(void)select_envs(&t, &so, &sel, &sd);
			strvec_clear(&sel);
			strvec_clear(&named);
			so.envs = NULL;
			so.toxenv = envs.v[0];
			so.skip_env = (flags & 128) ? "py3[0-9]+|.*lint" : NULL;
			(void)select_envs(&t, &so, &sel, &sd);
		}
		strvec_clear(&f);
		strvec_clear(&m);
	}
out:
	tox_release(&t);
	unlink(path);
	strvec_clear(&sel);
	strvec_clear(&all);
	strvec_clear(&envs);
	strvec_clear(&posargs);
	return 0;
}
