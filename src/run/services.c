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
#include "run_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pool.h"
#include "../config/diag.h"
#include "../config/shlex.h"
#include "../env/fingerprint.h"
#include "../service/def.h"
#include "../service/home.h"
#include "../util/strvec.h"
#include "../util/util.h"

extern char **environ;

#define PROBE_NS (10LL * 1000000LL)		/* between two readiness checks */
#define MAX_STARTS 3				/* an instance that keeps dying is given up */

/* A service's setup, run once and copied for every slot. */
struct template {
	const struct svc_def *def;
	enum { TPL_NONE, TPL_RUNNING, TPL_DONE, TPL_FAILED } state;
	char *dir, *tmp;		/* where it is kept; where it is made */
	char *log;
	size_t line;			/* the setup line running */
	char why[512];
};

struct instance {
	const struct svc_def *def;
	struct template *tpl;
	size_t slot;
	int port, port_fd;
	char *dir, *log;
	enum { INST_NONE, INST_WAIT_SETUP, INST_COPYING, INST_STARTING, INST_READY, INST_RESETTING, INST_FAILED, INST_DEAD } state;
	struct job *job;		/* the server, while it runs */
	struct job *probe;		/* a ready check running */
	long long copy_ns, start_ns, next_probe_ns;	/* its copy began; its server started; check next */
	double ready_s;			/* the first start's, -1 until then */
	size_t starts;
	size_t reset_line;
	int dirty;			/* a job has used it since its start or last reset */
	struct envrun *owner;		/* that job's env */
	long owner_holder;
	int owner_running;		/* that job still runs */
	char why[1024];			/* INST_FAILED: why */
	const char *why_log;		/* and the log that tells more */
};

/* A job waiting for its slot's services. */
struct pending {
	struct envrun *er;
	long holder;
	size_t slot;
	struct strvec argv, envp;
	char *cwd, *log;
	int append;
	long long timeout_ns;
	long tag;
};

struct slot {
	struct envrun *er;		/* who holds it, or NULL */
	long holder;
};

struct services {
	struct svc_defs defs;
	char *base, *run_dir;
	int lock_fd;
	char *log_dir;
	int as_root;
	struct template *tpls;
	struct instance **inst;
	size_t ninst;
	struct slot *slots;
	size_t nslots;
	struct pending *pend;
	size_t npend;
	int finishing;
};

static int needs(const struct envrun *er)
{
	return er->resolved && er->e.services.n > 0;
}

/* The user the service's commands run as: its user when blitz is root, else blitz's own (NULL). */
static const char *user_of(const struct services *s, const struct svc_def *def)
{
	return s->as_root ? def->user : NULL;
}

static void owner_ids(const struct services *s, const struct svc_def *def, uid_t *uid, gid_t *gid)
{
	const char *user = user_of(s, def);
	struct passwd *pw = user ? getpwnam(user) : NULL;

	*uid = pw ? pw->pw_uid : (uid_t)-1;
	*gid = pw ? pw->pw_gid : (gid_t)-1;
}

/* The last lines of a log, for a message (allocated; "" when there is none). */
static char *log_tail(const char *path, int lines)
{
	size_t len = 0;
	char *text = path ? read_file(path, &len) : NULL;

	if (!text)
		return xstrdup("");
	while (len && text[len - 1] == '\n')
		len--;
	size_t at = len;
	for (int n = 0; at > 0; at--)
		if (text[at - 1] == '\n' && ++n == lines)
			break;
	char *tail = xstrndup(text + at, len - at);
	free(text);
	return tail;
}

