/*
 * Whether an env is built or reused: its mark against what it is built from
 * (reused, the project again when only it changed, or built from scratch over
 * its old venv), and the lock that keeps two blitz runs from building or
 * checking the same env_dir at once, and from rebuilding one the other uses.
 * Decisions come back as plain data: the env's state machine (envrun.c)
 * applies them. The only writer of struct env_lock. See build.h.
 */
#define _GNU_SOURCE	/* F_OFD_SETLK */
#include "build.h"

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

void envlock_init(struct env_lock *l)
{
	l->fd = -1;
	l->excl = 0;
}

void envlock_drop(struct env_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	envlock_init(l);
}

void envlock_let_go(struct env_lock *l)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	if (l->fd >= 0)
		fcntl(l->fd, F_OFD_SETLK, &fl);
}

/*
 * A file under .blitz/locks named after the env_dir (which a rebuild
 * clears). Open file description locks: a shared one becomes exclusive and
 * back in one step, never let go between.
 */
int envlock_take(struct env_lock *l, const char *state_dir, const char *env_dir, const char *name, int exclusive)
{
	if (l->fd < 0) {
		char *dir = xconcat(state_dir, "/locks", NULL);
		char *path = xasprintf("%s/%016llx.lock", dir, (unsigned long long)fp_str(FP_INIT, env_dir));
		mkdirs(dir);
		l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (l->fd < 0)
			warn("cannot open the lock '%s' of env %s (%s): building it without one", path, name,
			     strerror(errno));
		free(path);
		free(dir);
		if (l->fd < 0)
			return 1;
	}
	struct flock fl = { .l_type = exclusive ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(l->fd, F_OFD_SETLK, &fl) == 0) {
		l->excl = exclusive;
		return 1;
	}
	if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
		envlock_drop(l);
		return 1;
	}
	return 0;
}

int build_together(const struct envrun *er, size_t *deps_at, size_t *wheel_at)
{
	size_t deps = er->steps.n, wheel = er->steps.n;

	if (er->resolved && er->e.constrain_package_deps && er->e.use_frozen_constraints)
		return 0;	/* the deps go in first: their versions then constrain the project's */
	for (size_t i = 0; i < er->steps.n; i++) {
		if (er->steps.v[i].kind == STEP_DEPS && deps == er->steps.n)
			deps = i;
		if (er->steps.v[i].kind == STEP_WHEEL)
			wheel = i;
	}
	if (deps >= er->steps.n || wheel >= er->steps.n || wheel < deps)
		return 0;
	*deps_at = deps;
	*wheel_at = wheel;
	return 1;
}

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

void build_decide(const struct ctx *c, const struct envrun *er, struct build_plan *bp)
{
	uint64_t setup, package;
	const char *dir = er->e.env_dir;

	memset(bp, 0, sizeof(*bp));
	unsafe_env_dir(c, dir, bp->why, sizeof(bp->why));
	if (bp->why[0])
		return;
	bp->setup_end = er->steps.n;
	for (size_t i = 0; i < er->steps.n; i++)
		if (er->steps.v[i].kind == STEP_COMMAND) {
			bp->setup_end = i;
			break;
		}
	bp->next = er->next;
	if (!c->o->recreate && !er->e.recreate && envmark_read(dir, &setup, &package, &bp->mark_reqs) == 0 &&
	    setup == er->fp_setup) {
		bp->reused = 1;
		while (bp->next < bp->setup_end && er->steps.v[bp->next].kind != STEP_PACKAGE &&
		       er->steps.v[bp->next].kind != STEP_WHEEL)
			bp->next++;
		if (bp->next < bp->setup_end && package == er->fp_package)
			bp->next = bp->setup_end;
		else if (bp->next < bp->setup_end)
			envmark_write(dir, setup, 0, bp->mark_reqs);	/* the project is being replaced */
		return;
	}
	char *cfg = xconcat(dir, "/pyvenv.cfg", NULL);
	int is_venv = access(cfg, F_OK) == 0;
	free(cfg);
	envmark_clear(dir);
	bp->together = 1;
	if (is_venv)
		bp->clear = 1;
	else if (!dir_is_empty(dir))
		snprintf(bp->why, sizeof(bp->why), "env_dir %s exists and is not a virtual environment (no pyvenv.cfg): "
			 "blitz will not delete it; remove it or point env_dir elsewhere", dir);
}

int build_reusable(const struct ctx *c, const struct envrun *er)
{
	uint64_t setup, package, reqs;

	return !c->o->recreate && !er->e.recreate && envmark_read(er->e.env_dir, &setup, &package, &reqs) == 0 &&
	       setup == er->fp_setup && package == er->fp_package;
}

int build_create(const struct envrun *er, char *why, size_t whysz)
{
	const struct seeding *s = er->seeding;
	struct venv_opts o = { .system_site_packages = er->e.system_site_packages, .clear = er->clear };
	struct strbuf cmd = STRBUF_INIT;
	long long t0 = now_ns();
	char err[1024];
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
	record_line(er->r, "creating the venv:", strbuf_str(&cmd));
	record_inproc(er->r, "create", strbuf_str(&cmd), rc == 0 ? 0 : 1, t0);
	strbuf_release(&cmd);
	if (rc == 0)
		return 0;
	record_line(er->r, "creating the venv failed:", err);
	snprintf(why, whysz, "creating the venv failed: %s", err);
	return -1;
}

uint64_t build_deps_cached(const struct envrun *er, const struct step *st, int *done)
{
	struct strvec requested = STRVEC_INIT;
	char err[1024];
	long long t0 = now_ns();
	uint64_t key;
	int rc;

	*done = 0;
	if (st->kind != STEP_DEPS || !er->steps.direct_venv || !(er->building || er->task) || !er->seeding ||
	    er->e.system_site_packages)
		return 0;	/* not a fresh venv of blitz's, or one that sees the interpreter's own packages */
	for (size_t i = 0; i < er->next; i++) {
		enum step_kind k = er->steps.v[i].kind;
		if (k == STEP_LAYER || k == STEP_DEPS || k == STEP_PACKAGE)
			return 0;	/* not its first install: what pip does then depends on what is there */
	}
	key = resolved_key(&st->argv, envrun_envp(er, st), &er->in, er->seeding->image[SEED_PIP], &requested);
	rc = key ? resolved_install(key, er->e.env_dir, &er->in, &requested, err, sizeof(err)) : 1;
	strvec_clear(&requested);
	if (rc < 0)
		record_line(er->r, "installing the deps from what pip resolved before failed, running pip:", err);
	if (rc != 0)
		return key;
	/* the same wheels pip installed for this install before, linked from their images */
	char *cmd = xconcat("(as pip resolved it before) ", "", NULL);
	for (size_t i = 0; i < st->argv.n; i++) {
		char *next = xconcat(cmd, i ? " " : "", st->argv.v[i], NULL);
		free(cmd);
		cmd = next;
	}
	record_line(er->r, "installing the deps pip resolved before, from their wheels:", cmd);
	record_inproc(er->r, "deps", cmd, 0, t0);
	free(cmd);
	*done = 1;
	return 0;
}

void build_deps_ran(const struct envrun *er, const struct step *st, uint64_t key)
{
	const char *seeded[SEED_DISTS];
	size_t n = 0;

	if (!key)
		return;
	for (int i = 0; i < SEED_DISTS; i++)
		if (er->seeding->image[i][0])
			seeded[n++] = er->seeding->image[i];
	resolved_remember(key, &st->argv, envrun_envp(er, st), er->e.env_dir, &er->in, seeded, n);
}
