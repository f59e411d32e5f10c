/*
 * How each interpreter's venvs are seeded (struct seeding): the wheels
 * chosen and their images made, once per machine, the first time a run
 * asks; then shared by its envs. The only writer of struct seeding.
 */
#include "run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/fingerprint.h"
#include "../env/seed.h"
#include "../util/util.h"

/* The VIRTUALENV_* settings of envp, which decide how a venv is seeded. */
static uint64_t virtualenv_settings(const struct strvec *envp)
{
	uint64_t h = FP_INIT;

	for (size_t i = 0; i < envp->n; i++)
		if (strncmp(envp->v[i], "VIRTUALENV_", 11) == 0)
			h = fp_str(h, envp->v[i]);
	return h;
}

/*
 * How venvs of interpreter in, with the VIRTUALENV_* settings of envp, are
 * seeded: chosen and their images made (once per machine) the first time a
 * run asks, then shared by its envs.
 */
const struct seeding *seeding_get(struct ctx *c, const struct interp *in, const struct strvec *envp)
{
	uint64_t key = fp_str(virtualenv_settings(envp), in->path);
	struct seeding *s;
	struct seed_plan builder;
	char err[512];

	for (size_t i = 0; i < c->seeds.n; i++)
		if (c->seeds.v[i]->key == key)
			return c->seeds.v[i];
	s = xcalloc(1, sizeof(*s));
	s->key = key;
	snprintf(s->python, sizeof(s->python), "%s", in->path);
	seed_choose(in, envp->v, &s->plan);
	for (int i = 0; i < SEED_DISTS; i++) {
		/* the newest wheel whose Requires-Python admits this interpreter */
		int rc = 1;
		for (size_t k = 0; k < s->plan.wheels[i].n && rc == 1; k++)
			rc = seed_image(in, s->plan.wheels[i].v[k], s->image[i], sizeof(s->image[i]), err, sizeof(err));
		if (rc == 1 && s->plan.wheels[i].n)
			snprintf(err, sizeof(err), "no wheel found is for Python %d.%d (the newest: %s)", in->major,
				 in->minor, s->plan.wheels[i].v[0]);
		if (rc != 0) {
			s->image[i][0] = '\0';
			if (s->plan.wheels[i].n && !s->error[0])
				snprintf(s->error, sizeof(s->error), "%s", err);
		}
	}
	/* the pip blitz builds wheels with runs from outside any venv, whatever the envs are seeded with */
	if (s->image[SEED_PIP][0]) {
		snprintf(s->builder_pip, sizeof(s->builder_pip), "%s", s->image[SEED_PIP]);
	} else {
		seed_choose(in, NULL, &builder);
		int rc = 1;
		for (size_t k = 0; k < builder.wheels[SEED_PIP].n && rc == 1; k++)
			rc = seed_image(in, builder.wheels[SEED_PIP].v[k], s->builder_pip, sizeof(s->builder_pip), err,
					sizeof(err));
		if (rc != 0)
			s->builder_pip[0] = '\0';
		seed_plan_release(&builder);
	}
	c->seeds.v = xrealloc(c->seeds.v, (c->seeds.n + 1) * sizeof(*c->seeds.v));
	c->seeds.v[c->seeds.n++] = s;
	return s;
}

void seeding_release(struct ctx *c)
{
	for (size_t i = 0; i < c->seeds.n; i++) {
		seed_plan_release(&c->seeds.v[i]->plan);
		free(c->seeds.v[i]);
	}
	free(c->seeds.v);
}
