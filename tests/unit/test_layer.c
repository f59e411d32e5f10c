/* Cloning a layer of shared deps into an env (src/env/layer.c), and remove_tree (src/util). */
#define _GNU_SOURCE	/* renameat2 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/env/layer.h"
#include "../../src/util/util.h"

static ino_t inode(struct fx *f, const char *name)
{
	struct stat st;

	return stat(fx_path(f, name), &st) == 0 ? st.st_ino : 0;
}

/* A layer as pip leaves it, built at "tmp" and moved to "layer". */
static void make_layer(struct fx *f)
{
	char *script;

	fx_mkdir(f, "layer");
	fx_mkdir(f, "layer/bin");
	fx_mkdir(f, "layer/lib");
	fx_mkdir(f, "layer/lib/python3.11");
	fx_mkdir(f, "layer/lib/python3.11/site-packages");
	fx_mkdir(f, "layer/lib/python3.11/site-packages/pkg");
	fx_write(f, "layer/pyvenv.cfg", "home = /usr/bin\n");
	fx_write(f, "layer/bin/python", "the layer's python\n");
	fx_write(f, "layer/lib/python3.11/site-packages/pkg/__init__.py", "X = 1\n");
	fx_write(f, "layer/lib/python3.11/site-packages/pkg-1.0.dist-info", "RECORD\n");
	script = xasprintf("#!%s/bin/python\nimport pkg\n# %s/bin twice\n", fx_path(f, "tmp"), fx_path(f, "tmp"));
	fx_write(f, "layer/bin/pkg-cli", script);
	free(script);
	chmod(fx_path(f, "layer/bin/pkg-cli"), 0755);
	symlink("pkg", fx_path(f, "layer/lib/python3.11/site-packages/alias"));
	CHECK_INT(layer_mark(fx_path(f, "layer"), fx_path(f, "tmp")), 0);
}

/* Files are shared, scripts name the env, the env's own files stay its own. */
static void test_layer_clone(void)
{
	struct fx f;
	char err[512];
	struct stat st;

	fx_init(&f);
	make_layer(&f);
	fx_mkdir(&f, "env");
	fx_mkdir(&f, "env/bin");
	fx_write(&f, "env/pyvenv.cfg", "home = /usr/bin\nthe env's\n");
	fx_write(&f, "env/bin/python", "the env's python\n");
	CHECK_INT(layer_clone(fx_path(&f, "layer"), fx_path(&f, "env"), err, sizeof(err)), 0);
	CHECK_STR(err, "");
	/* a package file is the layer's own (a hard link here) or a copy of it with its contents */
	size_t len;
	char *text = read_file(fx_path(&f, "env/lib/python3.11/site-packages/pkg/__init__.py"), &len);
	CHECK_STR(text, "X = 1\n");
	free(text);
	CHECK(inode(&f, "env/lib/python3.11/site-packages/pkg/__init__.py") ==
	      inode(&f, "layer/lib/python3.11/site-packages/pkg/__init__.py"));
	/* the console script names the env's python, wherever the layer named where it was built */
	text = read_file(fx_path(&f, "env/bin/pkg-cli"), &len);
	char *want = xasprintf("#!%s/bin/python\nimport pkg\n# %s/bin twice\n", fx_path(&f, "env"), fx_path(&f, "env"));
	CHECK_STR(text, want);
	free(text);
	free(want);
	CHECK(stat(fx_path(&f, "env/bin/pkg-cli"), &st) == 0 && (st.st_mode & 0777) == 0755);
	CHECK(inode(&f, "env/bin/pkg-cli") != inode(&f, "layer/bin/pkg-cli"));
	/* the env's own files are not touched; the mark is not copied; links stay links */
	text = read_file(fx_path(&f, "env/bin/python"), &len);
	CHECK_STR(text, "the env's python\n");
	free(text);
	text = read_file(fx_path(&f, "env/pyvenv.cfg"), &len);
	CHECK_STR(text, "home = /usr/bin\nthe env's\n");
	free(text);
	CHECK_INT(access(fx_path(&f, "env/.blitz-layer"), F_OK), -1);
	CHECK(lstat(fx_path(&f, "env/lib/python3.11/site-packages/alias"), &st) == 0 && S_ISLNK(st.st_mode));
	fx_release(&f);
}

