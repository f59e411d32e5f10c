#!/usr/bin/env python3
"""The suite benchmark: pytest suites run by plain pytest, by `pytest -n 2` and by blitz.

See bench/README.md. In short: bench/suites/gen.py writes three projects (webapp, data,
api-client) into a scratch folder; for each, in one run: plain pytest (serial, whose JUnit
XML gives each test's time and so the lower bound, max(total test time / slots, longest
test)), Debian's pytest-xdist with `-n SLOTS`, and blitz `-p SLOTS -e py` twice from a fresh
.blitz (the first run makes the env and the history; the second, timed, has both). Each
wall time is printed with its ratio to the lower bound.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's, with its pytest and pytest-xdist
SUITES = ["webapp", "data", "api-client"]
# pytest and what it needs, packed from Debian's into wheels for the blitz env's venv
WHEELS = ["pytest", "pluggy", "iniconfig", "packaging", "attrs", "exceptiongroup", "tomli"]
TARGET = 1.1  # blitz's second run: within this factor of the lower bound


def run(cmd, cwd, env, log):
    """Run cmd, output to log; return (seconds, exit status)."""
    with open(log, "ab") as f:
        f.write(("\n$ (cd %s && %s)\n" % (cwd, " ".join(cmd))).encode())
        f.flush()
        start = time.monotonic()
        rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        return time.monotonic() - start, rc


def junit_cases(path):
    """(seconds, test id) of each test case a JUnit XML file reports."""
    cases = []
    for c in ET.parse(path).iter("testcase"):
        name = "%s::%s" % (c.get("classname", ""), c.get("name", ""))
        cases.append((float(c.get("time") or 0), name))
    return cases


def blitz_junit(result_json):
    """The merged JUnit XML of a blitz run: junit.xml in the run's folder (where its env logs are)."""
    d = json.load(open(result_json))
    for e in d["envs"]:
        if e.get("log"):
            path = os.path.join(os.path.dirname(e["log"]), "junit.xml")
            return path if os.path.exists(path) else None
    return None


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blitz", default=os.path.join(ROOT, "blitz"), help="the blitz to run (default: the one make builds)")
    ap.add_argument("--work", default="/tmp/blitz-bench-suites", help="scratch folder (emptied)")
    ap.add_argument("--runs", type=int, default=1, help="timed runs of each command (the median is reported)")
    ap.add_argument("--suites", default=",".join(SUITES), help="comma-separated, of: %s" % ", ".join(SUITES))
    ap.add_argument("--slots", type=int, default=2, help="pytest -n N, blitz -p N, and the bound's divisor")
    args = ap.parse_args()
    if args.runs < 1 or args.slots < 1:
        sys.exit("bench: --runs and --slots take a number from 1 up")

    suites = args.suites.split(",")
    for s in suites:
        if s not in SUITES:
            sys.exit("bench: no suite %r (there are: %s)" % (s, ", ".join(SUITES)))
    blitz = os.path.abspath(args.blitz)
    if not os.access(blitz, os.X_OK):
        sys.exit("bench: no blitz at %s: run `make` first" % blitz)
    if subprocess.run([PYTHON, "-c", "import pytest, xdist"], capture_output=True).returncode != 0:
        sys.exit("bench: %s lacks pytest or pytest-xdist: apt-get install -y python3-pytest python3-pytest-xdist" % PYTHON)

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "home"))
    log = os.path.join(work, "bench.log")
    wheelhouse = os.path.join(work, "wheelhouse")
    subprocess.run([PYTHON, os.path.join(HERE, "suites", "gen.py"), work, "--suites", ",".join(suites)],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PYTHON, os.path.join(ROOT, "examples", "tools", "wheelhouse.py"), wheelhouse] + WHEELS,
                   check=True, stdout=subprocess.DEVNULL)
    # one clean environment for all three; pip offline, from the wheelhouse
    env = {"HOME": os.path.join(work, "home"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheelhouse, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    slots = args.slots
    print("bench: suites %s in %s; %d slots, %d cores; %d timed run%s each; load average %.2f"
          % (", ".join(suites), work, slots, os.cpu_count() or 1, args.runs, "s" if args.runs > 1 else "",
             load()), flush=True)

    rows = []
    for name in suites:
        cwd = os.path.join(work, name)

        def timed(tag, cmd):
            secs, rc = run(cmd, cwd, env, log)
            if rc != 0:
                sys.exit("bench: %s %s failed (exit %d); see %s" % (name, tag, rc, log))
            return secs

        def check_count(tag, junit):
            """Stop unless the run's JUnit XML has every test; return the tests' total time in it."""
            cases = junit_cases(junit) if junit and os.path.exists(junit) else None
            if cases is None:
                print("  (%s: no JUnit report to count its tests)" % tag)
                return float("nan")
            if len(cases) != tests:
                sys.exit("bench: %s %s ran %d tests of %d; see %s" % (name, tag, len(cases), tests, log))
            return sum(s for s, _ in cases)

        # untimed: how many tests (and their modules compiled, for every timed run alike)
        out = subprocess.run([PYTHON, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=cwd,
                             env=env, capture_output=True, text=True)
        last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        if out.returncode != 0 or "collected" not in last:
            sys.exit("bench: %s: pytest --collect-only failed:\n%s%s" % (name, out.stdout[-2000:], out.stderr[-2000:]))
        tests = int(last.split()[0].split("/")[0])
        print("%s: %d tests" % (name, tests), flush=True)

        pytest = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        blitz_cmd = [blitz, "-p", str(slots), "-e", "py", "--result-json"]
        for d in (".blitz", ".tox"):  # blitz starts with no env and no history
            shutil.rmtree(os.path.join(cwd, d), ignore_errors=True)

        def blitz_run(n, what):
            res = os.path.join(work, "%s.blitz%d.json" % (name, n))
            secs = timed("blitz (run %d)" % n, blitz_cmd + [res])
            # the tests' total in blitz's own report: how fast the machine ran them this time
            total = check_count("blitz (run %d)" % n, blitz_junit(res))
            print("  %-48s %7.2f s   tests' total %.2f s" % ("blitz -p %d, run %d (%s)" % (slots, n, what), secs, total),
                  flush=True)
            return secs

        serial, xdist, second, totals, longest = [], [], [], [], []
        for i in range(args.runs):
            junit = os.path.join(work, "%s.serial%d.xml" % (name, i))
            serial.append(timed("pytest (serial)", pytest + ["--junitxml=" + junit]))
            check_count("pytest (serial)", junit)
            cases = junit_cases(junit)
            totals.append(sum(s for s, _ in cases))
            longest.append(max(cases))
            print("  %-48s %7.2f s   tests' total %.2f s, longest %.2f s"
                  % ("pytest (serial)", serial[-1], totals[-1], longest[-1][0]), flush=True)
            junit = os.path.join(work, "%s.xdist%d.xml" % (name, i))
            xdist.append(timed("pytest -n %d" % slots, pytest + ["-n", str(slots), "--junitxml=" + junit]))
            check_count("pytest -n %d" % slots, junit)
            print("  %-48s %7.2f s" % ("pytest -n %d" % slots, xdist[-1]), flush=True)
            if i == 0:
                first = blitz_run(1, "makes the env, no history")
            second.append(blitz_run(i + 2, "env in place, history"))
        cases.sort(reverse=True)
        print("  longest tests (last serial run):")
        for c in cases[:5]:
            print("    %6.2f s  %s" % c)

        total, top = statistics.median(totals), statistics.median(s for s, _ in longest)
        bound = max(total / slots, top)
        rows.append({"suite": name, "tests": tests, "serial": statistics.median(serial),
                     "xdist": statistics.median(xdist), "first": first, "second": statistics.median(second),
                     "bound": bound, "total": total, "longest": top})

    print()
    print("lower bound = max(tests' total time / %d slots, longest test), from the serial runs' JUnit times;"
          " each wall time is followed by its ratio to the bound" % slots)
    head = ["suite", "tests", "total", "longest", "bound", "serial", "-n %d" % slots, "blitz 1st", "blitz 2nd",
            "target"]
    fmt = "%-10s %5s %7s %7s %7s %14s %14s %14s %14s  %s"
    print(fmt % tuple(head))
    met_all = True
    for r in rows:
        def cell(secs):
            return "%6.2f (%.2fx)" % (secs, secs / r["bound"])
        within = r["second"] <= TARGET * r["bound"]
        faster = r["second"] < r["xdist"]
        met_all &= within and faster
        verdict = "met" if within and faster else "missed (%s)" % ", ".join(
            w for w, ok in (("over %.1fx the bound" % TARGET, within), ("not faster than -n %d" % slots, faster))
            if not ok)
        print(fmt % (r["suite"], r["tests"], "%.2f" % r["total"], "%.2f" % r["longest"], "%.2f" % r["bound"],
                     cell(r["serial"]), cell(r["xdist"]), cell(r["first"]), cell(r["second"]), verdict))
    print("target (blitz's second run within %.1fx the bound and faster than pytest -n %d, on every suite): %s"
          % (TARGET, slots, "met" if met_all else "missed"))
    print("load average at the end: %.2f (the machine is shared: a high one makes every number slower)" % load())


if __name__ == "__main__":
    main()
