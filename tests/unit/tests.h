#ifndef BLITZ_TESTS_H
#define BLITZ_TESTS_H

#include "harness.h"

/* One table per module's test file, each ending with { NULL, NULL }. */
extern const struct test ini_tests[];
extern const struct test toml_tests[];
extern const struct test envlist_tests[];
extern const struct test factor_tests[];
extern const struct test shlex_tests[];
extern const struct test subst_tests[];
extern const struct test toxenv_tests[];
extern const struct test tox_tests[];
extern const struct test select_tests[];
extern const struct test filter_tests[];
extern const struct test check_tests[];
extern const struct test pool_tests[];
extern const struct test sched_tests[];
extern const struct test db_tests[];
extern const struct test envvars_tests[];
extern const struct test interp_tests[];
extern const struct test steps_tests[];
extern const struct test runner_tests[];
extern const struct test width_tests[];
extern const struct test fingerprint_tests[];
extern const struct test layer_tests[];
extern const struct test pyproject_tests[];
extern const struct test venv_tests[];
extern const struct test ramdir_tests[];
extern const struct test junit_tests[];
extern const struct test split_tests[];
extern const struct test timings_tests[];
extern const struct test showconf_tests[];
extern const struct test service_tests[];

#endif
