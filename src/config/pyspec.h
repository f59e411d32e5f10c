#ifndef BLITZ_PYSPEC_H
#define BLITZ_PYSPEC_H

/*
 * Interpreter specs as tox writes them: "py311", "py3.11", "python3.12",
 * "pypy310", "cpython3.11-64", or a path.
 */
struct pyspec {
	char impl[32];		/* lower-cased; "" when absent or py/python (any implementation) */
	int major, minor, micro;	/* -1 when absent */
	int arch;		/* 32, 64, or 0 */
	int is_path;		/* not a spec: taken as a path or command name */
};

/* Parse s as virtualenv's PythonSpec.from_string_spec() does. */
void pyspec_parse(const char *s, struct pyspec *sp);

/*
 * The base python tox 4 implies from an env name: the one factor that names an
 * interpreter ("py311", "pypy3"). Returns a new string, NULL when no factor
 * does; *conflict is set (and NULL returned) when two factors do.
 */
char *pyspec_from_env_tox4(const char *env, char **conflict);

/* tox 3's: "py311" -> "python3.11", "pypy3" -> "pypy3", never "py" alone. NULL when none. */
char *pyspec_from_env_tox3(const char *env);

/*
 * Return 1 when base (a configured base_python) disagrees with name (the spec
 * an env name implies) on a field the name sets: implementation, major,
 * minor, micro, architecture. "python3" conflicts with py311: the name sets
 * a minor version that base does not match.
 */
int pyspec_conflict(const struct pyspec *name, const struct pyspec *base);

#endif
