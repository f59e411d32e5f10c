#ifndef BLITZ_PYVALUE_H
#define BLITZ_PYVALUE_H

#include <stddef.h>
#include <stdio.h>

#include "../util/strvec.h"

/* A value as tox holds it: its Python type decides how it prints. */
enum pv_kind {
	PV_STR,		/* s */
	PV_BOOL,	/* i: 0 or 1 */
	PV_INT,		/* i */
	PV_FLOAT,	/* f */
	PV_LIST,	/* a, one item each */
	PV_MAP,		/* a keys, b values */
	PV_LISTMAP,	/* a keys, b values that are lists joined with '\n' ([tox] labels) */
	PV_ERROR,	/* s: why the value could not be computed */
};

struct pyvalue {
	enum pv_kind kind;
	char *s;
	long i;
	double f;
	struct strvec a, b;
};

/* Free what v owns. */
void pyvalue_release(struct pyvalue *v);

/*
 * Write "key = value" as tox config's text does: a list, map or text of
 * several lines as "key =" and then each line indented by two spaces
 * (lines of only whitespace unindented, as textwrap.indent leaves them).
 */
void pyvalue_text(FILE *f, const char *key, const struct pyvalue *v);

/* Write v as json.dumps(..., indent=2) does when v is depth spaces deep (an error as {"error": ...}). */
void pyvalue_json(FILE *f, const struct pyvalue *v, int depth);

/* Write s as a JSON string as Python does (ensure_ascii: every non-ASCII character as \uXXXX). */
void pyjson_string(FILE *f, const char *s);

/* Write a list of strings as json.dumps(..., indent=2) does, depth spaces deep. */
void pyjson_list(FILE *f, const struct strvec *a, int depth);

/* Write n spaces. */
void pyjson_indent(FILE *f, int n);

/* Python's repr() of a float ("0.0", "0.3", "1e-05"), as tox prints its timeouts, into buf. */
void py_float_repr(double d, char *buf, size_t size);

#endif
