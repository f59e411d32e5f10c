#include "steps.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "../results/record.h"
#include "../config/shlex.h"
#include "../config/tox.h"
#include "../util/util.h"

static struct step *add(struct steps *s, enum step_kind kind)
{
	struct step *st;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	st = &s->v[s->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	return st;
}

/* A dep line as pip's arguments: "-r file" and "-e path" are two words, a requirement one. */
static void dep_args(const char *dep, struct strvec *out)
{
	if (dep[0] == '-') {
		size_t opt = strcspn(dep, " \t=");
		const char *arg = dep + opt;
		while (*arg == ' ' || *arg == '\t' || *arg == '=')
			arg++;
		strvec_push_owned(out, xstrndup(dep, opt));
		if (*arg) {
			/* requirement-file paths escape their spaces ("a\ b"): undo it for pip's argv */
			char *a = xstrdup(arg), *w = a;
			for (const char *r = arg; *r; r++) {
				if (r[0] == '\\' && r[1] == ' ')
					r++;
				*w++ = *r;
			}
			*w = '\0';
			strvec_push_owned(out, a);
		}
		return;
	}
	strvec_push(out, dep);
}

struct step *steps_install(struct steps *s, enum step_kind kind, const struct toxenv *e, const struct strvec *packages)
{
	return steps_install_at(s, s->n, kind, e, packages);
}

struct step *steps_install_at(struct steps *s, size_t at, enum step_kind kind, const struct toxenv *e,
			      const struct strvec *packages)
{
	struct step *st = steps_insert(s, at, kind);
	int opts = 0, pkgs = 0;

	for (size_t i = 0; i < e->install_command.n; i++) {
		const char *w = e->install_command.v[i];
		if (strcmp(w, "{opts}") == 0) {
			/* tox 4: pip_pre puts --pre there (tox 3's --pre is a run's option: PIP_PRE) */
			if (e->pip_pre)
				strvec_push(&st->argv, "--pre");
			opts = 1;
			continue;
		}
		if (strcmp(w, "{packages}") == 0) {
			st->pkg_at = st->argv.n;
			st->pkg_n = packages->n;
			strvec_extend(&st->argv, packages);
			pkgs = 1;
		} else {
			strvec_push(&st->argv, w);
		}
	}
	/* a command without {opts} or {packages}: they go at the end, as tox adds them */
	if (e->pip_pre && !opts)
		strvec_push(&st->argv, "--pre");
	if (!pkgs) {
		st->pkg_at = st->argv.n;
		st->pkg_n = packages->n;
		strvec_extend(&st->argv, packages);
	}
	return st;
}

static void commands(struct steps *s, const struct tox_commands *cs, enum step_set set, int tox3)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct step *st = add(s, STEP_COMMAND);
		st->set = set;
		const struct strvec *argv = &cs->v[i].argv;
		size_t from = 0;
		st->ignore_exit = cs->v[i].ignore_exit;
		for (size_t k = 0; k < argv->n; k++) {
			const char *w = argv->v[k];
			/* tox 3 keeps the dash as written: "- cmd" or "-cmd" */
			if (tox3 && k == 0 && st->ignore_exit) {
				if (strcmp(w, "-") == 0) {
					from = 1;
					continue;
				}
				w++;
			}
			if (k >= from)
				strvec_push(&st->argv, w);
		}
		if (!st->argv.n) {
			strvec_clear(&st->argv);
			s->n--;
		}
	}
}

void steps_build(const struct toxenv *e, const char *python, int direct_venv, const char *tox_root, int tox3,
		 struct steps *out)
{
	struct step *st = add(out, STEP_CREATE);
	struct strvec packages = STRVEC_INIT;

