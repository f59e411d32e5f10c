/*
 * The project's package, as tox 4 makes it: its build backend (PEP 517)
 * run in a packaging env (.pkg, or .pkg-cpython312 for a wheel of another
 * interpreter), in a venv of its own with the backend's requirements;
 * `package = sdist` (tox's default) builds an sdist there, and pip builds
 * the wheel of that sdist for each interpreter, as pip in each env would;
 * wheel and editable are built by the backend in the env's wheel_build_env.
 * Each build is a task (task.c), done once for the envs that need it and
 * kept for later runs while the project's tree, the packaging env and its
 * settings are unchanged. Each env then installs the file it got.
 */
#include "run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envvars.h"
#include "../config/diag.h"
#include "../env/fingerprint.h"
#include "../util/strbuf.h"
#include "../util/util.h"

extern char **environ;

/* A packaging env the run's envs name, resolved once. */
struct pkgenv {
	char *name;
	struct toxenv e;
	int resolved;
	struct interp in;
	const struct seeding *seeding;
	struct strvec envp;		/* its environment (its build runs in it) */
	uint64_t fp;			/* what its venv is made from */
	struct task *busy;		/* the task building in it now: one at a time */
	char error[512];		/* why it cannot build, or "" */
};

static const struct task_ops build_ops, pip_wheel_ops;

static const char backend_source[] =
#include "blitz_backend.inc"
	;

char *package_root_dir(const struct ctx *c)
{
	return xconcat(c->o->state_dir, "/packages", NULL);
}

/* Write blitz's PEP 517 front end where the builds run it (once a run); its path, or NULL. */
static const char *backend_script(struct ctx *c)
{
	if (c->pkg.backend_script)
		return c->pkg.backend_script;
	char *dir = xconcat(c->o->state_dir, "/backend", NULL);
	char *path = xconcat(dir, "/blitz_backend.py", NULL);
	size_t len = 0;
	char *old = read_file(path, &len);
	if (!old || len != sizeof(backend_source) - 1 || memcmp(old, backend_source, len) != 0) {
		char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
		FILE *f = mkdirs(dir) == 0 ? fopen(tmp, "w") : NULL;
		int ok = f && fwrite(backend_source, 1, sizeof(backend_source) - 1, f) == sizeof(backend_source) - 1;
		if (f && fclose(f) != 0)
			ok = 0;
		if (!ok || rename(tmp, path) < 0) {
			unlink(tmp);
			free(path);
			path = NULL;
		}
		free(tmp);
	}
	free(old);
	free(dir);
	c->pkg.backend_script = path;
	return path;
}

static void pkgenv_free(struct pkgenv *p)
{
	if (p->resolved)
		toxenv_release(&p->e);
	strvec_clear(&p->envp);
	free(p->name);
	free(p);
}

void package_release(struct ctx *c)
{
	for (size_t i = 0; i < c->pkg.n; i++)
		pkgenv_free(c->pkg.envs[i]);
	free(c->pkg.envs);
	free(c->pkg.backend_script);
}

/* What a packaging env's venv is made from: its interpreter, its seeds, and the deps it may have. */
static uint64_t pkgenv_fingerprint(const struct pkgenv *p)
{
	uint64_t h = fp_str(FP_INIT, "blitz pkgenv 1");

	h = fp_stat(h, p->in.path);
	h = fp_str(h, p->in.path);
	for (int i = 0; i < SEED_DISTS; i++)
		h = fp_str(h, p->seeding->image[i]);
	h = fp_strvec(h, &p->e.deps);
	return fp_bytes(h, &p->e.system_site_packages, sizeof(p->e.system_site_packages));
}

/* The packaging env called name, resolved (or why it cannot build) the first time the run asks. */
static struct pkgenv *pkgenv_get(struct ctx *c, const char *name)
{
	struct pkgenv *p;
	struct diag d = { 0 };
	int found = -1;

