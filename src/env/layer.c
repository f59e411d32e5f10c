/* Cloning a layer (a venv of shared deps) into an env. */
#include "layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

#include "../util/util.h"

#define CLONE_DEPTH 32
/* a console script is a few hundred bytes; anything larger under bin/ is not rewritten */
#define SCRIPT_MAX (64 * 1024)

struct clone {
	const char *layer, *env;
	size_t layer_len;
	int no_reflink, no_link;	/* the file system said no once: do not ask again */
	char *err;
	size_t errsz;
};

static int fail(struct clone *c, const char *what, const char *path)
{
	snprintf(c->err, c->errsz, "%s '%s': %s", what, path, strerror(errno));
	return -1;
}

/*
 * A copy of from at to with its mode and times; with reflink, one that
 * shares the blocks of from (returns 1, nothing made, where the file system
 * cannot).
 */
static int copy_file(struct clone *c, const char *from, const char *to, const struct stat *st, int reflink)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, rc = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return fail(c, "cannot read", from);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0) {
		close(in);
		return fail(c, "cannot create", to);
	}
	if (reflink) {
#ifdef FICLONE
		if (ioctl(out, FICLONE, in) == 0)
			goto times;
#endif
		close(in);
		close(out);
		unlink(to);
		return 1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				rc = fail(c, "cannot write", to);
				goto out;
			}
			off += w;
		}
	}
	if (n < 0) {
		rc = fail(c, "cannot read", from);
		goto out;
	}
#ifdef FICLONE
times:
#endif
	{
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		futimens(out, ts);
	}
out:
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = fail(c, "cannot write", to);
	return rc;
}

/*
 * A script under bin/ that names the layer (its #! line, or pip's sh
 * trampoline for long paths): written again naming the env. Returns 1 when
 * rewritten, 0 when the file is not such a script, -1 on error.
 */
static int rewrite_script(struct clone *c, const char *from, const char *to, const struct stat *st)
{
	size_t len;
	char *text, *hit;

	if (st->st_size > SCRIPT_MAX)
		return 0;
	text = read_file(from, &len);
	if (!text)
		return fail(c, "cannot read", from);
	if (!(hit = strstr(text, c->layer))) {
		free(text);
		return 0;
	}
	FILE *f = NULL;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		free(text);
		return fail(c, "cannot create", to);
	}
	const char *p = text;
	do {
		fwrite(p, 1, (size_t)(hit - p), f);
		fputs(c->env, f);
		p = hit + c->layer_len;
	} while ((hit = strstr(p, c->layer)));
	fwrite(p, 1, len - (size_t)(p - text), f);
	free(text);
	if (fclose(f) != 0)
		return fail(c, "cannot write", to);
	return 1;
}

/* One file of the layer into the env: rewritten, reflinked, linked or copied, the first that works. */
static int clone_file(struct clone *c, const char *src, const char *dst, const struct stat *st, int in_bin)
{
	int rc = in_bin ? rewrite_script(c, src, dst, st) : 0;

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!c->no_reflink) {
		if ((rc = copy_file(c, src, dst, st, 1)) <= 0)
			return rc;
		c->no_reflink = 1;	/* not on this file system: do not ask again */
	}
	if (!c->no_link) {
		if (link(src, dst) == 0)
			return 0;
		if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP && errno != EOPNOTSUPP)
			return fail(c, "cannot link", dst);
		c->no_link = 1;
	}
	return copy_file(c, src, dst, st, 0);
}

static int clone_dir(struct clone *c, const char *from, const char *to, int in_bin, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > CLONE_DEPTH) {
		snprintf(c->err, c->errsz, "'%s' is nested too deep to clone", from);
		return -1;
	}
	if (!(d = opendir(from)))
		return fail(c, "cannot list", from);
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (depth == 0 && strcmp(de->d_name, ".blitz-layer") == 0)
			continue;
		char *src = xconcat(from, "/", de->d_name, NULL), *dst = xconcat(to, "/", de->d_name, NULL);
		if (lstat(src, &st) < 0) {
			rc = fail(c, "cannot read", src);
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, st.st_mode & 07777) < 0 && errno != EEXIST)
				rc = fail(c, "cannot create", dst);
			else
				rc = clone_dir(c, src, dst, depth == 0 && strcmp(de->d_name, "bin") == 0, depth + 1);
		} else if (access(dst, F_OK) == 0 || errno != ENOENT) {
			/* the env's own: pyvenv.cfg, bin/python, activate, lib64 */
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(src, target, sizeof(target) - 1);
			if (n < 0)
				rc = fail(c, "cannot read", src);
			else {
				target[n] = '\0';
				if (symlink(target, dst) < 0)
					rc = fail(c, "cannot create", dst);
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = clone_file(c, src, dst, &st, in_bin);
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

int layer_clone(const char *layer, const char *env, char *err, size_t errsz)
{
	char *built_at = layer_built_at(layer);
	int rc;

	err[0] = '\0';
	if (!built_at) {
		snprintf(err, errsz, "'%s' is not a complete layer (no .blitz-layer mark)", layer);
		return -1;
	}
	struct clone c = { .layer = built_at, .env = env, .layer_len = strlen(built_at), .err = err, .errsz = errsz };
#ifndef FICLONE
	c.no_reflink = 1;
#endif
	rc = clone_dir(&c, layer, env, 0, 0);
	free(built_at);
	return rc;
}

char *layer_built_at(const char *layer)
{
	char *mark = xconcat(layer, "/.blitz-layer", NULL);
	size_t len;
	char *text = read_file(mark, &len);

	free(mark);
	if (!text)
		return NULL;
	if (len == 0 || text[0] != '/' || strlen(text) != len) {
		free(text);
		return NULL;
	}
	return text;
}

int layer_mark(const char *layer, const char *built_at)
{
	char *mark = xconcat(layer, "/.blitz-layer", NULL);
	int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(built_at);

	free(mark);
	if (fd < 0)
		return -1;
	if (write(fd, built_at, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}
