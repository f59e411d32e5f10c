/*
 * Services per slot (blitz_services): every parallel slot that runs a job
 * needing a service gets its own instance of it, a real server started as a
 * local process from its [blitz:service:NAME] definition (service/def.h):
 * own port, own folder (a copy of the definition's setup, done once),
 * started while the env's venv is set up, checked ready, kept for the
 * slot's later jobs and reset between them, stopped at the end.
 *
 * A job of an env needing services waits (holding its slot) until the
 * services of its slot are ready; one that cannot have them fails with the
 * reason and the tail of the service's log; other envs never wait. The
 * servers are jobs of the pool, so Ctrl-C and SIGTERM stop them with the
 * rest; pid files let the next run stop what a killed run left.
 */
#include "services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool.h"
#include "../config/diag.h"
#include "../service/home.h"
#include "../util/strvec.h"
#include "../util/util.h"

extern char **environ;

static int needs(const struct envrun *er)
{
	return er->resolved && er->e.services.n > 0;
}

/* ---- slots ---- */

static long slot_take(struct services *s, const struct envrun *er, long holder)
{
	size_t i = 0;

	while (i < s->nslots && s->slots[i].er)
		i++;
	if (i == s->nslots) {
		s->slots = xrealloc(s->slots, (s->nslots + 1) * sizeof(*s->slots));
		s->nslots++;
	}
	s->slots[i].er = er;
	s->slots[i].holder = holder;
	return (long)i;
}

static long slot_find(const struct services *s, const struct envrun *er, long holder)
{
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].er == er && s->slots[i].holder == holder)
			return (long)i;
	return -1;
}

static void slot_free(struct services *s, long i)
{
	if (i >= 0 && (size_t)i < s->nslots)
		s->slots[i].er = NULL;
	if (i >= 0)
		instances_slot_free(s, (size_t)i);
}

/* Start the instances slot needs for er. */
static void start_for(struct ctx *c, const struct envrun *er, size_t slot)
{
	for (size_t i = 0; i < er->e.services.n; i++) {
		const struct svc_def *def = svc_def_find(&c->svc->defs, er->e.services.v[i]);
		if (def)
			instance_ensure_started(c, instance_of(c, def, slot));
	}
}

void services_env_start(struct ctx *c, const struct envrun *er)
{
	if (!c->svc || !needs(er) || er->ready != ENV_PASSED)
		return;
	start_for(c, er, (size_t)slot_take(c->svc, er, -1));
	/* its shards will take the slots free now: their services start too */
	size_t more = er->shards > 1 ? er->shards - 1 : 0;
	for (size_t i = 0; more && i < c->slots; i++)
		if (i >= c->svc->nslots || !c->svc->slots[i].er) {
			start_for(c, er, i);
			more--;
		}
}

void services_start_job(struct ctx *c, const struct envrun *er, const struct job_spec *spec, long holder, int fresh)
{
	struct services *s = c->svc;

	if (!s || !needs(er)) {
		pool_start(c->p, spec);
		return;
	}
	long slot = slot_find(s, er, holder);
	if (slot < 0 && holder >= 0 && (slot = slot_find(s, er, -1)) >= 0)
		s->slots[slot].holder = holder;	/* the env's first shard goes on in the slot the env set up in */
	if (slot < 0)
		slot = slot_take(s, er, holder);
	start_for(c, er, (size_t)slot);
	s->pend = xrealloc(s->pend, (s->npend + 1) * sizeof(*s->pend));
	struct pending *pd = &s->pend[s->npend++];
	memset(pd, 0, sizeof(*pd));
	pd->er = er;
	pd->holder = holder;
	pd->fresh = fresh;
	pd->since_ns = now_ns();
	pd->slot = (size_t)slot;
	for (char *const *a = spec->argv; *a; a++)
		strvec_push(&pd->argv, *a);
	for (char *const *e = spec->envp ? spec->envp : environ; *e; e++)
		strvec_push(&pd->envp, *e);
	pd->cwd = spec->cwd ? xstrdup(spec->cwd) : NULL;
	pd->log = xstrdup(spec->log_path);
	pd->append = spec->append;
	pd->timeout_ns = spec->timeout_ns;
	pd->done = spec->done;
	pd->owner = spec->owner;
	pd->label = spec->label;
	services_poll(c);	/* ready already: it starts now */
}

