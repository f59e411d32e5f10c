/* Fingerprints of what an env is built from, and the mark of a built env. */
#include "fingerprint.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/strmap.h"
#include "../util/strvec.h"
#include "../util/util.h"

#define FNV_PRIME 0x100000001b3ULL
/* deeper than this, a tree is a loop of bind mounts or a generated monster: stop */
#define TREE_DEPTH 32

uint64_t fp_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t fp_str(uint64_t h, const char *s)
{
	return fp_bytes(h, s, strlen(s) + 1);
}

uint64_t fp_strvec(uint64_t h, const struct strvec *v)
{
	uint64_t n = v->n;

	h = fp_bytes(h, &n, sizeof(n));
	for (size_t i = 0; i < v->n; i++)
		h = fp_str(h, v->v[i]);
	return h;
}

uint64_t fp_file(uint64_t h, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	h = fp_str(h, path);
	if (!text) {
		int e = errno;
		return fp_bytes(h, &e, sizeof(e));
	}
	h = fp_bytes(h, text, len);
	free(text);
	return h;
}

static uint64_t fp_statbuf(uint64_t h, const struct stat *st)
{
	int64_t v[4] = { (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_mtim.tv_nsec,
			 (int64_t)st->st_ino };

	return fp_bytes(h, v, sizeof(v));
}

uint64_t fp_stat(uint64_t h, const char *path)
{
	struct stat st;

	h = fp_str(h, path);
	if (stat(path, &st) < 0) {
		int e = errno;
		return fp_bytes(h, &e, sizeof(e));
	}
	return fp_statbuf(h, &st);
}

static int skipped_dir(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || strcmp(name, "__pycache__") == 0 || strcmp(name, "build") == 0 ||
	       strcmp(name, "dist") == 0 || strcmp(name, "node_modules") == 0 || strcmp(name, "venv") == 0 ||
	       (n > 9 && strcmp(name + n - 9, ".egg-info") == 0);
}

/* What decides which tests pytest collects: Python files and the files that configure it. */
static int code_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 3 && strcmp(name + n - 3, ".py") == 0) || strcmp(name, "pytest.ini") == 0 ||
	       strcmp(name, "tox.ini") == 0 || strcmp(name, "setup.cfg") == 0 || strcmp(name, "pyproject.toml") == 0;
}

/*
 * What a file's content hashed to, while its stat is what it was: a tree's
 * fingerprint by content reads only the files that changed since.
 */
struct content_cache {
	struct strmap index;		/* relative path -> row */
	struct content_row {
		int64_t stat[4];	/* size, mtime s, mtime ns, inode */
		uint64_t hash;
		int seen;		/* still in the tree this time */
	} *rows;
	size_t n, cap;
	int dirty;
};

/* Files larger than this are known by their stat alone: a data file of gigabytes is not read at every run. */
#define CONTENT_MAX (8L << 20)

/* The content hash of the file at path (rel in the cache), from the cache when its stat is unchanged. */
static uint64_t content_hash(struct content_cache *cc, const char *path, const char *rel, const struct stat *st)
{
	int64_t v[4] = { (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_mtim.tv_nsec,
			 (int64_t)st->st_ino };
	int at = strmap_get(&cc->index, rel, strlen(rel));
	uint64_t h;

	if (at >= 0 && memcmp(cc->rows[at].stat, v, sizeof(v)) == 0) {
		cc->rows[at].seen = 1;
		return cc->rows[at].hash;
	}
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));
		h = fp_bytes(fp_str(FP_INIT, "link"), target, n > 0 ? (size_t)n : 0);
	} else if (st->st_size > CONTENT_MAX) {
		h = fp_bytes(fp_str(FP_INIT, "stat"), v, sizeof(v));
	} else {
		size_t len;
		char *text = read_file(path, &len);
		h = text ? fp_bytes(fp_str(FP_INIT, "file"), text, len) : fp_bytes(fp_str(FP_INIT, "stat"), v, sizeof(v));
		free(text);
	}
	if (at < 0) {
		at = strmap_intern(&cc->index, rel, strlen(rel));
		cc->rows = xgrow(cc->rows, &cc->cap, (size_t)at + 1, sizeof(*cc->rows));
		cc->n = (size_t)at + 1;
	}
	memcpy(cc->rows[at].stat, v, sizeof(v));
	cc->rows[at].hash = h;
	cc->rows[at].seen = 1;
	cc->dirty = 1;
	return h;
}

/*
 * Hash the tree at dir (rel: its path under the root) into h; with entries,
 * also list each file hashed there as "HASH REL" (HASH: 16 hex digits of
 * what is hashed of it: its stat, or with cc its content).
 */
static uint64_t tree(uint64_t h, const char *dir, const char *rel, const struct strvec *skip, int depth, int code,
		     struct strvec *entries, struct content_cache *cc)
{
	DIR *d;
	struct dirent *de;
	struct strvec names = STRVEC_INIT;

