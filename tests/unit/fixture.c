/*
 * Temporary project folders for the unit tests (see fixture.h). Each test runs
 * in its own process, so a failure here simply aborts that test.
 */
#include "fixture.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/util/strbuf.h"
#include "../../src/util/util.h"

/*
 * The reaper blocks on a pipe whose only write end the test process holds:
 * end of file means the test is over, however it ended. It closes every other
 * descriptor so that it keeps no earlier fixture's pipe (nor the harness's
 * output) open.
 */
static void start_reaper(struct fx *f)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		die(1, "pipe:");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die(1, "fork:");
	if (pid == 0) {
		for (int fd = 0; fd < 1024; fd++)
			if (fd != p[0])
				close(fd);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		remove_tree(f->dir);
		_exit(0);
	}
	close(p[0]);
	f->reaper_fd = p[1];
	f->reaper = pid;
}

void fx_init(struct fx *f)
{
	const char *tmp = getenv("TMPDIR");
	char templ[PATH_MAX];

	memset(f, 0, sizeof(*f));
	snprintf(templ, sizeof(templ), "%s/blitz-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(templ))
		die(1, "mkdtemp %s:", templ);
	if (!realpath(templ, f->dir))
		die(1, "realpath %s:", templ);
	start_reaper(f);
	f->opts.path = f->dir;
	f->opts.hashseed = "1234";
}

void fx_write(struct fx *f, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	if (!fp)
		die(1, "open %s:", path);
	fwrite(text, 1, strlen(text), fp);
	if (fclose(fp) != 0)
		die(1, "write %s:", path);
}

void fx_mkdir(struct fx *f, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	if (mkdir(path, 0700) != 0)
		die(1, "mkdir %s:", path);
}

int fx_load(struct fx *f)
{
	int rc = tox_load(&f->tox, &f->opts, &f->d);

	f->loaded = 1;
	f->tox.python_info = NULL;
	f->tox.default_python = FX_PYTHON;
	return rc;
}

int fx_ini(struct fx *f, const char *text, int tox3)
{
	fx_init(f);
	fx_write(f, "tox.ini", text);
	f->opts.tox3 = tox3;
	return fx_load(f);
}

int fx_env(struct fx *f, const char *env, struct toxenv *e)
{
	memset(&f->d, 0, sizeof(f->d));
	return tox_env_resolve(&f->tox, env, e, &f->d);
}

static const char *keep(struct fx *f, char *s)
{
	strvec_push_owned(&f->scratch, s);
	return s;
}

const char *fx_path(struct fx *f, const char *rel)
{
	return keep(f, xasprintf("%s/%s", f->dir, rel));
}

const char *fx_join(struct fx *f, const struct strvec *sv)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sv->n; i++)
		strbuf_addf(&sb, "%s%s", i ? "|" : "", sv->v[i]);
	return keep(f, strbuf_detach(&sb));
}

const char *fx_cmd(struct fx *f, const struct tox_commands *cs, size_t i)
{
	if (i >= cs->n)
		return "(none)";
	return fx_join(f, &cs->v[i].argv);
}

const char *fx_word(const struct tox_commands *cs, size_t i, size_t k)
{
	return i < cs->n && k < cs->v[i].argv.n ? cs->v[i].argv.v[k] : NULL;
}

const char *fx_cmds(struct fx *f, const struct tox_commands *cs)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < cs->n; i++) {
		if (i)
			strbuf_adds(&sb, " ; ");
		for (size_t k = 0; k < cs->v[i].argv.n; k++)
			strbuf_addf(&sb, "%s%s", k ? " " : "", cs->v[i].argv.v[k]);
	}
	return keep(f, strbuf_detach(&sb));
}

const char *fx_setenv(const struct toxenv *e, const char *key)
{
	for (size_t i = 0; i < e->n_set_env; i++)
		if (strcmp(e->set_env[i].key, key) == 0)
			return e->set_env[i].value;
	return NULL;
}

const char *fx_setenv_all(struct fx *f, const struct toxenv *e)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < e->n_set_env; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? "|" : "", e->set_env[i].key, e->set_env[i].value);
	return keep(f, strbuf_detach(&sb));
}

int fx_has_error(const struct toxenv *e, const char *text)
{
	for (size_t i = 0; i < e->errors.n; i++)
		if (strstr(e->errors.v[i], text))
			return 1;
	return 0;
}

void fx_release(struct fx *f)
{
	if (f->loaded)
		tox_release(&f->tox);
	strvec_clear(&f->posargs);
	strvec_clear(&f->scratch);
	if (f->dir[0])
		remove_tree(f->dir);
	if (f->reaper > 0) {
		close(f->reaper_fd);
		while (waitpid((pid_t)f->reaper, NULL, 0) < 0 && errno == EINTR)
			;
	}
	memset(f, 0, sizeof(*f));
}