/* The environment of a service's commands: blitz's, PATH with the definition's folders first, HOME when run as its user. */
static void service_envp(const struct services *s, const struct svc_def *def, const char *dir, struct strvec *out)
{
	const char *user = user_of(s, def);

	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "PATH=", 5) == 0 && def->path.n)
			continue;
		if (user && (strncmp(*e, "HOME=", 5) == 0 || strncmp(*e, "USER=", 5) == 0 ||
			     strncmp(*e, "LOGNAME=", 8) == 0))
			continue;
		strvec_push(out, *e);
	}
	if (def->path.n) {
		const char *path = getenv("PATH");
		char *joined = xstrdup("PATH=");
		for (size_t i = 0; i < def->path.n; i++) {
			char *next = xconcat(joined, i ? ":" : "", def->path.v[i], NULL);
			free(joined);
			joined = next;
		}
		char *full = xconcat(joined, path && *path ? ":" : "", path ? path : "", NULL);
		strvec_push_owned(out, full);
		free(joined);
	}
	if (user) {
		strvec_pushf(out, "HOME=%s", dir);
		strvec_pushf(out, "USER=%s", user);
		strvec_pushf(out, "LOGNAME=%s", user);
	}
}

/* Start argv, one of the service's commands, as a job of the pool with tag, in dir, as the service's user. */
static struct job *start_argv(struct ctx *c, const struct svc_def *def, char *const *argv, const char *dir,
			      const char *log, long tag, void *data)
{
	struct strvec envp = STRVEC_INIT;
	struct job_spec spec = { 0 };
	FILE *f = fopen(log, "a");

	if (f) {
		fprintf(f, "[blitz] %s: $", def->name);
		for (char *const *a = argv; *a; a++)
			fprintf(f, " %s", *a);
		fputc('\n', f);
		fclose(f);
	}
	service_envp(c->svc, def, dir, &envp);
	spec.argv = argv;
	spec.envp = envp.v;
	spec.cwd = dir;
	spec.log_path = log;
	spec.append = 1;
	spec.data = data;
	spec.tag = tag;
	spec.user = user_of(c->svc, def);
	struct job *j = pool_start(c->p, &spec);
	strvec_clear(&envp);
	return j;
}

/*
 * Start one of the service's commands (raw, substituted for this instance)
 * as a job of the pool with tag; 0, or -1 with why filled.
 */
static int start_command(struct ctx *c, const struct svc_def *def, const char *raw, const struct svc_vars *v,
			 const char *log, long tag, void *data, struct job **out, char *why, size_t whysz)
{
	struct strvec argv = STRVEC_INIT;

	if (svc_words(def, raw, v, &argv, why, whysz) < 0)
		return -1;
	struct job *j = start_argv(c, def, argv.v, v->dir, log, tag, data);
	if (out)
		*out = j;
	strvec_clear(&argv);
	return 0;
}

/* ---- setup, once per service ---- */

static void template_step(struct ctx *c, struct template *t)
{
	struct svc_vars v = { 0, t->tmp, 0, c->t->toxinidir };

	if (t->line >= t->def->setup.n) {
		if (rename(t->tmp, t->dir) < 0 && errno != ENOTEMPTY && errno != EEXIST) {
			snprintf(t->why, sizeof(t->why), "cannot keep its setup in '%s': %s", t->dir, strerror(errno));
			t->state = TPL_FAILED;
			return;
		}
		remove_tree(t->tmp);	/* another run kept its own first: use that */
		t->state = TPL_DONE;
		return;
	}
	if (start_command(c, t->def, t->def->setup.v[t->line], &v, t->log, TAG_SVC_SETUP, t, NULL, t->why,
			  sizeof(t->why)) < 0)
		t->state = TPL_FAILED;
}

