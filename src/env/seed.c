/* pip, setuptools and wheel seeded into venvs from images unpacked once per machine. */
#include "seed.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "venv.h"
#include "../util/strbuf.h"
#include "../util/util.h"

extern char **environ;

static const char *const dist_names[SEED_DISTS] = { "pip", "setuptools", "wheel" };

/*
 * Unpack the wheel (argv[1]) into a folder beside dest (argv[2]), compile it
 * for this Python, then rename it to dest: a crash leaves no half-made image.
 * A wheel whose Requires-Python this Python does not meet exits 3.
 */
#define UNPACK \
	"import compileall, os, shutil, sys, zipfile\n" \
	"wheel, dest = sys.argv[1], sys.argv[2]\n" \
	"z = zipfile.ZipFile(wheel)\n" \
	"def fits(spec):\n" \
	"    have = tuple(sys.version_info[:3])\n" \
	"    for clause in spec.split(','):\n" \
	"        clause = clause.strip()\n" \
	"        op = next((o for o in ('~=', '==', '!=', '>=', '<=', '>', '<') if clause.startswith(o)), None)\n" \
	"        if op is None:\n" \
	"            continue\n" \
	"        v = clause[len(op):].strip()\n" \
	"        star = v.endswith('.*')\n" \
	"        want = tuple(int(x) for x in v.rstrip('.*').split('.') if x.isdigit())\n" \
	"        h = have[:len(want)] if star or op == '~=' else have\n" \
	"        w = want if star or op == '~=' else want + (0,) * (3 - len(want))\n" \
	"        ok = {'==': h == w, '!=': h != w, '>=': h >= w, '<=': h <= w, '>': h > w, '<': h < w,\n" \
	"              '~=': have >= want and have[:len(want) - 1] == want[:-1]}[op]\n" \
	"        if not ok:\n" \
	"            return False\n" \
	"    return True\n" \
	"for name in z.namelist():\n" \
	"    if name.count('/') == 1 and name.endswith('.dist-info/METADATA'):\n" \
	"        for line in z.read(name).decode('utf-8', 'replace').splitlines():\n" \
	"            if not line:\n" \
	"                break\n" \
	"            if line.lower().startswith('requires-python:') and not fits(line.split(':', 1)[1]):\n" \
	"                sys.exit(3)\n" \
	"tmp = '%s.tmp-%d' % (dest, os.getpid())\n" \
	"shutil.rmtree(tmp, ignore_errors=True)\n" \
	"z.extractall(tmp)\n" \
	"if not compileall.compile_dir(tmp, quiet=1):\n" \
	"    sys.exit(1)\n" \
	"os.rename(tmp, dest)\n"

/* "NAME-VERSION-...whl" of dist: its version into v (-1 each part past the last), or -1 when it is no wheel of dist. */
static int wheel_version(const char *file, const char *dist, int v[3])
{
	size_t n = strlen(dist), len = strlen(file);
	const char *p = file + n + 1;

	if (len < 4 || strcmp(file + len - 4, ".whl") != 0 || strncmp(file, dist, n) != 0 || file[n] != '-' ||
	    !isdigit((unsigned char)*p))
		return -1;
	v[0] = v[1] = v[2] = -1;
	for (int i = 0; i < 3 && isdigit((unsigned char)*p); i++) {
		v[i] = (int)strtol(p, (char **)&p, 10);
		if (*p == '.')
			p++;
	}
	return *p == '-' || *p == '.' ? 0 : -1;
}

static int newer(const int a[3], const int b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] > b[i];
	return 0;
}

/* want: a version as written ("23.2.1", "24"): whether v is it (its parts match as far as want goes). */
static int version_is(const int v[3], const char *want)
{
	const char *p = want;

	for (int i = 0; i < 3 && *p; i++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		if (v[i] != (int)strtol(p, (char **)&p, 10))
			return 0;
		if (*p == '.')
			p++;
	}
	return *p == '\0';
}

/* A wheel found: its path and version, to be sorted newest first. */
struct found {
	char *path;
	int v[3];
	int rank;		/* where it was found: on a tie of versions the earlier place wins */
};

/* In dir, every wheel of dist for Python 3 (of version want, unless NULL), added to f. */
static void search_dir(const char *dir, const char *dist, const char *want, int rank, struct found **f, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int v[3];
		if (wheel_version(de->d_name, dist, v) < 0 || (want && !version_is(v, want)))
			continue;
		if (!strstr(de->d_name, "py3"))
			continue;	/* wheels for Python 2 only are of no use here */
		*f = xrealloc(*f, (*n + 1) * sizeof(**f));
		(*f)[*n].path = xconcat(dir, "/", de->d_name, NULL);
		memcpy((*f)[*n].v, v, sizeof(v));
		(*f)[*n].rank = rank;
		(*n)++;
	}
	closedir(d);
}

