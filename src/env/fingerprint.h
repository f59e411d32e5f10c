#ifndef BLITZ_FINGERPRINT_H
#define BLITZ_FINGERPRINT_H

#include <stdint.h>
#include <stddef.h>

struct strvec;

/*
 * Fingerprints: 64-bit FNV-1a hashes of what an env was built from, so that
 * an unchanged env is reused without starting any process, and the mark a
 * built env carries in its folder.
 */
#define FP_INIT 0xcbf29ce484222325ULL

uint64_t fp_bytes(uint64_t h, const void *data, size_t n);

/* s and its terminating NUL (so that "ab","c" and "a","bc" differ). */
uint64_t fp_str(uint64_t h, const char *s);

/* The words of v, each as fp_str(), and their count. */
uint64_t fp_strvec(uint64_t h, const struct strvec *v);

/* A file's path and contents; a file that cannot be read hashes as its path and the error. */
uint64_t fp_file(uint64_t h, const char *path);

/* A file's identity without reading it: path, size, modification time (ns), inode. */
uint64_t fp_stat(uint64_t h, const char *path);

/*
 * A source tree: the relative path, size and modification time of every
 * file under root, in name order, leaving out what holds no source: files
 * and folders whose name starts with '.' (.git, .tox, .coverage), the
 * folders __pycache__, build, dist, *.egg-info, node_modules, venv, and the
 * absolute paths in skip (the work folder, files a build writes).
 */
uint64_t fp_tree(uint64_t h, const char *root, const struct strvec *skip);

/*
 * The same tree by the files' contents: a file rewritten with the same
 * bytes (a test that regenerates a fixture) is no change. cache (a file,
 * or NULL) keeps each file's content hash with its stat, so only files
 * whose stat changed are read; files over 8 MiB count by their stat. With
 * entries, each file hashed is listed as "HASH RELPATH" (HASH: 16 hex
 * digits of its content hash), in order.
 */
uint64_t fp_tree_content(uint64_t h, const char *root, const struct strvec *skip, const char *cache,
			 struct strvec *entries);

/*
 * The same over the files that decide which tests pytest collects: *.py,
 * pytest.ini, tox.ini, setup.cfg, pyproject.toml (a report or log a test
 * run leaves in the tree does not count).
 */
uint64_t fp_code_tree(uint64_t h, const char *root, const struct strvec *skip);

/*
 * The mark of a built env: ENV_DIR/.blitz-env holds the fingerprint of its
 * set-up (venv and deps), of the project installed in it (0: none), and of
 * that project's requirements (0: unknown). Reading a missing or malformed
 * mark returns -1 (reqs may be NULL; an older mark reads reqs as 0);
 * writing replaces it atomically.
 */
int envmark_read(const char *env_dir, uint64_t *setup, uint64_t *package, uint64_t *reqs);
int envmark_write(const char *env_dir, uint64_t setup, uint64_t package, uint64_t reqs);
void envmark_clear(const char *env_dir);

#endif
