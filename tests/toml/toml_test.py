#!/usr/bin/env python3
"""blitz's TOML parser against the toml-test conformance files (TOML 1.0.0).

usage: python3 tests/toml/toml_test.py --decoder build/toml-json [--corpus DIR] [-v] [--only TEXT]

The corpus (../shared/corpus/toml-test from the repository root, or --corpus, or
$BLITZ_TOML_TEST) holds valid/**/NAME.toml with the tagged JSON each must decode to
(NAME.json), and invalid/**/NAME.toml that must be rejected; see its README for the
formats. The corpus is read where it lies; nothing is copied.

The decoder (tests/toml/toml_json.c) is run on each file:
  valid    exit status 0, nothing on stderr, and its JSON equal to the expected one by the
           suite's rules: same keys and array lengths, same types; strings and integers
           compared as text, booleans case-insensitively, floats as numbers (nan equals
           any nan), date-times as instants after 't', 'z' and ' ' are normalised (so
           offsets and fraction digits such as .6 and .600 compare by value)
  invalid  exit status 1 and a diagnostic `FILE:LINE:COL: message` on stderr with a
           line and column of at least 1

Output: each failure with its reason, then the final line `N passed, N failed`. Exit
status 0 when nothing failed, 1 when something did, 2 on a usage error. When the corpus
is absent the suite says so and is skipped (exit 0).
"""

import argparse
import concurrent.futures
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "toml-test"
TIMEOUT_SECONDS = 20          # per file; a decoder that takes longer fails

# blitz's error format after the file's name: the line and column it must carry, then a message.
ERROR_LINE = re.compile(r"^:(\d+):(\d+): \S")
DATETIME = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?T?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$")
LEAF_TYPES = {"string", "integer", "float", "bool", "datetime", "datetime-local", "date-local", "time-local"}


def is_leaf(value) -> bool:
    return (isinstance(value, dict) and set(value) == {"type", "value"}
            and isinstance(value["type"], str) and isinstance(value["value"], str))


def instant(kind: str, text: str) -> Optional[Tuple[int, int]]:
    """A date-time's text as (seconds, nanoseconds); offsets applied, so equal instants compare equal."""
    text = text.replace(" ", "T").replace("t", "T").replace("z", "Z")
    m = DATETIME.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second, frac, offset = m.groups()
    if kind == "time-local":
        if year or not hour or offset:
            return None
        days = 0
    else:
        if not year:
            return None
        import datetime
        try:
            days = datetime.date(int(year), int(month), int(day)).toordinal()
        except ValueError:
            return None
        if kind == "date-local" and (hour or offset):
            return None
        if kind in ("datetime", "datetime-local") and not hour:
            return None
        if (kind == "datetime") != bool(offset):
            return None
    seconds = days * 86400
    if hour:
        seconds += int(hour) * 3600 + int(minute) * 60 + int(second)
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    nanos = int((frac or "").ljust(9, "0")[:9])
    return seconds, nanos


def same_leaf(got: dict, want: dict) -> Optional[str]:
    kind = want["type"]
    if got["type"] != kind:
        return f"type {got['type']}, want {kind}"
    g, w = got["value"], want["value"]
    if kind == "float":
        if g.lower().endswith("nan") or w.lower().endswith("nan"):
            ok = g.lower().endswith("nan") and w.lower().endswith("nan")
        else:
            try:
                ok = float(g.replace("_", "")) == float(w.replace("_", ""))
            except ValueError:
                ok = False
    elif kind == "bool":
        ok = g.lower() == w.lower()
    elif kind in ("datetime", "datetime-local", "date-local", "time-local"):
        gi, wi = instant(kind, g), instant(kind, w)
        ok = gi is not None and gi == wi
    else:
        ok = g == w
    return None if ok else f"value {g!r}, want {w!r}"


