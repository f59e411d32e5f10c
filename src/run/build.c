/*
 * Whether an env is built or reused: its mark against what it is built from
 * (reused, the project again when only it changed, or built from scratch over
 * its old venv), and the lock that keeps two blitz runs from building or
 * checking the same env_dir at once, and from rebuilding one the other uses.
 */
#define _GNU_SOURCE	/* F_OFD_SETLK */
#include "run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../env/fingerprint.h"
#include "../env/resolved.h"
#include "../env/venv.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Let other blitz runs build this env_dir. */
void envrun_unlock(struct envrun *er)
{
	if (er->lock_fd >= 0) {
		close(er->lock_fd);
		er->lock_fd = -1;
	}
	er->waiting_lock = 0;
}

/*
 * An env built from scratch installs its deps and its project in one pip
 * run: its STEP_WHEEL moves before its STEP_DEPS, which then takes the wheel
 * too (package_install.c). pip resolves them together; where that fails (a dep
 * pinned against what the project requires), they go in one after the other,
 * as tox does (envrun_job_done).
 */
static void together(struct envrun *er)
{
	size_t deps = er->steps.n, wheel = er->steps.n;

	if (er->resolved && er->e.constrain_package_deps && er->e.use_frozen_constraints)
		return;	/* the deps go in first: their versions then constrain the project's */
	for (size_t i = 0; i < er->steps.n; i++) {
		if (er->steps.v[i].kind == STEP_DEPS && deps == er->steps.n)
			deps = i;
		if (er->steps.v[i].kind == STEP_WHEEL)
			wheel = i;
	}
	if (deps >= er->steps.n || wheel >= er->steps.n || wheel < deps)
		return;
	steps_remove(&er->steps, wheel);
	steps_insert(&er->steps, deps, STEP_WHEEL);
	er->together = 1;
}

/*
 * Decide where env er starts: an env whose mark matches its set-up is reused
 * (no venv, no deps; the project again only when it changed); any other is
 * built from scratch over its old venv (--clear), but never over a folder that
 * is not a venv. Returns 0, or -1 when the env cannot be built (finished).
 */
/*
 * Why blitz must not make, clear or reuse a venv at dir: it is (or holds)
 * the project's folder, a symbolic link (clearing it would clear what it
 * points at), or a folder with a .git in it; "" when it may.
 */
static void unsafe_env_dir(const struct ctx *c, const char *dir, char *why, size_t whysz)
{
	struct stat st;
	char *real_dir = realpath(dir, NULL), *real_root = realpath(c->t->toxinidir, NULL);
	const char *d = real_dir ? real_dir : dir, *r = real_root ? real_root : c->t->toxinidir;
	size_t n = strlen(d);

	why[0] = '\0';
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		snprintf(why, whysz, "env_dir %s is a symbolic link: blitz makes, clears and reuses a venv only in a "
			 "folder of its own (remove the link, or point env_dir elsewhere)", dir);
	else if (strncmp(r, d, n) == 0 && (r[n] == '\0' || r[n] == '/' || (n == 1 && d[0] == '/')))
		snprintf(why, whysz, "env_dir %s %s the project's folder %s: a venv there would clear the project "
			 "(point env_dir elsewhere, such as {toxworkdir}/{envname})", dir, r[n] ? "holds" : "is",
			 c->t->toxinidir);
	else {
		char *git = xconcat(dir, "/.git", NULL);
		if (lstat(git, &st) == 0)
			snprintf(why, whysz, "env_dir %s holds a .git: it is a repository, not a venv blitz made; "
				 "point env_dir elsewhere", dir);
		free(git);
	}
	free(real_dir);
	free(real_root);
}

