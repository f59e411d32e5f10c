#ifndef BLITZ_SHOWCONF_H
#define BLITZ_SHOWCONF_H

#include <stdio.h>

#include "../util/strvec.h"

struct tox;
struct toxenv;

/*
 * tox 4.58's `tox config`, in its layout: a [testenv:NAME] section per env
 * with tox's keys in tox's order (a packaging env's own set), then, for -e
 * ALL or --core, the [tox] section; or the same as `tox config --format
 * json` writes it (json.dumps(..., indent=2)): {"env": {NAME: {...}},
 * "tox": {...}}, each value of tox's type.
 *
 *	struct showconf sc;
 *
 *	showconf_begin(&sc, stdout, json, keys);
 *	showconf_env(&sc, t, &e);	(for each env)
 *	showconf_core(&sc, t, packaging);	(when the core is shown)
 *	showconf_end(&sc);
 */
struct showconf {
	FILE *out;
	int json;
	const struct strvec *keys;	/* -k: only these keys, in this order; NULL or empty: all */
	int nenv;			/* env sections written */
	int in_env;			/* JSON: the "env" object is open */
	int core_done;
};

/* Start the output. keys (may be NULL) is what -k named. */
void showconf_begin(struct showconf *sc, FILE *out, int json, const struct strvec *keys);

/* Write env e (a run env, or a packaging env when e->is_package_env). */
void showconf_env(struct showconf *sc, struct tox *t, const struct toxenv *e);

/* Write the core section; packaging: some env builds a package (tox then shows package_env and package_root). */
void showconf_core(struct showconf *sc, struct tox *t, int packaging);

/* Finish the output (JSON: close what is open; an env-less JSON is {"env": {}}). */
void showconf_end(struct showconf *sc);

#endif