static void template_start(struct ctx *c, struct template *t)
{
	struct services *s = c->svc;
	const struct svc_def *def = t->def;
	uint64_t key = fp_str(FP_INIT, def->name);
	struct stat st;
	uid_t uid;
	gid_t gid;

	/*
	 * What its files come from: the setup lines, where they run, as whom, and
	 * each line's program as installed now (a server upgraded makes a new one)
	 */
	struct strvec envp = STRVEC_INIT;
	service_envp(s, def, "/", &envp);
	const char *path = "";
	for (size_t i = 0; i < envp.n; i++)
		if (strncmp(envp.v[i], "PATH=", 5) == 0)
			path = envp.v[i] + 5;
	key = fp_str(key, c->t->toxinidir);
	for (size_t i = 0; i < def->setup.n; i++) {
		struct strvec w = STRVEC_INIT;
		key = fp_str(key, def->setup.v[i]);
		if (shlex_split(def->setup.v[i], &w, 0, NULL) == 0 && w.n) {
			char *prog = pool_find_program(w.v[0], path);
			char stamp[64];
			if (prog && stat(prog, &st) == 0) {
				snprintf(stamp, sizeof(stamp), "%lld %lld", (long long)st.st_mtime, (long long)st.st_size);
				key = fp_str(fp_str(key, prog), stamp);
			}
			free(prog);
		}
		strvec_clear(&w);
	}
	strvec_clear(&envp);
	for (size_t i = 0; i < def->path.n; i++)
		key = fp_str(key, def->path.v[i]);
	key = fp_str(key, user_of(s, def) ? user_of(s, def) : "");
	t->dir = xasprintf("%s/tpl-%s-%016llx", s->base, def->name, (unsigned long long)key);
	t->tmp = xasprintf("%s.tmp-%ld", t->dir, (long)getpid());
	t->log = xasprintf("%s/%s.setup.log", s->log_dir, def->name);
	if (stat(t->dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		t->state = TPL_DONE;	/* made by an earlier run, unchanged since */
		utimensat(AT_FDCWD, t->dir, NULL, 0);	/* in use: kept from pruning */
		FILE *f = fopen(t->log, "w");
		if (f) {
			fprintf(f, "[blitz] %s: its setup from an earlier run, in %s\n", def->name, t->dir);
			fclose(f);
		}
		return;
	}
	remove_tree(t->tmp);
	owner_ids(s, def, &uid, &gid);
	if (mkdir(t->tmp, 0700) < 0 || (uid != (uid_t)-1 && chown(t->tmp, uid, gid) < 0)) {
		snprintf(t->why, sizeof(t->why), "cannot create '%s': %s", t->tmp, strerror(errno));
		t->state = TPL_FAILED;
		return;
	}
	unlink(t->log);
	t->state = TPL_RUNNING;
	t->line = 0;
	template_step(c, t);
}

/* ---- instances ---- */

static struct instance *instance_of(struct ctx *c, const struct svc_def *def, size_t slot)
{
	struct services *s = c->svc;

	for (size_t i = 0; i < s->ninst; i++)
		if (s->inst[i]->def == def && s->inst[i]->slot == slot)
			return s->inst[i];
	struct instance *in = xcalloc(1, sizeof(*in));
	in->def = def;
	in->tpl = def->setup.n ? &s->tpls[def - s->defs.v] : NULL;
	in->slot = slot;
	in->port_fd = -1;
	in->ready_s = -1;
	in->owner_holder = -1;
	in->dir = xasprintf("%s/%s-%zu", s->run_dir, def->name, slot);
	in->log = xasprintf("%s/%s-%zu.log", s->log_dir, def->name, slot);
	s->inst = xrealloc(s->inst, (s->ninst + 1) * sizeof(*s->inst));
	s->inst[s->ninst++] = in;
	return in;
}

static void fail_instance(struct instance *in, const char *fmt, const char *detail)
{
	in->state = INST_FAILED;
	in->why_log = in->log;
	snprintf(in->why, sizeof(in->why), fmt, in->def->name, in->slot, detail);
}

/* Start the server of in in its folder (a copy of its setup, or new): a port, the command. */
static void spawn_server(struct ctx *c, struct instance *in)
{
	struct services *s = c->svc;
	char err[512];

	if (in->port_fd < 0) {
		in->port = svc_port_claim(s->base, &in->port_fd);
		if (in->port < 0) {
			fail_instance(in, "service %s (slot %zu): %s", "no free TCP port between 20000 and 32767");
			return;
		}
	}
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	in->start_ns = now_ns();
	in->next_probe_ns = 0;
	if (start_command(c, in->def, in->def->command, &v, in->log, TAG_SVC_PROC, in, &in->job, err,
			  sizeof(err)) < 0) {
		fail_instance(in, "service %s (slot %zu): %s", err);
		return;
	}
	svc_pidfile_write(s->run_dir, in->def->name, in->slot, in->job->pid);
	in->state = INST_STARTING;
}

/*
 * Start in afresh (its setup is done): a new folder, its setup's files
 * copied in (by cp, a job: the loop goes on meanwhile), then the server.
 */
static void launch(struct ctx *c, struct instance *in)
{
	struct services *s = c->svc;
	char err[512];
	uid_t uid;
	gid_t gid;

	if (in->starts >= MAX_STARTS) {
		fail_instance(in, "service %s (slot %zu) was started %s times and did not stay up", "3");
		return;
	}
	in->starts++;
	in->dirty = 0;
	in->owner = NULL;
	in->copy_ns = now_ns();
	owner_ids(s, in->def, &uid, &gid);
	remove_tree(in->dir);
	if (mkdir(in->dir, 0700) < 0 || (uid != (uid_t)-1 && chown(in->dir, uid, gid) < 0)) {
		snprintf(err, sizeof(err), "cannot create '%s': %s", in->dir, strerror(errno));
		fail_instance(in, "service %s (slot %zu): %s", err);
		return;
	}
	if (!in->tpl) {
		spawn_server(c, in);
		return;
	}
	struct strvec argv = STRVEC_INIT;
	strvec_push(&argv, "cp");
	strvec_push(&argv, "-a");
	strvec_push(&argv, "--reflink=auto");
	strvec_push_owned(&argv, xconcat(in->tpl->dir, "/.", NULL));
	strvec_push(&argv, in->dir);
	start_argv(c, in->def, argv.v, in->dir, in->log, TAG_SVC_COPY, in);
	strvec_clear(&argv);
	in->state = INST_COPYING;
}

/*
 * Whether the user uid:gid can reach dir (search every folder above it); a
 * reason into why when not. A private TMPDIR (0700) keeps a service's user out.
 */
static int reachable(const char *dir, uid_t uid, gid_t gid, char *why, size_t whysz)
{
	char *path = xstrdup(dir);
	int ok = 1;

	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char saved = *p;
		struct stat st;
		*p = '\0';
		if (stat(path, &st) == 0) {
			mode_t bit = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
			if (!(st.st_mode & bit)) {
				snprintf(why, whysz, "its user cannot reach '%s' (mode %04o): let others search it (chmod o+x), "
					 "or set TMPDIR to a folder its user can reach", path, (unsigned)(st.st_mode & 07777));
				ok = 0;
			}
		}
		*p = saved;
		if (!ok || !saved)
			break;
	}
	free(path);
	return ok;
}