static int plan_build(struct ctx *c, struct envrun *er)
{
	uint64_t setup, package;
	const char *dir = er->e.env_dir;
	char unsafe[1024];

	unsafe_env_dir(c, dir, unsafe, sizeof(unsafe));
	if (unsafe[0]) {
		envrun_finish(er, ENV_FAILED, unsafe);
		return -1;
	}

	er->setup_end = er->steps.n;
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_COMMAND) {
			er->setup_end = i;
			break;
		}
	if (!c->o->recreate && !er->e.recreate && envmark_read(dir, &setup, &package, &er->mark_reqs) == 0 && setup == er->fp_setup) {
		er->venv_reused = 1;
		while (er->next < er->setup_end && er->steps.v[er->next].kind != STEP_PACKAGE &&
		       er->steps.v[er->next].kind != STEP_WHEEL)
			er->next++;
		if (er->next < er->setup_end && package == er->fp_package)
			er->next = er->setup_end;
		else if (er->next < er->setup_end)
			envmark_write(dir, setup, 0, er->mark_reqs);	/* the project is being replaced */
		/* "reused unchanged" only when nothing is installed again, the project included */
		er->r->reused = er->next == er->setup_end;
	} else {
		char *cfg = xconcat(dir, "/pyvenv.cfg", NULL);
		int is_venv = access(cfg, F_OK) == 0;
		free(cfg);
		envmark_clear(dir);
		together(er);
		if (is_venv) {
			er->clear = 1;
			if (!er->steps.direct_venv) {
				struct strvec *argv = &er->steps.v[0].argv;
				strvec_insert(argv, argv->n - 1, "--clear");
			}
		} else if (!dir_is_empty(dir)) {
			char why[512];
			snprintf(why, sizeof(why), "env_dir %s exists and is not a virtual environment (no pyvenv.cfg): "
				 "blitz will not delete it; remove it or point env_dir elsewhere", dir);
			envrun_finish(er, ENV_FAILED, why);
			return -1;
		}
	}
	er->building = er->next < er->setup_end;
	return 0;
}

/*
 * Take env er's lock, a file under .blitz/locks named after its env_dir (which
 * a rebuild clears), without waiting: shared (a run using the env as it is:
 * its commands run in it) or exclusive (a run checking or building it). Two
 * blitz runs may use one env at once; neither rebuilds it while the other
 * uses it. Open file description locks: a shared one becomes exclusive and
 * back in one step, never let go between. Returns 1 when held (or when
 * locks cannot be had: a warning, and the run goes on), 0 when another run
 * holds it the other way.
 */
int envrun_lock(struct ctx *c, struct envrun *er, int exclusive)
{
	if (er->lock_fd < 0) {
		char *dir = xconcat(c->o->state_dir, "/locks", NULL);
		char *path = xasprintf("%s/%016llx.lock", dir, (unsigned long long)fp_str(FP_INIT, er->e.env_dir));
		mkdirs(dir);
		er->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (er->lock_fd < 0)
			warn("cannot open the lock '%s' of env %s (%s): building it without one", path, er->r->name,
			     strerror(errno));
		free(path);
		free(dir);
		if (er->lock_fd < 0)
			return 1;
	}
	struct flock fl = { .l_type = exclusive ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(er->lock_fd, F_OFD_SETLK, &fl) == 0) {
		er->lock_excl = exclusive;
		return 1;
	}
	if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
		close(er->lock_fd);
		er->lock_fd = -1;
		return 1;
	}
	return 0;
}

/* Whether env er's venv is in place as this run would build it (nothing to install, nothing to clear). */
static int reusable(const struct ctx *c, const struct envrun *er)
{
	uint64_t setup, package, reqs;

	return !c->o->recreate && !er->e.recreate && envmark_read(er->e.env_dir, &setup, &package, &reqs) == 0 &&
	       setup == er->fp_setup && package == er->fp_package;
}

/* Env er holds its lock: decide what to build and start its first step. */
void envrun_build(struct ctx *c, struct envrun *er)
{
	er->waiting_lock = 0;
	if (er->lock_fd >= 0 && !er->lock_excl && !reusable(c, er) && !envrun_lock(c, er, 1)) {
		/*
		 * to be built again while another run's commands use it: after
		 * that run. Its own shared lock goes meanwhile, or two that both
		 * must build it would each wait for the other for good; once it
		 * holds the exclusive one, the mark is read again (the other may
		 * have built it as wanted).
		 */
		struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
		fcntl(er->lock_fd, F_OFD_SETLK, &fl);
		FILE *f = fopen(er->r->log_path, "a");
		if (f) {
			fprintf(f, "[blitz] %s: waiting for another blitz run (or env) that uses %s, to build it again\n",
				er->r->name, er->e.env_dir);
			fclose(f);
		}
		fprintf(stderr, "blitz: %s: another blitz run (or env of this one) uses %s; it is built again when that is "
			"done with it\n", er->r->name, er->e.env_dir);
		er->waiting_lock = 2;
		return;
	}
	if (plan_build(c, er) < 0)
		return;
	if (!er->building)
		envrun_lock(c, er, 0);	/* reused as it is: others may use it too, none rebuild it meanwhile */
	envrun_start_step(c, er);
}

