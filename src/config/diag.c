#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"

int diag_set(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return -1;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return -1;
}

char *diag_format(const struct diag *d)
{
	if (d->line && d->col)
		return xasprintf("%s:%d:%d: %s", d->file, d->line, d->col, d->msg);
	if (d->line)
		return xasprintf("%s:%d: %s", d->file, d->line, d->msg);
	if (d->file[0])
		return xasprintf("%s: %s", d->file, d->msg);
	return xstrdup(d->msg);
}