def compare(got, want, path: str = "") -> Optional[str]:
    """None when got equals want by the suite's rules, else where and how they differ."""
    where = path or "(root)"
    if is_leaf(want):
        if not is_leaf(got):
            return f"{where}: got {type(got).__name__}, want a {want['type']}"
        if want["type"] not in LEAF_TYPES:
            return f"{where}: unknown type {want['type']!r} in the expected JSON"
        why = same_leaf(got, want)
        return f"{where}: {why}" if why else None
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_leaf(got):
            return f"{where}: got {json.dumps(got)[:80]}, want a table"
        if set(got) != set(want):
            extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
            return f"{where}: keys differ (extra {extra}, missing {missing})"
        for key in want:
            why = compare(got[key], want[key], f"{path}.{key}" if path else key)
            if why:
                return why
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{where}: got {json.dumps(got)[:80]}, want an array"
        if len(got) != len(want):
            return f"{where}: {len(got)} items, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            why = compare(g, w, f"{path}[{i}]")
            if why:
                return why
        return None
    return f"{where}: unexpected {json.dumps(want)[:80]} in the expected JSON"


def run(decoder: Path, toml: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(decoder), str(toml)], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=TIMEOUT_SECONDS)


def check_valid(decoder: Path, toml: Path) -> Optional[str]:
    try:
        proc = run(decoder, toml)
    except subprocess.TimeoutExpired:
        return f"no answer in {TIMEOUT_SECONDS} s"
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        return f"rejected (exit {proc.returncode}): {stderr.splitlines()[0] if stderr else '(no message)'}"
    if stderr:
        return f"accepted, but printed on stderr: {stderr.splitlines()[0]}"
    try:
        got = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"output is not JSON: {e}"
    want = json.loads(toml.with_suffix(".json").read_bytes().decode("utf-8"))
    return compare(got, want)


def check_invalid(decoder: Path, toml: Path) -> Optional[str]:
    try:
        proc = run(decoder, toml)
    except subprocess.TimeoutExpired:
        return f"no answer in {TIMEOUT_SECONDS} s"
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 0:
        return "accepted"
    if proc.returncode != 1:
        return f"exit status {proc.returncode} (want 1): {stderr.strip()[:200]}"
    lines = stderr.splitlines()
    m = None
    if len(lines) == 1 and lines[0].startswith(str(toml)):
        m = ERROR_LINE.match(lines[0][len(str(toml)):])
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        return f"the diagnostic is not one FILE:LINE:COL: message line: {stderr.strip()[:200]!r}"
    return None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--decoder", required=True, help="the toml-json program")
    ap.add_argument("--corpus", help=f"the toml-test folder (default {DEFAULT_CORPUS})")
    ap.add_argument("--only", help="run only the files whose path contains this text")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every file's outcome")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="files decoded at once (default 2)")
    return ap.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    corpus = Path(args.corpus or os.environ.get("BLITZ_TOML_TEST") or DEFAULT_CORPUS)
    if not corpus.is_dir():
        print(f"toml-test: corpus not found at {corpus}; TOML conformance suite skipped "
              f"(give it with --corpus DIR or BLITZ_TOML_TEST)")
        return 0
    decoder = Path(args.decoder).absolute()
    if not os.access(decoder, os.X_OK):
        print(f"toml-test: decoder '{decoder}' is not an executable (build it with make)", file=sys.stderr)
        return 2
    cases: List[Tuple[str, Path]] = []
    for kind in ("valid", "invalid"):
        for toml in sorted((corpus / kind).rglob("*.toml")):
            if args.only and args.only not in str(toml.relative_to(corpus)):
                continue
            cases.append((kind, toml))
    checks = {"valid": check_valid, "invalid": check_invalid}
    counts = {"valid": [0, 0], "invalid": [0, 0]}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = pool.map(lambda c: checks[c[0]](decoder, c[1]), cases)
        for (kind, toml), why in zip(cases, results):
            name = toml.relative_to(corpus)
            counts[kind][why is not None] += 1
            if why:
                print(f"FAIL {name}: {why}")
            elif args.verbose:
                print(f"ok   {name}")
    for kind in ("valid", "invalid"):
        print(f"toml-test {kind}: {counts[kind][0]} passed, {counts[kind][1]} failed")
    passed = counts["valid"][0] + counts["invalid"][0]
    failed = counts["valid"][1] + counts["invalid"][1]
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
