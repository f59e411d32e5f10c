#define _GNU_SOURCE	/* strcasestr */
/*
 * One service instance's life (see services.c for the slots and jobs):
 * the service's setup run once into a folder kept between runs; for each
 * slot, a copy of it (cp, as a job), a free port, the server started as a
 * job of the pool and checked ready (TCP or a command) within its
 * timeout; reset between jobs; started again when it dies. The only
 * writer of struct instance, and the only writer of struct template.
 */
#include "services.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pool.h"
#include "../config/shlex.h"
#include "../env/fingerprint.h"
#include "../service/home.h"
#include "../util/rundir.h"
#include "../util/strbuf.h"
#include "../util/util.h"

extern char **environ;

#define PROBE_NS (10LL * 1000000LL)		/* between two readiness checks */
#define MAX_STARTS 3				/* an instance that keeps dying is given up */

/* The user the service's commands run as: its user when blitz is root, else blitz's own (NULL). */
const char *service_user(const struct services *s, const struct svc_def *def)
{
	return s->as_root ? def->user : NULL;
}

static void owner_ids(const struct services *s, const struct svc_def *def, uid_t *uid, gid_t *gid)
{
	const char *user = service_user(s, def);
	struct passwd *pw = user ? getpwnam(user) : NULL;

	*uid = pw ? pw->pw_uid : (uid_t)-1;
	*gid = pw ? pw->pw_gid : (gid_t)-1;
}

