#!/usr/bin/env python3
"""The skipsdist benchmark: an application's test matrix (no package) run by tox 4.58 and by blitz.

usage: /usr/bin/python3 bench/skipsdist.py [--runs N] [--blitz PATH] [--tox PATH] [--work DIR]
           [--variants written,skip_install] [--tools tox,blitz] [--measure first,cold,warm]
       /usr/bin/python3 bench/skipsdist.py --generate DIR [--variant written|skip_install]

See bench/README.md ("skipsdist benchmark"). In short: it writes a project as application and
integration-test repositories have it: no setup.py or pyproject.toml, `[tox] skipsdist = true`,
a custom `install_command` that installs from the project's own wheelhouse, and 3
interpreters x 10 envs whose deps are different small sets of pytest, pytest-xdist, coverage,
pytest-cov, attrs and packaging, each env running a few quick tests. Then, in the same run,
for each tool (`-p auto`) and N times (the median is reported):

  first  the first run ever: no .tox (.blitz) and an empty HOME, so no machine cache either
         (blitz's $XDG_CACHE_HOME/blitz, virtualenv's app-data, pip's cache);
  cold   a fresh project on a machine that has run the tool before: no .tox (.blitz), the
         HOME the previous runs left (a developer's second project);
  warm   the same project run again, every env in place.

Two variants of the file: `written`, as above, and `skip_install`, the same file with
`skip_install = true` in [testenv] (which blitz needs today; for tox it changes nothing).
Every run must end with every env passing: a failing run is reported as failed, with the
reason, never as a time. From blitz's --result-json it also reports each env's venv set-up
(the `create` step) against the 50 ms target.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's: it packs the wheelhouse from its own packages
TOX4 = "/work/shared/tools/tox4/tox4"
# Debian's python3.11 (/usr/bin, first on PATH), pyenv's 3.12 and 3.13: no 3.8, whose envs
# tox 4.58 can make only with an older virtualenv bootstrapped from the wheelhouse
PYTHONS = {"py311": None, "py312": "3.12", "py313": "3.13"}
# the wheelhouse: Debian's pytest and friends packed into wheels (examples/tools/wheelhouse.py)
WHEELS = ["pytest", "pluggy", "iniconfig", "packaging", "attrs", "exceptiongroup", "tomli",
          "pytest-xdist", "execnet", "coverage", "pytest-cov"]
VARIANTS = ["written", "skip_install"]
TOOLS = ["tox", "blitz"]
MEASURES = ["first", "cold", "warm"]
TARGETS = {"cold": 4.0, "warm": 2.0}  # tox / blitz
CREATE_TARGET = 0.050                 # seconds, each env's venv
RUN_TIMEOUT = 1800

# (factor, its deps beyond pytest, how it runs its tests); 10 per interpreter
FACTORS = [
    ("unit", [], "pytest"),
    ("xdist", ["pytest-xdist"], "pytest"),
    ("cov", ["coverage"], "coverage"),
    ("pytestcov", ["coverage", "pytest-cov"], "pytest-cov"),
    ("models", ["attrs"], "pytest"),
    ("versions", ["packaging"], "pytest"),
    ("api", ["attrs", "packaging"], "pytest"),
    ("integration", ["pytest-xdist", "attrs"], "pytest"),
    ("smoke", ["coverage", "pytest-cov", "packaging"], "pytest-cov"),
    ("full", ["pytest-xdist", "coverage", "pytest-cov", "attrs", "packaging"], "pytest-cov"),
]


def tox_ini(variant):
    """The project's tox.ini: skipsdist, its own install_command, factor deps and commands."""
    names = [f for f, _, _ in FACTORS]
    dep_lines = []
    for dep in ["pytest-xdist", "coverage", "pytest-cov", "attrs", "packaging"]:
        users = [f for f, deps, _ in FACTORS if dep in deps]
        dep_lines.append("    %s: %s" % (",".join(users), dep))
    runs = {how: [f for f, _, h in FACTORS if h == how] for how in ("pytest", "coverage", "pytest-cov")}
    return "".join([
        "[tox]\n",
        "skipsdist = true\n",
        "envlist = py{%s}-{%s}\n" % (",".join(p[2:] for p in PYTHONS), ",".join(names)),
        "\n",
        "[pytest]\n",
        "testpaths = tests\n",
        "pythonpath = .\n",
        "\n",
        "[testenv]\n",
        "install_command = python -m pip install --no-index --find-links {toxinidir}/wheelhouse {opts} {packages}\n",
        "skip_install = true\n" if variant == "skip_install" else "",
        "set_env =\n",
        "    COVERAGE_FILE = {toxworkdir}/.coverage.{envname}\n",
        "deps =\n",
        "    pytest\n",
        "\n".join(dep_lines) + "\n",
        "commands =\n",
        "    %s: pytest {posargs}\n" % ",".join(runs["pytest"]),
        "    %s: python -m coverage run --source=app -m pytest {posargs}\n" % ",".join(runs["coverage"]),
        "    %s: python -m coverage report\n" % ",".join(runs["coverage"]),
        "    %s: pytest --cov=app --cov-report=term {posargs}\n" % ",".join(runs["pytest-cov"]),
    ])


