/* Fingerprints of what an env is built from, and the mark of a built env. */
#include "fingerprint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
 * Hash the tree at dir (rel: its path under the root) into h; with entries,
 * also list each file hashed there as "HASH REL" (HASH: 16 hex digits of
 * what is hashed of its stat).
 */
static uint64_t tree(uint64_t h, const char *dir, const char *rel, const struct strvec *skip, int depth, int code,
		     struct strvec *entries)
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
					h = tree(h, path, sub, skip, depth + 1, code, entries);
			} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && names.v[i][0] != '.' &&
				   (!code || code_file(names.v[i])) && strvec_find(skip, path) < 0) {
				h = fp_str(h, sub);
				h = fp_statbuf(h, &st);
				if (entries)
					strvec_pushf(entries, "%016llx %s", (unsigned long long)fp_statbuf(FP_INIT, &st), sub);
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
	return tree(h, root, "", skip, 0, 0, NULL);
}

uint64_t fp_tree_entries(uint64_t h, const char *root, const struct strvec *skip, struct strvec *entries)
{
	return tree(h, root, "", skip, 0, 0, entries);
}

uint64_t fp_code_tree(uint64_t h, const char *root, const struct strvec *skip)
{
	return tree(h, root, "", skip, 0, 1, NULL);
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
