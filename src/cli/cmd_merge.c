/* blitz merge: JUnit XML reports (CI nodes', shards') joined into one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../results/junit.h"
#include "../util/util.h"

int cmd_merge(const struct opts *o)
{
	struct junit j = { 0 };
	char err[1024];
	size_t counts[4] = { 0 };
	FILE *f = stdout;
	char *tmp = NULL;
	int rc = 0;

	if (!o->files.n) {
		error("merge: name the JUnit XML files to merge, e.g. blitz merge node-*.xml -o all.xml");
		return 2;
	}
	for (size_t i = 0; i < o->files.n; i++)
		if (junit_read(&j, o->files.v[i], err, sizeof(err)) < 0) {
			error("merge: %s", err);
			junit_release(&j);
			return 2;
		}
	if (o->output) {
		/* written aside and renamed: an interrupted merge leaves no half report */
		tmp = xasprintf("%s.tmp-%ld", o->output, (long)getpid());
		if (!(f = fopen(tmp, "w"))) {
			error("merge: cannot write '%s': %s", tmp, strerror(errno));
			free(tmp);
			junit_release(&j);
			return 2;
		}
	}
	if (junit_write(f, &j, counts) < 0 || (o->output && fclose(f) != 0)) {
		error("merge: writing '%s' failed: %s", o->output ? o->output : "stdout", strerror(errno));
		rc = 2;
	} else if (o->output && rename(tmp, o->output) < 0) {
		error("merge: cannot move '%s' to '%s': %s", tmp, o->output, strerror(errno));
		rc = 2;
	}
	if (rc && tmp)
		unlink(tmp);
	if (!rc && o->output) {
		size_t tests = counts[0] + counts[1] + counts[2] + counts[3];
		printf("%s: %zu tests from %zu file%s: %zu passed, %zu failed, %zu errors, %zu skipped\n", o->output, tests,
		       o->files.n, o->files.n == 1 ? "" : "s", counts[JUNIT_PASSED], counts[JUNIT_FAILED],
		       counts[JUNIT_ERROR], counts[JUNIT_SKIPPED]);
	}
	free(tmp);
	junit_release(&j);
	return rc;
}