# the application: a small package imported from the checkout (pytest's pythonpath = .)
APP = {
    "app/__init__.py": '"""A small application, tested where it lies (it is never installed)."""\n',
    "app/text.py": '''\
import re
import unicodedata


def slugify(title):
    """A URL-safe slug of a title."""
    ascii_only = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def parse_duration(text):
    """Seconds in "1h30m", "45s", "2m5s"."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\\d+)([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError("not a duration: %r" % text)
    return sum(int(n) * units[u] for n, u in parts)
''',
    "app/orders.py": '''\
from dataclasses import dataclass, field


@dataclass
class Line:
    sku: str
    quantity: int
    unit_cents: int

    @property
    def cents(self):
        return self.quantity * self.unit_cents


@dataclass
class Order:
    lines: list = field(default_factory=list)

    def add(self, sku, quantity, unit_cents):
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.lines.append(Line(sku, quantity, unit_cents))

    def total_cents(self, discount_percent=0):
        gross = sum(line.cents for line in self.lines)
        return gross - gross * discount_percent // 100
''',
}

TESTS = {
    "tests/test_text.py": '''\
import pytest

from app.text import parse_duration, slugify


@pytest.mark.parametrize("title, slug", [("Hello, World!", "hello-world"), ("Crème brûlée", "creme-brulee"),
                                         ("  many   spaces ", "many-spaces")])
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_parse_duration():
    assert parse_duration("1h30m") == 5400
    assert parse_duration("2m5s") == 125


def test_parse_duration_rejects_garbage():
    with pytest.raises(ValueError):
        parse_duration("soon")
''',
    "tests/test_orders.py": '''\
import pytest

from app.orders import Order


@pytest.fixture
def order():
    o = Order()
    o.add("apple", 3, 50)
    o.add("pear", 1, 120)
    return o


def test_total(order):
    assert order.total_cents() == 270


def test_discount(order):
    assert order.total_cents(discount_percent=10) == 243


def test_rejects_empty_line(order):
    with pytest.raises(ValueError):
        order.add("plum", 0, 10)
''',
    "tests/test_deps.py": '''\
"""Each env's optional deps are importable where its factors ask for them."""
import os

import pytest


def test_attrs_model():
    attr = pytest.importorskip("attr")

    @attr.s(frozen=True)
    class Point:
        x = attr.ib()
        y = attr.ib(default=0)

    assert Point(1) == Point(1, 0)


def test_packaging_versions():
    version = pytest.importorskip("packaging.version")
    assert version.Version("1.10") > version.Version("1.9")


def test_env_name():
    assert os.environ.get("TOX_ENV_NAME", "").startswith("py3")
''',
}