/* Make sure in is started or starting (after its setup). */
static void ensure_started(struct ctx *c, struct instance *in)
{
	if (in->state != INST_NONE && in->state != INST_DEAD && in->state != INST_WAIT_SETUP)
		return;
	if (user_of(c->svc, in->def) && in->state == INST_NONE) {
		uid_t uid;
		gid_t gid;
		char why[600];
		owner_ids(c->svc, in->def, &uid, &gid);
		if (!reachable(c->svc->run_dir, uid, gid, why, sizeof(why))) {
			fail_instance(in, "service %s (slot %zu): %s", why);
			return;
		}
	}
	if (in->tpl && in->tpl->state == TPL_NONE)
		template_start(c, in->tpl);
	if (in->tpl && in->tpl->state == TPL_RUNNING) {
		in->state = INST_WAIT_SETUP;
		return;
	}
	if (in->tpl && in->tpl->state == TPL_FAILED) {
		in->state = INST_FAILED;
		in->why_log = in->tpl->log;
		snprintf(in->why, sizeof(in->why), "service %s: its setup failed: %s", in->def->name, in->tpl->why);
		return;
	}
	launch(c, in);
}

/* Whether the server of in accepts a TCP connection at its ready address. */
static int tcp_ready(struct ctx *c, struct instance *in)
{
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	char err[300];
	char *addr = svc_subst(in->def, in->def->ready_arg, &v, err, sizeof(err));
	const char *host = "127.0.0.1", *port = addr;
	int ok = 0;

	if (!addr)
		return 0;
	char *colon = strrchr(addr, ':');
	if (colon) {
		*colon = '\0';
		host = addr;
		port = colon + 1;
	}
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) == 1) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (fd >= 0)
			close(fd);
	}
	free(addr);
	return ok;
}