	for (size_t i = 0; i < c->pkg.n; i++)
		if (strcmp(c->pkg.envs[i]->name, name) == 0)
			return c->pkg.envs[i];
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	c->pkg.envs = xrealloc(c->pkg.envs, (c->pkg.n + 1) * sizeof(*c->pkg.envs));
	c->pkg.envs[c->pkg.n++] = p;
	if (tox_env_resolve(c->t, name, &p->e, &d) < 0) {
		char *msg = diag_format(&d);
		snprintf(p->error, sizeof(p->error), "%s", msg);
		free(msg);
		return p;
	}
	p->resolved = 1;
	for (size_t i = 0; i < p->e.base_python.n && found < 0; i++)
		found = interp_find(p->e.base_python.v[i], &p->in);
	if (found < 0) {
		snprintf(p->error, sizeof(p->error), "no interpreter for its base_python '%s'",
			 p->e.base_python.n ? p->e.base_python.v[0] : "");
		return p;
	}
	if (c->t->tox3)
		envvars_build_install_tox3(&p->e, c->t->workdir, environ, &p->envp);
	else
		envvars_build(&p->e, c->t->workdir, 0, environ, &p->envp);
	p->seeding = seeding_get(c, &p->in, &p->envp);
	if (p->seeding->error[0] || strcmp(p->in.impl, "cpython") != 0 || p->in.major < 3) {
		snprintf(p->error, sizeof(p->error), "cannot make its venv: %.400s",
			 p->seeding->error[0] ? p->seeding->error : "blitz builds packages with CPython 3 only");
		return p;
	}
	p->fp = pkgenv_fingerprint(p);
	return p;
}

/* The backend's config_settings for build_KIND, as the JSON blitz's front end reads ("null": none). */
static char *config_settings(const struct pkgenv *p, const char *kind)
{
	struct strbuf sb = STRBUF_INIT;
	char endpoint[64];
	size_t n = 0;

	snprintf(endpoint, sizeof(endpoint), "build_%s\t", kind);
	for (size_t i = 0; i < p->e.config_settings.n; i++) {
		const char *s = p->e.config_settings.v[i];
		if (strncmp(s, endpoint, strlen(endpoint)) != 0)
			continue;
		const char *key = s + strlen(endpoint), *tab = strchr(key, '\t');
		if (!tab)
			continue;
		strbuf_adds(&sb, n++ ? ", " : "{");
		for (int part = 0; part < 2; part++) {
			const char *from = part ? tab + 1 : key, *to = part ? from + strlen(from) : tab;
			strbuf_addch(&sb, '"');
			for (const char *q = from; q < to; q++) {
				if (*q == '"' || *q == '\\')
					strbuf_addch(&sb, '\\');
				if ((unsigned char)*q < 0x20)
					strbuf_addf(&sb, "\\u%04x", (unsigned char)*q);
				else
					strbuf_addch(&sb, *q);
			}
			strbuf_adds(&sb, part ? "\"" : "\": ");
		}
	}
	strbuf_adds(&sb, n ? "}" : "null");
	return strbuf_detach(&sb);
}

/* What a build of kind (sdist, wheel, editable) in packaging env p of the project at root is made from. */
static uint64_t build_key(struct ctx *c, const struct pkgenv *p, const char *kind, const char *root)
{
	char *settings = config_settings(p, kind);
	uint64_t tree = tree_fp(c, 0);
	uint64_t key = fp_str(fp_str(FP_INIT, "blitz build 1"), kind);

	key = fp_bytes(key, &tree, sizeof(tree));
	key = fp_bytes(key, &p->fp, sizeof(p->fp));
	key = fp_str(key, root);
	key = fp_str(key, settings);
	key = fp_strvec(key, &p->e.install_command);
	for (size_t i = 0; i < p->e.n_set_env; i++)
		key = fp_str(fp_str(key, p->e.set_env[i].key), p->e.set_env[i].value);
	free(settings);
	return key;
}

