#ifndef BLITZ_UTIL_JSON_H
#define BLITZ_UTIL_JSON_H

#include <stdio.h>

/* s as a JSON string, quoted and escaped, to f. */
void json_string(FILE *f, const char *s);

#endif
