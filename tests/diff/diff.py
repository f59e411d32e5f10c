#!/usr/bin/env python3
"""blitz's differential suite: small projects run by real tox 4.58 and by blitz, compared.

usage: python3 tests/diff/diff.py [--blitz ./blitz] [--only FIXTURE]... [-v] [-j N] [--keep]
                                  [--no-cache] [--tox TOX4] [--timeout SECONDS]

Each folder of tests/diff/fixtures/ is a project and a fixture.ini saying which envs to
run (fixture.py). The suite copies it twice, runs `tox4 -e ENVS` on one copy and `blitz
-e ENVS` on the other, offline (tools.py), and compares env by env what each did
(compare.py): exit status, each env's result, the commands that ran (in order, where, with
which environment), the venv, the distributions installed and the project's files, the
builds, what changed in the tree. A mismatch listed in tests/diff/known-differences.txt
is explained; an entry there that explains nothing any more fails the suite.

tox's observations are kept under build/diff-cache/tox/ and reused while the fixture, the
suite's code, tox, the wheelhouse and the interpreters are unchanged (--no-cache runs tox
again); blitz always runs. Needs ../shared (tox 4.58 and debian-wheelhouse): without it
the suite says so and exits 0, as CI without it does. Last line: `N passed, N failed`.
Exit status 0 when nothing failed, 1 when something did, 2 on a usage error.
"""
import argparse
import concurrent.futures
import dataclasses
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

SUITE = Path(__file__).resolve().parent
sys.path.insert(0, str(SUITE))

import compare  # noqa: E402
import fixture as fixture_mod  # noqa: E402
import tools  # noqa: E402
import wheels  # noqa: E402

REPO_ROOT = SUITE.parents[1]
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_TOX = SHARED / "tools" / "tox4" / "tox4"
DEBIAN_WHEELHOUSE = SHARED / "tools" / "debian-wheelhouse"
KNOWN_DIFFERENCES = SUITE / "known-differences.txt"
CACHE = REPO_ROOT / "build" / "diff-cache"
DEFAULT_TIMEOUT = 300     # seconds per tool invocation
DIFF_LINES = 12           # diff lines shown per mismatch (verbose: VERBOSE_DIFF_LINES)
VERBOSE_DIFF_LINES = 400
TOX_LABEL = "tox 4.58"
SHM_NEEDED = 2 << 30      # bytes free in /dev/shm for the run folders to go there


# --------------------------------------------------------------------------------------
# Interpreters
# --------------------------------------------------------------------------------------

def pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def find_interpreter(version: str) -> Optional[Path]:
    """pythonX.Y: Debian's in /usr/bin, else the newest pyenv version of it that runs."""
    name = f"python{version}"
    candidates = [Path("/usr/bin") / name, Path("/usr/local/bin") / name]
    versions = sorted(pyenv_root().glob(f"versions/{version}.*/bin/{name}"),
                      key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parts[-3].split(".")], reverse=True)
    for path in candidates + versions:
        if path.is_file() and subprocess.run([str(path), "-c", "pass"], capture_output=True).returncode == 0:
            return path
    return None


