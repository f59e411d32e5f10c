#include "pyspec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (strcmp(sp->impl, "py") == 0 || strcmp(sp->impl, "python") == 0)
		strcpy(sp->impl, "cpython");
}

static int known_impl(const char *impl)
{
	static const char *const names[] = { "cpython", "pypy", "jython", "ironpython", "graalpy", "rustpython", NULL };

	if (!*impl)
		return 1;	/* no implementation named: "python" */
	for (int i = 0; names[i]; i++)
		if (strcmp(impl, names[i]) == 0)
			return 1;
	return 0;
}

char *pyspec_from_env_tox4(const char *env, char **conflict)
{
	struct strvec factors = STRVEC_INIT, cand = STRVEC_INIT;
	const char *p = env;
	char *res = NULL;

	*conflict = NULL;
	for (;;) {
		const char *d = strchr(p, '-');
		strvec_push_owned(&factors, xstrndup(p, d ? (size_t)(d - p) : strlen(p)));
		if (!d)
			break;
		p = d + 1;
	}
	for (size_t i = 0; i < factors.n; i++) {
		struct pyspec sp;
		pyspec_parse(factors.v[i], &sp);
		/* "py" alone names no version: tox does not read it as an interpreter */
		if (!sp.is_path && known_impl(sp.impl) && *factors.v[i] && strcmp(factors.v[i], "py") != 0)
			strvec_push(&cand, factors.v[i]);
	}
	if (cand.n > 1) {
		struct strvec *c = &cand;
		size_t len = 0;
		for (size_t i = 0; i < c->n; i++)
			len += strlen(c->v[i]) + 2;
		*conflict = xcalloc(len + 1, 1);
		for (size_t i = 0; i < c->n; i++) {
			if (i)
				strcat(*conflict, ", ");
			strcat(*conflict, c->v[i]);
		}
	} else if (cand.n == 1) {
		res = xstrdup(cand.v[0]);
	}
	strvec_clear(&factors);
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
		/* ^(?!py$)(py|pypy|jy)([2-9][0-9]?[0-9]?)?$ */
		if (strncmp(f, "pypy", 4) == 0) {
			base = "pypy";
			ver = f + 4;
		} else if (strncmp(f, "py", 2) == 0) {
			base = "python";
			ver = f + 2;
		} else if (strncmp(f, "jy", 2) == 0) {
			base = "jy";
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

int pyspec_conflict(const struct pyspec *a, const struct pyspec *b)
{
	if (a->is_path || b->is_path)
		return 0;
	if (*a->impl && *b->impl && strcmp(a->impl, b->impl) != 0)
		return 1;
	if (a->major >= 0 && b->major >= 0 && a->major != b->major)
		return 1;
	if (a->minor >= 0 && b->minor >= 0 && a->minor != b->minor)
		return 1;
	if (a->micro >= 0 && b->micro >= 0 && a->micro != b->micro)
		return 1;
	if (a->arch && b->arch && a->arch != b->arch)
		return 1;
	return 0;
}
