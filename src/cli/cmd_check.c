#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/tox.h"

/*
 * blitz check: resolve the selected envs and report, one line each, what
 * would make them fail before a test runs. Exit 0 when all is well, 2 otherwise.
 */
int cmd_check(const struct opts *o)
{
	struct tox t;
	struct strvec envs = STRVEC_INIT, problems = STRVEC_INIT;
	int rc = 0;

	cli_load(&t, o);
	cli_select(&t, o, &envs);
	for (size_t i = 0; i < envs.n && rc == 0; i++) {
		struct toxenv e;
		struct diag d = { 0 };
		if (tox_env_resolve(&t, envs.v[i], &e, &d) < 0) {
			char *msg = diag_format(&d);
			strvec_push_owned(&problems, msg);
		} else {
			tox_env_check(&t, &e, &problems);
		}
		toxenv_release(&e);
	}
	for (size_t i = 0; i < problems.n; i++)
		fprintf(stderr, "blitz: error: %s\n", problems.v[i]);
	if (problems.n) {
		rc = 2;
	} else {
		printf("%zu env%s checked: no problems\n", envs.n, envs.n == 1 ? "" : "s");
	}
	strvec_clear(&envs);
	strvec_clear(&problems);
	tox_release(&t);
	return rc;
}