	out->direct_venv = direct_venv;
	if (direct_venv) {
		strvec_push(&st->argv, "venv");
	} else {
		strvec_push(&st->argv, python);
		strvec_push(&st->argv, "-m");
		strvec_push(&st->argv, "venv");
	}
	if (e->system_site_packages)
		strvec_push(&st->argv, "--system-site-packages");
	strvec_push(&st->argv, e->env_dir);
	for (size_t i = 0; i < e->deps.n; i++)
		dep_args(e->deps.v[i], &packages);
	if (packages.n)
		steps_install(out, STEP_DEPS, e, &packages);
	strvec_clear(&packages);
	const char *type = e->package_type ? e->package_type : "";
	if (e->package_root && e->package_root[0])
		tox_root = e->package_root;
	if (*type && strcmp(type, "skip") != 0) {
		/* pip install -e: editable-legacy, and tox 3's usedevelop; the others install the file built */
		if (strcmp(type, "editable-legacy") == 0 || (tox3 && strcmp(type, "editable") == 0))
			strvec_push(&packages, "-e");
		if (e->extras.n) {
			struct strvec extras = STRVEC_INIT;
			char *list, *spec;
			strvec_extend(&extras, &e->extras);
			list = xstrdup("");
			for (size_t i = 0; i < extras.n; i++) {
				char *next = xconcat(list, i ? "," : "", extras.v[i], NULL);
				free(list);
				list = next;
			}
			spec = xconcat(tox_root, "[", list, "]", NULL);
			strvec_push_owned(&packages, spec);
			free(list);
			strvec_clear(&extras);
		} else {
			strvec_push(&packages, tox_root);
		}
		steps_install(out, STEP_PACKAGE, e, &packages);
		strvec_clear(&packages);
	}
	/* tox 4.58: after the project, at every run; failing, they end the env like a failed install */
	commands(out, &e->extra_setup_commands, SET_NONE, tox3);
	commands(out, &e->commands_pre, SET_PRE, tox3);
	commands(out, &e->commands, SET_MAIN, tox3);
	commands(out, &e->commands_post, SET_POST, tox3);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

long steps_pytest_args(const struct strvec *argv)
{
	const char *prog;

	if (!argv->n)
		return -1;
	prog = base_name(argv->v[0]);
	if (strcmp(prog, "pytest") == 0 || strcmp(prog, "py.test") == 0)
		return 1;
	if (strncmp(prog, "python", 6) != 0 && strcmp(prog, "coverage") != 0)
		return -1;
	if (strcmp(prog, "coverage") == 0 && (argv->n < 2 || strcmp(argv->v[1], "run") != 0))
		return -1;
	for (size_t k = prog[0] == 'c' ? 2 : 1; k + 1 < argv->n; k++) {
		const char *w = argv->v[k];
		if (strcmp(w, "-m") == 0)
			return strcmp(argv->v[k + 1], "pytest") == 0 ? (long)k + 2 : -1;
		if (strcmp(w, "-c") == 0 || w[0] != '-')
			return -1;	/* a script or code: not pytest itself */
		if (strcmp(w, "-X") == 0 || strcmp(w, "-W") == 0 || strcmp(w, "--rcfile") == 0 ||
		    strcmp(w, "--source") == 0 || strcmp(w, "--omit") == 0 || strcmp(w, "--include") == 0 ||
		    strcmp(w, "--context") == 0 || strcmp(w, "--concurrency") == 0 || strcmp(w, "--data-file") == 0)
			k++;	/* an option of python's or coverage's that takes the next word */
	}
	return -1;
}

const char *steps_junit_option(const struct strvec *argv, size_t from)
{
	static const char *const opts[] = { "--junitxml", "--junit-xml" };

	for (size_t k = from; k < argv->n; k++) {
		if (strcmp(argv->v[k], "--") == 0)
			break;
		for (size_t o = 0; o < 2; o++) {
			size_t n = strlen(opts[o]);
			if (strncmp(argv->v[k], opts[o], n) != 0)
				continue;
			if (argv->v[k][n] == '=')
				return argv->v[k] + n + 1;
			if (argv->v[k][n] == '\0' && k + 1 < argv->n)
				return argv->v[k + 1];
		}
	}
	return NULL;
}

struct step *steps_insert(struct steps *s, size_t i, enum step_kind kind)
{
	add(s, kind);
	struct step moved = s->v[s->n - 1];
	memmove(&s->v[i + 1], &s->v[i], (s->n - 1 - i) * sizeof(*s->v));
	s->v[i] = moved;
	return &s->v[i];
}

void steps_remove(struct steps *s, size_t i)
{
	strvec_clear(&s->v[i].argv);
	free(s->v[i].junit);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

void steps_release(struct steps *s)
{
	for (size_t i = 0; i < s->n; i++) {
		strvec_clear(&s->v[i].argv);
		free(s->v[i].junit);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const char *step_name(enum step_kind k)
{
	switch (k) {
	case STEP_CREATE: return "creating the venv";
	case STEP_DEPS: return "installing deps";
	case STEP_PACKAGE: return "installing the project";
	case STEP_LAYER: return "cloning the deps installed once for several envs";
	case STEP_WHEEL: return "building the project's package";
	case STEP_BUILD: return "building the project's package";
	case STEP_FREEZE: return "writing the installed versions as constraints";
	default: return "command";
	}
}

/*
 * The step's words, shell-quoted so a person can paste them, joined
 * (allocated). A word holding ' but nothing a shell expands inside "..." is
 * put in double quotes, which reads better than shlex's '"'"'.
 */
char *step_cmd(const struct step *st)
{
	char *cmd = xstrdup("");

	for (size_t i = 0; i < st->argv.n; i++) {
		const char *w = st->argv.v[i];
		char *q = strchr(w, '\'') && !strpbrk(w, "\"$`\\!") ? xconcat("\"", w, "\"", NULL) : shlex_quote(w);
		char *next = xconcat(cmd, i ? " " : "", q, NULL);
		free(cmd);
		free(q);
		cmd = next;
	}
	return cmd;
}

void step_failure(const struct step *st, const struct job *j, char *why, size_t whysz)
{
	char *cmd = step_cmd(st);

	why[0] = '\0';
	if (strlen(cmd) > 100)
		strcpy(cmd + 97, "...");
	if (j->end == JOB_EXITED && j->exit_code == 0) {
		/* fine */
	} else if (j->end == JOB_SPAWN_FAILED) {
		snprintf(why, whysz, "%s: %s", step_name(st->kind), j->error);
	} else if (j->end == JOB_EXITED) {
		snprintf(why, whysz, "%s failed with exit code %d: %s", step_name(st->kind), j->exit_code, cmd);
	} else if (j->end == JOB_SIGNALED) {
		snprintf(why, whysz, "%s was killed by signal %d (%s): %s", step_name(st->kind), j->signo,
			 strsignal(j->signo), cmd);
	} else if (j->end == JOB_TIMED_OUT) {
		snprintf(why, whysz, "%s ran out of time (--timeout) and was stopped: %s", step_name(st->kind), cmd);
	} else {
		snprintf(why, whysz, "stopped while %s ran: %s", step_name(st->kind), cmd);
	}
	free(cmd);
}

int job_tox_code(const struct job *j)
{
	switch (j->end) {
	case JOB_EXITED: return j->exit_code;
	case JOB_SIGNALED: return -j->signo;
	case JOB_SPAWN_FAILED: return 2;	/* tox: the errno of the missing program */
	default: return 1;
	}
}

void steps_stop_plan(const struct toxenv *e, struct job_spec *spec)
{
	spec->suicide_ns = (long long)(e->suicide_timeout * 1e9);
	spec->interrupt_ns = (long long)(e->interrupt_timeout * 1e9);
	spec->terminate_ns = (long long)(e->terminate_timeout * 1e9);
}

void steps_set_packages(struct step *st, const struct strvec *words)
{
	for (size_t i = 0; i < st->pkg_n; i++)
		strvec_remove(&st->argv, st->pkg_at);
	for (size_t i = 0; i < words->n; i++)
		strvec_insert(&st->argv, st->pkg_at + i, words->v[i]);
	st->pkg_n = words->n;
}

void step_record(struct env_result *r, const struct step *st, const struct job *j, const char *cmd_as)
{
	static const char *const kinds[] = { "create", "deps", "package", "command", "layer", "wheel", "build", "freeze" };
	char *cmd = cmd_as ? xstrdup(cmd_as) : step_cmd(st);

	record_step(r, kinds[st->kind], cmd, j->end == JOB_EXITED ? j->exit_code : -1,
		    j->end == JOB_SIGNALED ? j->signo : 0, (double)(j->end_ns - j->start_ns) / 1e9, (double)j->cpu_ns / 1e9);
	free(cmd);
	if (j->lost_bytes)
		warn("%s: %zu bytes of its output could not be written to %s (%s): the log is cut short", r->name,
		     j->lost_bytes, r->log_path, strerror(j->log_errno));
}