static int newest_first(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (newer(x->v, y->v))
		return -1;
	if (newer(y->v, x->v))
		return 1;
	return x->rank - y->rank;
}

/* The value of variable name in envp, or NULL. */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* virtualenv's boolean variables: set to anything but "", "0", "false", "no", "off" */
static int env_flag(char *const *envp, const char *name)
{
	const char *v = env_get(envp, name);

	return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0 && strcasecmp(v, "no") != 0 &&
	       strcasecmp(v, "off") != 0;
}

/* The folder the interpreter's prefix holds its ensurepip wheels in. */
static void bundled_dir(const struct interp *in, char *out, size_t outsz)
{
	char *real = realpath(in->path, NULL);
	char *slash;

	out[0] = '\0';
	if (!real)
		return;
	if ((slash = strrchr(real, '/')))
		*slash = '\0';
	if ((slash = strrchr(real, '/')))	/* PREFIX/bin: PREFIX */
		*slash = '\0';
	snprintf(out, outsz, "%s/lib/python%d.%d/ensurepip/_bundled", real, in->major, in->minor);
	free(real);
}

static int debian_python(const struct interp *in)
{
	char *real = realpath(in->path, NULL);
	int debian = real && strncmp(real, "/usr/bin/", 9) == 0;

	free(real);
	return debian;
}

