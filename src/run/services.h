#ifndef BLITZ_RUN_SERVICES_H
#define BLITZ_RUN_SERVICES_H

/*
 * What services.c (slots, the jobs waiting for their services, the run's
 * start and end) and service_instance.c (each instance's life: setup,
 * copy, start, ready, reset, death) both see. See run_internal.h for the
 * runner's side.
 */
#include <stddef.h>
#include <sys/types.h>

#include "run_internal.h"
#include "../service/def.h"
#include "../util/strvec.h"

/* A service's setup, run once and copied for every slot. */
struct template {
	const struct svc_def *def;
	enum { TPL_NONE, TPL_RUNNING, TPL_DONE, TPL_FAILED } state;
	char *dir, *tmp;		/* where it is kept; where it is made (util/rundir.h) */
	int tmp_lock;			/* the lock of tmp while this run makes it, or -1 */
	char *log;
	size_t line;			/* the setup line running */
	char why[512];
};

/* A service's server for one slot, started when a job of that slot first needs it. */
struct instance {
	const struct svc_def *def;
	struct template *tpl;
	size_t slot;
	int port, port_fd;
	char *dir, *log;
	enum {
		INST_NONE,		/* not started */
		INST_WAIT_SETUP,	/* its service's setup runs */
		INST_COPYING,		/* the setup's files are copied into its folder */
		INST_STARTING,		/* its server runs, not ready yet */
		INST_READY,
		INST_RESETTING,
		INST_FAILED,		/* cannot be had (why): the jobs that need it fail */
		INST_DEAD,		/* its server ended after it was ready: started again when needed */
	} state;
	struct job *job;		/* the server, while it runs */
	struct job *probe;		/* a ready check running */
	long long copy_ns, start_ns, next_probe_ns;	/* its copy began; its server started; check next */
	double ready_s;			/* the first start's, -1 until then */
	double job_wait_s;		/* the longest a job waited for it (ready, reset), -1: none used it */
	long long usable_ns;		/* when it last became ready, or clean after a reset */
	size_t starts;			/* how often its server was started */
	size_t reset_line;		/* the reset line running */
	int dirty;			/* a job has used it since its start or last reset */
	const struct envrun *owner;	/* that job's env */
	long owner_holder;		/* and which of its jobs: -1 its steps, else a shard */
	int owner_running;		/* that job still runs */
	char why[1024];			/* INST_FAILED: why */
	const char *why_log;		/* and the log that tells more */
};

/* A job waiting for its slot's services. */
struct pending {
	const struct envrun *er;
	long holder;
	int fresh;			/* wants its services reset even after its own env's steps (a rerun) */
	long long since_ns;		/* when it asked to start */
	size_t slot;
	struct strvec argv, envp;
	char *cwd, *log;
	int append;
	long long timeout_ns;
	void (*done)(void *run, void *owner, struct job *j);	/* the job's owner, as its spec named it */
	void *owner;
	const char *label;
};

/* A service that died while an env's job used it: what that env is told when it asks (services_note). */
struct note {
	const struct envrun *er;
	char text[512];
};

/* A parallel slot's claim: the env (and its shard, or -1) whose jobs use its instances. */
struct slot {
	const struct envrun *er;		/* who holds it, or NULL */
	long holder;
};

/* The run's services: definitions, folders, every instance, the slots and the jobs waiting. */
struct services {
	struct svc_defs defs;
	char *base, *run_dir;
	int lock_fd;			/* held on run_dir/lock while the run lives */
	char *log_dir;			/* RUN/services */
	int as_root;			/* a definition's user applies */
	struct template *tpls;		/* one per definition */
	struct instance **inst;
	size_t ninst;
	struct slot *slots;
	size_t nslots;
	struct pending *pend;
	size_t npend;
	struct note *notes;
	size_t nnotes;
	int finishing;			/* the run ends: servers ending are no news */
};

/* The user the service's commands run as: its user when blitz runs as root, else blitz's own (NULL). */
const char *service_user(const struct services *s, const struct svc_def *def);

/* The last lines of a log, for a message (allocated; "" when there is none). */
char *service_log_tail(const char *path, int lines);

/* The instance of def for slot (made, not started, the first time). */
struct instance *instance_of(struct ctx *c, const struct svc_def *def, size_t slot);

/* Make sure in is started or starting (after its setup); started again when it died. */
void instance_ensure_started(struct ctx *c, struct instance *in);

/* Check a starting instance: ready, or out of time. */
void instance_probe(struct ctx *c, struct instance *in);

/* Run in's reset (INST_RESETTING); when it is done, in is clean and ready again. */
void instance_reset(struct ctx *c, struct instance *in);


/*
 * The instances' and templates' side of services.c's work (this file is
 * the only writer of struct instance, and the only writer of struct
 * template). instances_init: a template per definition. instance_use: a
 * job of er (holder) starts on in, which it waited for since since_ns.
 * instances_slot_free: slot's jobs have ended. instances_finish: each
 * instance into res, and everything freed (its servers stopped already).
 */
void instances_init(struct services *s);
void instance_use(struct instance *in, const struct envrun *er, long holder, long long since_ns);
void instances_slot_free(struct services *s, size_t slot);
void instances_finish(struct services *s, struct run_result *res);

#endif