/* The task that builds kind (sdist, wheel, editable) in packaging env p for this tree. */
static struct task *build_task(struct ctx *c, struct pkgenv *p, const char *kind, const char *root)
{
	char *dir = package_root_dir(c);
	struct task *t = task_get(c, TASK_BUILD, &build_ops, build_key(c, p, kind, root), dir);

	t->build_kind = kind;
	t->pkg = p;
	if (!t->root)
		t->root = xstrdup(root);
	free(dir);
	return t;
}

/* The task that builds the wheel of sdist's file for env er's interpreter, with er's install settings. */
static struct task *pip_wheel_task(struct ctx *c, const struct envrun *er, struct task *sdist)
{
	char *dir = package_root_dir(c);
	uint64_t key = fp_str(FP_INIT, "blitz pip-wheel 1");
	struct task *t;

	key = fp_bytes(key, &sdist->key, sizeof(sdist->key));
	key = fp_stat(key, er->in.path);
	key = fp_str(key, er->in.path);
	key = fp_bytes(key, &er->fp_install, sizeof(er->fp_install));
	key = fp_str(key, er->seeding->builder_pip);
	t = task_get(c, TASK_PIP_WHEEL, &pip_wheel_ops, key, dir);
	t->needs = sdist;
	if (!t->seeding) {
		/* built as env er would: its interpreter and its set-up's environment (PIP_* settings) */
		t->in = er->in;
		t->seeding = er->seeding;
		strvec_extend(&t->envp, er->envp_setup.n ? &er->envp_setup : &er->envp);
	}
	free(dir);
	return t;
}

void package_choose(struct ctx *c, const struct envrun *er, struct package_choice *pc)
{
	const char *type = er->e.package_type ? er->e.package_type : "";
	const char *name, *kind;
	struct pkgenv *p;

	memset(pc, 0, sizeof(*pc));
	if (!*type || strcmp(type, "skip") == 0 || strcmp(type, "editable-legacy") == 0 ||
	    (c->t->tox3 && strcmp(type, "editable") == 0)) {
		pc->none = 1;	/* tox 3's usedevelop: pip install -e, as steps_build writes it */
		return;
	}
	if (strcmp(type, "deps-only") == 0) {
		snprintf(pc->error, sizeof(pc->error), "package = %s is not supported by blitz yet: use sdist, wheel, "
			 "editable or skip", type);
		return;
	}
	if (strcmp(type, "sdist") == 0 || strcmp(type, "sdist-wheel") == 0) {
		name = er->e.package_env;
		kind = "sdist";
	} else if (strcmp(type, "external") == 0) {
		name = er->e.package_env;	/* .pkg_external: its commands build the package */
		kind = "external";
	} else {
		name = er->e.wheel_build_env && er->e.wheel_build_env[0] ? er->e.wheel_build_env : er->e.package_env;
		kind = strcmp(type, "editable") == 0 ? "editable" : "wheel";
	}
	/* a packaging env that cannot build fails the env when it gets there, as in tox: its venv made */
	p = pkgenv_get(c, name && *name ? name : ".pkg");
	if (p->error[0]) {
		pc->pkg_error = xasprintf("packaging env %s: %.400s", p->name, p->error);
	} else if (p->e.deps.n && strcmp(kind, "external") != 0) {
		pc->pkg_error = xasprintf("PEP-517 packaging environment '%s' does not support the deps "
					  "configuration. Build dependencies should be specified in the [build-system] "
					  "table of pyproject.toml or by the build backend via get_requires_for_build hooks",
					  p->name);
	} else {
		struct task *t = build_task(c, p, kind, er->e.package_root && er->e.package_root[0] ?
						      er->e.package_root : c->t->toxinidir);
		pc->task = strcmp(kind, "sdist") == 0 ? pip_wheel_task(c, er, t) : t;
	}
}

