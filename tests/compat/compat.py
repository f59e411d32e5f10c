#!/usr/bin/env python3
"""blitz compatibility suite: blitz against what real tox printed for real tox.ini files.

usage: python3 tests/compat/compat.py --blitz ./blitz [--corpus DIR] [-v] [--only NAME]

The corpus (../shared/corpus/toxini from the repository root, or --corpus, or $BLITZ_CORPUS)
holds one folder per project: the config file and, under expected/, what tox 3.28 and
tox 4.58 printed for it (the corpus also keeps tox 4.11's outputs, *.tox4.*: blitz follows
4.58, the *.tox4latest.* files) (see the corpus README for every format). The corpus is read where
it lies; nothing is copied.

For every folder the suite runs blitz the way the corpus was made (clean environment, a
scratch HOME, a scratch working directory, `-c <folder>/tox.ini`), turns machine paths in
blitz's output into the corpus placeholders (@TOXINIDIR@, @HOME@, <python3>) and compares:

  tox4 mode (blitz's default semantics), against the tox 4.58 outputs
    list     `blitz -c F list`        vs envlist.tox4latest.txt
    all      `blitz -c F list --all`  vs all.tox4latest.txt
    config:<env>:<key>  `blitz -c F config -e ENV -k deps commands set_env base_python
             --hashseed 1234` vs config-<env>.tox4latest.txt, one check per key
  tox3 mode (`blitz --tox3 ...`), against the tox 3.28 outputs
    list, all  vs envlist.txt, all.txt
    config:<env>:<key>  `blitz --tox3 -c F config -e ENV --hashseed 1234 --json` vs
             resolved-<env>.tox3.json for deps, commands, commands_pre, commands_post,
             setenv, basepython and passenv (compared as a set)

Where tox rejected the file (the expected output is a `*.error.txt` capture) blitz must
reject it too: exit status 2 and a `FILE:LINE:COL: message` line on stderr. For a rejected
config the check is named `config:<env>` (there are no keys to compare).

A mismatch listed in tests/compat/known-differences.txt is "explained" and does not fail
the suite; an entry there that explains nothing any more is "stale" and does fail it.

Output: a per-project table, a compact diff for each unexplained mismatch, and the final
line `N passed, N failed` (explained mismatches count as passed). Exit status 0 when
nothing failed, 1 when something did, 2 on a usage error.
"""

import argparse
import concurrent.futures
import dataclasses
import difflib
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "toxini"
KNOWN_DIFFERENCES = Path(__file__).resolve().with_name("known-differences.txt")

# The interpreter the corpus calls <python3>: Debian's python3, the one that ran tox.
DEBIAN_PYTHON = "/usr/bin/python3"

# The tox 4 outputs compared: tox 4.58.0's (the corpus's *.tox4.* files are tox 4.11.4's).
TOX4_SUFFIX = ".tox4latest"

# The keys the corpus asked tox 4 for, in the order tox 4 prints them.
TOX4_KEYS = ("deps", "commands", "set_env", "base_python")
# The keys of tox3_resolve.py's JSON that the suite compares.
TOX3_KEYS = ("deps", "commands", "commands_pre", "commands_post", "setenv", "basepython", "passenv")
# Keys whose order carries no meaning (tox 3 keeps passenv in a set).
TOX3_SET_KEYS = ("passenv",)

HASHSEED = "1234"
MODES = ("tox4", "tox3")
DEFAULT_TIMEOUT_SECONDS = 60   # per blitz run; a run that takes longer fails

# How much of a mismatch the report shows.
DIFF_LINES = 15           # diff lines per mismatch (verbose: VERBOSE_DIFF_LINES)
VERBOSE_DIFF_LINES = 200
MAX_LINE_CHARS = 200      # longer diff lines are cut
OUTPUT_HEAD_LINES = 5     # lines of blitz's stdout/stderr quoted when it misbehaves
MAX_FAILURES_SHOWN = 40   # mismatches reported in detail (verbose: all)