int envrun_create(struct ctx *c, struct envrun *er)
{
	const struct seeding *s = er->seeding;
	struct venv_opts o = { .system_site_packages = er->e.system_site_packages, .clear = er->clear };
	struct step_result *sr;
	struct strbuf cmd = STRBUF_INIT;
	long long t0 = now_ns();
	char err[1024], why[1200];
	int rc;

	strbuf_addf(&cmd, "venv %s", er->e.env_dir);
	rc = venv_create(er->e.env_dir, &er->in, &o, err, sizeof(err));
	for (int i = 0, seeded = 0; i < SEED_DISTS && rc == 0; i++) {
		if (!s->image[i][0])
			continue;
		const char *base = strrchr(s->image[i], '/') + 1, *stamp = strrchr(base, '-');
		strbuf_addf(&cmd, "%s%.*s", seeded++ ? ", " : " seeded with ", (int)(stamp - base), base);
		rc = seed_install(s->image[i], er->e.env_dir, &er->in, err, sizeof(err));
	}
	envrun_log_line(er, "creating the venv:", strbuf_str(&cmd));
	er->r->steps = xrealloc(er->r->steps, (er->r->nsteps + 1) * sizeof(*er->r->steps));
	sr = &er->r->steps[er->r->nsteps++];
	memset(sr, 0, sizeof(*sr));
	sr->what = xstrdup("create");
	sr->cmd = strbuf_detach(&cmd);
	sr->exit_code = rc == 0 ? 0 : 1;
	sr->seconds = (double)(now_ns() - t0) / 1e9;
	if (rc == 0)
		return 0;
	envrun_log_line(er, "creating the venv failed:", err);
	snprintf(why, sizeof(why), "creating the venv failed: %s", err);
	envrun_finish(er, ENV_FAILED, why);
	(void)c;
	return -1;
}

int envrun_deps_cached(struct ctx *c, struct envrun *er, const struct step *st)
{
	struct strvec requested = STRVEC_INIT;
	struct step_result *sr;
	char err[1024];
	long long t0 = now_ns();
	int rc;

	(void)c;
	er->deps_key = 0;
	if (st->kind != STEP_DEPS || !er->steps.direct_venv || !(er->building || er->task) || !er->seeding ||
	    er->e.system_site_packages)
		return 1;	/* not a fresh venv of blitz's, or one that sees the interpreter's own packages */
	for (size_t i = 0; i < er->next; i++) {
		enum step_kind k = er->steps.v[i].kind;
		if (k == STEP_LAYER || k == STEP_DEPS || k == STEP_PACKAGE)
			return 1;	/* not its first install: what pip does then depends on what is there */
	}
	er->deps_key = resolved_key(&st->argv, envrun_envp(er, st), &er->in, er->seeding->image[SEED_PIP], &requested);
	rc = er->deps_key ? resolved_install(er->deps_key, er->e.env_dir, &er->in, &requested, err, sizeof(err)) : 1;
	strvec_clear(&requested);
	if (rc < 0)
		envrun_log_line(er, "installing the deps from what pip resolved before failed, running pip:", err);
	if (rc != 0)
		return 1;
	/* the same wheels pip installed for this install before, linked from their images */
	char *cmd = xconcat("(as pip resolved it before) ", "", NULL);
	for (size_t i = 0; i < st->argv.n; i++) {
		char *next = xconcat(cmd, i ? " " : "", st->argv.v[i], NULL);
		free(cmd);
		cmd = next;
	}
	envrun_log_line(er, "installing the deps pip resolved before, from their wheels:", cmd);
	er->r->steps = xrealloc(er->r->steps, (er->r->nsteps + 1) * sizeof(*er->r->steps));
	sr = &er->r->steps[er->r->nsteps++];
	memset(sr, 0, sizeof(*sr));
	sr->what = xstrdup("deps");
	sr->cmd = cmd;
	sr->seconds = (double)(now_ns() - t0) / 1e9;
	return 0;
}

void envrun_deps_ran(struct ctx *c, struct envrun *er, const struct step *st)
{
	const char *seeded[SEED_DISTS];
	size_t n = 0;

	(void)c;
	if (!er->deps_key)
		return;
	for (int i = 0; i < SEED_DISTS; i++)
		if (er->seeding->image[i][0])
			seeded[n++] = er->seeding->image[i];
	resolved_remember(er->deps_key, &st->argv, envrun_envp(er, st), er->e.env_dir, &er->in, seeded, n);
	er->deps_key = 0;
}
