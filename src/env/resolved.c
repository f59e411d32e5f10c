/* Deps installs pip resolved before, replayed from unpacked wheels without running pip. */
#include "resolved.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "interp.h"
#include "seed.h"
#include "venv.h"
#include "../config/pyproject.h"
#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

/* Options that change nothing about what pip installs (they are still part of the key). */
static const char *const harmless[] = {
	"-q", "--quiet", "-v", "--verbose", "--disable-pip-version-check", "--no-input", "--no-cache-dir",
	"--no-color", "--pre", "--no-index", NULL,
};

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int truthy(const char *v)
{
	return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0 && strcasecmp(v, "no") != 0 &&
	       strcasecmp(v, "off") != 0;
}

/* Where "install" is in argv (after "pip" or "-m pip"), or -1. */
static long install_word(const struct strvec *argv)
{
	for (size_t i = 1; i < argv->n; i++) {
		const char *prev = argv->v[i - 1];
		const char *base = strrchr(prev, '/') ? strrchr(prev, '/') + 1 : prev;
		if (strcmp(argv->v[i], "install") == 0 && strncmp(base, "pip", 3) == 0)
			return (long)i;
	}
	return -1;
}

/* The find-links folders of argv (after "install") and of PIP_FIND_LINKS; -1 when one is no absolute folder. */
static int find_links(const struct strvec *argv, long from, char *const *envp, struct strvec *dirs)
{
	const char *env = env_get(envp, "PIP_FIND_LINKS");

	for (size_t i = (size_t)from + 1; i < argv->n; i++) {
		const char *w = argv->v[i];
		if ((strcmp(w, "-f") == 0 || strcmp(w, "--find-links") == 0) && i + 1 < argv->n)
			strvec_push(dirs, argv->v[++i]);
		else if (strncmp(w, "--find-links=", 13) == 0)
			strvec_push(dirs, w + 13);
	}
	if (env) {
		char *copy = xstrdup(env), *save = NULL;
		for (char *d = strtok_r(copy, " \t\n", &save); d; d = strtok_r(NULL, " \t\n", &save))
			strvec_push(dirs, d);
		free(copy);
	}
	for (size_t i = 0; i < dirs->n; i++) {
		const char *d = dirs->v[i];
		if (strncmp(d, "file://", 7) == 0) {
			char *plain = xstrdup(d + 7);
			free(dirs->v[i]);
			dirs->v[i] = plain;
			d = plain;
		}
		struct stat st;
		if (d[0] != '/' || stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
			return -1;
	}
	return 0;
}

/* What the folder holds that pip can install: each distribution file's name, size and time. */
static uint64_t listing(uint64_t h, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strvec names = STRVEC_INIT;

	h = fp_str(h, dir);
	if (!d)
		return h;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(&names, de->d_name);
	closedir(d);
	strvec_sort(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *p = xconcat(dir, "/", names.v[i], NULL);
		h = fp_stat(h, p);
		free(p);
	}
	strvec_clear(&names);
	return h;
}

uint64_t resolved_key(const struct strvec *argv, char *const *envp, const struct interp *in, const char *pip_image,
		      struct strvec *requested)
{
	long at = install_word(argv);
	int no_index = truthy(env_get(envp, "PIP_NO_INDEX"));
	struct strvec dirs = STRVEC_INIT, pipvars = STRVEC_INIT;
	uint64_t h = fp_str(FP_INIT, "blitz resolved 1");

	if (at < 0 || !pip_image || !*pip_image)
		return 0;
	for (size_t i = (size_t)at + 1; i < argv->n; i++) {
		const char *w = argv->v[i];
		int ok = 0;
		if (w[0] != '-') {
			/* a requirement by name: no paths, URLs or files */
			size_t n = 0;
			while (isalnum((unsigned char)w[n]) || w[n] == '-' || w[n] == '_' || w[n] == '.')
				n++;
			if (!n || strchr(w, '/') || strchr(w, '@') || strstr(w, ".whl") || strstr(w, ".tar.gz"))
				goto no;
			char *name = pyname_normalise(w, n);
			int own = strcmp(name, "pip") == 0 || strcmp(name, "setuptools") == 0 || strcmp(name, "wheel") == 0;
			strvec_push_owned(requested, name);
			if (own)
				goto no;	/* the seeds would be replaced */
			continue;
		}
		if (strcmp(w, "--no-index") == 0)
			no_index = 1;
		if (strcmp(w, "-f") == 0 || strcmp(w, "--find-links") == 0) {
			i++;
			continue;
		}
		if (strncmp(w, "--find-links=", 13) == 0)
			continue;
		for (int k = 0; harmless[k] && !ok; k++)
			ok = strcmp(w, harmless[k]) == 0;
		if (!ok)
			goto no;
	}
	if (!no_index || !requested->n || find_links(argv, at, envp, &dirs) < 0)
		goto no;
	for (char *const *e = envp; e && *e; e++) {
		if (strncmp(*e, "PIP_", 4) != 0)
			continue;
		/* files and indexes pip would read: not pinned down by this key */
		if (!strncmp(*e, "PIP_CONSTRAINT=", 15) || !strncmp(*e, "PIP_REQUIREMENT=", 16) ||
		    !strncmp(*e, "PIP_CONFIG_FILE=", 16))
			goto no;
		strvec_push(&pipvars, *e);
	}
	if (getenv("PIP_CONFIG_FILE"))
		goto no;
	strvec_sort(&pipvars);
	/* pip's configuration files say what pip does too (an index, constraints) */
	const char *home = env_get(envp, "HOME"), *xdg = env_get(envp, "XDG_CONFIG_HOME");
	char *confs[] = { xstrdup("/etc/pip.conf"), xstrdup("/etc/xdg/pip/pip.conf"),
			  home ? xconcat(home, "/.pip/pip.conf", NULL) : NULL,
			  home ? xconcat(home, "/.config/pip/pip.conf", NULL) : NULL,
			  xdg ? xconcat(xdg, "/pip/pip.conf", NULL) : NULL };
	for (size_t i = 0; i < sizeof(confs) / sizeof(*confs); i++) {
		if (confs[i])
			h = fp_file(h, confs[i]);
		free(confs[i]);
	}
	h = fp_stat(fp_str(h, in->path), in->path);
	h = fp_bytes(h, &in->micro, sizeof(in->micro));
	h = fp_str(h, pip_image);
	for (size_t i = (size_t)at + 1; i < argv->n; i++)
		h = fp_str(h, argv->v[i]);
	h = fp_strvec(h, &pipvars);
	for (size_t i = 0; i < dirs.n; i++)
		h = listing(h, dirs.v[i]);
	strvec_clear(&dirs);
	strvec_clear(&pipvars);
	return h ? h : 1;
no:
	strvec_clear(&dirs);
	strvec_clear(&pipvars);
	strvec_clear(requested);
	return 0;
}

static char *cache_file(uint64_t key)
{
	char *root = cache_dir("resolved"), *file = root ? xasprintf("%s/%016llx", root, (unsigned long long)key) : NULL;

	free(root);
	return file;
}

/* A wheel file's name and version, normalised ("Foo_Bar-1.0-py3-none-any.whl" -> "foo-bar", "1.0"). */
static int wheel_name(const char *file, char **name, char **version)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t len = strlen(base);
	const char *dash = strchr(base, '-');

	if (len < 5 || strcmp(base + len - 4, ".whl") != 0 || !dash)
		return -1;
	*name = pyname_normalise(base, (size_t)(dash - base));
	*version = xstrndup(dash + 1, strcspn(dash + 1, "-"));
	return 0;
}

