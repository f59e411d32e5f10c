/*
 * The project's source tree as this run sees it (the only writer of
 * struct tree): its fingerprint, once per run (all of it, or its Python and
 * pytest configuration files only), and the files its builds write, which
 * leave the fingerprint for good. See run_internal.h.
 */
#include "run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../env/fingerprint.h"
#include "../util/strmap.h"
#include "../util/util.h"

/* The file naming what builds wrote into the project's tree (see tree_fp). */
static char *outputs_path(const struct ctx *c)
{
	return xconcat(c->o->state_dir, "/build-outputs", NULL);
}

/*
 * What the tree leaves out: the work folder, and the files the project's
 * builds write into it (a version file setuptools_scm writes at each
 * build), as .blitz/build-outputs lists them (one path a line, relative).
 */
static void tree_skip(struct ctx *c)
{
	char *path = outputs_path(c), *text = read_file(path, NULL);

	strvec_push(&c->tree.skip, c->t->workdir);
	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (*line && *line != '/' && !strstr(line, ".."))
			strvec_push_owned(&c->tree.skip, xconcat(c->t->toxinidir, "/", line, NULL));
	free(text);
	free(path);
}

/*
 * The commit git has checked out (HEAD and the ref it names): a version
 * taken from git (setuptools_scm, hatch-vcs) changes with it, not with the files.
 */
static uint64_t git_head(uint64_t h, const char *root)
{
	char *head = xconcat(root, "/.git/HEAD", NULL), *text = read_file(head, NULL);

	h = fp_file(h, head);
	if (text && strncmp(text, "ref: ", 5) == 0) {
		text[strcspn(text, "\r\n")] = '\0';
		char *ref = xconcat(root, "/.git/", text + 5, NULL), *packed = xconcat(root, "/.git/packed-refs", NULL);
		if (!strstr(text, ".."))
			h = fp_file(fp_file(h, ref), packed);
		free(ref);
		free(packed);
	}
	free(text);
	free(head);
	return h;
}

uint64_t tree_fp(struct ctx *c, int code)
{
	int *have = code ? &c->tree.have_code : &c->tree.have_all;
	uint64_t *tree = code ? &c->tree.code : &c->tree.all;

	if (!c->tree.skip.n)
		tree_skip(c);
	if (!*have) {
		if (code) {
			*tree = fp_code_tree(FP_INIT, c->t->toxinidir, &c->tree.skip);
		} else {
			char *cache = xconcat(c->o->state_dir, "/tree-hashes", NULL);
			strvec_clear(&c->tree.entries);
			*tree = git_head(fp_tree_content(FP_INIT, c->t->toxinidir, &c->tree.skip, cache, &c->tree.entries),
					 c->t->toxinidir);
			free(cache);
		}
		*have = 1;
	}
	return *tree;
}

int tree_outputs(struct ctx *c, const char *version)
{
	struct strvec after = STRVEC_INIT;
	struct strmap before = STRMAP_INIT;
	char *path = outputs_path(c);
	FILE *f = NULL;
	int found = 0;

	tree_fp(c, 0);
	for (size_t i = 0; i < c->tree.entries.n; i++)
		strmap_intern(&before, c->tree.entries.v[i], strlen(c->tree.entries.v[i]));
	char *cache = xconcat(c->o->state_dir, "/tree-hashes", NULL);
	fp_tree_content(FP_INIT, c->t->toxinidir, &c->tree.skip, cache, &after);
	free(cache);
	/* when this run started, by the clock file times are in (a second early: coarse time stamps) */
	time_t run_start = time(NULL) - (time_t)((now_ns() - c->t0) / 1000000000LL) - 1;
	for (size_t i = 0; i < after.n; i++) {
		const char *rel = after.v[i] + 17, *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		if (strmap_get(&before, after.v[i], strlen(after.v[i])) >= 0)
			continue;
		/* the files a project is configured by are never a build's output, whatever they hold */
		if (!strcmp(base, "pyproject.toml") || !strcmp(base, "setup.cfg") || !strcmp(base, "setup.py") ||
		    !strcmp(base, "tox.ini") || !strcmp(base, "tox.toml") || strchr(rel, '\n'))
			continue;
		/*
		 * written during this run's build: the build's own only when it
		 * names the version built and was written since the run started
		 * (not a user's edit of an older file, nor a file of earlier days)
		 */
		char *abs = xconcat(c->t->toxinidir, "/", rel, NULL), *text = NULL;
		struct stat st;
		if (*version && lstat(abs, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime >= run_start)
			text = read_file(abs, NULL);
		if (text && strstr(text, version)) {
			if (!f)
				f = fopen(path, "a");
			if (f)
				fprintf(f, "%s\n", rel);
			strvec_push_owned(&c->tree.skip, abs);
			abs = NULL;
			found++;
		}
		free(abs);
		free(text);
	}
	if (f)
		fclose(f);
	if (found) {
		/* the tree as later runs will see it */
		c->tree.have_all = 0;
		tree_fp(c, 0);
	}
	strvec_clear(&after);
	strmap_clear(&before);
	free(path);
	return found;
}

uint64_t tree_package_fp(struct ctx *c, const struct envrun *er)
{
	uint64_t fp = 0;

	for (size_t i = 0; i < er->steps.n; i++) {
		if (er->steps.v[i].kind != STEP_PACKAGE)
			continue;
		uint64_t ph = fp_strvec(fp_str(FP_INIT, "blitz package 1"), &er->steps.v[i].argv);
		const char *type = er->e.package_type ? er->e.package_type : "";
		if (strncmp(type, "editable", 8) == 0) {
			/* an editable install runs the tree itself: only what says how to build it counts */
			static const char *const build_files[] = { "pyproject.toml", "setup.py", "setup.cfg" };
			const char *root = er->e.package_root && er->e.package_root[0] ? er->e.package_root : c->t->toxinidir;
			for (size_t k = 0; k < sizeof(build_files) / sizeof(*build_files); k++) {
				char *f = xconcat(root, "/", build_files[k], NULL);
				ph = fp_file(ph, f);
				free(f);
			}
		} else {
			uint64_t tree = tree_fp(c, 0);
			ph = fp_bytes(ph, &tree, sizeof(tree));
		}
		fp = ph ? ph : 1;	/* 0 means "no project installed" */
	}
	return fp;
}

void tree_release(struct ctx *c)
{
	strvec_clear(&c->tree.skip);
	strvec_clear(&c->tree.entries);
}
