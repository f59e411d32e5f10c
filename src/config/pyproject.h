#ifndef BLITZ_PYPROJECT_H
#define BLITZ_PYPROJECT_H

#include <stddef.h>

struct strvec;
struct diag;

/*
 * What tox reads of a project's pyproject.toml besides its own configuration.
 */

/* The first n bytes of name as PEP 503 normalises a project's name: lower case, each run of "-_." one "-" (allocated). */
char *pyname_normalise(const char *name, size_t n);

/*
 * The requirements of the dependency groups (PEP 735) named in groups, from
 * ROOT/pyproject.toml's [dependency-groups], as tox 4 resolves them:
 * names compared normalised (PEP 503), {include-group = "x"} followed
 * (a cycle is an error), and an entry naming the project itself with extras
 * (name[extra]) replaced by those extras' [project.optional-dependencies];
 * appended to out sorted and without repeats. No groups asked, or no
 * pyproject.toml: nothing, 0. Returns -1 with d filled (file:line:col when
 * the file says where) for a file that cannot be read, no
 * [dependency-groups] table, a group that does not exist, or a cycle.
 */
int pyproject_dependency_groups(const char *root, const struct strvec *groups, struct strvec *out, struct diag *d);

#endif
