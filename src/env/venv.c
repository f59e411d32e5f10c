/* Virtual environments written directly: folders, links, pyvenv.cfg. */
#include "venv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interp.h"
#include "../util/strbuf.h"
#include "../util/util.h"

/*
 * The activate script for POSIX shells (bash, zsh, dash). It must be
 * sourced; deactivate restores PATH, PS1 and PYTHONHOME as they were.
 * @VENV@ and @PROMPT@ are filled in.
 */
static const char activate_sh[] =
	"# Source this file to use the virtual environment in this shell: . bin/activate\n"
	"# (written by blitz; `deactivate` undoes it)\n"
	"deactivate () {\n"
	"    if [ -n \"${_BLITZ_OLD_PATH+set}\" ]; then PATH=\"$_BLITZ_OLD_PATH\"; export PATH; unset _BLITZ_OLD_PATH; fi\n"
	"    if [ -n \"${_BLITZ_OLD_PYTHONHOME+set}\" ]; then PYTHONHOME=\"$_BLITZ_OLD_PYTHONHOME\"; export PYTHONHOME;\n"
	"        unset _BLITZ_OLD_PYTHONHOME; fi\n"
	"    if [ -n \"${_BLITZ_OLD_PS1+set}\" ]; then PS1=\"$_BLITZ_OLD_PS1\"; export PS1; unset _BLITZ_OLD_PS1; fi\n"
	"    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT\n"
	"    hash -r 2>/dev/null\n"
	"    if [ \"$1\" != nondestructive ]; then unset -f deactivate; fi\n"
	"}\n"
	"deactivate nondestructive\n"
	"VIRTUAL_ENV=@VENV@\n"
	"VIRTUAL_ENV_PROMPT=@PROMPT@\n"
	"export VIRTUAL_ENV VIRTUAL_ENV_PROMPT\n"
	"_BLITZ_OLD_PATH=\"$PATH\"\n"
	"PATH=\"$VIRTUAL_ENV/bin:$PATH\"\n"
	"export PATH\n"
	"if [ -n \"${PYTHONHOME+set}\" ]; then _BLITZ_OLD_PYTHONHOME=\"$PYTHONHOME\"; unset PYTHONHOME; fi\n"
	"if [ -z \"${VIRTUAL_ENV_DISABLE_PROMPT-}\" ]; then\n"
	"    _BLITZ_OLD_PS1=\"${PS1-}\"\n"
	"    PS1=\"($VIRTUAL_ENV_PROMPT) ${PS1-}\"\n"
	"    export PS1\n"
	"fi\n"
	"hash -r 2>/dev/null\n";

static int fail(char *err, size_t errsz, const char *what, const char *path)
{
	snprintf(err, errsz, "%s '%s': %s", what, path, strerror(errno));
	return -1;
}

/* s in single quotes for a POSIX shell (allocated). */
static char *sh_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_adds(&sb, "'\\''");
		else
			strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '\'');
	return strbuf_detach(&sb);
}

/* Write text to path (created, or replaced), with mode. */
static int write_text(const char *path, const char *text, mode_t mode, char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t n = strlen(text);

	if (fd < 0)
		return fail(err, errsz, "cannot create", path);
	if (write(fd, text, n) != (ssize_t)n) {
		int e = errno;
		close(fd);
		errno = e ? e : ENOSPC;
		return fail(err, errsz, "cannot write", path);
	}
	if (close(fd) < 0)
		return fail(err, errsz, "cannot write", path);
	return 0;
}

static int make_dir(const char *path, char *err, size_t errsz)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail(err, errsz, "cannot create", path);
	return 0;
}

/* Empty the venv at dir, keeping the folder itself (as venv --clear does). */
static int clear_venv(const char *dir, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : fail(err, errsz, "cannot list", dir);
	while (rc == 0 && (de = readdir(d))) {
		/* pyvenv.cfg stays until it is written anew: a folder with it is blitz's to clear again */
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, "pyvenv.cfg") == 0)
			continue;
		char *p = xconcat(dir, "/", de->d_name, NULL);
		if (remove_tree(p) < 0)
			rc = fail(err, errsz, "cannot remove", p);
		free(p);
	}
	closedir(d);
	return rc;
}

char *venv_site_packages(const char *dir, const struct interp *in)
{
	return xasprintf("%s/lib/%s%d.%d/site-packages", dir, strcmp(in->impl, "pypy") == 0 ? "pypy" : "python",
			 in->major, in->minor);
}

/* path = dir + "/" + rel, or -1 (err filled) when it does not fit */
static int join(char *path, size_t sz, const char *dir, const char *rel, char *err, size_t errsz)
{
	if ((size_t)snprintf(path, sz, "%s/%s", dir, rel) >= sz) {
		snprintf(err, errsz, "the path '%s/%s' is too long", dir, rel);
		return -1;
	}
	return 0;
}

