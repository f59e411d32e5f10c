/*
 * toml-json FILE: read FILE with blitz's TOML parser and print it as
 * toml-test's tagged JSON (tables as objects, arrays as arrays, every other
 * value as {"type": ..., "value": "..."}), keys in document order. A file the
 * parser rejects gives its diagnostic ("FILE:LINE:COL: message") on stderr
 * and exit status 1; a file that cannot be read, status 2.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/config/diag.h"
#include "../../src/config/toml.h"
#include "../../src/util/util.h"

static void json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void tagged(const char *type, const char *value)
{
	printf("{\"type\": \"%s\", \"value\": ", type);
	json_string(value, strlen(value));
	putchar('}');
}

static void value(const struct toml_value *v);

static void table(const struct toml_table *t)
{
	putchar('{');
	for (size_t i = 0; i < toml_table_len(t); i++) {
		const struct toml_kv *kv = toml_table_at(t, i);
		if (i)
			fputs(", ", stdout);
		json_string(kv->key, kv->keylen);
		fputs(": ", stdout);
		value(&kv->value);
	}
	putchar('}');
}

static void value(const struct toml_value *v)
{
	char buf[64];

	switch (v->type) {
	case TOML_TABLE:
		table(v->u.tab);
		break;
	case TOML_ARRAY:
		putchar('[');
		for (size_t i = 0; i < toml_array_len(v); i++) {
			if (i)
				fputs(", ", stdout);
			value(toml_array_at(v, i));
		}
		putchar(']');
		break;
	case TOML_STRING:
		fputs("{\"type\": \"string\", \"value\": ", stdout);
		json_string(v->u.str.ptr, v->u.str.len);
		putchar('}');
		break;
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", v->u.i);
		tagged("integer", buf);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f.d))
			snprintf(buf, sizeof(buf), "nan");
		else if (isinf(v->u.f.d))
			snprintf(buf, sizeof(buf), "%sinf", v->u.f.d < 0 ? "-" : "");
		else
			snprintf(buf, sizeof(buf), "%.17g", v->u.f.d);
		tagged("float", buf);
		break;
	case TOML_BOOL:
		tagged("bool", v->u.b ? "true" : "false");
		break;
	case TOML_DATETIME:
		tagged("datetime", v->u.dt->text);
		break;
	case TOML_DATETIME_LOCAL:
		tagged("datetime-local", v->u.dt->text);
		break;
	case TOML_DATE_LOCAL:
		tagged("date-local", v->u.dt->text);
		break;
	case TOML_TIME_LOCAL:
		tagged("time-local", v->u.dt->text);
		break;
	}
}

int main(int argc, char **argv)
{
	struct toml_doc doc;
	struct diag d;
	size_t len;
	char *text;

	if (argc != 2) {
		fprintf(stderr, "usage: toml-json FILE\n");
		return 2;
	}
	text = read_file(argv[1], &len);
	if (!text) {
		fprintf(stderr, "toml-json: cannot read '%s': %s\n", argv[1], strerror(errno));
		return 2;
	}
	memset(&d, 0, sizeof(d));
	if (toml_parse(&doc, argv[1], text, len, &d) < 0) {
		char *msg = diag_format(&d);
		fprintf(stderr, "%s\n", msg);
		free(msg);
		toml_release(&doc);
		free(text);
		return 1;
	}
	table(doc.root);
	putchar('\n');
	toml_release(&doc);
	free(text);
	return 0;
}