static void became_ready(struct instance *in)
{
	in->state = INST_READY;
	if (in->ready_s < 0)
		in->ready_s = (double)(now_ns() - in->copy_ns) / 1e9;	/* its folder's copy included */
	FILE *f = fopen(in->log, "a");
	if (f) {
		fprintf(f, "[blitz] %s (slot %zu): ready after %.3f s, port %d\n", in->def->name, in->slot,
			(double)(now_ns() - in->start_ns) / 1e9, in->port);
		fclose(f);
	}
}

/* Check a starting instance: ready, or out of time. */
static void probe(struct ctx *c, struct instance *in)
{
	long long now = now_ns();

	if ((double)(now - in->start_ns) / 1e9 > in->def->ready_timeout) {
		struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
		char err[300], what[400];
		char *arg = svc_subst(in->def, in->def->ready_arg, &v, err, sizeof(err));
		snprintf(what, sizeof(what), "%g s (ready = %s %s; ready_timeout sets how long to wait)",
			 in->def->ready_timeout, in->def->ready == SVC_READY_TCP ? "tcp" : "cmd", arg ? arg : "");
		free(arg);
		fail_instance(in, "service %s (slot %zu) was not ready after %s", what);
		if (in->job && in->job->pid > 0)
			kill(-in->job->pid, SIGTERM);	/* the pool reaps it, and KILLs it when it lingers */
		if (in->probe && in->probe->pid > 0)
			kill(-in->probe->pid, SIGTERM);
		return;
	}
	if (in->probe || now < in->next_probe_ns)
		return;
	in->next_probe_ns = now + PROBE_NS;
	if (in->def->ready == SVC_READY_TCP) {
		if (tcp_ready(c, in))
			became_ready(in);
		return;
	}
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	char err[300];
	if (start_command(c, in->def, in->def->ready_arg, &v, in->log, TAG_SVC_READY, in, &in->probe, err,
			  sizeof(err)) < 0)
		fail_instance(in, "service %s (slot %zu): ready: %s", err);
}

/* Run in's reset line by line (INST_RESETTING); when done, it is clean and ready. */
static void reset_step(struct ctx *c, struct instance *in)
{
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	char err[300];

	if (in->reset_line >= in->def->reset.n) {
		in->state = INST_READY;
		in->dirty = 0;
		in->owner = NULL;
		return;
	}
	if (start_command(c, in->def, in->def->reset.v[in->reset_line], &v, in->log, TAG_SVC_RESET, in, NULL, err,
			  sizeof(err)) < 0)
		fail_instance(in, "service %s (slot %zu): reset: %s", err);
}

/* ---- slots ---- */

static long slot_take(struct services *s, struct envrun *er, long holder)
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
	for (size_t k = 0; k < s->ninst; k++)
		if (s->inst[k]->slot == (size_t)i)
			s->inst[k]->owner_running = 0;
}

/* Start the instances slot needs for er. */
static void start_for(struct ctx *c, struct envrun *er, size_t slot)
{
	for (size_t i = 0; i < er->e.services.n; i++) {
		const struct svc_def *def = svc_def_find(&c->svc->defs, er->e.services.v[i]);
		if (def)
			ensure_started(c, instance_of(c, def, slot));
	}
}