def link_interpreters(bin_dir: Path, versions: Sequence[str]) -> Dict[str, Optional[Path]]:
    """Links to each wanted interpreter in bin_dir (which goes on PATH after /usr/bin:/bin,
    so that pyenv's python3, pip and the like never shadow Debian's)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    found = {}
    for version in sorted(set(versions)):
        path = find_interpreter(version)
        found[version] = path
        if path and path.parent != Path("/usr/bin"):
            (bin_dir / f"python{version}").symlink_to(path)
    return found


def scratch_parent(given: Optional[str]) -> Optional[str]:
    """Where the run folders go: --scratch, else /dev/shm when it has room (the venvs,
    some hundred MB at a time, are made and removed far faster in RAM than on a disk
    that other work keeps busy), else the system's temporary folder."""
    if given:
        return given
    shm = Path("/dev/shm")
    try:
        stat = os.statvfs(shm)
        # a venv's console scripts must run: a noexec mount will not do
        noexec = stat.f_flag & os.ST_NOEXEC
        if os.access(shm, os.W_OK) and not noexec and stat.f_bavail * stat.f_frsize >= SHM_NEEDED:
            return str(shm)
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------------------
# Known differences
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class KnownDifference:
    """One line of known-differences.txt: `<fixture> <check> <reason>` (shell wildcards)."""
    lineno: int
    fixture: str
    check: str
    reason: str
    used: bool = False

    def matches(self, check: compare.Check) -> bool:
        return fnmatch.fnmatchcase(check.fixture, self.fixture) and fnmatch.fnmatchcase(check.name, self.check)

    def __str__(self) -> str:
        return f"{KNOWN_DIFFERENCES.name}:{self.lineno}: {self.fixture} {self.check}"


def load_known_differences(path: Path) -> List[KnownDifference]:
    entries = []
    if not path.exists():
        return entries
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(None, 2)
        if len(fields) < 3:
            print(f"diff: {path}:{lineno}: expected `<fixture> <check> <reason>`, got {line!r}", file=sys.stderr)
            sys.exit(2)
        entries.append(KnownDifference(lineno, fields[0], fields[1], fields[2].strip()))
    return entries


def apply_known_differences(checks: List[compare.Check], entries: List[KnownDifference]) -> None:
    for check in checks:
        if check.passed:
            continue
        for entry in entries:
            if entry.matches(check):
                check.explained_by = entry
                entry.used = True
                break


def stale_entries(entries: List[KnownDifference], all_names: Sequence[str], compared: Sequence[str]) -> List[KnownDifference]:
    """Entries that explained nothing although every fixture they name was compared (with
    --only, or a fixture skipped, an entry that may concern it is not judged); an entry
    naming no fixture at all is always stale."""
    stale = []
    for entry in entries:
        if entry.used:
            continue
        matching = [n for n in all_names if fnmatch.fnmatchcase(n, entry.fixture)]
        if not matching or all(n in compared for n in matching):
            stale.append(entry)
    return stale


# --------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------

def suite_digest() -> str:
    """What tox's cached observations depend on besides the fixture: the code that makes
    them (not compare.py or this file, which only read them)."""
    h = hashlib.sha256()
    makers = [SUITE / name for name in ("tools.py", "fixture.py", "wheels.py")]
    for path in sorted(makers + list((SUITE / "probe").glob("*.py"))):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def tox_cache_key(fix: fixture_mod.Fixture, tox: Path, interpreters: Dict, wheel_stamp: str) -> str:
    h = hashlib.sha256()
    version_file = tox.resolve().parent / "site" / "tox" / "version.py"
    for part in (fix.digest(), suite_digest(), str(tox.resolve()),
                 version_file.read_text() if version_file.is_file() else "",
                 wheel_stamp, json.dumps({k: str(v) for k, v in interpreters.items()}, sort_keys=True)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


@dataclasses.dataclass
class Job:
    fixture: fixture_mod.Fixture
    tool: tools.Tool
    cache_file: Optional[Path] = None   # tox's: where its observation is kept
    cache_key: str = ""
    read_cache: bool = True              # False: run anyway (and keep the new observation)

    def __call__(self, ctx: tools.Context) -> Tuple[Dict, bool]:
        """The observation, and whether it came from the cache."""
        if self.read_cache and self.cache_file and self.cache_file.is_file():
            try:
                kept = json.loads(self.cache_file.read_text())
                if kept.get("key") == self.cache_key:
                    return kept["observation"], True
            except ValueError:
                pass
        try:
            obs = tools.observe(ctx, self.tool, self.fixture)
        except Exception as err:  # a broken run is reported, not a crash of the whole suite
            obs = {"tool": self.tool.name, "crashed": f"{type(err).__name__}: {err}", "runs": []}
        if self.cache_file and "crashed" not in obs:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            self.cache_file.write_text(json.dumps({"key": self.cache_key, "observation": obs}))
        return obs, False


def load_durations() -> Dict[str, float]:
    try:
        return json.loads((CACHE / "durations.json").read_text())
    except (OSError, ValueError):
        return {}


def run_jobs(ctx: tools.Context, jobs: List[Job], workers: int) -> Dict[Tuple[str, str], Tuple[Dict, bool]]:
    """Runs the jobs, the longest (by the last run's times) first; returns each job's
    (observation, from cache) by (fixture, tool)."""
    durations = load_durations()
    ordered = sorted(jobs, key=lambda j: durations.get(f"{j.fixture.name}/{j.tool.name}", 30.0), reverse=True)
    done = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(job, ctx): job for job in ordered}
        for future in concurrent.futures.as_completed(futures):
            job = futures[future]
            done[(job.fixture.name, job.tool.name)] = future.result()
    except KeyboardInterrupt:
        # the tools run in sessions of their own, out of the terminal's reach: stop them
        pool.shutdown(wait=False, cancel_futures=True)
        tools.stop_all()
        raise
    pool.shutdown()
    for (name, tool), (obs, cached) in done.items():
        if not cached and obs.get("wall_seconds"):
            durations[f"{name}/{tool}"] = obs["wall_seconds"]
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "durations.json").write_text(json.dumps(durations, indent=1, sort_keys=True))
    return done


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

