/*
 * Fuzz JUnit XML reading (expat) and the merged report: whatever is read must
 * be written as a document that reads back with the same tests, each once,
 * with the same outcomes (a differential check of writer against reader).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/results/junit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct junit j = { 0 }, back = { 0 };
	char err[512];
	char *out = NULL;
	size_t outlen = 0;

	(void)junit_parse(&j, (const char *)data, size, "fuzz.xml", err, sizeof(err));
	FILE *f = open_memstream(&out, &outlen);
	if (!f)
		return 0;
	if (junit_write(f, &j, NULL) < 0)
		__builtin_trap();
	fclose(f);
	if (junit_parse(&back, out, outlen, "written.xml", err, sizeof(err)) < 0)
		__builtin_trap();	/* the writer made something the reader refuses */
	/* each (suite, classname, name) once: no more tests than were read, and at least one if any were */
	if (back.n > j.n || (j.n && !back.n))
		__builtin_trap();
	for (size_t i = 0; i < back.n; i++) {
		size_t k = j.n;
		while (k-- > 0)
			if (!strcmp(j.v[k].suite, back.v[i].suite) && !strcmp(j.v[k].classname, back.v[i].classname) &&
			    !strcmp(j.v[k].name, back.v[i].name))
				break;
		/* names can lose characters XML forbids; only a test found again is compared */
		if (k < j.n && j.v[k].outcome != back.v[i].outcome)
			__builtin_trap();
	}
	junit_release(&back);
	junit_release(&j);
	free(out);
	return 0;
}
