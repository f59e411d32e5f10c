#include <stdio.h>

#include "cli.h"
#include "../config/tox.h"

/* blitz list: the default envlist (tox -l), every env with --all (tox -a), or the selection -e/-f/-m made. */
int cmd_list(const struct opts *o)
{
	struct tox t;
	struct strvec names = STRVEC_INIT;

	cli_load(&t, o);
	if (o->all)
		tox_run_envs(&t, &names);
	else if (o->envs.n || o->factors.n || o->labels.n)
		cli_select(&t, o, &names);
	else
		strvec_extend(&names, &t.envlist);
	for (size_t i = 0; i < names.n; i++)
		printf("%s\n", names.v[i]);
	strvec_clear(&names);
	tox_release(&t);
	return 0;
}