# blitz's error format: `FILE:LINE:COL: message`.
ERROR_LINE = re.compile(r"^.+:\d+:\d+: \S")
# A key line in tox 4's `config` output: `key = value`, `key = ` (empty) or `key =`
# (items follow, indented by two spaces).
TOX4_KEY_LINE = re.compile(r"^(\S+) =(?: |$)")


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Project:
    """One corpus folder."""
    name: str        # the folder's name, e.g. pypa__pip__fe3aec0f5e
    folder: Path     # absolute path of the folder (its tox.ini's {toxinidir})
    config: Path     # tox.ini, or setup.cfg for a [tox:tox] config
    stubbed: bool    # tox ran with plugin stubs on PYTHONPATH (NOTES has a STUBS section)

    @property
    def expected(self) -> Path:
        return self.folder / "expected"


@dataclasses.dataclass(frozen=True)
class Expected:
    """What tox printed for one command: its stdout, or None where tox rejected the file."""
    path: Path
    text: Optional[str]

    @property
    def rejected(self) -> bool:
        return self.text is None


def find_projects(corpus: Path) -> List[Project]:
    projects = []
    for folder in sorted(corpus.iterdir(), key=lambda p: p.name.lower()):
        if not (folder / "expected").is_dir():
            continue  # tools/, README.md
        notes = folder / "expected" / "NOTES"
        stubbed = notes.is_file() and any(line.startswith("STUBS:") for line in
                                          notes.read_text(encoding="utf-8").splitlines())
        for config_name in ("tox.ini", "setup.cfg"):
            if (folder / config_name).is_file():
                projects.append(Project(folder.name, folder.absolute(), folder.absolute() / config_name, stubbed))
                break
    return projects


def read_expected(directory: Path, accepted_name: str, rejected_name: str) -> Optional[Expected]:
    """The expected output of one command, None if the corpus did not run it.

    A successful command's stdout is kept as `accepted_name`; a failed one's as
    `rejected_name` (its content is tox's own noise, only its presence matters)."""
    if (directory / accepted_name).is_file():
        return Expected(directory / accepted_name, (directory / accepted_name).read_text(encoding="utf-8"))
    if (directory / rejected_name).is_file():
        return Expected(directory / rejected_name, None)
    return None


def expected_envs(directory: Path, prefix: str, suffixes: Sequence[str]) -> List[str]:
    """Env names of the per-env expected files, e.g. config-<env>.tox4latest.txt."""
    envs = set()
    for path in directory.iterdir():
        for suffix in suffixes:
            name = path.name
            if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
                envs.add(name[len(prefix):-len(suffix)])
    return sorted(envs)


# --------------------------------------------------------------------------------------
# Running blitz
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class RunResult:
    command: str                  # shown in failure reports, ready to paste into a shell
    returncode: Optional[int]     # None if blitz could not be run or timed out
    stdout: str = ""
    stderr: str = ""
    problem: Optional[str] = None  # why there is no return code


