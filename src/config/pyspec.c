#include "pyspec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"
#include "factor.h"

/* Where an architecture or machine suffix may end: at '-' or the end. */
static int at_part_end(const char *p)
{
	return !*p || *p == '-';
}

static void not_a_spec(struct pyspec *sp)
{
	sp->is_path = 1;
	sp->impl[0] = '\0';
	sp->major = sp->minor = sp->micro = -1;
	sp->free_threaded = sp->debug = -1;
	sp->arch = 0;
	sp->machine[0] = '\0';
}

/* "3.11" -> 3, 11; "311" -> 3, 11; "3" -> 3; "3.11.2" -> 3, 11, 2. Returns -1 for more parts or none. */
static int version_parts(const char *v, size_t len, int nums[3])
{
	int count = 0;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && v[j] != '.')
			j++;
		if (j > i) {
			if (count == 3 || j - i > 9)
				return -1;
			nums[count++] = atoi(v + i);
		}
		i = j + 1;
	}
	if (count == 0)
		return -1;
	if (count == 1 && nums[0] > 9) {
		/* one number: its first digit is the major, the rest the minor */
		char digits[16];
		snprintf(digits, sizeof(digits), "%d", nums[0]);
		nums[0] = digits[0] - '0';
		nums[1] = atoi(digits + 1);
	}
	return 0;
}

