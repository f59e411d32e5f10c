#ifndef BLITZ_UTIL_H
#define BLITZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* Program name used as the prefix of every message ("blitz"). */
extern const char *progname;

/* Print "blitz: error: MSG" and exit with status. A trailing ':' in fmt appends strerror(errno). */
_Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "blitz: error: MSG" (strerror appended as in die()) and return -1 for the caller to pass up. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "blitz: warning: MSG". */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation wrappers: never return NULL, die with exit 1 when memory is exhausted. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Return a newly allocated printf-formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Return the concatenation of the strings given, up to a NULL (newly allocated; no printf, for hot paths). */
char *xconcat(const char *first, ...);

/* Grow *p (of element size sz) so it holds at least n elements; *cap tracks the capacity. */
void *xgrow(void *p, size_t *cap, size_t n, size_t sz);

/* Return 1 when s starts with prefix. */
int starts_with(const char *s, const char *prefix);

/* Return monotonic time in nanoseconds (for durations, never wall-clock). */
long long now_ns(void);

/* The largest file read_file() reads: no tox.ini or requirements file comes near it. */
#define READ_FILE_MAX (64L << 20)

/*
 * Read a whole regular file (at most READ_FILE_MAX bytes) into a
 * NUL-terminated buffer; *len gets its size. Returns NULL and sets errno on
 * failure (EINVAL: not a regular file; EFBIG: too large).
 */
char *read_file(const char *path, size_t *len);

/*
 * The end of the file at path: its last max bytes at most, from the first
 * whole line in them (read without reading what comes before: a log of any
 * size); NUL bytes kept, *len the length. NULL when it cannot be read.
 */
char *read_file_tail(const char *path, size_t max, size_t *len);

/*
 * Create dir and the folders above it that are missing (mkdir -p). Returns
 * 0, or -1 with errno set: for a folder above that could not be made, its
 * reason (EACCES), not the ENOENT that follows from it.
 */
int mkdirs(const char *dir);

/*
 * A folder of this user's in a place others share (/tmp, /dev/shm): create
 * dir with mode if missing, then check it is a real folder (not a link
 * someone planted) owned by this user. Returns 0, or -1 with errno set
 * (EPERM: it is someone else's, or no folder).
 */
int mkdir_own(const char *dir, mode_t mode);

/* Whether dir lies on a tmpfs (a file system in RAM); free: its free bytes, when not NULL. */
int is_tmpfs(const char *dir, unsigned long long *free);

/* Whether the folder dir holds nothing (also when it does not exist); the same for one open at fd. */
int dir_is_empty(const char *dir);
int dir_fd_is_empty(int fd);

/*
 * Delete dir and everything under it (rm -rf --one-file-system), by folder
 * descriptors (openat, unlinkat, O_NOFOLLOW): a symbolic link found in it,
 * or swapped in for one of its folders meanwhile, is removed as a link and
 * never followed; dir itself, when a link, is unlinked, its target left
 * alone. Callers pass only folders blitz made. Returns 0 (also when dir does
 * not exist), or -1 with errno set by the first failure.
 */
int remove_tree(const char *dir);

/*
 * blitz's cache folder for sub, outside any project: $XDG_CACHE_HOME/blitz/SUB,
 * else $HOME/.cache/blitz/SUB (allocated); NULL when neither names an
 * absolute folder.
 */
char *cache_dir(const char *sub);

#endif