/* A folder that is no complete layer is refused with a reason; so is an env that cannot be written. */
static void test_layer_refuses(void)
{
	struct fx f;
	char err[512];
	char *b;

	fx_init(&f);
	fx_mkdir(&f, "half");
	fx_mkdir(&f, "env");
	CHECK_INT(layer_clone(fx_path(&f, "half"), fx_path(&f, "env"), err, sizeof(err)), -1);
	CHECK(strstr(err, "not a complete layer") != NULL);
	CHECK(layer_built_at(fx_path(&f, "half")) == NULL);
	fx_write(&f, "half/.blitz-layer", "relative/path");
	CHECK(layer_built_at(fx_path(&f, "half")) == NULL);
	make_layer(&f);
	b = layer_built_at(fx_path(&f, "layer"));
	CHECK_STR(b, fx_path(&f, "tmp"));
	free(b);
	CHECK_INT(layer_clone(fx_path(&f, "layer"), fx_path(&f, "nowhere"), err, sizeof(err)), -1);
	CHECK(strstr(err, "nowhere") != NULL);
	fx_release(&f);
}

/* remove_tree deletes a folder and what it holds, but not what a link inside points at. */
static void test_remove_tree(void)
{
	struct fx f;

	fx_init(&f);
	fx_mkdir(&f, "keep");
	fx_write(&f, "keep/file", "precious\n");
	fx_mkdir(&f, "gone");
	fx_mkdir(&f, "gone/a");
	fx_write(&f, "gone/a/b", "x\n");
	symlink(fx_path(&f, "keep"), fx_path(&f, "gone/link"));
	CHECK_INT(remove_tree(fx_path(&f, "gone")), 0);
	CHECK_INT(access(fx_path(&f, "gone"), F_OK), -1);
	CHECK_INT(access(fx_path(&f, "keep/file"), F_OK), 0);
	CHECK_INT(remove_tree(fx_path(&f, "gone")), 0);	/* already gone: fine */
	symlink(fx_path(&f, "keep"), fx_path(&f, "alias"));
	CHECK_INT(remove_tree(fx_path(&f, "alias")), 0);	/* a link: unlinked, its target kept */
	CHECK_INT(access(fx_path(&f, "alias"), F_OK), -1);
	CHECK_INT(access(fx_path(&f, "keep/file"), F_OK), 0);
	fx_release(&f);
}

/*
 * remove_tree while another process keeps swapping one of the folders under
 * it for a link to a folder outside (the attack on a walk by path: the link
 * put in between the check and the descent): what the link points at stays.
 */
static void test_remove_tree_race(void)
{
	struct fx f;
	char gone_d[4096], bait_d[4096];

	fx_init(&f);
	fx_mkdir(&f, "keep");
	fx_write(&f, "keep/file", "precious\n");
	fx_mkdir(&f, "bait");
	snprintf(gone_d, sizeof(gone_d), "%s", fx_path(&f, "gone/d"));
	snprintf(bait_d, sizeof(bait_d), "%s", fx_path(&f, "bait/d"));
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)	/* swap gone/d and bait/d (a link to keep) back and forth */
			renameat2(AT_FDCWD, gone_d, AT_FDCWD, bait_d, RENAME_EXCHANGE);
	}
	for (int round = 0; round < 1000 && access(fx_path(&f, "keep/file"), F_OK) == 0; round++) {
		remove_tree(bait_d);
		symlink(fx_path(&f, "keep"), bait_d);
		mkdir(fx_path(&f, "gone"), 0700);
		mkdir(gone_d, 0700);
		int fd = open(fx_path(&f, "gone/d/f"), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		remove_tree(fx_path(&f, "gone"));
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_INT(access(fx_path(&f, "keep/file"), F_OK), 0);
	fx_release(&f);
}

const struct test layer_tests[] = {
	{ "layer_clone", test_layer_clone },
	{ "layer_refuses", test_layer_refuses },
	{ "remove_tree", test_remove_tree },
	{ "remove_tree_race", test_remove_tree_race },
	{ NULL, NULL },
};
