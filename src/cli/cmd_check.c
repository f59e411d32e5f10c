#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "../config/check.h"
#include "../config/diag.h"
#include "../config/tox.h"
#include "../service/def.h"

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
	struct svc_defs defs = { 0 };
	struct diag sd = { 0 };
	int defs_ok = svc_defs_load(&t, &defs, &sd) == 0;
	if (!defs_ok)
		strvec_push_owned(&problems, diag_format(&sd));
	for (size_t i = 0; i < envs.n && rc == 0; i++) {
		struct toxenv e;
		struct diag d = { 0 };
		if (tox_env_resolve(&t, envs.v[i], &e, &d) < 0) {
			char *msg = diag_format(&d);
			strvec_push_owned(&problems, msg);
		} else {
			tox_env_check(&t, &e, &problems);
			for (size_t k = 0; k < e.services.n && defs_ok; k++)
				if (!svc_def_find(&defs, e.services.v[k]))
					strvec_pushf(&problems, "%s: env %s: blitz_services names '%s', but there is no "
						     "[blitz:service:%s] section: define it, or take the name out", t.path,
						     envs.v[i], e.services.v[k], e.services.v[k]);
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
	svc_defs_release(&defs);
	tox_release(&t);
	return rc;
}
