#ifndef BLITZ_DIAG_H
#define BLITZ_DIAG_H

/*
 * A parser's diagnostic: where in a user's file something is wrong and what to
 * do. Parsers fill one and return -1; only the front end prints it, as
 * "FILE:LINE:COL: MSG".
 */
struct diag {
	char file[512];
	int line;		/* 1-based; 0 when unknown */
	int col;		/* 1-based; 0 when unknown */
	char msg[512];
};

/* Fill d with a formatted message at file:line:col; returns -1 so parsers can `return diag_set(...)`. */
int diag_set(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Format d as "file:line:col: msg" into a newly allocated string the caller frees. */
char *diag_format(const struct diag *d);

#endif