/* The last lines of a log, for a message (allocated; "" when there is none). */
char *service_log_tail(const char *path, int lines)
{
	size_t len = 0;
	char *text = path ? read_file_tail(path, 16 * 1024, &len) : NULL;	/* the end only, of a log of any size */

	if (!text)
		return xstrdup("");
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = '?';	/* a NUL byte would end the message there */
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

/* Whether variable entry (KEY=VALUE) is one every service gets, or one its pass_env names. */
static int service_passes(const struct svc_def *def, const char *entry)
{
	static const char *const always[] = { "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR" };
	const char *eq = strchr(entry, '=');
	char name[256];

	if (!eq || (size_t)(eq - entry) >= sizeof(name))
		return 0;
	memcpy(name, entry, (size_t)(eq - entry));
	name[eq - entry] = '\0';
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (fnmatch(always[i], name, 0) == 0)
			return 1;
	for (size_t i = 0; i < def->pass_env.n; i++)
		if (fnmatch(def->pass_env.v[i], name, 0) == 0)
			return 1;
	return 0;
}

/*
 * The environment of a service's commands: a minimal one (never blitz's
 * CI tokens or passwords): PATH with the definition's folders first, HOME,
 * USER, LOGNAME, the locale, TZ, TMPDIR, and what its pass_env names; HOME
 * and the user's names its own when run as its user.
 */
static void service_envp(const struct services *s, const struct svc_def *def, const char *dir, struct strvec *out)
{
	const char *user = service_user(s, def);

	for (char **e = environ; *e; e++) {
		if (strncmp(*e, "PATH=", 5) == 0 || !service_passes(def, *e))
			continue;
		if (user && (strncmp(*e, "HOME=", 5) == 0 || strncmp(*e, "USER=", 5) == 0 ||
			     strncmp(*e, "LOGNAME=", 8) == 0))
			continue;
		strvec_push(out, *e);
	}
	const char *path = getenv("PATH");
	struct strbuf joined = STRBUF_INIT;
	strbuf_adds(&joined, "PATH=");
	for (size_t i = 0; i < def->path.n; i++)
		strbuf_addf(&joined, "%s%s", i ? ":" : "", def->path.v[i]);
	if (path && *path)
		strbuf_addf(&joined, "%s%s", def->path.n ? ":" : "", path);
	else if (!def->path.n)
		strbuf_adds(&joined, "/usr/local/bin:/usr/bin:/bin");
	strvec_push_owned(out, strbuf_detach(&joined));
	if (user) {
		strvec_pushf(out, "HOME=%s", dir);
		strvec_pushf(out, "USER=%s", user);
		strvec_pushf(out, "LOGNAME=%s", user);
	}
}

/* Start argv, one of the service's commands, as a job of the pool owned by done and owner, in dir, as the service's user. */
typedef void job_done_fn(void *run, void *owner, struct job *j);
static struct job *start_argv(struct ctx *c, const struct svc_def *def, char *const *argv, const char *dir,
			      const char *log, job_done_fn *done, void *owner)
{
	struct strvec envp = STRVEC_INIT;
	struct job_spec spec = { 0 };
	FILE *f = fopen(log, "a");

	if (f) {
		fprintf(f, "[blitz] %s: $", def->name);
		for (char *const *a = argv; *a; a++) {
			char *q = shlex_quote(*a);
			fprintf(f, " %s", q);
			free(q);
		}
		fputc('\n', f);
		fclose(f);
	}
	service_envp(c->svc, def, dir, &envp);
	spec.argv = argv;
	spec.envp = envp.v;
	spec.cwd = dir;
	spec.log_path = log;
	spec.append = 1;
	spec.done = done;
	spec.owner = owner;
	spec.label = def->name;
	spec.user = service_user(c->svc, def);
	struct job *j = pool_start(c->p, &spec);
	strvec_clear(&envp);
	return j;
}

/*
 * Start one of the service's commands (raw, substituted for this instance)
 * as a job of the pool owned by done and owner; 0, or -1 with why filled.
 */
static int start_command(struct ctx *c, const struct svc_def *def, const char *raw, const struct svc_vars *v,
			 const char *log, job_done_fn *done, void *owner, struct job **out, char *why, size_t whysz)
{
	struct strvec argv = STRVEC_INIT;

	if (svc_words(def, raw, v, &argv, why, whysz) < 0)
		return -1;
	struct job *j = start_argv(c, def, argv.v, v->dir, log, done, owner);
	if (out)
		*out = j;
	strvec_clear(&argv);
	return 0;
}

/* ---- setup, once per service ---- */

static void setup_done(void *run, void *owner, struct job *j);
static void copy_done(void *run, void *owner, struct job *j);
static void probe_done(void *run, void *owner, struct job *j);
static void reset_done(void *run, void *owner, struct job *j);
static void server_done(void *run, void *owner, struct job *j);

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
	if (start_command(c, t->def, t->def->setup.v[t->line], &v, t->log, setup_done, t, NULL, t->why,
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
	key = fp_str(key, service_user(s, def) ? service_user(s, def) : "");
	t->dir = xasprintf("%s/tpl-%s-%016llx", s->base, def->name, (unsigned long long)key);

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
	owner_ids(s, def, &uid, &gid);
	char *prefix = xasprintf("tpl-%s-%016llx.tmp", def->name, (unsigned long long)key), err[600];
	t->tmp = rundir_claim(s->base, prefix, 0700, &t->tmp_lock, err, sizeof(err));
	free(prefix);
	if (t->tmp && uid != (uid_t)-1 && chown(t->tmp, uid, gid) < 0)
		snprintf(err, sizeof(err), "cannot give '%s' to its user: %s", t->tmp, strerror(errno));
	else if (t->tmp)
		err[0] = '\0';
	if (err[0]) {
		snprintf(t->why, sizeof(t->why), "%.500s", err);
		t->state = TPL_FAILED;
		return;
	}
	unlink(t->log);
	t->state = TPL_RUNNING;
	t->line = 0;
	template_step(c, t);
}

/* ---- instances ---- */

struct instance *instance_of(struct ctx *c, const struct svc_def *def, size_t slot)
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
	in->job_wait_s = -1;
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
			fail_instance(in, "service %s (slot %zu): %s", "no free TCP port between 20000 and 32767 (each is in use, or held by another blitz run)");
			return;
		}
	}
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	in->start_ns = now_ns();
	in->next_probe_ns = 0;
	if (start_command(c, in->def, in->def->command, &v, in->log, server_done, in, &in->job, err,
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
		char times[16];
		snprintf(times, sizeof(times), "%d", MAX_STARTS);
		fail_instance(in, "service %s (slot %zu) was started %s times and did not stay up", times);
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
	start_argv(c, in->def, argv.v, in->dir, in->log, copy_done, in);
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
void instance_ensure_started(struct ctx *c, struct instance *in)
{
	if (in->state != INST_NONE && in->state != INST_DEAD && in->state != INST_WAIT_SETUP)
		return;
	if (service_user(c->svc, in->def) && in->state == INST_NONE) {
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

/*
 * Whether the server of in accepts a connection on the Unix socket its
 * ready line names; -1 when that path is too long for a socket (108 bytes).
 */
static int unix_ready(struct ctx *c, struct instance *in)
{
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	char err[300];
	char *path = svc_subst(in->def, in->def->ready_arg, &v, err, sizeof(err));
	struct sockaddr_un sa = { 0 };
	int ok = 0;

	if (!path)
		return 0;
	sa.sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, path, strlen(path) + 1);
		/* not blocking: a server whose backlog is full is not ready, and the loop never waits on it */
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (fd >= 0)
			close(fd);
	} else {
		ok = -1;
	}
	free(path);
	return ok;
}

static void became_ready(struct instance *in)
{
	in->state = INST_READY;
	in->usable_ns = now_ns();
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
void instance_probe(struct ctx *c, struct instance *in)
{
	long long now = now_ns();

	if ((double)(now - in->start_ns) / 1e9 > in->def->ready_timeout) {
		struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
		char err[300], what[400];
		char *arg = svc_subst(in->def, in->def->ready_arg, &v, err, sizeof(err));
		snprintf(what, sizeof(what), "%g s (ready = %s %s; ready_timeout sets how long to wait)",
			 in->def->ready_timeout, in->def->ready == SVC_READY_TCP ? "tcp" : in->def->ready == SVC_READY_UNIX ? "unix" : "cmd",
			 arg ? arg : "");
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
	if (in->def->ready == SVC_READY_TCP || in->def->ready == SVC_READY_UNIX) {
		int ok = in->def->ready == SVC_READY_TCP ? tcp_ready(c, in) : unix_ready(c, in);
		if (ok > 0) {
			became_ready(in);
		} else if (ok < 0) {
			fail_instance(in, "service %s (slot %zu): %s", "its socket's path (ready = unix) is longer than a "
				      "socket's 107 bytes: set TMPDIR to a shorter folder");
			if (in->job && in->job->pid > 0)
				kill(-in->job->pid, SIGTERM);
		}
		return;
	}
	struct svc_vars v = { in->port, in->dir, in->slot, c->t->toxinidir };
	char err[300];
	if (start_command(c, in->def, in->def->ready_arg, &v, in->log, probe_done, in, &in->probe, err,
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
		in->usable_ns = now_ns();
		in->dirty = 0;
		in->owner = NULL;
		return;
	}
	if (start_command(c, in->def, in->def->reset.v[in->reset_line], &v, in->log, reset_done, in, NULL, err,
			  sizeof(err)) < 0)
		fail_instance(in, "service %s (slot %zu): reset: %s", err);
}

void instance_reset(struct ctx *c, struct instance *in)
{
	in->state = INST_RESETTING;
	in->reset_line = 0;
	reset_step(c, in);
}

/* Whether the end of a server's log says its port is in use (PostgreSQL, Redis and most servers say so). */
static int port_taken(const char *log)
{
	char *tail = service_log_tail(log, 20);
	int taken = strcasestr(tail, "address already in use") != NULL;

	free(tail);
	return taken;
}

/* Keep text as what env er is told of its services (services_note). */
static void add_note(struct services *s, const struct envrun *er, const char *text)
{
	for (size_t i = 0; i < s->nnotes; i++)
		if (s->notes[i].er == er)
			return;	/* the first is what most likely made it fail */
	s->notes = xrealloc(s->notes, (s->nnotes + 1) * sizeof(*s->notes));
	s->notes[s->nnotes].er = er;
	snprintf(s->notes[s->nnotes++].text, sizeof(s->notes->text), "%s", text);
}

/* The server of in ended while it was in use or ready: tell the env whose job used it. */
static void died(struct ctx *c, struct instance *in, const struct job *j)
{
	char how[96];
	char *tail = service_log_tail(in->log, 8);

	if (j->end == JOB_SIGNALED)
		snprintf(how, sizeof(how), "killed by signal %d (%s)", j->signo, strsignal(j->signo));
	else
		snprintf(how, sizeof(how), "exited with code %d", j->exit_code);
	in->state = INST_DEAD;
	svc_pidfile_remove(c->svc->run_dir, in->def->name, in->slot);
	if (in->owner && in->owner_running && !in->owner->finished) {
		const struct envrun *er = in->owner;
		char note[512];
		snprintf(note, sizeof(note), "service %s (slot %zu) died while its job ran (%s)", in->def->name, in->slot,
			 how);
		add_note(c->svc, er, note);
		FILE *f = fopen(er->r->log_path, "a");
		if (f) {
			fprintf(f, "[blitz] %s: %s; the end of its log %s:\n%s\n", er->r->name, note, in->log, tail);
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

/* A command of t's setup ended: the next, or the template failed. */
static void setup_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct template *t = owner;
	int ok = j->end == JOB_EXITED && j->exit_code == 0;

	if (c->svc->finishing || c->stopping || j->end == JOB_STOPPED) {
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
}

/* The copy of its template's files into in's folder ended: start the server. */
static void copy_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct instance *in = owner;

	if (in->state != INST_COPYING)
		return;
	if (c->svc->finishing || c->stopping || j->end == JOB_STOPPED)
		in->state = INST_NONE;
	else if (!(j->end == JOB_EXITED && j->exit_code == 0))
		fail_instance(in, "service %s (slot %zu): %s", "copying its setup's files failed (see its log)");
	else
		spawn_server(c, in);
}

/* A readiness probe of in ended: ready when it passed. */
static void probe_done(void *run, void *owner, struct job *j)
{
	struct instance *in = owner;

	(void)run;
	in->probe = NULL;
	if (j->end == JOB_EXITED && j->exit_code == 0 && in->state == INST_STARTING)
		became_ready(in);
}

/* A command of in's reset ended: the next, or the instance failed. */
static void reset_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct instance *in = owner;

	if (in->state != INST_RESETTING)
		return;
	if (!(j->end == JOB_EXITED && j->exit_code == 0)) {
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
}

/* in's server ended: started again on another port, failed, or died while in use. */
static void server_done(void *run, void *owner, struct job *j)
{
	struct ctx *c = run;
	struct services *s = c->svc;
	struct instance *in = owner;

	in->job = NULL;
	if (s->finishing || c->stopping || j->end == JOB_STOPPED)
		return;
	if (in->state == INST_STARTING && j->end == JOB_EXITED && in->starts < MAX_STARTS && port_taken(in->log)) {
		/* another program bound its port between blitz's check and the server: another port */
		FILE *f = fopen(in->log, "a");
		if (f) {
			fprintf(f, "[blitz] %s (slot %zu): port %d was taken meanwhile; starting again on another\n",
				in->def->name, in->slot, in->port);
			fclose(f);
		}
		close(in->port_fd);
		in->port_fd = -1;
		svc_pidfile_remove(s->run_dir, in->def->name, in->slot);
		launch(c, in);
		return;
	}
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

void instances_init(struct services *s)
{
	s->tpls = xcalloc(s->defs.n, sizeof(*s->tpls));
	for (size_t i = 0; i < s->defs.n; i++) {
		s->tpls[i].def = &s->defs.v[i];
		s->tpls[i].tmp_lock = -1;
	}
}

void instance_use(struct instance *in, const struct envrun *er, long holder, long long since_ns)
{
	double waited = in->usable_ns > since_ns ? (double)(in->usable_ns - since_ns) / 1e9 : 0;

	if (waited > in->job_wait_s)
		in->job_wait_s = waited;
	in->dirty = 1;
	in->owner = er;
	in->owner_holder = holder;
	in->owner_running = 1;
}

void instances_slot_free(struct services *s, size_t slot)
{
	for (size_t k = 0; k < s->ninst; k++)
		if (s->inst[k]->slot == slot)
			s->inst[k]->owner_running = 0;
}

void instances_finish(struct services *s, struct run_result *res)
{
	res->services = xcalloc(s->ninst ? s->ninst : 1, sizeof(*res->services));
	for (size_t i = 0; i < s->ninst; i++) {
		struct instance *in = s->inst[i];
		struct service_result *r = &res->services[res->nservices++];
		r->service = xstrdup(in->def->name);
		r->slot = in->slot;
		r->port = in->port;
		r->ready_seconds = in->ready_s;
		r->job_wait_seconds = in->job_wait_s;
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
	free(s->inst);
	s->inst = NULL;
	s->ninst = 0;
	for (size_t i = 0; i < s->defs.n; i++) {
		struct template *t = &s->tpls[i];
		if (t->tmp && (t->state == TPL_RUNNING || t->state == TPL_FAILED))
			remove_tree(t->tmp);
		if (t->tmp_lock >= 0)
			close(t->tmp_lock);
		free(t->dir);
		free(t->tmp);
		free(t->log);
	}
	free(s->tpls);
	s->tpls = NULL;
}
