/* blitz timings export|import: the project's recent durations shared between CI nodes as a text file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../config/tox.h"
#include "../state/db.h"
#include "../state/timings.h"
#include "../util/util.h"

/* Write the history of db to output (NULL: stdout). Returns the exit status. */
static int timings_export(struct db *db, const char *output)
{
	FILE *f = stdout;
	char *tmp = NULL;
	int rc = 0, failed, werr;

	if (output) {
		/* written aside and renamed: an interrupted export leaves no half file for a node to import */
		tmp = xasprintf("%s.tmp-%ld", output, (long)getpid());
		if (!(f = fopen(tmp, "w"))) {
			error("timings export: cannot write '%s': %s", tmp, strerror(errno));
			free(tmp);
			return 2;
		}
	}
	failed = db_export(db, f) < 0;
	werr = ferror(f);
	werr |= (output ? fclose(f) : fflush(f)) != 0;
	if (werr) {
		error("timings export: writing '%s' failed: %s", output ? tmp : "stdout", strerror(errno));
		rc = 2;
	} else if (failed) {
		rc = 2;	/* a query failed: db_export said why */
	} else if (output && rename(tmp, output) < 0) {
		error("timings export: cannot move '%s' to '%s': %s", tmp, output, strerror(errno));
		rc = 2;
	}
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Add each file to db, each in one transaction; a bad file is reported and the others still added. */
static int timings_import(struct db *db, const struct strvec *files)
{
	char err[1024];
	size_t added[2];
	int rc = 0;

	for (size_t i = 0; i < files->n; i++) {
		const char *name = files->v[i];
		FILE *f = fopen(name, "r");

		if (!f) {
			error("timings import: cannot open '%s': %s", name, strerror(errno));
			rc = 2;
			continue;
		}
		if (db_import(db, f, name, added, err, sizeof(err)) < 0) {
			error("timings import: %s; nothing of '%s' was added", err, name);
			rc = 2;
		} else {
			printf("%s: %zu env run%s and %zu test run%s added\n", name, added[0], added[0] == 1 ? "" : "s",
			       added[1], added[1] == 1 ? "" : "s");
		}
		fclose(f);
	}
	return rc;
}

/* What is wrong with the arguments for the action, or NULL. */
static const char *bad_args(const struct opts *o)
{
	if (!o->action)
		return "timings: say export or import, e.g. blitz timings export -o timings.txt";
	if (strcmp(o->action, "import") != 0)
		return NULL;
	if (!o->files.n)
		return "timings import: name the files to import, e.g. blitz timings import node-*.timings";
	if (o->output)
		return "timings import: -o is for export; import adds to the project's .blitz/state.db";
	return NULL;
}

int cmd_timings(const struct opts *o)
{
	struct tox t;
	struct db db;
	const char *bad = bad_args(o);
	int rc;

	if (bad) {
		error("%s", bad);
		return 2;
	}
	cli_load(&t, o);
	char *state = cli_state_dir(&t);
	char *file = xconcat(state, "/state.db", NULL);
	if (strcmp(o->action, "export") == 0) {
		/* no state yet: an empty history, without making a .blitz folder for it */
		memset(&db, 0, sizeof(db));
		if (access(file, F_OK) == 0)
			db_open(&db, state);
		rc = timings_export(&db, o->output);
	} else {
		db_open(&db, state);
		if (!db.h) {
			error("timings import: cannot open or create '%s'", file);
			rc = 2;
		} else {
			rc = timings_import(&db, &o->files);
		}
	}
	db_close(&db);
	free(file);
	free(state);
	tox_release(&t);
	return rc;
}