int resolved_install(uint64_t key, const char *venv_dir, const struct interp *in, const struct strvec *requested,
		     char *err, size_t errsz)
{
	char *path = cache_file(key), *text = path ? read_file(path, NULL) : NULL;
	struct strvec wheels = STRVEC_INIT;
	char image[4096];
	int rc = 0;

	free(path);
	err[0] = '\0';
	if (!text)
		return 1;
	strvec_split(&wheels, text, "\n", 1);
	free(text);
	for (size_t i = 0; i < wheels.n && rc == 0; i++)
		if (access(wheels.v[i], R_OK) != 0)
			rc = 1;	/* the folder changed since: its listing is in the key, but be sure */
	for (size_t i = 0; i < wheels.n && rc == 0; i++) {
		char *name = NULL, *version = NULL;
		int r = seed_image(in, wheels.v[i], image, sizeof(image), err, errsz);
		if (r != 0) {
			if (r == 1)
				snprintf(err, errsz, "%s is not for Python %d.%d", wheels.v[i], in->major, in->minor);
			rc = -1;
			break;
		}
		/* REQUESTED marks what the install named, as pip marks it */
		int asked = wheel_name(wheels.v[i], &name, &version) == 0 && strvec_find(requested, name) >= 0;
		free(name);
		free(version);
		if (seed_install_wheel(image, venv_dir, in, asked, err, errsz) < 0)
			rc = -1;
	}
	strvec_clear(&wheels);
	return rc;
}

/* A "NAME-VERSION.dist-info" folder's name and version, normalised; -1 for another folder. */
static int dist_name(const char *dir, char **name, char **version)
{
	size_t len = strlen(dir);
	const char *dash = strchr(dir, '-');

	if (len < 11 || strcmp(dir + len - 10, ".dist-info") != 0 || !dash)
		return -1;
	*name = pyname_normalise(dir, (size_t)(dash - dir));
	*version = xstrndup(dash + 1, (size_t)(dir + len - 10 - (dash + 1)));
	return 0;
}

