#ifndef BLITZ_FUZZ_SCRATCH_H
#define BLITZ_FUZZ_SCRATCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Make the folder a fuzz target keeps its files in, one per process:
 * $TMPDIR (or /tmp) /blitz-fuzz-XXXXXX, into dir. libFuzzer often ends with
 * _Exit, so the folder may outlive the process. Aborts when it cannot be made.
 */
static void fuzz_scratch_dir(char *dir, size_t size, const char *target)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/blitz-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "%s: cannot make '%s': %s\n", target, dir, strerror(errno));
		abort();
	}
}

#endif
