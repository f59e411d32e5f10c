#include "pyspec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"
#include "factor.h"

void pyspec_parse(const char *s, struct pyspec *sp)
{
	const char *p = s, *v;
	size_t n = 0;
	int nums[3] = { -1, -1, -1 }, count = 0;

	memset(sp, 0, sizeof(*sp));
	sp->major = sp->minor = sp->micro = -1;
	if (*s == '/') {
		sp->is_path = 1;
		return;
	}
	while (isalpha((unsigned char)*p)) {
		if (n + 1 < sizeof(sp->impl))
			sp->impl[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	sp->impl[n] = '\0';
	v = p;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (*p == '-' && ((p[1] == '3' && p[2] == '2') || (p[1] == '6' && p[2] == '4')) && !p[3]) {
		sp->arch = atoi(p + 1);
		p += 3;
	}
	if (*p || n >= sizeof(sp->impl) - 1) {
		sp->is_path = 1;
		sp->impl[0] = '\0';
		return;
	}
	if (p > v) {
		/* "3.11" -> 3, 11; "311" -> 3, 11; "3" -> 3 */
		char buf[64];
		size_t len = (size_t)(p - v) - (sp->arch ? 3 : 0);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, v, len);
		buf[len] = '\0';
		if (strchr(buf, '.')) {
			char *tok = buf, *dot;
			while (tok && count < 4) {
				dot = strchr(tok, '.');
				if (dot)
					*dot = '\0';
				if (*tok) {
					if (count == 3) {
						sp->is_path = 1;
						sp->impl[0] = '\0';
						return;
					}
					nums[count++] = atoi(tok);
				}
				tok = dot ? dot + 1 : NULL;
			}
		} else if (len > 1) {
			nums[0] = buf[0] - '0';
			nums[1] = atoi(buf + 1);
		} else if (len == 1) {
			nums[0] = buf[0] - '0';
		}
		sp->major = nums[0];
		sp->minor = nums[1];
		sp->micro = nums[2];
	}
	/* virtualenv reads py/python as "any implementation" */
	if (strcmp(sp->impl, "py") == 0 || strcmp(sp->impl, "python") == 0)
		sp->impl[0] = '\0';
}

/* tox 4's ^(?!py$)(py|pypy|cpython|jython|rustpython|ironpython)([2-9]\.?[0-9]?[0-9]?)?$ */
static int tox4_python_factor(const char *f)
{
	static const char *const impls[] = { "pypy", "py", "cpython", "jython", "rustpython", "ironpython", NULL };

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
		if (!*v)
			return 1;
	}
	return 0;
}

char *pyspec_from_env_tox4(const char *env, char **conflict)
{
	struct strvec cand = STRVEC_INIT;
	const char *p = env;
	char *res = NULL;

	*conflict = NULL;
	for (;;) {
		const char *d = strchr(p, '-');
		char *f = xstrndup(p, d ? (size_t)(d - p) : strlen(p));
		if (tox4_python_factor(f))
			strvec_push_owned(&cand, f);
		else
			free(f);
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
	return 0;
}