/* virtualenv's app data folder, whose wheel/house holds the wheels it seeds venvs with (allocated), or NULL. */
static char *virtualenv_house(char *const *envp)
{
	const char *over = env_get(envp, "VIRTUALENV_OVERRIDE_APP_DATA"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (over && *over == '/')
		return xconcat(over, "/wheel/house", NULL);
	if (xdg && *xdg == '/')
		return xconcat(xdg, "/virtualenv/wheel/house", NULL);
	if (home && *home == '/')
		return xconcat(home, "/.local/share/virtualenv/wheel/house", NULL);
	return NULL;
}

void seed_plan_release(struct seed_plan *p)
{
	for (int i = 0; i < SEED_DISTS; i++)
		strvec_clear(&p->wheels[i]);
}

void seed_choose(const struct interp *in, char *const *envp, struct seed_plan *out)
{
	char bundled[4096];
	const char *extra = env_get(envp, "VIRTUALENV_EXTRA_SEARCH_DIR");
	char *house = virtualenv_house(envp);

	memset(out, 0, sizeof(*out));
	if (env_flag(envp, "VIRTUALENV_NO_SEED") || env_flag(envp, "VIRTUALENV_WITHOUT_PIP")) {
		free(house);
		return;
	}
	bundled_dir(in, bundled, sizeof(bundled));
	for (int i = 0; i < SEED_DISTS; i++) {
		static const char *const upper[SEED_DISTS] = { "PIP", "SETUPTOOLS", "WHEEL" };
		char var[64];
		const char *want;
		int v[3] = { -1, -1, -1 };
		/* virtualenv 21: pip always, setuptools below 3.12, wheel on request only */
		int on = i == SEED_PIP || (i == SEED_SETUPTOOLS && in->major == 3 && in->minor < 12);
		snprintf(var, sizeof(var), "VIRTUALENV_%s", upper[i]);
		want = env_get(envp, var);
		if (want && (strcmp(want, "bundle") == 0 || strcmp(want, "embed") == 0 || strcmp(want, "latest") == 0 || !*want))
			want = NULL;	/* the wheel found here, newest first */
		else if (want && strcmp(want, "none") == 0)
			on = 0;
		else if (want)
			on = 1;	/* a version asked for by name */
		snprintf(var, sizeof(var), "VIRTUALENV_NO_%s", upper[i]);
		if (env_flag(envp, var))
			on = 0;
		if (!on)
			continue;
		struct found *f = NULL;
		size_t n = 0;
		if (extra) {
			char *copy = xstrdup(extra), *save = NULL;
			for (char *d = strtok_r(copy, " :,", &save); d; d = strtok_r(NULL, " :,", &save))
				search_dir(d, dist_names[i], want, 0, &f, &n);
			free(copy);
		}
		if (house)
			search_dir(house, dist_names[i], want, 1, &f, &n);
		search_dir(bundled, dist_names[i], want, 2, &f, &n);
		/* Debian's setuptools builds nothing on other interpreters (its install_layout patch) */
		if (debian_python(in) || i == SEED_PIP)
			search_dir("/usr/share/python-wheels", dist_names[i], want, 3, &f, &n);
		if (n)
			qsort(f, n, sizeof(*f), newest_first);
		for (size_t k = 0; k < n; k++) {
			strvec_push(&out->wheels[i], f[k].path);
			free(f[k].path);
		}
		free(f);
		(void)v;
		if (!out->wheels[i].n && (want || i != SEED_WHEEL)) {
			size_t len = strlen(out->note);
			snprintf(out->note + len, sizeof(out->note) - len, "%sno %s wheel%s%s for Python %d.%d to seed venvs with",
				 len ? "; " : "", dist_names[i], want ? " of version " : "", want ? want : "", in->major, in->minor);
		}
	}
	free(house);
}

/* The cache folder of the images, or NULL when there is no home to put it in. */
static char *seed_root(void)
{
	return cache_dir("seed");
}

/* Run python with the unpack script, its output into log; 0 when it succeeded, 3 when the wheel is not for it, else -1. */
static int unpack(const struct interp *in, const char *wheel, const char *dest, const char *log)
{
	char *argv[] = { (char *)in->path, "-I", "-c", UNPACK, (char *)wheel, (char *)dest, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	int rc = posix_spawn(&pid, in->path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3))
		return WEXITSTATUS(status);
	return -1;
}

int seed_image(const struct interp *in, const char *wheel, char *out, size_t outsz, char *err, size_t errsz)
{
	const char *base = strrchr(wheel, '/') ? strrchr(wheel, '/') + 1 : wheel;
	char *root = seed_root(), *dir = NULL, *lockpath = NULL, *log = NULL;
	struct stat st;
	int rc = -1, fd = -1;

	if (!root) {
		snprintf(err, errsz, "neither XDG_CACHE_HOME nor HOME names a folder to keep seed images in");
		return -1;
	}
	/*
	 * one image per Python version (each has its own byte-code) and per
	 * wheel file: a wheel rebuilt under the same name (a local project's
	 * 0.0.0) differs in size or time, so its image is made anew
	 */
	if (stat(wheel, &st) < 0) {
		snprintf(err, errsz, "cannot read '%s': %s", wheel, strerror(errno));
		free(root);
		return -1;
	}
	unsigned long long stamp = (unsigned long long)st.st_size * 1000003ULL ^
				   ((unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st.st_mtim.tv_nsec);
	dir = xasprintf("%s/%s-%d.%d/%.*s-%08llx", root, in->impl, in->major, in->minor, (int)(strlen(base) - 4), base,
			(stamp ^ (stamp >> 32)) & 0xffffffffULL);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = 0;
		goto done;
	}
	lockpath = xconcat(dir, ".lock", NULL);
	log = xconcat(dir, ".log", NULL);
	char *parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));
	int made = mkdirs(parent);
	free(parent);
	if (made < 0 || (fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errsz, "cannot create '%s': %s", lockpath, strerror(errno));
		goto done;
	}
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	/* another blitz made it while this one waited */
	int u = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : unpack(in, wheel, dir, log);
	if (u == 0)
		rc = 0;
	else if (u == 3)
		rc = 1;
	else
		snprintf(err, errsz, "cannot unpack %s for Python %d.%d (see %s)", wheel, in->major, in->minor, log);
	close(fd);
done:
	if (rc == 0 && (size_t)snprintf(out, outsz, "%s", dir) >= outsz) {
		snprintf(err, errsz, "the path '%s' is too long", dir);
		rc = -1;
	}
	free(root);
	free(dir);
	free(lockpath);
	free(log);
	return rc;
}

struct linker {
	int no_link;		/* the file system said no once: copy from then on */
	char *err;
	size_t errsz;
};

static int lfail(struct linker *l, const char *what, const char *path)
{
	snprintf(l->err, l->errsz, "%s '%s': %s", what, path, strerror(errno));
	return -1;
}

/* A copy of name in the folder sfd at the same name in dfd, keeping its mode and modification time (byte-code stays valid). */
static int copy_file(struct linker *l, int sfd, int dfd, const char *name, const char *where)
{
	int in = openat(sfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), out, rc = 0;
	struct stat st;
	char buf[65536];
	ssize_t n;

	if (in < 0 || fstat(in, &st) < 0) {
		if (in >= 0)
			close(in);
		return lfail(l, "cannot read", where);
	}
	if ((out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777)) < 0) {
		close(in);
		return errno == EEXIST ? 0 : lfail(l, "cannot create", where);
	}
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			rc = lfail(l, "cannot read", where);
			break;
		}
		for (ssize_t off = 0; off < n && rc == 0;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				rc = lfail(l, "cannot write", where);
			else
				off += w;
		}
	}
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	futimens(out, ts);
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = lfail(l, "cannot write", where);
	return rc;
}

