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
	int free_threaded;	/* "3.13t": 1; a version without 't': 0; no version: -1 (any) */
	int debug;		/* "3.13d" (or -dbg, -debug): 1; else -1 (any) */
	char machine[32];	/* "-x86_64", "-arm64" (normalised); "" when absent */
};

/* Parse s as python-discovery's PythonSpec.from_string_spec() (tox 4.58) does. */
void pyspec_parse(const char *s, struct pyspec *sp);

/*
 * The base python tox 4.58 implies from an env name: the whole name when it is
 * a version ("3.12", "3.13t", "cpython-3.12" -> "3.12", "pypy-3.10" ->
 * "pypy3.10"), else the one factor that names an interpreter ("py311",
 * "py313t", "pypy3", "graalpy311", "3.8"). Returns a new string, NULL when no
 * factor does; *conflict is set (the factors, ", "-separated; NULL returned)
 * when two factors do.
 */
char *pyspec_from_env_tox4(const char *env, char **conflict);

/* tox 3's: "py311" -> "python3.11", "pypy3" -> "pypy3", never "py" alone. NULL when none. */
char *pyspec_from_env_tox3(const char *env);

/*
 * Return 1 when base (a configured base_python) disagrees with name (the spec
 * an env name implies) on a field the name sets: implementation, major,
 * minor, micro, architecture, machine, free-threading, debug build.
 * "python3" conflicts with py311: the name sets a minor version that base
 * does not match; "python3.13" conflicts with py313t.
 */
int pyspec_conflict(const struct pyspec *name, const struct pyspec *base);

#endif
