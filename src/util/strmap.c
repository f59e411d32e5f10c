#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t slot(const struct strmap *m, const char *key, size_t len)
{
	size_t i = (size_t)hash(key, len) & (m->cap - 1);

	while (m->keys[i] && !(m->lens[i] == len && memcmp(m->keys[i], key, len) == 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

int strmap_get(const struct strmap *m, const char *key, size_t len)
{
	size_t i;

	if (!m->cap)
		return -1;
	i = slot(m, key, len);
	return m->keys[i] ? m->vals[i] : -1;
}

static void grow(struct strmap *m)
{
	struct strmap bigger = { NULL, NULL, NULL, 0, m->cap ? m->cap * 2 : 64 };

	bigger.keys = xcalloc(bigger.cap, sizeof(char *));
	bigger.lens = xcalloc(bigger.cap, sizeof(size_t));
	bigger.vals = xcalloc(bigger.cap, sizeof(int));
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			size_t j = slot(&bigger, m->keys[i], m->lens[i]);
			bigger.keys[j] = m->keys[i];
			bigger.lens[j] = m->lens[i];
			bigger.vals[j] = m->vals[i];
			bigger.n++;
		}
	free(m->keys);
	free(m->lens);
	free(m->vals);
	*m = bigger;
}

int strmap_intern(struct strmap *m, const char *key, size_t len)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	i = slot(m, key, len);
	if (!m->keys[i]) {
		m->keys[i] = xstrndup(key, len);
		m->lens[i] = len;
		m->vals[i] = (int)m->n++;
	}
	return m->vals[i];
}

int strmap_add(struct strmap *m, const char *key)
{
	size_t before = m->n;

	strmap_intern(m, key, strlen(key));
	return m->n > before;
}

void strmap_clear(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