def seconds(obs: Dict, cached: bool) -> str:
    """The job's wall time: copying, the tool's config, its runs, the looks into the envs."""
    return "cached" if cached else f"{obs.get('wall_seconds', 0.0):.1f}s"


def print_table(rows: List[Tuple], width: int) -> None:
    print(f"{'fixture':<{width}}  {'checks':>6} {'pass':>5} {'fail':>5} {'expl':>5}  {'tox':>7} {'blitz':>7}")
    for name, total, passed, failed, explained, tox_s, blitz_s in rows:
        print(f"{name:<{width}}  {total:>6} {passed:>5} {failed:>5} {explained:>5}  {tox_s:>7} {blitz_s:>7}")


def print_kinds(checks: List[compare.Check]) -> None:
    """Passed and failed per kind of check (the last part of its name)."""
    kinds: Dict[str, List[int]] = {}
    for c in checks:
        kind = c.name.rsplit(":", 1)[-1]
        counts = kinds.setdefault(kind, [0, 0, 0])
        counts[0 if c.passed else 2 if c.explained_by else 1] += 1
    print("by kind:  " + "  ".join(f"{k} {v[0]}/{sum(v)}" + (f" ({v[2]} expl)" if v[2] else "")
                                  for k, v in sorted(kinds.items())))


def print_mismatch(check: compare.Check, verbose: bool) -> None:
    print(f"FAIL {check.fixture} {check.name}")
    if len(check.tox) <= 1 and len(check.blitz) <= 1:
        print(f"  {TOX_LABEL}: {check.tox[0] if check.tox else '(nothing)'}")
        print(f"  {'blitz':<{len(TOX_LABEL)}}: {check.blitz[0] if check.blitz else '(nothing)'}")
        for note in check.notes:
            print(f"  ({note})")
        return
    lines = check.diff()
    limit = VERBOSE_DIFF_LINES if verbose else DIFF_LINES
    print(f"  --- {TOX_LABEL}  +++ blitz")
    for line in lines[:limit]:
        print("  " + (line if len(line) <= 220 else line[:220] + " ..."))
    if len(lines) > limit:
        print(f"  ... {len(lines) - limit} more lines (-v --only {check.fixture} shows them)")