/* The tags an installed dist's WHEEL file names ("py3-none-any" lines), into tags. */
static void installed_tags(const char *site, const char *info, struct strvec *tags)
{
	char *path = xconcat(site, "/", info, "/WHEEL", NULL), *text = read_file(path, NULL);

	for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strncasecmp(line, "Tag:", 4) == 0) {
			char *t = line + 4;
			while (*t == ' ')
				t++;
			t[strcspn(t, " \r")] = '\0';
			strvec_push(tags, t);
		}
	free(text);
	free(path);
}

/* In dirs, the wheel of name and version whose tags the installed dist has; NULL when none or several. */
static char *find_wheel(const struct strvec *dirs, const char *name, const char *version, const struct strvec *tags)
{
	char *found = NULL;
	int count = 0;

	for (size_t i = 0; i < dirs->n; i++) {
		DIR *d = opendir(dirs->v[i]);
		struct dirent *de;
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *n, *v;
			if (wheel_name(de->d_name, &n, &v) < 0)
				continue;
			int same = strcmp(n, name) == 0 && strcmp(v, version) == 0;
			free(n);
			free(v);
			if (!same)
				continue;
			/* its tags: the last three fields of the file name */
			const char *full = de->d_name;
			size_t fl = strlen(full) - 4;
			int dashes = 0;
			size_t start = fl;
			while (start > 0 && dashes < 3)
				if (full[--start] == '-')
					dashes++;
			char *triple = xstrndup(full + start + 1, fl - start - 1);
			int match = 0;
			/* a compressed tag set (py2.py3-none-any) installs as each of its tags */
			char *py = xstrndup(triple, strcspn(triple, "-")), *rest = strchr(triple, '-');
			for (char *p = strtok(py, "."); p && !match && rest; p = strtok(NULL, ".")) {
				char *one = xconcat(p, rest, NULL);
				match = strvec_find(tags, one) >= 0;
				free(one);
			}
			free(py);
			free(triple);
			if (match) {
				count++;
				free(found);
				found = xconcat(dirs->v[i], "/", de->d_name, NULL);
			}
		}
		closedir(d);
	}
	if (count != 1) {
		free(found);
		return NULL;
	}
	return found;
}

void resolved_remember(uint64_t key, const struct strvec *argv, char *const *envp, const char *venv_dir,
		       const struct interp *in, const char *const *seeded, size_t nseeded)
{
	char *site = venv_site_packages(venv_dir, in), *path = cache_file(key);
	struct strvec dirs = STRVEC_INIT, wheels = STRVEC_INIT;
	long at = install_word(argv);
	DIR *d;
	struct dirent *de;
	int ok = at >= 0 && path && find_links(argv, at, envp, &dirs) == 0;

	if (ok && (d = opendir(site))) {
		while (ok && (de = readdir(d))) {
			char *name, *version;
			if (dist_name(de->d_name, &name, &version) < 0)
				continue;
			int seed = 0;
			for (size_t s = 0; s < nseeded && !seed; s++) {
				const char *img = strrchr(seeded[s], '/') ? strrchr(seeded[s], '/') + 1 : seeded[s];
				char *sn, *sv;
				char *whl = xconcat(img, ".whl", NULL);
				if (wheel_name(whl, &sn, &sv) == 0) {
					seed = strcmp(sn, name) == 0 && strcmp(sv, version) == 0;
					free(sn);
					free(sv);
				}
				free(whl);
			}
			if (!seed && (strcmp(name, "pip") == 0 || strcmp(name, "setuptools") == 0 || strcmp(name, "wheel") == 0))
				ok = 0;	/* pip replaced a seed: replaying that is pip's job */
			else if (!seed) {
				struct strvec tags = STRVEC_INIT;
				installed_tags(site, de->d_name, &tags);
				char *w = find_wheel(&dirs, name, version, &tags);
				if (w)
					strvec_push_owned(&wheels, w);
				else
					ok = 0;	/* not from these folders, or not as one wheel: pip stays the one to ask */
				strvec_clear(&tags);
			}
			free(name);
			free(version);
		}
		closedir(d);
	} else {
		ok = 0;
	}
	if (ok && wheels.n) {
		strvec_sort(&wheels);
		char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
		char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
		FILE *f = mkdirs(dir) == 0 ? fopen(tmp, "w") : NULL;
		int good = f != NULL;
		for (size_t i = 0; f && i < wheels.n; i++)
			fprintf(f, "%s\n", wheels.v[i]);
		if (f && fclose(f) != 0)
			good = 0;
		if (!good || rename(tmp, path) < 0)
			unlink(tmp);
		free(tmp);
		free(dir);
	}
	strvec_clear(&wheels);
	strvec_clear(&dirs);
	free(site);
	free(path);
}
