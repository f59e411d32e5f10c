#include "shlex.h"

#include <ctype.h>
#include <string.h>

#include "../util/strbuf.h"
#include "../util/strvec.h"
#include "../util/util.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int shlex_split(const char *s, struct strvec *out, int flags, size_t *rest_at)
{
	int no_escape = flags & SHLEX_NO_ESCAPE;
	struct strbuf tok = STRBUF_INIT;
	size_t i = 0, n = strlen(s), after_last = 0;

	for (;;) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n)
			break;
		if ((flags & SHLEX_COMMENTS) && s[i] == '#') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		strbuf_reset(&tok);
		while (i < n && !is_space(s[i])) {
			char c = s[i];
			if (c == '\\' && !no_escape) {
				if (i + 1 >= n)
					goto unterminated;
				strbuf_addch(&tok, s[i + 1]);
				i += 2;
			} else if (c == '\'' || c == '"') {
				i++;
				for (;;) {
					if (i >= n)
						goto unterminated;
					if (s[i] == c) {
						i++;
						break;
					}
					if (c == '"' && s[i] == '\\' && !no_escape) {
						if (i + 1 >= n)
							goto unterminated;
						if (s[i + 1] != '"' && s[i + 1] != '\\')
							strbuf_addch(&tok, '\\');
						strbuf_addch(&tok, s[i + 1]);
						i += 2;
						continue;
					}
					strbuf_addch(&tok, s[i++]);
				}
			} else if ((flags & SHLEX_COMMENTS) && c == '#') {
				while (i < n && s[i] != '\n')
					i++;
				break;
			} else {
				strbuf_addch(&tok, c);
				i++;
			}
		}
		strvec_push(out, strbuf_str(&tok));
		/* shlex consumes the whitespace character that ends a word */
		after_last = i < n ? i + 1 : i;
	}
	strbuf_release(&tok);
	if (rest_at)
		*rest_at = n;
	return 0;
unterminated:
	strbuf_release(&tok);
	if (rest_at)
		*rest_at = after_last;
	return -1;
}

char *shlex_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	int safe = *s != '\0';

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!(isalnum(c) || c == '_' || strchr("@%+=:,./-", c))) {
			safe = 0;
			break;
		}
	}
	if (safe)
		return xstrdup(s);
	strbuf_addch(&sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			strbuf_adds(&sb, "'\"'\"'");
		else
			strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '\'');
	return strbuf_detach(&sb);
}
