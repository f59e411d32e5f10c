#ifndef BLITZ_FILTER_H
#define BLITZ_FILTER_H

#include <stddef.h>

struct tox;
struct ini_entry;
struct strvec;

/*
 * Factor filtering of a file's values for many envs. A large matrix writes
 * thousands of conditional lines under one key (sentry-python: 18,000 deps
 * lines for 838 envs), and filtering them line by line for every env is
 * quadratic. So each value is prepared once (comments cut, conditions
 * parsed, factors interned as ids) and indexed by the rarest factor of each
 * condition; filtering for an env then looks only at the lines that can
 * apply to it. The result is the same as factor_filter() on the stripped text.
 */

/*
 * The value of e with comments cut (tox 4) and the lines that apply to an env
 * with these factors kept (and, tox 4, a skipped line's backslash
 * continuation dropped with it). Returns a new string.
 */
char *filter_entry(struct tox *t, const struct ini_entry *e, const struct strvec *factors);

/*
 * Append to out the env names the conditions of e spell out ("a-!b: x" gives
 * a-b), as tox 4's -a discovers them, skipping names already in seen (which
 * gets the new ones).
 */
struct strmap;
void filter_entry_markers(struct tox *t, const struct ini_entry *e, struct strmap *seen, struct strvec *out);

/*
 * Return 1 when e's value is only whitespace once comments are cut: tox
 * 4.58 takes a value whose every line a condition dropped as not written
 * there (the key is looked up further), but not a value that was empty.
 */
int filter_entry_blank(struct tox *t, const struct ini_entry *e);

/* Free the prepared values of t. */
void filter_release(struct tox *t);

#endif