/* The activate script with the venv's folder and prompt filled in (allocated). */
static char *activate_script(const char *dir, const char *prompt)
{
	char *qdir = sh_quote(dir), *qprompt = sh_quote(prompt);
	struct strbuf sb = STRBUF_INIT;

	for (const char *s = activate_sh; *s;) {
		if (strncmp(s, "@VENV@", 6) == 0) {
			strbuf_adds(&sb, qdir);
			s += 6;
		} else if (strncmp(s, "@PROMPT@", 8) == 0) {
			strbuf_adds(&sb, qprompt);
			s += 8;
		} else {
			strbuf_addch(&sb, *s++);
		}
	}
	free(qdir);
	free(qprompt);
	return strbuf_detach(&sb);
}

/* Check what is at dir (a venv may be made there), emptying an old venv when asked. */
static int prepare_dir(const char *dir, const struct venv_opts *o, char *err, size_t errsz)
{
	struct stat st;
	char cfg[4096];

	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT)
			return fail(err, errsz, "cannot read", dir);
		return mkdirs(dir) < 0 ? fail(err, errsz, "cannot create", dir) : 0;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errsz, "'%s' is a symbolic link: blitz makes a venv only in a folder of its own "
			 "(remove the link, or point env_dir elsewhere)", dir);
		return -1;
	}
	if (join(cfg, sizeof(cfg), dir, "pyvenv.cfg", err, errsz) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || (!dir_is_empty(dir) && (!o->clear || access(cfg, F_OK) != 0))) {
		snprintf(err, errsz, "'%s' exists and is not an empty folder or a venv (no pyvenv.cfg): "
			 "blitz will not delete it; remove it or point env_dir elsewhere", dir);
		return -1;
	}
	return o->clear ? clear_venv(dir, err, errsz) : 0;
}

int venv_create(const char *dir, const struct interp *in, const struct venv_opts *o, char *err, size_t errsz)
{
	char path[4096], rel[64], *real, *text, *site;
	int rc = -1;

	err[0] = '\0';
	if (strcmp(in->impl, "cpython") != 0 || in->major < 3 || (in->major == 3 && in->minor < 3)) {
		snprintf(err, errsz, "blitz makes venvs for CPython 3.3 and later, not %s %d.%d", in->impl, in->major,
			 in->minor);
		return -1;
	}
	if (prepare_dir(dir, o, err, errsz) < 0)
		return -1;
	/* Python finds its standard library from `home`, the folder of the real interpreter */
	if (!(real = realpath(in->path, NULL)))
		return fail(err, errsz, "cannot find", in->path);
	text = xasprintf("home = %.*s\n"
			 "implementation = CPython\n"
			 "version_info = %d.%d.%d\n"
			 "include-system-site-packages = %s\n"
			 "version = %d.%d.%d\n"
			 "executable = %s\n"
			 "created-by = blitz\n",
			 (int)(strrchr(real, '/') - real), real, in->major, in->minor, in->micro,
			 o->system_site_packages ? "true" : "false", in->major, in->minor, in->micro, real);
	site = venv_site_packages(dir, in);
	/* pyvenv.cfg first: a folder with one is a venv blitz may clear, even when a crash stops it half-made */
	if (join(path, sizeof(path), dir, "pyvenv.cfg", err, errsz) < 0 || write_text(path, text, 0644, err, errsz) < 0)
		goto out;
	/* the folders, as venv makes them */
	snprintf(rel, sizeof(rel), "lib/python%d.%d", in->major, in->minor);
	const char *const dirs[] = { "bin", "include", "lib", rel };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		if (join(path, sizeof(path), dir, dirs[i], err, errsz) < 0 || make_dir(path, err, errsz) < 0)
			goto out;
	if (make_dir(site, err, errsz) < 0)
		goto out;
	/* backup tools skip it, as virtualenv marks its venvs (it makes no lib64, as venv does) */
	if (join(path, sizeof(path), dir, "CACHEDIR.TAG", err, errsz) < 0 ||
	    write_text(path, "Signature: 8a477f597d28d172789f06886806bc55\n"
			     "# This file is a cache directory tag created by blitz.\n"
			     "# For information about cache directory tags, see https://bford.info/cachedir/\n",
		       0644, err, errsz) < 0)
		goto out;
	/* bin/python links to the interpreter as found; python3 and python3.X to python */
	if (join(path, sizeof(path), dir, "bin/python", err, errsz) < 0)
		goto out;
	if (symlink(in->path, path) < 0) {
		fail(err, errsz, "cannot create", path);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(rel, sizeof(rel), "bin/python%d", in->major);
		else
			snprintf(rel, sizeof(rel), "bin/python%d.%d", in->major, in->minor);
		if (join(path, sizeof(path), dir, rel, err, errsz) < 0)
			goto out;
		if (symlink("python", path) < 0) {
			fail(err, errsz, "cannot create", path);
			goto out;
		}
	}
	{
		const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
		char *script = activate_script(dir, o->prompt ? o->prompt : name);
		int w = join(path, sizeof(path), dir, "bin/activate", err, errsz);
		if (w == 0)
			w = write_text(path, script, 0644, err, errsz);
		free(script);
		if (w < 0)
			goto out;
	}
	if (join(path, sizeof(path), dir, ".gitignore", err, errsz) < 0 ||
	    write_text(path, "# a virtual environment made by blitz\n*\n", 0644, err, errsz) < 0)
		goto out;
	rc = 0;
out:
	free(site);
	free(text);
	free(real);
	return rc;
}
