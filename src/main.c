/* blitz: run a Python project's tox environments, all at once. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/util.h"

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	/* output that goes to a file or a pipe is written in large blocks */
	if (!isatty(1))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	opts_parse(&o, argc, argv);
	if (!o.command || strcmp(o.command, "run") == 0) {
		rc = cmd_run(&o);
	} else if (strcmp(o.command, "list") == 0) {
		rc = cmd_list(&o);
	} else if (strcmp(o.command, "merge") == 0) {
		rc = cmd_merge(&o);
	} else if (strcmp(o.command, "timings") == 0) {
		rc = cmd_timings(&o);
	} else if (strcmp(o.command, "check") == 0) {
		rc = cmd_check(&o);
	} else {
		rc = cmd_config(&o);
	}
	opts_release(&o);
	return rc;
}