	if (depth > TREE_DEPTH || strvec_find(skip, dir) >= 0)
		return h;
	d = opendir(dir);
	if (!d)
		return fp_str(h, rel);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strvec_push(&names, de->d_name);
	closedir(d);
	strvec_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *path = xconcat(dir, "/", names.v[i], NULL);
		char *sub = *rel ? xconcat(rel, "/", names.v[i], NULL) : xstrdup(names.v[i]);
		struct stat st;
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (!skipped_dir(names.v[i]))
					h = tree(h, path, sub, skip, depth + 1, code, entries, cc);
			} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && names.v[i][0] != '.' &&
				   (!code || code_file(names.v[i])) && strvec_find(skip, path) < 0) {
				uint64_t fh = cc ? content_hash(cc, path, sub, &st) : fp_statbuf(FP_INIT, &st);
				h = fp_str(h, sub);
				h = fp_bytes(h, &fh, sizeof(fh));
				if (entries)
					strvec_pushf(entries, "%016llx %s", (unsigned long long)fh, sub);
			}
		}
		free(path);
		free(sub);
	}
	strvec_clear(&names);
	return h;
}

uint64_t fp_tree(uint64_t h, const char *root, const struct strvec *skip)
{
	return tree(h, root, "", skip, 0, 0, NULL, NULL);
}

uint64_t fp_code_tree(uint64_t h, const char *root, const struct strvec *skip)
{
	return tree(h, root, "", skip, 0, 1, NULL, NULL);
}

/* Read the content cache at path ("HASH SIZE MTIME_S MTIME_NS INODE REL" lines); a bad line ends it. */
static void cache_read(struct content_cache *cc, const char *path)
{
	char *text = read_file(path, NULL);

	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		unsigned long long hash;
		long long v[4];
		int used = 0;
		if (sscanf(line, "%16llx %lld %lld %lld %lld %n", &hash, &v[0], &v[1], &v[2], &v[3], &used) != 5 ||
		    !line[used])
			break;
		const char *rel = line + used;
		int at = strmap_intern(&cc->index, rel, strlen(rel));
		cc->rows = xgrow(cc->rows, &cc->cap, (size_t)at + 1, sizeof(*cc->rows));
		cc->n = (size_t)at + 1;
		for (int k = 0; k < 4; k++)
			cc->rows[at].stat[k] = v[k];
		cc->rows[at].hash = hash;
		cc->rows[at].seen = 0;
	}
	free(text);
}

/* Write the rows still in the tree to path, replacing it at once (a crash keeps the old one). */
static void cache_write(struct content_cache *cc, const char *path)
{
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int ok = f != NULL;

	for (size_t i = 0; f && i < cc->index.cap; i++) {
		if (!cc->index.keys[i])
			continue;
		const struct content_row *r = &cc->rows[cc->index.vals[i]];
		if (!r->seen || strchr(cc->index.keys[i], '\n'))
			continue;
		fprintf(f, "%016llx %lld %lld %lld %lld %s\n", (unsigned long long)r->hash, (long long)r->stat[0],
			(long long)r->stat[1], (long long)r->stat[2], (long long)r->stat[3], cc->index.keys[i]);
	}
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
	free(tmp);
}

uint64_t fp_tree_content(uint64_t h, const char *root, const struct strvec *skip, const char *cache,
			 struct strvec *entries)
{
	struct content_cache cc = { STRMAP_INIT, NULL, 0, 0, 0 };

	if (cache)
		cache_read(&cc, cache);
	h = tree(h, root, "", skip, 0, 0, entries, &cc);
	if (cache && cc.dirty)
		cache_write(&cc, cache);
	strmap_clear(&cc.index);
	free(cc.rows);
	return h;
}

static char *mark_path(const char *env_dir)
{
	return xconcat(env_dir, "/.blitz-env", NULL);
}

int envmark_read(const char *env_dir, uint64_t *setup, uint64_t *package, uint64_t *reqs)
{
	char *path = mark_path(env_dir);
	char *text = read_file(path, NULL);
	unsigned long long a, b, r = 0;
	int rc = -1;

	if (text && sscanf(text, "blitz-env 1 setup %llx package %llx reqs %llx", &a, &b, &r) >= 2) {
		*setup = a;
		*package = b;
		if (reqs)
			*reqs = r;
		rc = 0;
	}
	free(text);
	free(path);
	return rc;
}

int envmark_write(const char *env_dir, uint64_t setup, uint64_t package, uint64_t reqs)
{
	char *path = mark_path(env_dir);
	char *tmp = xconcat(path, ".tmp", NULL);
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (f) {
		fprintf(f, "blitz-env 1 setup %016llx package %016llx reqs %016llx\n", (unsigned long long)setup,
			(unsigned long long)package, (unsigned long long)reqs);
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
		else
			unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

void envmark_clear(const char *env_dir)
{
	char *path = mark_path(env_dir);

	unlink(path);
	free(path);
}