def generate(project, variant, wheelhouse_from=None):
    """Write the project into `project` (emptied); its wheelhouse copied from wheelhouse_from or packed."""
    shutil.rmtree(project, ignore_errors=True)
    for rel, text in list(APP.items()) + list(TESTS.items()) + [("tox.ini", tox_ini(variant))]:
        path = os.path.join(project, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    wheelhouse = os.path.join(project, "wheelhouse")
    if wheelhouse_from:
        shutil.copytree(wheelhouse_from, wheelhouse)
    else:
        subprocess.run([PYTHON, os.path.join(ROOT, "examples", "tools", "wheelhouse.py"), wheelhouse] + WHEELS,
                       check=True, stdout=subprocess.DEVNULL)


def env_names():
    return ["%s-%s" % (p, f) for p in PYTHONS for f, _, _ in FACTORS]


def pyenv_bin(version):
    """The bin folder of pyenv's newest X.Y.Z for `version` (X.Y), or None."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    versions = os.path.join(root, "versions")
    found = []
    if os.path.isdir(versions):
        for v in os.listdir(versions):
            m = re.match(r"^%s\.(\d+)$" % re.escape(version), v)
            if m and os.path.isfile(os.path.join(versions, v, "bin", "python" + version)):
                found.append((int(m.group(1)), os.path.join(versions, v, "bin")))
    return max(found)[1] if found else None


def load():
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    return "%.2f %.2f %.2f" % os.getloadavg()


def fmt(seconds):
    if seconds is None:
        return "-"
    if seconds < 0.9995:
        return "%.0f ms" % (seconds * 1000)
    return "%.1f s" % seconds


class Outcome:
    """One timed run: its wall time, the CPU time of all its processes, whether every env passed
    and why not, each env's venv set-up time, the load average at its start."""

    def __init__(self, seconds, cpu, ok, why, creates=None, load_avg=""):
        self.seconds, self.cpu, self.ok, self.why = seconds, cpu, ok, why
        self.creates, self.load = creates or {}, load_avg


def check_tox(rc, log, result, envs):
    """Every env of a tox 4 run passed: its result json says so (and the exit status is 0).
    Returns (ok, why, {env: seconds outside its pip and test commands}): tox's json does not time
    the venv's creation, so that rest (virtualenv, and tox's own work on the env) stands for it."""
    try:
        data = json.load(open(result))
    except (OSError, ValueError) as e:
        return False, "exit %d, no result json (%s); see %s" % (rc, e.__class__.__name__, log), {}
    bad, rest = [], {}
    for name in envs:
        got = data.get("testenvs", {}).get(name)
        res = (got or {}).get("result") or {}
        if not got or not res.get("success") or not got.get("test"):
            bad.append(name)
            continue
        timed = sum(c.get("elapsed", 0) for c in got.get("setup", []) + got.get("test", []))
        rest[name] = max(0.0, res.get("duration", 0) - timed)
    if rc != 0 or bad:
        return False, "exit %d; %d of %d envs not green (%s); see %s" % (
            rc, len(bad), len(envs), " ".join(bad[:4]) + (" ..." if len(bad) > 4 else ""), log), rest
    return True, "", rest


def check_blitz(rc, log, result, envs):
    """Every env of a blitz run passed; returns (ok, why, {env: seconds of its create step})."""
    try:
        data = json.load(open(result))
    except (OSError, ValueError) as e:
        return False, "exit %d, no result json (%s); see %s" % (rc, e.__class__.__name__, log), {}
    by_name = {e["name"]: e for e in data.get("envs", [])}
    bad, reasons, creates = [], [], {}
    for name in envs:
        got = by_name.get(name)
        if not got or got.get("result") != "passed":
            bad.append(name)
            if got and got.get("reason"):
                reasons.append(got["reason"])
            continue
        if not any(s["what"] == "command" for s in got.get("steps", [])):
            bad.append(name)
            reasons.append("ran no command")
        for s in got.get("steps", []):
            if s["what"] == "create":
                creates[name] = creates.get(name, 0.0) + s["seconds"]
    if rc != 0 or bad:
        why = "exit %d; %d of %d envs not green (%s)" % (
            rc, len(bad), len(envs), " ".join(bad[:4]) + (" ..." if len(bad) > 4 else ""))
        if reasons:
            why += "; first reason: %s" % reasons[0][:300]
        return False, why + "; see %s" % log, creates
    return True, "", creates


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.envs = env_names()
        self.log = os.path.join(self.work, "bench.log")
        bins = [pyenv_bin(v) for v in PYTHONS.values() if v]
        # Debian's python3.11 first: tox 4 takes the interpreter it runs on for py311 anyway
        self.path = ":".join(["/usr/bin", "/bin"] + bins)
        self.results = {}  # (variant, tool, measure) -> [Outcome]

    def env(self, tool):
        home = os.path.join(self.work, "home-" + tool)
        os.makedirs(home, exist_ok=True)
        # the same for both tools; pip offline, and no index to ask about pip's own version
        return {"HOME": home, "XDG_CACHE_HOME": os.path.join(home, ".cache"), "PATH": self.path,
                "LANG": "C.UTF-8", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def run(self, variant, tool, measure, i, retry=True):
        project = os.path.join(self.work, "%s-%s" % (variant, tool))
        env = self.env(tool)
        if measure in ("first", "cold"):
            for d in (".tox", ".blitz"):
                shutil.rmtree(os.path.join(project, d), ignore_errors=True)
        if measure == "first":
            shutil.rmtree(env["HOME"])
            os.makedirs(env["HOME"])
        result = os.path.join(self.work, "%s-%s-%s%d.json" % (variant, tool, measure, i))
        if os.path.exists(result):
            os.unlink(result)
        if tool == "tox":
            cmd = [self.args.tox, "-p", "auto", "--result-json", result]
        else:
            cmd = [self.args.blitz, "-p", "auto", "--result-json", result]
        at_start = load()
        with open(self.log, "ab") as f:
            f.write(("\n$ (cd %s && %s)   # %s, %s run %d, load %s\n"
                     % (project, " ".join(cmd), variant, measure, i + 1, at_start)).encode())
            f.flush()
            start = time.monotonic()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            timed_out = False
            # a session of its own, so that a stuck run, or Ctrl-C here, ends it with all its children
            proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=f, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                rc = proc.wait(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc, timed_out = proc.wait(), True
            except KeyboardInterrupt:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise
            seconds = time.monotonic() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # user + system of every process of the run that was waited for (all of them, when the
            # tool waits for its own): on a shared machine steadier than the wall time
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if rc < 0 and not timed_out and retry:
            # not the tool failing: something outside it (the OOM killer on a crowded machine, a
            # signal meant for another process) ended it; once, the run is made again
            print("  %-12s %-5s %-5s run %d: killed by signal %d after %s, not by the benchmark (dmesg: the "
                  "OOM killer?): running it again" % (variant, tool, measure, i + 1, -rc, fmt(seconds)), flush=True)
            return self.run(variant, tool, measure, i, retry=False)
        if tool == "tox":
            ok, why, creates = check_tox(rc, self.log, result, self.envs)
        else:
            ok, why, creates = check_blitz(rc, self.log, result, self.envs)
        if timed_out:
            why = "no end after %d s, killed; " % RUN_TIMEOUT + why
        elif rc < 0:
            why = "killed by signal %d (twice); " % -rc + why
        out = Outcome(seconds, cpu, ok, why, creates, at_start)
        self.results.setdefault((variant, tool, measure), []).append(out)
        print("  %-12s %-5s %-5s run %d: %8s, CPU %8s  %s  (load %s)"
              % (variant, tool, measure, i + 1, fmt(seconds), fmt(cpu), "all %d envs green" % len(self.envs) if ok
                 else "FAILED: " + why, at_start), flush=True)
        return out

    def measure_all(self):
        """first, cold and warm in turn, each by one tool and then the other (so that the two runs
        compared are as close in time as they can be), variant by variant, --runs times over."""
        a = self.args
        for i in range(a.runs):
            for variant in a.variants:
                for measure in [m for m in MEASURES if m in a.measure]:
                    for tool in a.tools:
                        project = os.path.join(self.work, "%s-%s" % (variant, tool))
                        if measure == "cold" and "first" not in a.measure and not os.listdir(self.env(tool)["HOME"]):
                            # "cold" is a fresh project on a machine whose caches the tool has filled
                            print("  %-12s %-5s (untimed: a first run, to fill the machine's caches)"
                                  % (variant, tool), flush=True)
                            self.run(variant, tool, "prime", i)
                        if measure == "warm" and not os.path.isdir(os.path.join(project, ".tox")):
                            print("  %-12s %-5s (untimed: a run to make the envs)" % (variant, tool), flush=True)
                            self.run(variant, tool, "prime", i)
                        self.run(variant, tool, measure, i)

    def median(self, variant, tool, measure, what="seconds"):
        runs = self.results.get((variant, tool, measure), [])
        if not runs or not all(r.ok for r in runs):
            return None
        return statistics.median(getattr(r, what) for r in runs)

    def report(self):
        a = self.args
        print()
        print("%d envs (%s x %d factors), %d cores; medians of %d run%s; load at the end %s"
              % (len(self.envs), "/".join(PYTHONS), len(FACTORS), os.cpu_count() or 1, a.runs,
                 "s" if a.runs > 1 else "", load()))
        print("first: no .tox/.blitz, empty HOME (no machine cache); cold: no .tox/.blitz, machine caches "
              "kept; warm: every env in place")
        head = "%-12s %-6s %10s %10s %12s  %-20s %10s %10s %12s"
        print(head % ("variant", "run", "tox 4", "blitz", "tox / blitz", "target", "tox CPU", "blitz CPU",
                      "CPU ratio"))
        for variant in a.variants:
            for measure in [m for m in MEASURES if m in a.measure]:
                t = self.median(variant, "tox", measure) if "tox" in a.tools else None
                b = self.median(variant, "blitz", measure) if "blitz" in a.tools else None
                cells = []
                for tool, m in (("tox", t), ("blitz", b)):
                    if tool not in a.tools:
                        cells.append("-")
                    elif m is None:
                        cells.append("FAILED")
                    else:
                        cells.append(fmt(m))
                ratio = "%.2fx" % (t / b) if t and b else "-"
                target = TARGETS.get(measure)
                verdict = ""
                if target:
                    verdict = (">= %gx: " % target) + ("met" if t and b and t / b >= target else
                                                        "missed" if t and b else "not measured")
                tc = self.median(variant, "tox", measure, "cpu") if t else None
                bc = self.median(variant, "blitz", measure, "cpu") if b else None
                print(head % (variant, measure, cells[0], cells[1], ratio, verdict, fmt(tc), fmt(bc),
                              "%.2fx" % (tc / bc) if tc and bc else "-"))
        for (variant, tool, measure), runs in sorted(self.results.items()):
            failed = [r for r in runs if not r.ok]
            if failed and measure != "prime":
                print("  failed: %s %s %s, %d of %d runs: %s" % (variant, tool, measure, len(failed), len(runs),
                                                                 failed[0].why))
        self.report_creates()

    def report_creates(self):
        print()
        print("each env's venv set-up, over every env of every passing run:")
        for tool, what in (("blitz", "blitz, its `create` step (target under %d ms each)" % (CREATE_TARGET * 1000)),
                           ("tox", "tox 4, an env's time outside its pip and test commands (virtualenv and tox's "
                                   "own work; for comparison)")):
            if tool not in self.args.tools:
                continue
            print("  " + what)
            for variant in self.args.variants:
                for measure in ("first", "cold"):
                    creates = [s for r in self.results.get((variant, tool, measure), []) if r.ok
                               for s in r.creates.values()]
                    if not creates:
                        continue
                    worst = max(creates)
                    verdict = ("met" if worst < CREATE_TARGET else "missed") if tool == "blitz" else ""
                    print("    %-12s %-5s %3d venvs: median %s, max %s  %s"
                          % (variant, measure, len(creates), fmt(statistics.median(creates)), fmt(worst), verdict))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement; medians are reported (default 3)")
    ap.add_argument("--blitz", default=os.path.join(ROOT, "blitz"), help="the blitz to run (default: the one make builds)")
    ap.add_argument("--tox", default=TOX4, help="the tox to run (default: tox 4.58 at %s)" % TOX4)
    ap.add_argument("--work", default="/tmp/blitz-bench-skipsdist", help="scratch folder (emptied)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, of: %s" % ", ".join(VARIANTS))
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated, of: %s" % ", ".join(TOOLS))
    ap.add_argument("--measure", default=",".join(MEASURES), help="comma-separated, of: %s" % ", ".join(MEASURES))
    ap.add_argument("--generate", metavar="DIR", help="only write the project into DIR (emptied) and stop")
    ap.add_argument("--variant", default="written", choices=VARIANTS, help="the variant --generate writes")
    args = ap.parse_args()

    if args.generate:
        generate(os.path.abspath(args.generate), args.variant)
        print("wrote %s (%s): %d envs" % (args.generate, args.variant, len(env_names())))
        return 0
    for opt, allowed in (("variants", VARIANTS), ("tools", TOOLS), ("measure", MEASURES)):
        chosen = [w for w in getattr(args, opt).split(",") if w]
        unknown = [w for w in chosen if w not in allowed]
        if unknown or not chosen:
            ap.error("--%s: %s (choose from %s)" % (opt, ", ".join(unknown) or "none", ", ".join(allowed)))
        setattr(args, opt, chosen)
    if args.runs < 1:
        ap.error("--runs takes a number from 1 up")
    if "blitz" in args.tools:
        args.blitz = os.path.abspath(args.blitz)
        if not os.access(args.blitz, os.X_OK):
            sys.exit("bench: no blitz at %s: run `make` first" % args.blitz)
    if "tox" in args.tools and not os.access(args.tox, os.X_OK):
        sys.exit("bench: no tox at %s (--tox PATH)" % args.tox)
    missing = [v for v in PYTHONS.values() if v and not pyenv_bin(v)]
    if missing:
        sys.exit("bench: no pyenv Python %s (looked in $PYENV_ROOT or ~/.pyenv)" % ", ".join(missing))
    probe = subprocess.run([PYTHON, "-c", "import pytest, xdist, coverage, pytest_cov, attr, packaging"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit("bench: %s lacks a package to pack into the wheelhouse: apt-get install -y python3-pytest "
                 "python3-pytest-xdist python3-coverage python3-pytest-cov" % PYTHON)

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    wheelhouse = os.path.join(args.work, "wheelhouse")
    subprocess.run([PYTHON, os.path.join(ROOT, "examples", "tools", "wheelhouse.py"), wheelhouse] + WHEELS,
                   check=True, stdout=subprocess.DEVNULL)
    for variant in args.variants:
        for tool in args.tools:  # a copy per tool: both write .tox beside tox.ini
            generate(os.path.join(args.work, "%s-%s" % (variant, tool)), variant, wheelhouse)
    bench = Bench(args)
    print("bench: %d envs, variants %s, tools %s, measures %s, %d run%s each; in %s; load %s"
          % (len(bench.envs), ",".join(args.variants), ",".join(args.tools), ",".join(args.measure), args.runs,
             "s" if args.runs > 1 else "", args.work, load()), flush=True)
    for tool in args.tools:
        print("  %s: %s" % (tool, args.tox if tool == "tox" else args.blitz))
    start = time.monotonic()
    try:
        bench.measure_all()
    except KeyboardInterrupt:
        print("bench: interrupted; what was measured so far:", file=sys.stderr)
        bench.report()
        return 130
    bench.report()
    print("the benchmark took %s" % fmt(time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