void services_job_end(struct ctx *c, const struct envrun *er, long holder)
{
	if (!c->svc || holder < 0)
		return;
	slot_free(c->svc, slot_find(c->svc, er, holder));
}

void services_env_end(struct ctx *c, const struct envrun *er)
{
	if (!c->svc)
		return;
	for (size_t i = 0; i < c->svc->nslots; i++)
		if (c->svc->slots[i].er == er)
			slot_free(c->svc, (long)i);
}

const char *services_note(const struct ctx *c, const struct envrun *er)
{
	for (size_t i = 0; c->svc && i < c->svc->nnotes; i++)
		if (c->svc->notes[i].er == er)
			return c->svc->notes[i].text;
	return "";
}

/* Set or replace KEY=value in envp. */
static void setvar(struct strvec *envp, const char *key, const char *value)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < envp->n; i++)
		if (strncmp(envp->v[i], key, klen) == 0 && envp->v[i][klen] == '=') {
			strvec_remove(envp, i);
			break;
		}
	strvec_push_owned(envp, xconcat(key, "=", value, NULL));
}

static void pending_release(struct pending *pd)
{
	strvec_clear(&pd->argv);
	strvec_clear(&pd->envp);
	free(pd->cwd);
	free(pd->log);
}

/* Where a pending job stands: 1 start it, 0 wait, -1 fail it (*failed: the instance that failed). */
static int gate(struct ctx *c, struct pending *pd, struct instance **failed)
{
	int ok = 1;

	for (size_t i = 0; i < pd->er->e.services.n; i++) {
		const struct svc_def *def = svc_def_find(&c->svc->defs, pd->er->e.services.v[i]);
		struct instance *in = instance_of(c, def, pd->slot);
		instance_ensure_started(c, in);	/* died since: start it again */
		if (in->state == INST_FAILED) {
			*failed = in;
			return -1;
		}
		if (in->state != INST_READY) {
			ok = 0;
			continue;
		}
		/*
		 * used by another job since it started (that job has ended: a slot
		 * runs one at a time): reset it first; an env's own steps, and its
		 * first shard after them, go on with what they left
		 */
		int same = !pd->fresh && in->owner == pd->er && (in->owner_holder == pd->holder || in->owner_holder == -1);
		if (in->dirty && !same && in->def->reset.n) {
			instance_reset(c, in);
			ok = 0;
		}
	}
	return ok;
}

/* Start pd's job: its instances are ready; the tests see them through the definitions' env and BLITZ_SLOT. */
static void start_pending(struct ctx *c, struct pending *pd)
{
	struct job_spec spec = { 0 };
	char slot[32];

	for (size_t i = 0; i < pd->er->e.services.n; i++) {
		const struct svc_def *def = svc_def_find(&c->svc->defs, pd->er->e.services.v[i]);
		struct instance *in = instance_of(c, def, pd->slot);
		struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
		char err[300];
		for (size_t k = 0; k < def->env_keys.n; k++) {
			char *val = svc_subst(def, def->env_values.v[k], &v, err, sizeof(err));
			if (val)
				setvar(&pd->envp, def->env_keys.v[k], val);
			free(val);
		}
		instance_use(in, pd->er, pd->holder, pd->since_ns);
	}
	snprintf(slot, sizeof(slot), "%zu", pd->slot);
	setvar(&pd->envp, "BLITZ_SLOT", slot);
	spec.argv = pd->argv.v;
	spec.envp = pd->envp.v;
	spec.cwd = pd->cwd;
	spec.log_path = pd->log;
	spec.append = pd->append;
	spec.timeout_ns = pd->timeout_ns;
	spec.done = pd->done;
	spec.owner = pd->owner;
	spec.label = pd->label;
	pool_start(c->p, &spec);
}