class Runner:
    """Runs blitz as the corpus ran tox: clean environment, scratch HOME and cwd."""

    def __init__(self, blitz: Path, scratch: Path, timeout: float):
        self.blitz = blitz
        self.timeout = timeout
        self.home = scratch / "home"
        self.cwd = scratch / "cwd"
        self.stubs = scratch / "stubs"
        for folder in (self.home, self.cwd, self.stubs):
            folder.mkdir()

    def environment(self, project: Project) -> Dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0",
        }
        # Where a [tox] requires named a missing plugin, the corpus ran tox with a stub of
        # it on PYTHONPATH. That shows: tox 3 expands `passenv = *` to the names of the
        # variables it saw (twisted's passenv has PYTHONPATH). Give blitz the same variable.
        if project.stubbed:
            env["PYTHONPATH"] = str(self.stubs)
        return env

    def run(self, project: Project, args: Sequence[str]) -> RunResult:
        argv = [str(self.blitz), *args]
        command = " ".join(shell_quote(a) for a in argv)
        try:
            proc = subprocess.run(argv, cwd=self.cwd, env=self.environment(project), stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return RunResult(command, None, problem=f"timed out after {self.timeout:g} s")
        except OSError as err:
            return RunResult(command, None, problem=f"could not run blitz: {err}")
        return RunResult(command, proc.returncode,
                         proc.stdout.decode("utf-8", "backslashreplace"),
                         proc.stderr.decode("utf-8", "backslashreplace"))

    def placeholders(self, project: Project) -> List[Tuple[str, str]]:
        """(machine path, corpus placeholder) pairs, longest path first so that a path
        inside another one is replaced before it."""
        pairs = {}
        for path in (str(project.folder), os.path.realpath(project.folder)):
            pairs[path] = "@TOXINIDIR@"
        for path in (str(self.home), os.path.realpath(self.home)):
            pairs[path] = "@HOME@"
        pairs[str(self.stubs)] = "<stubs>"
        pairs[DEBIAN_PYTHON] = "<python3>"
        return sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)


def shell_quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\"'\"'") + "'"


def to_placeholders(text: str, pairs: Sequence[Tuple[str, str]]) -> str:
    for path, placeholder in pairs:
        text = text.replace(path, placeholder)
    return text