void services_env_start(struct ctx *c, struct envrun *er)
{
	if (!c->svc || !needs(er) || er->ready != ENV_PASSED)
		return;
	er->svc_slot = slot_take(c->svc, er, -1);
	start_for(c, er, (size_t)er->svc_slot);
	/* its shards will take the slots free now: their services start too */
	size_t more = er->shards > 1 ? er->shards - 1 : 0;
	for (size_t i = 0; more && i < c->slots; i++)
		if (i >= c->svc->nslots || !c->svc->slots[i].er) {
			start_for(c, er, i);
			more--;
		}
}

void services_start_job(struct ctx *c, struct envrun *er, const struct job_spec *spec, long holder)
{
	struct services *s = c->svc;

	if (!s || !needs(er)) {
		pool_start(c->p, spec);
		return;
	}
	long slot = slot_find(s, er, holder);
	if (slot < 0 && holder >= 0 && er->svc_slot >= 0) {
		/* the env's first shard goes on in the slot the env set up in */
		slot = er->svc_slot;
		s->slots[slot].holder = holder;
		er->svc_slot = -1;
	}
	if (slot < 0) {
		slot = slot_take(s, er, holder);
		if (holder < 0)
			er->svc_slot = slot;
	}
	start_for(c, er, (size_t)slot);
	s->pend = xrealloc(s->pend, (s->npend + 1) * sizeof(*s->pend));
	struct pending *pd = &s->pend[s->npend++];
	memset(pd, 0, sizeof(*pd));
	pd->er = er;
	pd->holder = holder;
	pd->slot = (size_t)slot;
	for (char *const *a = spec->argv; *a; a++)
		strvec_push(&pd->argv, *a);
	for (char *const *e = spec->envp ? spec->envp : environ; *e; e++)
		strvec_push(&pd->envp, *e);
	pd->cwd = spec->cwd ? xstrdup(spec->cwd) : NULL;
	pd->log = xstrdup(spec->log_path);
	pd->append = spec->append;
	pd->timeout_ns = spec->timeout_ns;
	pd->tag = spec->tag;
	services_poll(c);	/* ready already: it starts now */
}

void services_job_end(struct ctx *c, struct envrun *er, long holder)
{
	if (!c->svc || holder < 0)
		return;
	slot_free(c->svc, slot_find(c->svc, er, holder));
}