/*
 * Every file under the folder sfd at the same place under dfd: hard links,
 * or copies where links cannot be had. Folders are opened once and entries
 * named relative to them (a venv gets a few thousand files: no path is
 * walked again for each); nothing is followed that is a symbolic link.
 * where names sfd in messages.
 */
static int link_tree(struct linker *l, int sfd, int dfd, const char *where, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, fd = dup(sfd);

	if (depth > 32) {
		snprintf(l->err, l->errsz, "'%s' is nested too deep", where);
		return -1;
	}
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return lfail(l, "cannot list", where);
	}
	while (rc == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		int type = de->d_type;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				rc = lfail(l, "cannot read", where);
				break;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_DIR) {
			if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
				rc = lfail(l, "cannot create a folder in", where);
				break;
			}
			int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char *sub = xconcat(where, "/", name, NULL);
			rc = s2 < 0 || d2 < 0 ? lfail(l, "cannot open", sub) : link_tree(l, s2, d2, sub, depth + 1);
			free(sub);
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		} else if (type == DT_REG) {
			if (!l->no_link && linkat(sfd, name, dfd, name, 0) == 0)
				continue;
			if (!l->no_link && errno == EEXIST)
				continue;	/* the venv has it already (seeded twice): keep it */
			if (!l->no_link && errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP &&
			    errno != EOPNOTSUPP) {
				rc = lfail(l, "cannot link into", where);
				break;
			}
			l->no_link = 1;
			rc = copy_file(l, sfd, dfd, name, where);
		}
	}
	closedir(d);
	return rc;
}

/* link_tree of the folders from and to. */
static int link_folder(struct linker *l, const char *from, const char *to)
{
	int sfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC), dfd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = sfd < 0 ? lfail(l, "cannot open", from) : dfd < 0 ? lfail(l, "cannot open", to) : link_tree(l, sfd, dfd, from, 0);

	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

/*
 * A console script: the shebang names the venv's python; where the kernel
 * cannot run that line (longer than 127 bytes, or holding a space) the
 * script starts under sh, which runs the file again with python: sh reads
 * the second line as `exec`, python as the start of a string.
 */
static char *script_text(const char *python, const char *module, const char *func)
{
	struct strbuf sb = STRBUF_INIT;
	char *attr = xstrdup(func), *dot = strchr(attr, '.');

	if (strlen(python) + 2 > 127 || strchr(python, ' ')) {
		strbuf_adds(&sb, "#!/bin/sh\n'''exec' '");
		for (const char *p = python; *p; p++)
			strbuf_adds(&sb, *p == '\'' ? "'\\''" : (char[2]){ *p, 0 });
		strbuf_adds(&sb, "' \"$0\" \"$@\"\n' '''\n");
	} else {
		strbuf_addf(&sb, "#!%s\n", python);
	}
	if (dot)
		*dot = '\0';
	strbuf_addf(&sb, "import sys\nfrom %s import %s\nif __name__ == \"__main__\":\n    sys.exit(%s())\n", module, attr,
		    func);
	free(attr);
	return strbuf_detach(&sb);
}

static int write_script(const char *path, const char *text, char *err, size_t errsz)
{
	int fd;
	size_t n = strlen(text);

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755)) < 0) {
		snprintf(err, errsz, "cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	ssize_t w = write(fd, text, n);
	int werr = w < 0 ? errno : ENOSPC;
	if (close(fd) < 0 && w == (ssize_t)n) {
		w = -1;
		werr = errno;
	}
	if (w != (ssize_t)n) {
		snprintf(err, errsz, "cannot write '%s': %s", path, strerror(werr));
		return -1;
	}
	return 0;
}

/* The name of the image's dist-info folder (allocated), or NULL. */
static char *dist_info(const char *image)
{
	DIR *d = opendir(image);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 10 && strcmp(de->d_name + n - 10, ".dist-info") == 0)
			found = xstrdup(de->d_name);
	}
	closedir(d);
	return found;
}

/*
 * The console scripts of the dist whose dist-info is info, written into
 * bin: each [console_scripts] entry of entry_points.txt. pip's own names
 * its version of Python (pip3.11): those follow the venv's, as pip does when
 * it installs itself.
 */
