/*
 * Fuzz generative names and factor conditions: envlist expansion (tox 4 and
 * tox 3 dedup rules), condition parsing and matching, factor filtering of a
 * value, and the condition markers tox -a lists. Each line is also read by
 * factor_line() and by its allocation-free twin factor_line_visit(), which
 * must agree (a differential check: the fast path has its own parser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "../src/config/factor.h"
#include "../src/util/strvec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What factor_line_visit() reported: "alt:name" or "alt:!name" per factor. */
static void collect(void *ctx, size_t alt, const char *name, size_t len, int negated)
{
	strvec_pushf(ctx, "%zu:%s%.*s", alt, negated ? "!" : "", (int)len, name);
}

/* Read one line both ways, by tox 4's and tox 3's rules, and trap when they differ. */
static void check_line(const char *line, size_t n)
{
	for (int tox3 = 0; tox3 < 2; tox3++) {
		struct strvec *alts = NULL, seen = STRVEC_INIT, want = STRVEC_INIT;
		size_t coff = 0, clen = 0, voff = 0, vlen = 0;
		long na = factor_line(line, n, tox3, &alts, &coff, &clen);
		long nv = factor_line_visit(line, n, tox3, &voff, &vlen, collect, &seen);

		if (na >= 0)
			for (long a = 0; a < na; a++)
				for (size_t k = 0; k < alts[a].n; k++)
					strvec_pushf(&want, "%ld:%s", a, alts[a].v[k]);
		if (na != nv || (na >= 0 && (coff != voff || clen != vlen)) ||
		    (nv < 0 && seen.n) || want.n != seen.n)
			__builtin_trap();
		for (size_t i = 0; i < want.n; i++)
			if (strcmp(want.v[i], seen.v[i]) != 0)
				__builtin_trap();
		factor_alts_free(alts, na > 0 ? (size_t)na : 0);
		strvec_clear(&seen);
		strvec_clear(&want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec names = STRVEC_INIT, factors = STRVEC_INIT, markers = STRVEC_INIT;
	struct strvec *alts = NULL;
	char *text;
	long nalt;

	if (fuzz_expansion((const char *)data, size) > FUZZ_MAX_NAMES)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (envlist_expand_value(text, &names, ENVLIST_DEDUP | ENVLIST_RANGES) < 0 && names.n)
		__builtin_trap();	/* past the limit, out holds none of them */
	strvec_clear(&names);
	if (envlist_expand_value(text, &names, 0) < 0 && names.n)
		__builtin_trap();

	/* the factors of the first name stand for "the env being read" */
	if (names.n)
		env_factors(names.v[0], &factors);

	/* the text before the first ':' as a condition, as a value line would have it */
	const char *colon = strchr(text, ':');
	nalt = factor_condition(text, colon ? (size_t)(colon - text) : strlen(text), &alts);
	if (nalt >= 0) {
		(void)factor_match(alts, (size_t)nalt, &factors);
		factor_alts_free(alts, (size_t)nalt);
	} else if (alts) {
		__builtin_trap();	/* -1 must leave nothing to free */
	}

	for (const char *p = text;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		check_line(p, n);
		if (!nl)
			break;
		p = nl + 1;
	}

	free(factor_filter(text, &factors, 0));
	free(factor_filter(text, &factors, 1));
	factor_condition_envs(text, &markers);

	strvec_clear(&markers);
	strvec_clear(&factors);
	strvec_clear(&names);
	free(text);
	return 0;
}