void pyspec_parse(const char *s, struct pyspec *sp)
{
	const char *p = s, *v;
	size_t n = 0;
	int nums[3] = { -1, -1, -1 };

	memset(sp, 0, sizeof(*sp));
	sp->major = sp->minor = sp->micro = -1;
	sp->free_threaded = sp->debug = -1;
	if (*s == '/') {
		sp->is_path = 1;
		return;
	}
	/* [a-zA-Z]* [0-9.]* t? (d|-dbg|-debug)? (-32|-64)? (-MACHINE)? */
	while (isalpha((unsigned char)*p)) {
		if (n + 1 >= sizeof(sp->impl)) {
			not_a_spec(sp);
			return;
		}
		sp->impl[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	sp->impl[n] = '\0';
	v = p;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (p > v) {
		if (version_parts(v, (size_t)(p - v), nums) < 0) {
			not_a_spec(sp);
			return;
		}
		sp->major = nums[0];
		sp->minor = nums[1];
		sp->micro = nums[2];
		sp->free_threaded = *p == 't';
		p += *p == 't';
	}
	if (*p == 'd') {
		sp->debug = 1;
		p++;
	} else if ((strncmp(p, "-dbg", 4) == 0 && at_part_end(p + 4)) || (strncmp(p, "-debug", 6) == 0 && at_part_end(p + 6))) {
		sp->debug = 1;
		p += p[2] == 'd' ? 4 : 6;
	}
	if (*p == '-' && ((p[1] == '3' && p[2] == '2') || (p[1] == '6' && p[2] == '4')) && at_part_end(p + 3)) {
		sp->arch = atoi(p + 1);
		p += 3;
	}
	if (*p == '-' && p[1]) {
		size_t m = 0;
		char raw[32];
		for (p++; *p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'); p++)
			if (m + 1 < sizeof(raw))
				raw[m++] = *p;
		raw[m] = '\0';
		snprintf(sp->machine, sizeof(sp->machine), "%s", raw);
		for (char *c = sp->machine; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcmp(sp->machine, "amd64") == 0)
			strcpy(sp->machine, "x86_64");
		else if (strcmp(sp->machine, "aarch64") == 0)
			strcpy(sp->machine, "arm64");
	}
	if (*p) {
		not_a_spec(sp);
		return;
	}
	/* virtualenv reads py/python as "any implementation" */
	if (strcmp(sp->impl, "py") == 0 || strcmp(sp->impl, "python") == 0)
		sp->impl[0] = '\0';
	else if (strcmp(sp->impl, "graalvm") == 0)
		strcpy(sp->impl, "graalpy");
}

/*
 * tox 4.58's
 * ^(?!py$)(py|pypy|cpython|jython|graalpy|rustpython|ironpython)(?:([2-9]\.?[0-9]?[0-9]?)t?d?)?$
 */
static int tox4_python_factor(const char *f)
{
	static const char *const impls[] = { "pypy", "py", "cpython", "jython", "graalpy", "rustpython", "ironpython", NULL };

	if (strcmp(f, "py") == 0)
		return 0;
	for (int i = 0; impls[i]; i++) {
		size_t n = strlen(impls[i]);
		const char *v = f + n;
		if (strncmp(f, impls[i], n) != 0)
			continue;
		if (!*v)
			return 1;
		if (*v < '2' || *v > '9')
			continue;
		v++;
		if (*v == '.')
			v++;
		for (int k = 0; k < 2 && isdigit((unsigned char)*v); k++)
			v++;
		v += *v == 't';
		v += *v == 'd';
		if (!*v)
			return 1;
	}
	return 0;
}

/*
 * tox 4.58's ^((cpython|pypy)-)?([23]\.[0-9]+)(t?)(d?)$: a bare version
 * names an interpreter ("3.12", "pypy-3.10"). Returns the spec it stands for
 * ("3.12", "pypy3.10"), or NULL.
 */
static char *explicit_version(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *v;
	int pypy = 0;

	if (n > 8 && strncmp(s, "cpython-", 8) == 0)
		p += 8;
	else if (n > 5 && strncmp(s, "pypy-", 5) == 0)
		p += 5, pypy = 1;
	v = p;
	if (p >= end || (*p != '2' && *p != '3') || p + 1 >= end || p[1] != '.')
		return NULL;
	p += 2;
	if (p >= end || !isdigit((unsigned char)*p))
		return NULL;
	while (p < end && isdigit((unsigned char)*p))
		p++;
	p += p < end && *p == 't';
	p += p < end && *p == 'd';
	if (p != end)
		return NULL;
	return xasprintf("%s%.*s", pypy ? "pypy" : "", (int)(end - v), v);
}

char *pyspec_from_env_tox4(const char *env, char **conflict)
{
	struct strvec cand = STRVEC_INIT;
	const char *p = env;
	char *res = NULL;

	*conflict = NULL;
	res = explicit_version(env, strlen(env));
	if (res)
		return res;
	for (;;) {
		const char *d = strchr(p, '-');
		size_t n = d ? (size_t)(d - p) : strlen(p);
		char *f = xstrndup(p, n), *ver;
		if (tox4_python_factor(f)) {
			strvec_push_owned(&cand, f);
		} else {
			if ((ver = explicit_version(f, n)))
				strvec_push_owned(&cand, ver);
			free(f);
		}
		if (!d)
			break;
		p = d + 1;
	}
	if (cand.n > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < cand.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", cand.v[i]);
		*conflict = strbuf_detach(&sb);
	} else if (cand.n == 1) {
		res = xstrdup(cand.v[0]);
	}
	strvec_clear(&cand);
	return res;
}

char *pyspec_from_env_tox3(const char *env)
{
	struct strvec factors = STRVEC_INIT;
	char *res = NULL;

	env_factors(env, &factors);
	for (size_t i = 0; i < factors.n && !res; i++) {
		const char *f = factors.v[i], *base, *ver;
		/* ^(?!py$)(py|pypy|jython)([2-9][0-9]?[0-9]?)?$ */
		if (strncmp(f, "jython", 6) == 0) {
			base = "jython";
			ver = f + 6;
		} else if (strncmp(f, "pypy", 4) == 0) {
			base = "pypy";
			ver = f + 4;
		} else if (strncmp(f, "py", 2) == 0) {
			base = "python";
			ver = f + 2;
		} else {
			continue;
		}
		if (strcmp(f, "py") == 0)
			continue;
		size_t n = strlen(ver);
		if (n > 3 || (n && (ver[0] < '2' || ver[0] > '9')))
			continue;
		int ok = 1;
		for (size_t k = 0; k < n; k++)
			ok &= isdigit((unsigned char)ver[k]) != 0;
		if (!ok)
			continue;
		if (n == 0)
			res = xstrdup(base);
		else if (n == 1)
			res = xasprintf("%s%s", base, ver);
		else
			res = xasprintf("%s%c.%s", base, ver[0], ver + 1);
	}
	strvec_clear(&factors);
	return res;
}

int pyspec_conflict(const struct pyspec *name, const struct pyspec *base)
{
	if (name->is_path || base->is_path)
		return 0;
	if (*name->impl && strcmp(name->impl, base->impl) != 0)
		return 1;
	if (name->major >= 0 && name->major != base->major)
		return 1;
	if (name->minor >= 0 && name->minor != base->minor)
		return 1;
	if (name->micro >= 0 && name->micro != base->micro)
		return 1;
	if (name->arch && name->arch != base->arch)
		return 1;
	if (*name->machine && strcmp(name->machine, base->machine) != 0)
		return 1;
	if (name->free_threaded >= 0 && name->free_threaded != base->free_threaded)
		return 1;
	if (name->debug >= 0 && name->debug != base->debug)
		return 1;
	return 0;
}