int services_poll(struct ctx *c)
{
	struct services *s = c->svc;
	int busy = 0;

	if (!s)
		return -1;
	for (size_t i = 0; i < s->ninst; i++) {
		struct instance *in = s->inst[i];
		if (in->state == INST_WAIT_SETUP && in->tpl->state != TPL_RUNNING)
			instance_ensure_started(c, in);
		if (in->state == INST_STARTING && !c->stopping)
			instance_probe(c, in);
		busy |= in->state == INST_STARTING || in->state == INST_WAIT_SETUP || in->state == INST_COPYING;
	}
	for (size_t i = 0; i < s->npend;) {
		struct pending *pd = &s->pend[i];
		struct instance *bad = NULL;
		int g = c->stopping ? -2 : gate(c, pd, &bad);
		if (g == 0) {
			busy = 1;
			i++;
			continue;
		}
		struct job_spec spec = { .envp = pd->envp.v, .log_path = pd->log, .append = 1, .done = pd->done,
					 .owner = pd->owner, .label = pd->label };
		if (g == 1) {
			start_pending(c, pd);
		} else if (g == -2) {
			pool_fail(c->p, &spec, JOB_STOPPED, "stopped while it waited for its services");
		} else {
			/* the reason in the env's result, the service log's tail in its log */
			char *tail = service_log_tail(bad->why_log, 10);
			FILE *f = fopen(pd->log, "a");
			if (f) {
				fprintf(f, "[blitz] %s: %s; the end of its log %s:\n%s\n", pd->er->r->name, bad->why,
					bad->why_log, tail);
				fclose(f);
			}
			free(tail);
			pool_fail(c->p, &spec, JOB_SPAWN_FAILED, bad->why);
		}
		pending_release(pd);
		s->pend[i] = s->pend[--s->npend];
	}
	return busy ? 10 : -1;
}

int services_init(struct ctx *c, char (*unable)[512])
{
	struct diag d = { 0 };
	struct services *s = xcalloc(1, sizeof(*s));
	size_t using = 0;
	char err[512];

	if (svc_defs_load(c->t, &s->defs, &d) < 0) {
		char *msg = diag_format(&d);
		error("%s", msg);
		free(msg);
		svc_defs_release(&s->defs);
		free(s);
		return 2;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct envrun *er = &c->runs[i];
		if (!needs(er) || er->ready != ENV_PASSED)
			continue;
		for (size_t k = 0; k < er->e.services.n && !unable[i][0]; k++)
			if (!svc_def_find(&s->defs, er->e.services.v[k]))
				snprintf(unable[i], sizeof(unable[i]), "blitz_services names '%s', but %s has no "
					 "[blitz:service:%s] section: define it there, or take the name out",
					 er->e.services.v[k], c->t->path, er->e.services.v[k]);
		using += !unable[i][0];
	}
	if (!s->defs.n || c->o->dry_run) {
		svc_defs_release(&s->defs);
		free(s);
		return 0;
	}
	s->lock_fd = -1;
	s->base = svc_base(err, sizeof(err));
	if (s->base)
		svc_reap_orphans(s->base, stderr);	/* what a killed run left, before starting anew */
	if (s->base && using)
		s->run_dir = svc_run_dir(s->base, &s->lock_fd, err, sizeof(err));
	if (using && !s->run_dir) {
		for (size_t i = 0; i < c->n; i++)
			if (needs(&c->runs[i]) && c->runs[i].ready == ENV_PASSED && !unable[i][0])
				snprintf(unable[i], sizeof(unable[i]), "its services cannot run: %.400s", err);
	}
	if (!s->run_dir) {
		free(s->base);
		svc_defs_release(&s->defs);
		free(s);
		return 0;
	}
	s->as_root = getuid() == 0;
	s->log_dir = xconcat(c->o->run_dir, "/services", NULL);
	mkdirs(s->log_dir);
	instances_init(s);
	c->svc = s;
	return 0;
}

void services_finish(struct ctx *c, struct run_result *res)
{
	struct services *s = c->svc;

	if (!s)
		return;
	s->finishing = 1;
	pool_stop_all(c->p);	/* every env has ended: what still runs is services */
	instances_finish(s, res);
	for (size_t i = 0; i < s->npend; i++)
		pending_release(&s->pend[i]);
	remove_tree(s->run_dir);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->pend);
	free(s->notes);
	free(s->slots);
	free(s->log_dir);
	free(s->run_dir);
	free(s->base);
	svc_defs_release(&s->defs);
	free(s);
	c->svc = NULL;
}

