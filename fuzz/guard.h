#ifndef BLITZ_FUZZ_GUARD_H
#define BLITZ_FUZZ_GUARD_H

#include <ctype.h>
#include <stddef.h>

/*
 * Estimate how many names the generative expressions of text expand to: per
 * line, the product of the alternatives of each {...} group (a range a-b
 * counts b-a+1), summed over lines. An upper bound, not an exact count.
 *
 * Why the targets skip wide inputs: an 11-byte "py{0-99999}" is 100,000 envs, and
 * some passes over the env list are quadratic (at c685196 the envlist dedup took
 * minutes; at 82c867c `-e ALL` still takes 18 s for 100,000 envs). Without the
 * skip the fuzzer finds such inputs within seconds and stops on a timeout
 * instead of exploring. Those are reported; the skip keeps the rest fuzzable.
 */

/* Inputs expanding to more names than this are skipped. */
#ifndef FUZZ_MAX_NAMES
#define FUZZ_MAX_NAMES 5000
#endif

static double fuzz_expansion(const char *text, size_t len)
{
	double total = 0, line = 1;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			total += line;
			line = 1;
		} else if (text[i] == '{') {
			double alts = 1;
			size_t j = i + 1;
			long num[2] = { 0, 0 };
			int k = 0, digits = 1;
			for (; j < len && text[j] != '}' && text[j] != '\n'; j++) {
				char c = text[j];
				if (c == ',') {
					alts++;
					if (k == 1 && digits)
						alts += (double)(num[1] > num[0] ? num[1] - num[0] : num[0] - num[1]);
					num[0] = num[1] = 0;
					k = 0;
					digits = 1;
				} else if (c >= '0' && c <= '9' && num[k] < 1000000000L) {
					num[k] = num[k] * 10 + (c - '0');
				} else if (c == '-' && k == 0) {
					k = 1;
				} else if (!isspace((unsigned char)c)) {	/* blitz drops all whitespace in braces */
					digits = 0;
				}
			}
			if (k == 1 && digits)
				alts += (double)(num[1] > num[0] ? num[1] - num[0] : num[0] - num[1]);
			line *= alts;
		}
	}
	return total + line;
}

#endif