def json_to_placeholders(value, pairs: Sequence[Tuple[str, str]]):
    """to_placeholders() applied to every string (keys too) inside a parsed JSON value."""
    if isinstance(value, str):
        return to_placeholders(value, pairs)
    if isinstance(value, list):
        return [json_to_placeholders(item, pairs) for item in value]
    if isinstance(value, dict):
        return {to_placeholders(k, pairs): json_to_placeholders(v, pairs) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class Check:
    """The outcome of one comparison: the unit counted in `N passed, N failed`."""
    project: str
    mode: str                      # "tox4" or "tox3"
    name: str                      # "list", "all", "config:<env>" or "config:<env>:<key>"
    passed: bool
    command: str = ""              # the blitz command behind it
    detail: Tuple[str, ...] = ()   # why it failed: a message and/or a unified diff
    explained_by: Optional["KnownDifference"] = None

    @property
    def failed(self) -> bool:
        return not self.passed and self.explained_by is None


def output_lines(text: str) -> List[str]:
    """Lines of a command's output; the final newline ends the last line, it does not
    start an empty one. Only "\\n" separates lines (tox values may hold other breaks)."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def head(label: str, text: str) -> List[str]:
    """The first lines of blitz's stdout or stderr, for failure messages."""
    lines = output_lines(text)
    if not lines:
        return [f"{label}: (empty)"]
    shown = [f"{label}: {line}" for line in lines[:OUTPUT_HEAD_LINES]]
    if len(lines) > OUTPUT_HEAD_LINES:
        shown.append(f"{label}: ... ({len(lines) - OUTPUT_HEAD_LINES} more lines)")
    return shown


def run_problem(result: RunResult) -> Optional[List[str]]:
    """Why a run that should have succeeded cannot be compared, or None if it can."""
    if result.problem:
        return [result.problem]
    if result.returncode != 0:
        return [f"blitz exited {result.returncode}, but tox accepted this"] + head("stderr", result.stderr)
    return None


def rejection_problem(result: RunResult, expected: Expected) -> Optional[List[str]]:
    """Why a run does not count as rejecting the file as tox did, or None if it does."""
    if result.problem:
        return [result.problem]
    stderr_lines = output_lines(result.stderr)
    if result.returncode == 2 and any(ERROR_LINE.match(line) for line in stderr_lines):
        return None
    why = [f"tox rejected this ({expected.path.name}); blitz exited {result.returncode}"]
    if result.returncode == 2:
        why.append("and printed no `FILE:LINE:COL: message` line on stderr")
    return why + head("stderr", result.stderr) + (head("stdout", result.stdout) if result.returncode == 0 else [])


def unified_diff(expected: Sequence[str], actual: Sequence[str], expected_label: str) -> Tuple[str, ...]:
    """A unified diff with one line of context. Whitespace at the end of a line is made
    visible with a `$` (as `cat -A` does), since a diff cannot show it otherwise."""
    marked = set()

    def visible(lines: Sequence[str]) -> List[str]:
        shown = []
        for line in lines:
            if line[-1:].isspace():
                line += "$"
                marked.add(line)
            shown.append(line)
        return shown

    diff = list(difflib.unified_diff(visible(expected), visible(actual),
                                     fromfile=f"expected ({expected_label})", tofile="blitz", n=1, lineterm=""))
    if any(line[1:] in marked for line in diff[2:]):
        diff.append("($ marks the end of a line that ends in whitespace)")
    return tuple(diff)


def compare_lines(project: Project, mode: str, name: str, command: str,
                  expected: Sequence[str], actual: Sequence[str], expected_label: str) -> Check:
    if list(expected) == list(actual):
        return Check(project.name, mode, name, True, command)
    return Check(project.name, mode, name, False, command, unified_diff(expected, actual, expected_label))


def blitz_args(project: Project, mode: str, *args: str) -> List[str]:
    return (["--tox3"] if mode == "tox3" else []) + ["-c", str(project.config), *args]


def rejection_check(project: Project, mode: str, name: str, result: RunResult, expected: Expected) -> Check:
    """The one check made where tox rejected the file: blitz must reject it too."""
    problem = rejection_problem(result, expected)
    return Check(project.name, mode, name, problem is None, result.command, tuple(problem or ()))


def check_list(runner: Runner, project: Project, mode: str, which: str) -> List[Check]:
    """`list` (default envlist) or `all` (`list --all`) in one mode."""
    stem = {"list": "envlist", "all": "all"}[which] + (TOX4_SUFFIX if mode == "tox4" else "")
    expected = read_expected(project.expected, f"{stem}.txt", f"{stem}.error.txt")
    if expected is None:
        return []
    result = runner.run(project, blitz_args(project, mode, "list", *(["--all"] if which == "all" else [])))
    if expected.rejected:
        return [rejection_check(project, mode, which, result, expected)]
    problem = run_problem(result)
    if problem:
        return [Check(project.name, mode, which, False, result.command, tuple(problem))]
    actual = output_lines(to_placeholders(result.stdout, runner.placeholders(project)))
    return [compare_lines(project, mode, which, result.command, output_lines(expected.text), actual,
                          expected.path.name)]


def parse_tox4_config(text: str, env: str) -> Dict[str, List[str]]:
    """Split tox 4 `config` output for one env into {key: the key's lines}.

    The output is a `[testenv:ENV]` header, then per key either `key = value` or `key =`
    followed by one item per line, indented by two spaces. tox indents every non-blank
    item line, so a line that starts in column 0 with `word =` always starts a key.
    A key's lines are kept as printed, so that the comparison is exact and its diff
    readable. Raises ValueError if the text does not have this shape."""
    lines = output_lines(text)
    header = f"[testenv:{env}]"
    if not lines or lines[0] != header:
        first = repr(lines[0]) if lines else "nothing"
        raise ValueError(f"output starts with {first}, not {header!r}")
    blocks: Dict[str, List[str]] = {}
    current = None
    for number, line in enumerate(lines[1:], start=2):
        match = TOX4_KEY_LINE.match(line)
        if match:
            current = match.group(1)
            if current in blocks:
                raise ValueError(f"line {number}: key {current!r} printed twice")
            blocks[current] = [line]
        elif current is None:
            raise ValueError(f"line {number}: {line!r} comes before any `key =` line")
        else:
            blocks[current].append(line)
    return blocks


def check_tox4_config(runner: Runner, project: Project, env: str) -> List[Check]:
    """`config -e ENV -k deps commands set_env base_python`, one check per key."""
    expected = read_expected(project.expected, f"config-{env}{TOX4_SUFFIX}.txt",
                             f"config-{env}{TOX4_SUFFIX}.error.txt")
    result = runner.run(project, blitz_args(project, "tox4", "config", "-e", env, "-k", *TOX4_KEYS,
                                            "--hashseed", HASHSEED))
    if expected.rejected:
        return [rejection_check(project, "tox4", f"config:{env}", result, expected)]

    def fail_all(why: List[str]) -> List[Check]:
        return [Check(project.name, "tox4", f"config:{env}:{key}", False, result.command, tuple(why))
                for key in TOX4_KEYS]

    problem = run_problem(result)
    if problem:
        return fail_all(problem)
    want = parse_tox4_config(expected.text, env)
    try:
        got = parse_tox4_config(to_placeholders(result.stdout, runner.placeholders(project)), env)
    except ValueError as err:
        return fail_all([f"cannot read blitz's output: {err}"] + head("stdout", result.stdout))
    missing = [key for key in TOX4_KEYS if key not in got]
    checks = []
    for key in TOX4_KEYS:
        name = f"config:{env}:{key}"
        if key in missing:
            checks.append(Check(project.name, "tox4", name, False, result.command,
                                (f"blitz printed no `key =` line for: {' '.join(missing)}",)))
        else:
            checks.append(compare_lines(project, "tox4", name, result.command, want[key], got[key],
                                        expected.path.name))
    return checks


def render_json(value) -> List[str]:
    """One line per list item or dict entry (sorted), each as JSON, for a readable diff."""
    if isinstance(value, dict):
        return [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                for k, v in sorted(value.items())] or ["{}"]
    if isinstance(value, list):
        return [json.dumps(item, ensure_ascii=False) for item in value] or ["[]"]
    return [json.dumps(value, ensure_ascii=False)]


def normalize_tox3(key: str, value):
    """tox 3 prints passenv from a set: compare it without order or duplicates."""
    if key in TOX3_SET_KEYS and isinstance(value, list):
        return sorted(set(value), key=str)
    return value


def check_tox3_config(runner: Runner, project: Project, env: str) -> List[Check]:
    """`--tox3 config -e ENV --json`, one check per key of TOX3_KEYS."""
    expected = read_expected(project.expected, f"resolved-{env}.tox3.json", f"resolved-{env}.tox3.error.txt")
    result = runner.run(project, blitz_args(project, "tox3", "config", "-e", env, "--hashseed", HASHSEED, "--json"))
    if expected.rejected:
        return [rejection_check(project, "tox3", f"config:{env}", result, expected)]

    def fail_all(why: List[str]) -> List[Check]:
        return [Check(project.name, "tox3", f"config:{env}:{key}", False, result.command, tuple(why))
                for key in TOX3_KEYS]

    problem = run_problem(result)
    if problem:
        return fail_all(problem)
    want = json.loads(expected.text)
    try:
        got = json.loads(result.stdout)
    except ValueError as err:
        return fail_all([f"blitz's output is not JSON: {err}"] + head("stdout", result.stdout))
    # The contract is one object with tox3_resolve.py's keys; an object holding it under
    # the env's name (the shape `config --json` takes for several envs) is accepted too.
    if isinstance(got, dict) and list(got) == [env] and isinstance(got[env], dict):
        got = got[env]
    if not isinstance(got, dict):
        return fail_all([f"blitz's output is a JSON {type(got).__name__}, not an object"])
    got = json_to_placeholders(got, runner.placeholders(project))
    missing = [key for key in TOX3_KEYS if key not in got]
    checks = []
    for key in TOX3_KEYS:
        name = f"config:{env}:{key}"
        if key in missing:
            checks.append(Check(project.name, "tox3", name, False, result.command,
                                (f"blitz's JSON lacks the key(s): {' '.join(missing)}",)))
            continue
        want_value, got_value = normalize_tox3(key, want[key]), normalize_tox3(key, got[key])
        if want_value == got_value:
            checks.append(Check(project.name, "tox3", name, True, result.command))
        else:
            diff = unified_diff(render_json(want_value), render_json(got_value), expected.path.name)
            checks.append(Check(project.name, "tox3", name, False, result.command,
                                diff or (f"values differ: expected {want_value!r}, blitz {got_value!r}",)))
    return checks


# --------------------------------------------------------------------------------------
# Known differences
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class KnownDifference:
    """One line of known-differences.txt: `<folder> <tox4|tox3> <check> <reason>`.
    folder and check may use shell wildcards (`*`, `?`), e.g. `config:*:base_python`."""
    lineno: int
    project: str
    mode: str
    check: str
    reason: str
    used: bool = False

    def matches(self, check: Check) -> bool:
        return (self.mode == check.mode and fnmatch.fnmatchcase(check.project, self.project)
                and fnmatch.fnmatchcase(check.name, self.check))

    def __str__(self) -> str:
        return f"{KNOWN_DIFFERENCES.name}:{self.lineno}: {self.project} {self.mode} {self.check}"


def load_known_differences(path: Path) -> List[KnownDifference]:
    """Blank lines and lines starting with `#` are ignored. Exits 2 on a malformed line."""
    entries = []
    if not path.exists():
        return entries
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(None, 3)
        if len(fields) < 4 or fields[1] not in MODES:
            print(f"compat: {path}:{lineno}: expected `<folder> <tox4|tox3> <check> <reason>`, got {line!r}",
                  file=sys.stderr)
            sys.exit(2)
        entries.append(KnownDifference(lineno, fields[0], fields[1], fields[2], fields[3].strip()))
    return entries


def apply_known_differences(checks: List[Check], entries: List[KnownDifference]) -> None:
    """Mark each mismatch that an entry describes as explained by the first such entry."""
    for check in checks:
        if check.passed:
            continue
        for entry in entries:
            if entry.matches(check):
                check.explained_by = entry
                entry.used = True
                break


def stale_entries(entries: List[KnownDifference], all_projects: List[Project],
                  run_projects: List[Project], modes: Sequence[str]) -> List[KnownDifference]:
    """Entries that explained nothing although every check they could describe was run.
    (With --only or --mode, an entry that may concern a skipped project or mode is not
    judged; one that matches no corpus folder at all is always stale.)"""
    run_names = {p.name for p in run_projects}
    stale = []
    for entry in entries:
        if entry.used:
            continue
        matching = [p.name for p in all_projects if fnmatch.fnmatchcase(p.name, entry.project)]
        fully_run = entry.mode in modes and all(name in run_names for name in matching)
        if not matching or fully_run:
            stale.append(entry)
    return stale


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

TABLE_COLUMNS = ("tox4 -l", "tox4 -a", "tox4 cfg", "tox3 -l", "tox3 -a", "tox3 cfg", "expl")


def cell_for_single(checks: List[Check]) -> str:
    """Table cell of a `list` or `all` check: ok, FAIL, expl(ained), or - (not in corpus)."""
    if not checks:
        return "-"
    check = checks[0]
    return "ok" if check.passed else "expl" if check.explained_by else "FAIL"


def cell_for_config(checks: List[Check]) -> str:
    """Table cell of a mode's config checks: passed/total (explained ones are not counted
    as passed here; the expl column counts them)."""
    if not checks:
        return "-"
    return f"{sum(c.passed for c in checks)}/{len(checks)}"


def print_table(projects: List[Project], checks: List[Check]) -> None:
    width = max([len("project")] + [len(p.name) for p in projects])
    print(f"{'project':<{width}}  " + "  ".join(f"{c:>8}" for c in TABLE_COLUMNS))
    for project in projects:
        mine = [c for c in checks if c.project == project.name]
        cells = []
        for mode in MODES:
            in_mode = [c for c in mine if c.mode == mode]
            cells.append(cell_for_single([c for c in in_mode if c.name == "list"]))
            cells.append(cell_for_single([c for c in in_mode if c.name == "all"]))
            cells.append(cell_for_config([c for c in in_mode if c.name.startswith("config:")]))
        cells.append(str(sum(c.explained_by is not None for c in mine)))
        print(f"{project.name:<{width}}  " + "  ".join(f"{c:>8}" for c in cells))


def clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " ..."


def group_name(group: List[Check]) -> str:
    """`config:docs:deps` for one check, `config:docs:{deps,commands}` for several."""
    if len(group) == 1:
        return group[0].name
    prefixes = {c.name.rsplit(":", 1)[0] for c in group}
    if len(prefixes) == 1 and all(c.name.count(":") == 2 for c in group):
        return f"{prefixes.pop()}:{{{','.join(c.name.rsplit(':', 1)[1] for c in group)}}}"
    return " ".join(c.name for c in group)


def print_failures(checks: List[Check], verbose: bool) -> None:
    """One entry per unexplained mismatch. Checks that failed for the same reason in the
    same run (e.g. every key of a config that blitz refused) are printed once."""
    limit = VERBOSE_DIFF_LINES if verbose else DIFF_LINES
    failed = [c for c in checks if c.failed]
    groups: List[List[Check]] = []
    for check in failed:
        if groups and groups[-1][0].command == check.command and groups[-1][0].detail == check.detail:
            groups[-1].append(check)
        else:
            groups.append([check])
    shown = groups if verbose else groups[:MAX_FAILURES_SHOWN]
    if shown:
        print()
        print("Mismatches. Each command below ran from a scratch directory with the environment")
        print("  PATH=/usr/bin:/bin HOME=<scratch> LANG=C.UTF-8 PYTHONHASHSEED=0 (plus PYTHONPATH=<scratch>")
        print("  for the projects whose tox ran with plugin stubs), and its paths were replaced by the")
        print("  corpus placeholders @TOXINIDIR@, @HOME@, <python3> before comparing.")
    for group in shown:
        first = group[0]
        print()
        print(f"FAIL {first.project} {first.mode} {group_name(group)}")
        print(f"  $ {first.command}")
        for line in first.detail[:limit]:
            print("  " + clip(line))
        if len(first.detail) > limit:
            hint = "" if verbose else f"; -v --only {first.project} shows up to {VERBOSE_DIFF_LINES}"
            print(f"  ... {len(first.detail) - limit} more lines{hint}")
    if len(shown) < len(groups):
        print()
        print(f"... and {len(groups) - len(shown)} more mismatches not shown (-v shows all; --only NAME narrows)")


def print_explained(checks: List[Check]) -> None:
    explained = [c for c in checks if c.explained_by is not None]
    if explained:
        print()
        print("Explained by known differences:")
        for check in explained:
            print(f"  {check.project} {check.mode} {check.name}: {check.explained_by.reason}")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Job:
    """One blitz run and the comparisons made on its output."""
    project: Project
    function: object   # check_list, check_tox4_config or check_tox3_config
    arguments: tuple   # what the function takes after (runner, project)

    def __call__(self, runner: Runner) -> List[Check]:
        return self.function(runner, self.project, *self.arguments)


def plan(projects: List[Project], modes: Sequence[str]) -> List[Job]:
    """Every blitz run of the suite, in report order."""
    jobs = []
    for project in projects:
        if "tox4" in modes:
            jobs.append(Job(project, check_list, ("tox4", "list")))
            jobs.append(Job(project, check_list, ("tox4", "all")))
            for env in expected_envs(project.expected, "config-", (f"{TOX4_SUFFIX}.txt", f"{TOX4_SUFFIX}.error.txt")):
                jobs.append(Job(project, check_tox4_config, (env,)))
        if "tox3" in modes:
            jobs.append(Job(project, check_list, ("tox3", "list")))
            jobs.append(Job(project, check_list, ("tox3", "all")))
            for env in expected_envs(project.expected, "resolved-", (".tox3.json", ".tox3.error.txt")):
                jobs.append(Job(project, check_tox3_config, (env,)))
    return jobs


def run_jobs(runner: Runner, jobs: List[Job], workers: int) -> List[Check]:
    """Runs the jobs in parallel, the biggest config files first (they take longest, and
    starting them last would leave the other workers idle at the end); returns the
    checks in the jobs' order."""
    by_size = sorted(jobs, key=lambda job: job.project.config.stat().st_size, reverse=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {id(job): pool.submit(job, runner) for job in by_size}
        return [check for job in jobs for check in futures[id(job)].result()]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare blitz with tox 3.28 and tox 4.58 on the tox.ini corpus.")
    parser.add_argument("--blitz", default=str(REPO_ROOT / "blitz"), help="the blitz binary (default: ./blitz)")
    parser.add_argument("--corpus", help="corpus folder (default: $BLITZ_CORPUS, else ../shared/corpus/toxini "
                                         "from the repository root)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="only corpus folders whose name contains NAME (repeatable)")
    parser.add_argument("--mode", choices=("both",) + MODES, default="both",
                        help="compare against tox 4, tox 3, or both (default)")
    parser.add_argument("-j", "--jobs", type=int, default=4, help="blitz processes run at once (default 4)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"fail a blitz run that takes longer (default {DEFAULT_TIMEOUT_SECONDS})")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="longer diffs, and the reason of every explained difference")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    corpus = Path(args.corpus or os.environ.get("BLITZ_CORPUS") or DEFAULT_CORPUS)
    if not corpus.is_dir():
        print(f"compat: corpus not found at {corpus}; compatibility suite skipped "
              f"(give it with --corpus DIR or BLITZ_CORPUS)")
        return 0
    blitz = Path(args.blitz).absolute()  # runs happen in a scratch cwd
    if not (blitz.is_file() and os.access(blitz, os.X_OK)):
        print(f"compat: no executable blitz at {args.blitz} (build it with `make`)", file=sys.stderr)
        return 2

    all_projects = find_projects(corpus)
    projects = all_projects
    if args.only:
        projects = [p for p in all_projects if any(n.lower() in p.name.lower() for n in args.only)]
        if not projects:
            print(f"compat: no corpus folder matches {' or '.join(args.only)}", file=sys.stderr)
            return 2
    modes = MODES if args.mode == "both" else (args.mode,)
    entries = load_known_differences(KNOWN_DIFFERENCES)

    scratch = Path(tempfile.mkdtemp(prefix="blitz-compat-"))
    try:
        runner = Runner(blitz, scratch, args.timeout)
        checks = run_jobs(runner, plan(projects, modes), args.jobs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    apply_known_differences(checks, entries)
    stale = stale_entries(entries, all_projects, projects, modes)

    print(f"blitz {blitz}  corpus {corpus}")
    print()
    print_table(projects, checks)
    print_failures(checks, args.verbose)
    if args.verbose:
        print_explained(checks)
    if stale:
        print()
        print(f"Stale entries in {KNOWN_DIFFERENCES.relative_to(REPO_ROOT)} (they explain no mismatch; remove them):")
        for entry in stale:
            print(f"  {entry}  ({entry.reason})")

    explained = sum(c.explained_by is not None for c in checks)
    failed = sum(c.failed for c in checks) + len(stale)
    passed = len(checks) - sum(c.failed for c in checks)
    print()
    if explained:
        print(f"{explained} of the passed checks are known differences "
              f"({KNOWN_DIFFERENCES.relative_to(REPO_ROOT)}; -v lists them)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
