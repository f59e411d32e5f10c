#define _XOPEN_SOURCE 700
#include "util.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

const char *progname = "blitz";

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "%s: %s: ", progname, kind);
	vfprintf(stderr, fmt, ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
	exit(status);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("error", fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning", fmt, ap);
	va_end(ap);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(1, "out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(1, "out of memory allocating %zu elements", n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(1, "out of memory allocating %zu bytes", n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(1, "cannot format message");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *xconcat(const char *first, ...)
{
	va_list ap;
	size_t n = 0;
	char *res, *w;

	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		n += strlen(s);
	va_end(ap);
	res = w = xmalloc(n + 1);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		size_t len = strlen(s);
		memcpy(w, s, len);
		w += len;
	}
	va_end(ap);
	*w = '\0';
	return res;
}

void *xgrow(void *p, size_t *cap, size_t n, size_t sz)
{
	size_t c = *cap;

	if (n <= c)
		return p;
	if (c < 8)
		c = sz == 1 ? 64 : 8;	/* strings grow from 64 bytes: most values fit */
	while (c < n)
		c *= 2;
	if (c > ((size_t)-1) / sz)
		die(1, "out of memory growing an array to %zu elements", n);
	*cap = c;
	return xrealloc(p, c * sz);
}

int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	struct stat st;

	if (!f)
		return NULL;
	/* a device or a pipe (/dev/zero, /dev/stdin) would never end: files only, and not huge ones */
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > READ_FILE_MAX) {
		int e = errno;
		if (e == 0 || fstat(fileno(f), &st) == 0)
			e = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		fclose(f);
		errno = e;
		return NULL;
	}
	for (;;) {
		buf = xgrow(buf, &cap, n + 65536, 1);
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *read_file_tail(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	buf = xmalloc(max + 1);
	while (n < max) {
		ssize_t got = pread(fd, buf + n, max - n, from + (off_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	if (from > 0) {
		/* the first line is cut: start at the next whole one */
		char *nl = memchr(buf, '\n', n);
		size_t skip = nl ? (size_t)(nl + 1 - buf) : 0;
		memmove(buf, buf + skip, n - skip + 1);
		n -= skip;
	}
	if (len)
		*len = n;
	return buf;
}

int mkdirs(const char *dir)
{
	char *copy = xstrdup(dir);
	int rc, first = 0;	/* why a folder above could not be made (EACCES in a read-only project) */

	for (char *p = copy + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(copy, 0755) < 0 && errno != EEXIST && !first)
				first = errno;
			*p = '/';
		}
	rc = mkdir(copy, 0755) < 0 && errno != EEXIST ? -1 : 0;
	if (rc < 0 && errno == ENOENT && first)
		errno = first;	/* the cause, not its consequence */
	free(copy);
	return rc;
}

/*
 * Empty the folder open at fd (on device dev), by descriptor only: each
 * entry is looked at with fstatat(AT_SYMLINK_NOFOLLOW) and a folder opened
 * with openat(O_NOFOLLOW) from its parent's descriptor, so a symbolic link
 * swapped in for a folder while this runs is removed as a link, never
 * followed, and no path is walked twice. Folders of another file system (a
 * mount inside) are left alone, as rm --one-file-system does. Closes fd.
 */
static int empty_dir_fd(int fd, dev_t dev)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int err = 0;

	if (!d) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		int is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno != ENOENT && !err)
					err = errno;
				continue;
			}
			is_dir = S_ISDIR(st.st_mode);
		}
		if (!is_dir) {
			if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR) {	/* EISDIR: a folder now, put there since readdir */
				if (!err)
					err = errno;
				continue;
			}
		}
		int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno == ENOTDIR || errno == ELOOP) {	/* a link or a file now: remove that */
				if (unlinkat(fd, name, 0) < 0 && errno != ENOENT && !err)
					err = errno;
			} else if (errno != ENOENT && !err) {
				err = errno;
			}
			continue;
		}
		int bad = fstat(sub, &st) < 0 ? errno : st.st_dev != dev ? EXDEV : 0;
		if (bad) {
			if (!err)
				err = bad;
			close(sub);
			continue;
		}
		if (empty_dir_fd(sub, dev) < 0 && !err)
			err = errno;
		if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !err)
			err = errno;
	}
	closedir(d);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int dir_fd_is_empty(int fd)
{
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);	/* its own position: fd is left as it was */
	DIR *d = own < 0 ? NULL : fdopendir(own);
	struct dirent *de;
	int empty = 1;

	if (!d) {
		if (own >= 0)
			close(own);
		return 0;
	}
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int dir_is_empty(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int empty;

	if (fd < 0)
		return errno == ENOENT;
	empty = dir_fd_is_empty(fd);
	close(fd);
	return empty;
}

int remove_tree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(dir) < 0 && errno != ENOENT ? -1 : 0;	/* a file, or a link (never its target) */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (empty_dir_fd(fd, st.st_dev) < 0)
		return -1;
	return rmdir(dir) < 0 && errno != ENOENT ? -1 : 0;
}

int mkdir_own(const char *dir, mode_t mode)
{
	struct stat st;

	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

#define TMPFS_MAGIC_NUMBER 0x01021994

int is_tmpfs(const char *dir, unsigned long long *free_bytes)
{
	struct statfs fs;

	if (statfs(dir, &fs) != 0 || fs.f_type != TMPFS_MAGIC_NUMBER)
		return 0;
	if (free_bytes)
		*free_bytes = (unsigned long long)fs.f_bavail * (unsigned long long)fs.f_bsize;
	return 1;
}

char *cache_dir(const char *sub)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg == '/')
		return xconcat(xdg, "/blitz/", sub, NULL);
	if (home && *home == '/')
		return xconcat(home, "/.cache/blitz/", sub, NULL);
	return NULL;
}
