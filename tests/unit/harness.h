#ifndef BLITZ_TEST_HARNESS_H
#define BLITZ_TEST_HARNESS_H

#include <string.h>

/*
 * A tiny unit-test harness. Each test is a function registered in
 * tests/unit/main.c; CHECK records a failure and goes on, so that one run
 * reports every broken expectation. The last line printed is
 * "N passed, N failed".
 */
struct test {
	const char *name;
	void (*fn)(void);
};

/* Record one failed expectation at file:line (called by the macros). */
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CHECK(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_STR(got, want) do { \
		const char *g_ = (got), *w_ = (want); \
		if (!g_ || strcmp(g_, w_) != 0) \
			test_fail(__FILE__, __LINE__, "%s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_); \
	} while (0)
#define CHECK_INT(got, want) do { \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (g_ != w_) \
			test_fail(__FILE__, __LINE__, "%s: got %lld, want %lld", #got, g_, w_); \
	} while (0)

#endif
