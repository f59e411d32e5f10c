#ifndef BLITZ_FACTOR_H
#define BLITZ_FACTOR_H

#include <stddef.h>

struct strbuf;
struct strvec;

/*
 * Generative names and factor conditions, as tox writes them:
 * "py{38,39}-django{32,42}" expands to four names; a line "py38-!lint: x"
 * applies only to envs whose name has the factor py38 and not lint.
 */

/*
 * Expand one line of a generative expression into names appended to out:
 * commas outside braces separate names, each {a,b} multiplies, {8-12} is a
 * range, whitespace is ignored and empty alternatives are kept ("py{,-cov}").
 * Returns the number of names added.
 */
size_t envlist_expand(const char *line, struct strvec *out);

/*
 * tox 4's range syntax (as in tox 4.58), rewritten in text before it
 * is expanded, as tox does it, anywhere in the text: "N-M" followed by ',' or
 * '}' becomes "N,...,M" (descending when N > M), "N-" runs to 14 (the newest
 * Python minor tox 4.58 knows), "-M" after '{' or ',' starts at 10; so
 * "py3{10-}" is "py3{10,11,12,13,14}". Appends the result to out. Returns 0,
 * or -1 when a range would make more than ENVLIST_MAX numbers.
 */
int factor_expand_ranges(const char *s, size_t n, struct strbuf *out);

/* The most envs one envlist may make: ten times the largest real matrix seen. */
#define ENVLIST_MAX 10000

/*
 * Expand a multi-line envlist value (one expression per line) into out;
 * flags as below. Returns 0, or -1 when
 * the value would make more than ENVLIST_MAX names (out then holds none of them).
 */
enum {
	ENVLIST_DEDUP = 1,	/* drop repeated names (tox 4); tox 3 keeps them */
	ENVLIST_RANGES = 2,	/* expand ranges first, as factor_expand_ranges() (tox 4); tox 3 leaves "8-12" as text */
};
int envlist_expand_value(const char *value, struct strvec *out, int flags);

/*
 * The factors tox 4.58 adds to an env's own (env) when it filters
 * conditions: the platform, as Python's sys.platform names it ("linux"),
 * and the machine architecture ("x86_64", "arm64") unless env names an
 * architecture itself. Appended to out, without duplicates.
 */
void factor_platform(const struct strvec *env, struct strvec *out);

/* The platform as Python's sys.platform names it ("linux", "darwin"), "" when unknown. */
const char *factor_sys_platform(void);

/* Split an env name into its factors ("py38-django32" -> py38, django32), appended to out. */
void env_factors(const char *name, struct strvec *out);

/* The same for many names into one list: each factor once, seen the set of those in out. */
struct strmap;
void env_factors_unique(const char *name, struct strvec *out, struct strmap *seen);

/*
 * Parse a factor condition (the text before ':'), such as "py38-!lint" or
 * "{py38,py39}-django". Returns the number of alternatives (OR), each an
 * AND-list; -1 when the text is not a condition (the line is then kept whole).
 * *alts is an allocated array of strvecs whose items start with '!' when
 * negated; free it with factor_alts_free().
 */
long factor_condition(const char *cond, size_t len, struct strvec **alts);
void factor_alts_free(struct strvec *alts, size_t n);

/* Return 1 when env factors (from env_factors) satisfy one of the alternatives. */
int factor_match(const struct strvec *alts, size_t n, const struct strvec *factors);

/*
 * Read the factor condition of one line (n bytes) by tox 4's rule (or tox 3's
 * with tox3). Returns the number of alternatives, with *alts as for
 * factor_condition() and the text after the condition at line + *coff
 * (*clen bytes, trimmed); -1 when the line is unconditional.
 */
long factor_line(const char *line, size_t n, int tox3, struct strvec **alts, size_t *coff, size_t *clen);

/* Called for each factor of each alternative of a condition, in order. */
typedef void (*factor_visit_fn)(void *ctx, size_t alt, const char *name, size_t len, int negated);

/*
 * factor_line() without allocating, for reading thousands of lines: each
 * factor is reported to visit (alternatives in order, alt counting from 0).
 * Returns the number of alternatives, or -1 (nothing reported) when the line
 * is unconditional.
 */
long factor_line_visit(const char *line, size_t n, int tox3, size_t *coff, size_t *clen,
		       factor_visit_fn visit, void *ctx);

/*
 * Keep the lines of value that apply to an env with the given factors, as tox
 * 4 does: a line "cond: text" becomes "text" when cond matches and is dropped
 * otherwise (and with it, when it ends in a backslash, the unconditional line
 * that continues it); a line whose prefix is not a valid condition is kept
 * whole; empty lines are dropped. tox3 selects tox 3's rule (the condition
 * must be followed by whitespace). Returns a newly allocated string.
 */
char *factor_filter(const char *value, const struct strvec *factors, int tox3);

/*
 * Append to out (without duplicates) the env names that the conditions in
 * value spell out ("a-b: x" gives a-b), as tox 4's `-a` lists them.
 */
void factor_condition_envs(const char *value, struct strvec *out);

#endif
