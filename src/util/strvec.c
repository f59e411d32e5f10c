#include "strvec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void strvec_push_owned(struct strvec *sv, char *s)
{
	sv->v = xgrow(sv->v, &sv->alloc, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_owned(sv, xstrdup(s));
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_sort(struct strvec *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_strings);
}

void strvec_insert(struct strvec *sv, size_t at, const char *s)
{
	strvec_push(sv, s);
	if (at < sv->n - 1) {
		char *w = sv->v[sv->n - 1];
		memmove(&sv->v[at + 1], &sv->v[at], (sv->n - 1 - at) * sizeof(*sv->v));
		sv->v[at] = w;
	}
}

void strvec_remove(struct strvec *sv, size_t at)
{
	free(sv->v[at]);
	memmove(&sv->v[at], &sv->v[at + 1], (sv->n - at) * sizeof(*sv->v));	/* the NULL too */
	sv->n--;
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	strvec_push_owned(sv, p);
}

long strvec_find(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return (long)i;
	return -1;
}

void strvec_extend(struct strvec *sv, const struct strvec *src)
{
	for (size_t i = 0; i < src->n; i++)
		strvec_push(sv, src->v[i]);
}

void strvec_split(struct strvec *sv, const char *s, const char *seps, int unique)
{
	while (*s) {
		size_t n = strcspn(s, seps);
		const char *a = s, *b = s + n;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (a < b) {
			char *piece = xstrndup(a, (size_t)(b - a));
			if (unique && strvec_find(sv, piece) >= 0)
				free(piece);
			else
				strvec_push_owned(sv, piece);
		}
		s += n + (s[n] != '\0');
	}
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}