static int write_scripts(const char *info, const char *bin, const struct interp *in, char *err, size_t errsz)
{
	char *ep = xconcat(info, "/entry_points.txt", NULL), *python = xconcat(bin, "/python", NULL);
	size_t len;
	char *text = read_file(ep, &len);
	int in_section = 0, rc = 0, is_pip = starts_with(strrchr(info, '/') ? strrchr(info, '/') + 1 : info, "pip-");
	char *pip_target = NULL;

	free(ep);
	for (char *line = text ? strtok(text, "\n") : NULL; line && rc == 0; line = strtok(NULL, "\n")) {
		char *s = line, *e;
		while (isspace((unsigned char)*s))
			s++;
		for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*s == '[') {
			in_section = strcmp(s, "[console_scripts]") == 0;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!in_section || !eq || *s == '#' || *s == ';')
			continue;
		char *name = s, *target = eq + 1;
		for (e = eq; e > name && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		while (isspace((unsigned char)*target))
			target++;
		char *extras = strchr(target, '[');
		if (extras)
			for (*extras = '\0'; extras > target && isspace((unsigned char)extras[-1]);)
				*--extras = '\0';
		char *colon = strchr(target, ':');
		if (!colon || !*name || strchr(name, '/'))
			continue;
		*colon = '\0';
		if (is_pip && strncmp(name, "pip", 3) == 0) {
			if (!pip_target)
				pip_target = xconcat(target, ":", colon + 1, NULL);
			continue;	/* written below, for this Python */
		}
		char *path = xconcat(bin, "/", name, NULL), *script = script_text(python, target, colon + 1);
		rc = write_script(path, script, err, errsz);
		free(path);
		free(script);
	}
	if (pip_target && rc == 0) {
		char names[3][32];
		char *colon = strchr(pip_target, ':');
		*colon = '\0';
		snprintf(names[0], sizeof(names[0]), "pip");
		snprintf(names[1], sizeof(names[1]), "pip%d", in->major);
		snprintf(names[2], sizeof(names[2]), "pip%d.%d", in->major, in->minor);
		for (int i = 0; i < 3 && rc == 0; i++) {
			char *path = xconcat(bin, "/", names[i], NULL), *script = script_text(python, pip_target, colon + 1);
			rc = write_script(path, script, err, errsz);
			free(path);
			free(script);
		}
	}
	free(pip_target);
	free(text);
	free(python);
	return rc;
}

/* Whether the image holds a NAME.data folder (files for other places than site-packages). */
static int has_data(const char *image)
{
	DIR *d = opendir(image);
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		found = n > 5 && strcmp(de->d_name + n - 5, ".data") == 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* Install image into the venv; with requested, mark it as pip marks a distribution it was asked for. */
static int install_image(const char *image, const char *venv_dir, const struct interp *in, int requested, char *err,
			 size_t errsz)
{
	char *site = venv_site_packages(venv_dir, in), *bin = xconcat(venv_dir, "/bin", NULL), *name;
	struct linker l = { .err = err, .errsz = errsz };
	int rc;

	err[0] = '\0';
	rc = link_folder(&l, image, site);
	if (rc == 0 && (name = dist_info(image))) {
		char *info = xconcat(site, "/", name, NULL);
		free(name);
		char *installer = xconcat(info, "/INSTALLER", NULL);
		/* what put it there, as pip writes it (the image's copy is shared: a file of the venv's own) */
		unlink(installer);
		rc = write_script(installer, "pip\n", err, errsz);
		chmod(installer, 0644);
		free(installer);
		if (rc == 0 && requested) {
			char *req = xconcat(info, "/REQUESTED", NULL);
			unlink(req);
			rc = write_script(req, "", err, errsz);
			chmod(req, 0644);
			free(req);
		}
		if (rc == 0)
			rc = write_scripts(info, bin, in, err, errsz);
		free(info);
	}
	free(site);
	free(bin);
	return rc;
}

int seed_install(const char *image, const char *venv_dir, const struct interp *in, char *err, size_t errsz)
{
	return install_image(image, venv_dir, in, 0, err, errsz);
}

int seed_install_wheel(const char *image, const char *venv_dir, const struct interp *in, int requested, char *err,
		       size_t errsz)
{
	if (has_data(image)) {
		snprintf(err, errsz, "%s has files for other places than site-packages (.data): left to pip", image);
		return -1;
	}
	return install_image(image, venv_dir, in, requested, err, errsz);
}