def print_runs(name: str, tox_obs: Dict, blitz_obs: Dict) -> None:
    """-v: each run's command line, status and the end of its output, for both tools."""
    for obs in (tox_obs, blitz_obs):
        for run in obs.get("runs", []):
            print(f"  [{obs['tool']}] {name} run {run['name']}: $ {' '.join(run['argv'])}  -> exit {run['exit']}"
                  + (f" ({run['problem']})" if run.get("problem") else ""))
            for line in run.get("output", [])[-15:]:
                print(f"  [{obs['tool']}]   | {line}")


def print_explained(checks: List[compare.Check], entries: List[KnownDifference]) -> None:
    """-v: each known difference that explained something, with the checks it explained."""
    shown = False
    for entry in entries:
        mine = [f"{c.fixture} {c.name}" for c in checks if c.explained_by is entry]
        if not mine:
            continue
        if not shown:
            print()
            print("Explained by known differences:")
            shown = True
        print(f"  {entry}: {entry.reason}")
        print(f"    {len(mine)} check{'s' if len(mine) != 1 else ''}: " + ", ".join(mine[:8])
              + (f", ... ({len(mine) - 8} more)" if len(mine) > 8 else ""))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run small projects with tox 4.58 and with blitz; compare.")
    parser.add_argument("--blitz", default=str(REPO_ROOT / "blitz"), help="the blitz binary (default: ./blitz)")
    parser.add_argument("--tox", default=str(DEFAULT_TOX), help="tox 4.58's launcher (default: ../shared/tools/tox4/tox4)")
    parser.add_argument("--only", action="append", metavar="FIXTURE",
                        help="only fixtures whose name contains FIXTURE (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="tool runs at once (default 2)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per tool invocation (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--no-cache", action="store_true", help="run tox again instead of reusing its observations")
    parser.add_argument("--keep", action="store_true", help="keep the run folders (their path is printed)")
    parser.add_argument("--scratch", metavar="DIR",
                        help="make the run folders in DIR (default: /dev/shm when it has 2 GiB free, else $TMPDIR)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="whole diffs, each run's command and output tail, the explained differences")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    tox = Path(args.tox)
    if not SHARED.is_dir() and args.tox == str(DEFAULT_TOX):
        print(f"diff: {SHARED} not found (tox 4.58 and the wheelhouse tools live there); differential suite skipped")
        return 0
    if not (tox.is_file() and os.access(tox, os.X_OK)) or not DEBIAN_WHEELHOUSE.is_file():
        print(f"diff: no tox 4.58 at {tox} or no {DEBIAN_WHEELHOUSE}; differential suite skipped")
        return 0
    blitz = Path(args.blitz).absolute()
    if not (blitz.is_file() and os.access(blitz, os.X_OK)):
        print(f"diff: no executable blitz at {args.blitz} (build it with `make`)", file=sys.stderr)
        return 2

    try:
        all_fixtures = fixture_mod.find(SUITE / "fixtures")
    except fixture_mod.FixtureError as err:
        print(f"diff: {err}", file=sys.stderr)
        return 2
    fixtures = all_fixtures
    if args.only:
        fixtures = [f for f in all_fixtures if any(n in f.name for n in args.only)]
        if not fixtures:
            print(f"diff: no fixture matches {' or '.join(args.only)}", file=sys.stderr)
            return 2
    entries = load_known_differences(KNOWN_DIFFERENCES)

    started = time.monotonic()
    try:
        house, extra, notes = wheels.ensure(CACHE, DEBIAN_WHEELHOUSE)
    except RuntimeError as err:
        print(f"diff: cannot build the wheelhouse: {err}")
        print("0 passed, 1 failed")
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="blitz-diff-", dir=scratch_parent(args.scratch)))
    interpreters = link_interpreters(scratch / "bin", [v for f in fixtures for v in f.python])
    embed = tox.resolve().parent / "site/virtualenv/seed/wheels/embed"
    ctx = tools.Context(scratch, SUITE, scratch / "bin", house, extra, f"{house} {embed}", str(embed),
                        args.timeout, args.keep)
    skipped: Dict[str, str] = {}
    for fix in fixtures:
        missing = [v for v in fix.python if not interpreters.get(v)]
        if missing:
            skipped[fix.name] = f"no python{' python'.join(missing)} (Debian's or pyenv's)"
    runnable = [f for f in fixtures if f.name not in skipped]
    stamp = wheels.stamp_text(DEBIAN_WHEELHOUSE)
    jobs = []
    for fix in runnable:
        jobs.append(Job(fix, tools.Tool("tox", [str(tox)]), CACHE / "tox" / f"{fix.name}.json",
                        tox_cache_key(fix, tox, interpreters, stamp), not args.no_cache))
        jobs.append(Job(fix, tools.Tool("blitz", [str(blitz)])))
    try:
        observed = run_jobs(ctx, jobs, args.jobs)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    all_checks: List[compare.Check] = []
    rows = []
    compared = []
    for fix in runnable:
        tox_obs, tox_cached = observed[(fix.name, "tox")]
        blitz_obs, _ = observed[(fix.name, "blitz")]
        for obs in (tox_obs, blitz_obs):
            if obs.get("crashed"):
                skipped[fix.name] = f"the suite failed running {obs['tool']}: {obs['crashed']}"
        if fix.name in skipped:
            continue
        if blitz_obs.get("skipped"):
            skipped[fix.name] = blitz_obs["skipped"]
            continue
        made = compare.checks(fix.name, fix.runs, fix.project, tox_obs, blitz_obs)
        apply_known_differences(made, entries)
        all_checks += made
        compared.append(fix.name)
        rows.append((fix.name, len(made), sum(c.passed for c in made), sum(c.failed for c in made),
                     sum(c.explained_by is not None for c in made), seconds(tox_obs, tox_cached),
                     seconds(blitz_obs, False)))
    stale = stale_entries(entries, [f.name for f in all_fixtures], compared)

    print(f"blitz {blitz}  vs  tox 4.58 {tox}")
    print("; ".join(notes) + "; interpreters: " +
          ", ".join(f"{v} {p or 'MISSING'}" for v, p in sorted(interpreters.items())))
    if args.keep:
        print(f"run folders kept in {scratch}")
    print()
    width = max([len("fixture")] + [len(f.name) for f in fixtures])
    print_table(rows, width)
    for name, why in sorted(skipped.items()):
        print(f"{name:<{width}}  skipped: {why}")
    print()
    print_kinds(all_checks)

    failed_by_fixture: Dict[str, List[compare.Check]] = {}
    for c in all_checks:
        if c.failed:
            failed_by_fixture.setdefault(c.fixture, []).append(c)
    for name, failed in failed_by_fixture.items():
        print()
        print(f"== {name}: {len(failed)} mismatch{'es' if len(failed) != 1 else ''}")
        if args.verbose:
            print_runs(name, observed[(name, "tox")][0], observed[(name, "blitz")][0])
        for check in failed:
            print_mismatch(check, args.verbose)
    if args.verbose:
        print_explained(all_checks, entries)
    if stale:
        print()
        print(f"Stale entries in {KNOWN_DIFFERENCES.relative_to(REPO_ROOT)} (they explain no mismatch; remove them):")
        for entry in stale:
            print(f"  {entry}  ({entry.reason})")

    explained = sum(c.explained_by is not None for c in all_checks)
    failed = sum(c.failed for c in all_checks) + len(stale)
    passed = len(all_checks) - sum(c.failed for c in all_checks)
    print()
    print(f"differential suite: {len(compared)} fixtures compared in {time.monotonic() - started:.0f}s"
          + (f"; {explained} of the passed checks are known differences (-v lists them)" if explained else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        # make check sums the suites' last lines: a crash must count as a failure there
        import traceback
        traceback.print_exc()
        print("0 passed, 1 failed")
        sys.exit(1)