void services_env_end(struct ctx *c, struct envrun *er)
{
	if (!c->svc)
		return;
	for (size_t i = 0; i < c->svc->nslots; i++)
		if (c->svc->slots[i].er == er)
			slot_free(c->svc, (long)i);
	er->svc_slot = -1;
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
		ensure_started(c, in);	/* died since: start it again */
		if (in->state == INST_FAILED) {
			*failed = in;
			return -1;
		}
		if (in->state != INST_READY) {
			ok = 0;
			continue;
		}
		/* used by another job since it started: reset it first (the env's own steps share one) */
		int same = in->owner == pd->er && (in->owner_holder == pd->holder || in->owner_holder == -1);
		if (in->dirty && !same && !in->owner_running && in->def->reset.n) {
			in->state = INST_RESETTING;
			in->reset_line = 0;
			reset_step(c, in);
			ok = 0;
		} else if (in->dirty && !same && in->owner_running) {
			ok = 0;	/* cannot happen with one job per slot; wait rather than share */
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
		in->dirty = 1;
		in->owner = pd->er;
		in->owner_holder = pd->holder;
		in->owner_running = 1;
	}
	snprintf(slot, sizeof(slot), "%zu", pd->slot);
	setvar(&pd->envp, "BLITZ_SLOT", slot);
	spec.argv = pd->argv.v;
	spec.envp = pd->envp.v;
	spec.cwd = pd->cwd;
	spec.log_path = pd->log;
	spec.append = pd->append;
	spec.timeout_ns = pd->timeout_ns;
	spec.data = pd->er;
	spec.tag = pd->tag;
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
			ensure_started(c, in);
		if (in->state == INST_STARTING && !c->stopping)
			probe(c, in);
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
		struct job_spec spec = { .envp = pd->envp.v, .log_path = pd->log, .append = 1, .data = pd->er,
					 .tag = pd->tag };
		if (g == 1) {
			start_pending(c, pd);
		} else if (g == -2) {
			pool_fail(c->p, &spec, JOB_STOPPED, "stopped while it waited for its services");
		} else {
			/* the reason in the env's result, the service log's tail in its log */
			char *tail = log_tail(bad->why_log, 10);
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

/* A service died while a job used it: tell that job's env. */
static void died(struct ctx *c, struct instance *in, const struct job *j)
{
	char how[96];
	char *tail = log_tail(in->log, 8);

	if (j->end == JOB_SIGNALED)
		snprintf(how, sizeof(how), "killed by signal %d (%s)", j->signo, strsignal(j->signo));
	else
		snprintf(how, sizeof(how), "exited with code %d", j->exit_code);
	in->state = INST_DEAD;
	svc_pidfile_remove(c->svc->run_dir, in->def->name, in->slot);
	if (in->owner && in->owner_running && !in->owner->finished) {
		struct envrun *er = in->owner;
		snprintf(er->svc_note, sizeof(er->svc_note), "service %s (slot %zu) died while its job ran (%s)",
			 in->def->name, in->slot, how);
		FILE *f = fopen(er->r->log_path, "a");
		if (f) {
			fprintf(f, "[blitz] %s: %s; the end of its log %s:\n%s\n", er->r->name, er->svc_note, in->log, tail);
			fclose(f);
		}
	}
	FILE *f = fopen(in->log, "a");
	if (f) {
		fprintf(f, "[blitz] %s (slot %zu): %s\n", in->def->name, in->slot, how);
		fclose(f);
	}
	free(tail);
}

void services_job_done(struct ctx *c, struct job *j)
{
	struct services *s = c->svc;
	int ok = j->end == JOB_EXITED && j->exit_code == 0;

	if (!s)
		return;
	if (j->tag == TAG_SVC_SETUP) {
		struct template *t = j->data;
		if (s->finishing || c->stopping || j->end == JOB_STOPPED) {
			t->state = TPL_FAILED;
			snprintf(t->why, sizeof(t->why), "stopped");
			return;
		}
		if (!ok) {
			const char *line = t->def->setup.v[t->line];
			t->state = TPL_FAILED;
			if (j->end == JOB_SPAWN_FAILED)
				snprintf(t->why, sizeof(t->why), "%s", j->error);
			else if (j->end == JOB_EXITED)
				snprintf(t->why, sizeof(t->why), "'%s' exited with code %d", line, j->exit_code);
			else
				snprintf(t->why, sizeof(t->why), "'%s' was killed by signal %d", line, j->signo);
			return;
		}
		t->line++;
		template_step(c, t);
		return;
	}
	struct instance *in = j->data;
	if (j->tag == TAG_SVC_COPY) {
		if (in->state != INST_COPYING)
			return;
		if (s->finishing || c->stopping || j->end == JOB_STOPPED)
			in->state = INST_NONE;
		else if (!ok)
			fail_instance(in, "service %s (slot %zu): %s", "copying its setup's files failed (see its log)");
		else
			spawn_server(c, in);
		return;
	}
	if (j->tag == TAG_SVC_READY) {
		in->probe = NULL;
		if (ok && in->state == INST_STARTING)
			became_ready(in);
		return;
	}
	if (j->tag == TAG_SVC_RESET) {
		if (in->state != INST_RESETTING)
			return;
		if (!ok) {
			char detail[600];
			if (j->end == JOB_SPAWN_FAILED)
				snprintf(detail, sizeof(detail), "%s", j->error);
			else
				snprintf(detail, sizeof(detail), "%s (exit code %d)", in->def->reset.v[in->reset_line],
					 j->end == JOB_EXITED ? j->exit_code : -1);
			fail_instance(in, "service %s (slot %zu): its reset failed: %s", detail);
			if (in->job && in->job->pid > 0)
				kill(-in->job->pid, SIGTERM);
			return;
		}
		in->reset_line++;
		reset_step(c, in);
		return;
	}
	/* TAG_SVC_PROC: the server ended */
	in->job = NULL;
	if (s->finishing || c->stopping || j->end == JOB_STOPPED)
		return;
	if (in->state == INST_STARTING) {
		char detail[300];
		if (j->end == JOB_SPAWN_FAILED)
			snprintf(detail, sizeof(detail), "%s", j->error);
		else if (j->end == JOB_SIGNALED)
			snprintf(detail, sizeof(detail), "killed by signal %d", j->signo);
		else
			snprintf(detail, sizeof(detail), "exit code %d", j->exit_code);
		fail_instance(in, "service %s (slot %zu) ended before it was ready (%s)", detail);
		svc_pidfile_remove(s->run_dir, in->def->name, in->slot);
		return;
	}
	if (in->state == INST_FAILED) {
		svc_pidfile_remove(s->run_dir, in->def->name, in->slot);
		return;	/* stopped by blitz: not ready in time, or its reset failed */
	}
	died(c, in, j);
}

int services_init(struct ctx *c)
{
	struct diag d = { 0 };
	struct services *s = xcalloc(1, sizeof(*s));
	size_t using = 0;
	char err[512];

	for (size_t i = 0; i < c->n; i++)
		c->runs[i].svc_slot = -1;
	if (svc_defs_load(c->t, &s->defs, &d) < 0) {
		char *msg = diag_format(&d);
		error("%s", msg);
		free(msg);
		svc_defs_release(&s->defs);
		free(s);
		return 2;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct envrun *er = &c->runs[i];
		if (!needs(er) || er->ready != ENV_PASSED)
			continue;
		for (size_t k = 0; k < er->e.services.n; k++)
			if (!svc_def_find(&s->defs, er->e.services.v[k])) {
				er->ready = ENV_FAILED;
				snprintf(er->error, sizeof(er->error), "blitz_services names '%s', but %s has no "
					 "[blitz:service:%s] section: define it there, or take the name out",
					 er->e.services.v[k], c->t->path, er->e.services.v[k]);
				break;
			}
		using += er->ready == ENV_PASSED;
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
			if (needs(&c->runs[i]) && c->runs[i].ready == ENV_PASSED) {
				c->runs[i].ready = ENV_FAILED;
				snprintf(c->runs[i].error, sizeof(c->runs[i].error), "its services cannot run: %.400s", err);
			}
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
	s->tpls = xcalloc(s->defs.n, sizeof(*s->tpls));
	for (size_t i = 0; i < s->defs.n; i++)
		s->tpls[i].def = &s->defs.v[i];
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
	res->services = xcalloc(s->ninst ? s->ninst : 1, sizeof(*res->services));
	for (size_t i = 0; i < s->ninst; i++) {
		struct instance *in = s->inst[i];
		struct service_result *r = &res->services[res->nservices++];
		r->service = xstrdup(in->def->name);
		r->slot = in->slot;
		r->port = in->port;
		r->ready_seconds = in->ready_s;
		r->starts = in->starts;
		r->log_path = xstrdup(in->log);
		if (in->state == INST_FAILED)
			r->error = xstrdup(in->why);
		svc_pidfile_remove(s->run_dir, in->def->name, in->slot);
		if (in->port_fd >= 0)
			close(in->port_fd);
		free(in->dir);
		free(in->log);
		free(in);
	}
	for (size_t i = 0; i < s->defs.n; i++) {
		struct template *t = &s->tpls[i];
		if (t->state == TPL_RUNNING || t->state == TPL_FAILED)
			remove_tree(t->tmp);
		free(t->dir);
		free(t->tmp);
		free(t->log);
	}
	for (size_t i = 0; i < s->npend; i++)
		pending_release(&s->pend[i]);
	remove_tree(s->run_dir);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->pend);
	free(s->inst);
	free(s->slots);
	free(s->tpls);
	free(s->log_dir);
	free(s->run_dir);
	free(s->base);
	svc_defs_release(&s->defs);
	free(s);
	c->svc = NULL;
}
