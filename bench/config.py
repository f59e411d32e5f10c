#!/usr/bin/env python3
"""blitz config benchmark: blitz against tox 3.28 on the corpus's largest tox.ini.

usage: python3 bench/config.py [--blitz ./blitz] [--corpus DIR] [--runs N] [--tox-runs N] [--no-tox]
(`make bench` runs it through bench/config.sh, which first installs Debian's tox if needed.)

Measures, on getsentry__sentry-python__064542dd2c/tox.ini (18,646 lines, 838 envs):
  blitz -c FILE list           best and median of --runs runs (default 10)
  blitz -c FILE config -e ALL  every env resolved; best and median; target: median <= 50 ms
  tox -c FILE -l               Debian's tox 3.28, from a scratch copy of the file, as the
                               corpus was made (tox writes .tox/ beside the file)
and prints the ratio tox / blitz. Every command runs in a clean environment
(PATH=/usr/bin:/bin, a scratch HOME, LANG=C.UTF-8, PYTHONHASHSEED=0) from a scratch directory.
Times are wall-clock and include starting the process. Output is discarded while timing;
one extra untimed run per command checks the output against the corpus.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "toxini"
PROJECT = "getsentry__sentry-python__064542dd2c"
TARGET_SECONDS = 0.050          # blitz's full resolve of this file must take at most this
SLOW_RUN_BUDGET_SECONDS = 30.0  # a slow command stops being repeated after this much time...
MIN_RUNS = 3                    # ...once it has run this many times


def clean_env(home: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
    env.update(extra or {})
    return env


def fmt(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


class Measurement:
    def __init__(self, label: str):
        self.label = label
        self.times: List[float] = []
        self.error: Optional[str] = None
        self.note = ""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def report(self) -> str:
        if self.error:
            return f"{self.label:<34} FAILED: {self.error}"
        runs = f"{len(self.times)} run{'s' if len(self.times) != 1 else ''}"
        if len(self.times) == 1:
            return f"{self.label:<34} {fmt(self.best):>10}  ({runs}){self.note}"
        return (f"{self.label:<34} best {fmt(self.best):>10}   median {fmt(self.median):>10}"
                f"   ({runs}){self.note}")


def measure(label: str, argv: Sequence[str], env: Dict[str, str], cwd: Path, runs: int,
            check_output, before_each=None) -> Measurement:
    """Run argv once to check its output (check_output(stdout) returns a note or raises
    ValueError), then `runs` timed times with output discarded. A command slower than
    SLOW_RUN_BUDGET_SECONDS in total stops after MIN_RUNS runs."""
    result = Measurement(label)
    if before_each:
        before_each()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        result.error = f"exit status {proc.returncode}" + (f": {stderr[-1]}" if stderr else "")
        return result
    try:
        result.note = check_output(proc.stdout.decode("utf-8", "replace"))
    except ValueError as err:
        result.note = f"  WARNING: {err}"
    spent = 0.0
    for _ in range(runs):
        if before_each:
            before_each()
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        result.times.append(elapsed)
        spent += elapsed
        if spent > SLOW_RUN_BUDGET_SECONDS and len(result.times) >= MIN_RUNS:
            break
    return result


def same_lines_as(expected_file: Path):
    """An output check: stdout must list the same names as the corpus file."""
    expected = expected_file.read_text(encoding="utf-8").splitlines()

    def check(stdout: str) -> str:
        got = stdout.splitlines()
        if got != expected:
            raise ValueError(f"output ({len(got)} lines) differs from {expected_file.name} ({len(expected)} lines)")
        return f"  [{len(got)} envs, = {expected_file.name}]"
    return check


def count_envs(stdout: str) -> str:
    count = sum(1 for line in stdout.splitlines() if line.startswith("[testenv:"))
    if count == 0:
        raise ValueError("no [testenv:...] section in the output")
    return f"  [{count} envs resolved]"


def stub_distributions(notes: Path, stubs: Path) -> None:
    """The corpus put an empty metadata-only distribution on PYTHONPATH for each plugin that
    `[tox] requires` names but that is not installed (NOTES lists them as `  name==version`
    under STUBS). Without it tox 3 tries to provision the plugin from PyPI and fails."""
    in_stubs = False
    for line in notes.read_text(encoding="utf-8").splitlines():
        if line.startswith("STUBS:"):
            in_stubs = True
        elif in_stubs and not line.strip():
            break
        elif in_stubs:
            match = re.fullmatch(r"\s+([A-Za-z0-9._-]+)==(\S+)", line)
            if match:
                name, version = match.groups()
                info = stubs / f"{name.replace('-', '_')}-{version}.dist-info"
                info.mkdir(parents=True)
                (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def tox_version(tox: str, env: Dict[str, str]) -> str:
    proc = subprocess.run([tox, "--version"], env=env, capture_output=True, text=True)
    match = re.match(r"\S+", proc.stdout)
    return match.group(0) if match else "unknown version"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Time blitz and tox 3 on the corpus's largest tox.ini.")
    parser.add_argument("--blitz", default=str(REPO_ROOT / "blitz"), help="the blitz binary (default: ./blitz)")
    parser.add_argument("--corpus", help="corpus folder (default: $BLITZ_CORPUS, else ../shared/corpus/toxini "
                                         "from the repository root)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each blitz command (default 10)")
    parser.add_argument("--tox-runs", type=int, default=1,
                        help="timed runs of tox -l (default 1: tox 3 takes minutes on this file)")
    parser.add_argument("--no-tox", action="store_true", help="skip the tox 3 measurement")
    args = parser.parse_args(argv)

    corpus = Path(args.corpus or os.environ.get("BLITZ_CORPUS") or DEFAULT_CORPUS)
    project = corpus / PROJECT
    if not (project / "tox.ini").is_file():
        print(f"bench: corpus not found at {corpus}; benchmark skipped")
        return 0
    blitz = Path(args.blitz).absolute()
    if not (blitz.is_file() and os.access(blitz, os.X_OK)):
        print(f"bench: no executable blitz at {args.blitz} (build it with `make`)", file=sys.stderr)
        return 2
    tox = None if args.no_tox else shutil.which("tox")

    config = project / "tox.ini"
    envlist = project / "expected" / "envlist.tox4.txt"
    lines = sum(1 for _ in config.open(encoding="utf-8"))
    print(f"blitz config benchmark: {PROJECT}/tox.ini ({lines} lines)")
    print(f"blitz: {blitz}")
    print()

    scratch = Path(tempfile.mkdtemp(prefix="blitz-bench-"))
    try:
        home, cwd, copy, stubs = (scratch / d for d in ("home", "cwd", "copy", "stubs"))
        for folder in (home, cwd, copy, stubs):
            folder.mkdir()
        env = clean_env(home)

        blitz_list = measure("blitz -c FILE list", [str(blitz), "-c", str(config), "list"],
                             env, cwd, args.runs, same_lines_as(envlist))
        print(blitz_list.report())
        blitz_all = measure("blitz -c FILE config -e ALL", [str(blitz), "-c", str(config), "config", "-e", "ALL"],
                            env, cwd, args.runs, count_envs)
        print(blitz_all.report())

        tox_list = None
        if args.no_tox:
            print("tox -c FILE -l                     skipped (--no-tox)")
        elif tox is None:
            print("tox -c FILE -l                     skipped: tox is not installed "
                  "(as root: apt-get update && apt-get install -y tox)")
        else:
            # As the corpus did: the file alone in a scratch folder, .tox/ removed before
            # each run, plugin stubs on PYTHONPATH.
            shutil.copy(config, copy / "tox.ini")
            stub_distributions(project / "expected" / "NOTES", stubs)
            tox_env = clean_env(home, {"PYTHONPATH": str(stubs)})
            label = f"tox -c FILE -l  (tox {tox_version(tox, tox_env)})"
            print(f"{label:<34} running, about 2 minutes per run with tox 3.28 ...", flush=True)
            tox_list = measure(label, [tox, "-c", str(copy / "tox.ini"), "-l"], tox_env, copy, args.tox_runs,
                               same_lines_as(project / "expected" / "envlist.txt"),
                               before_each=lambda: shutil.rmtree(copy / ".tox", ignore_errors=True))
            print(tox_list.report())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    if tox_list and not tox_list.error:
        for name, blitz_run in (("list", blitz_list), ("config -e ALL", blitz_all)):
            if not blitz_run.error:
                print(f"tox -l / blitz {name}: {tox_list.best / blitz_run.best:,.0f}x (best times)")
    if blitz_all.error:
        print(f"full resolve target ({fmt(TARGET_SECONDS)}): not measured, blitz failed")
    else:
        verdict = "met" if blitz_all.median <= TARGET_SECONDS else "MISSED"
        print(f"full resolve target ({fmt(TARGET_SECONDS)}): {verdict} (median {fmt(blitz_all.median)})")
    return 1 if blitz_list.error or blitz_all.error else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