/* The value of the JSON string after "key": in text, unescaped (allocated), or NULL. */
static char *json_string(const char *text, const char *key)
{
	char *pat = xasprintf("\"%s\": \"", key);
	const char *p = strstr(text, pat);
	struct strbuf sb = STRBUF_INIT;

	free(pat);
	if (!p)
		return NULL;
	for (p = strchr(p, ':') + 3; *p && *p != '"'; p++) {
		if (*p != '\\') {
			strbuf_addch(&sb, *p);
			continue;
		}
		p++;
		if (*p == 'u' && strlen(p) >= 5) {
			unsigned v = (unsigned)strtoul((char[5]){ p[1], p[2], p[3], p[4], 0 }, NULL, 16);
			if (v < 0x80) {
				strbuf_addch(&sb, (char)v);
			} else if (v < 0x800) {
				strbuf_addch(&sb, (char)(0xc0 | (v >> 6)));
				strbuf_addch(&sb, (char)(0x80 | (v & 0x3f)));
			} else {
				strbuf_addch(&sb, (char)(0xe0 | (v >> 12)));
				strbuf_addch(&sb, (char)(0x80 | ((v >> 6) & 0x3f)));
				strbuf_addch(&sb, (char)(0x80 | (v & 0x3f)));
			}
			p += 4;
		} else if (*p) {
			strbuf_addch(&sb, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		} else {
			break;
		}
	}
	if (*p != '"') {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static int package_task_found(struct task *t)
{
	char *result = xconcat(t->dir, "/result.json", NULL);
	char *text = read_file(result, NULL), *artifact = text ? json_string(text, "artifact") : NULL;
	int rc = -1;

	if (artifact) {
		const char *base = strrchr(artifact, '/') ? strrchr(artifact, '/') + 1 : artifact;
		char *path = xconcat(t->dir, "/", base, NULL), *meta = xconcat(result, ".METADATA", NULL);
		if (access(path, F_OK) == 0) {
			free(t->artifact);
			free(t->metadata);
			t->artifact = path;
			t->metadata = access(meta, F_OK) == 0 ? meta : NULL;
			if (!t->metadata)
				free(meta);
			rc = 0;
		} else {
			free(path);
			free(meta);
		}
	}
	free(artifact);
	free(text);
	free(result);
	return rc;
}

/* The version in a package's file name: NAME-VERSION.tar.gz, NAME-VERSION-TAGS.whl (allocated). */
static char *artifact_version(const char *artifact)
{
	const char *base = strrchr(artifact, '/') ? strrchr(artifact, '/') + 1 : artifact;
	const char *dash = strchr(base, '-');
	size_t n;

	if (!dash)
		return xstrdup("");
	dash++;
	if ((n = strlen(dash)) > 4 && strcmp(dash + n - 4, ".whl") == 0)
		n = strcspn(dash, "-");
	else if (n > 7 && strcmp(dash + n - 7, ".tar.gz") == 0)
		n -= 7;
	else if (n > 4 && strcmp(dash + n - 4, ".zip") == 0)
		n -= 4;
	return xstrndup(dash, n);
}

/*
 * A build that wrote into the project's tree (a version file) did not
 * change the project: those files leave the tree's fingerprint for good,
 * and the build is kept, and the envs' projects are compared, as the tree
 * is seen from now on (else the next run would build and install it again).
 */
static void forget_outputs(struct ctx *c, struct task *t, const char *artifact)
{
	char *version = artifact_version(artifact);

	if (tree_outputs(c, version) > 0) {
		char *root = package_root_dir(c);
		task_rekey(t, build_key(c, t->pkg, t->build_kind, t->root), root);
		free(root);
		for (size_t i = 0; i < c->n; i++)
			if (c->runs[i].fp_package)
				envrun_tree_changed(c, &c->runs[i]);
	}
	free(version);
}

static int package_task_built(struct ctx *c, struct task *t, char *why, size_t whysz)
{
	char *result = xconcat(t->tmp, "/result.json", NULL);
	char *text = read_file(result, NULL), *artifact = text ? json_string(text, "artifact") : NULL;
	int rc = 0;

	(void)c;
	if (!artifact || access(artifact, F_OK) != 0) {
		snprintf(why, whysz, "the build made no package (see %s)", t->result.log_path);
		rc = -1;
	} else if (strncmp(artifact, t->tmp, strlen(t->tmp)) != 0 || artifact[strlen(t->tmp)] != '/') {
		snprintf(why, whysz, "the build put its package outside %s: %s", t->tmp, artifact);
		rc = -1;
	}
	if (t->pkg && t->pkg->busy == t)
		t->pkg->busy = NULL;
	if (rc == 0 && t->kind == TASK_BUILD)
		forget_outputs(c, t, artifact);
	free(artifact);
	free(text);
	free(result);
	return rc;
}

/* The words of a packaging env's install_command, {opts} and {packages} taken out (the front end appends). */
static void install_words(const struct toxenv *e, struct strvec *out)
{
	for (size_t i = 0; i < e->install_command.n; i++)
		if (strcmp(e->install_command.v[i], "{opts}") != 0 && strcmp(e->install_command.v[i], "{packages}") != 0)
			strvec_push(out, e->install_command.v[i]);
}


/*
 * package = external: the packaging env's deps installed, its commands run
 * in its change_dir (they build the package into its env_tmp_dir/dist, as
 * tox's package_glob expects), then the one file there taken.
 */
static void external_steps(struct ctx *c, struct task *t, const char *script, struct task_setup *ts)
{
	struct pkgenv *p = t->pkg;
	struct step *st;
	char *tmp = p->e.env_tmp_dir && p->e.env_tmp_dir[0] ? xstrdup(p->e.env_tmp_dir)
							   : xasprintf("%s/%s/tmp", c->t->workdir, p->name);

	if (p->e.deps.n && ts->building)
		steps_install(&ts->steps, STEP_DEPS, &p->e, &p->e.deps);
	ts->setup_end = ts->steps.n;
	/* its env_tmp_dir is emptied before its commands, as tox does (envrun.c's prepare_dirs) */
	ts->env_tmp_dir = xstrdup(tmp);
	ts->change_dir = xstrdup(p->e.change_dir);
	strvec_extend(&ts->allowlist, &p->e.allowlist_externals);
	for (size_t i = 0; i < p->e.commands.n; i++) {
		st = steps_insert(&ts->steps, ts->steps.n, STEP_COMMAND);
		st->set = SET_NONE;
		strvec_extend(&st->argv, &p->e.commands.v[i].argv);
		st->ignore_exit = p->e.commands.v[i].ignore_exit;
	}
	st = steps_insert(&ts->steps, ts->steps.n, STEP_BUILD);
	strvec_push(&st->argv, "python");
	strvec_push(&st->argv, script);
	strvec_push(&st->argv, "collect");
	strvec_push_owned(&st->argv, xconcat(tmp, "/dist/*", NULL));
	strvec_push(&st->argv, t->tmp);
	strvec_push_owned(&st->argv, xconcat(t->tmp, "/result.json", NULL));
	free(tmp);
}

/* The steps of a TASK_BUILD: the packaging env's venv unless it is in place, then the build. */
static void build_steps(struct ctx *c, struct task *t, const char *script, struct task_setup *ts)
{
	struct pkgenv *p = t->pkg;
	const char *root = t->root;
	uint64_t setup, package;
	struct step *st;

	ts->in = p->in;
	ts->seeding = p->seeding;
	strvec_extend(&ts->envp, &p->envp);
	ts->env_dir = xstrdup(p->e.env_dir);
	ts->system_site_packages = p->e.system_site_packages;
	ts->steps.direct_venv = 1;
	ts->fp_setup = p->fp;
	ts->lock = 1;	/* another blitz run's build in it, or its venv made again, waits for this one's */
	if (c->o->recreate || p->e.recreate || envmark_read(p->e.env_dir, &setup, &package, NULL) < 0 || setup != p->fp) {
		char *cfg = xconcat(p->e.env_dir, "/pyvenv.cfg", NULL);
		ts->clear = access(cfg, F_OK) == 0;
		free(cfg);
		envmark_clear(p->e.env_dir);
		st = steps_insert(&ts->steps, ts->steps.n, STEP_CREATE);
		strvec_push(&st->argv, "venv");
		strvec_push(&st->argv, p->e.env_dir);
		ts->building = 1;
	}
	if (strcmp(t->build_kind, "external") == 0) {
		external_steps(c, t, script, ts);
		p->busy = t;
		return;
	}
	ts->setup_end = ts->steps.n;
	char *settings = config_settings(p, t->build_kind);
	st = steps_insert(&ts->steps, ts->steps.n, STEP_BUILD);
	strvec_push(&st->argv, "python");
	strvec_push(&st->argv, script);
	strvec_push(&st->argv, "build");
	strvec_push(&st->argv, t->build_kind);
	strvec_push(&st->argv, root);
	strvec_push(&st->argv, t->tmp);
	strvec_push_owned(&st->argv, xconcat(t->tmp, "/result.json", NULL));
	strvec_push_owned(&st->argv, settings);
	strvec_push(&st->argv, "--");
	install_words(&p->e, &st->argv);
	p->busy = t;
}

/* Start package task t: its steps, or a wait for the task it needs (package_ops' start). */
static void package_task_start(struct ctx *c, struct task *t, const struct envrun *er)
{
	const char *script = backend_script(c);
	struct task_setup ts = { 0 };
	struct step *st;

	(void)er;
	if (t->needs && t->needs->state != TASK_DONE) {
		if (t->needs->state == TASK_FAILED) {
			task_fail_early(t, t->needs->result.status, t->needs->result.reason);
			return;
		}
		if (t->needs->state == TASK_IDLE)
			task_start(c, t->needs, NULL);
		task_wait_for(t, t->needs);
		return;
	}
	if (t->kind == TASK_BUILD && t->pkg->busy && t->pkg->busy != t && t->pkg->busy->state == TASK_RUNNING) {
		task_wait_for(t, t->pkg->busy);	/* its packaging env builds something else: after that */
		return;
	}
	if (!script) {
		task_fail_early(t, ENV_FAILED, "cannot write blitz's build front end under .blitz/backend");
		return;
	}
	if (t->kind == TASK_PIP_WHEEL && !t->seeding->builder_pip[0]) {
		task_fail_early(t, ENV_FAILED, "no pip wheel to build the project's wheel with for this interpreter");
		return;
	}
	char why[700];
	if (task_make_tmp(t, why, sizeof(why)) < 0) {
		task_fail_early(t, ENV_FAILED, why);
		return;
	}
	if (t->kind == TASK_BUILD) {
		build_steps(c, t, script, &ts);
	} else {
		ts.in = t->in;
		ts.seeding = t->seeding;
		strvec_extend(&ts.envp, &t->envp);
		st = steps_insert(&ts.steps, 0, STEP_BUILD);
		strvec_push(&st->argv, t->in.path);
		strvec_push(&st->argv, "-I");
		strvec_push(&st->argv, script);
		strvec_push(&st->argv, "pip-wheel");
		strvec_push(&st->argv, t->seeding->builder_pip);
		strvec_push(&st->argv, t->needs->artifact);
		strvec_push(&st->argv, t->tmp);
		strvec_push_owned(&st->argv, xconcat(t->tmp, "/result.json", NULL));
	}
	task_run(c, t, &ts);
}

static const struct task_ops build_ops = { "package", package_task_start, package_task_found, package_task_built };
static const struct task_ops pip_wheel_ops = { "wheel", package_task_start, package_task_found, package_task_built };
