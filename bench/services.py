#!/usr/bin/env python3
"""blitz services benchmark: one shared PostgreSQL and Redis against a pair per slot.

usage: /usr/bin/python3 bench/services.py [--blitz PATH] [--runs N]
(`make bench-services`; Python 3 standard library only; Debian's /usr/bin/python3 runs the
tests, with its pytest, pytest-xdist, psycopg2 and redis-py.)

On a scratch copy of examples/services (101 tests that need PostgreSQL and Redis), each run:
  1. pytest          serially, against ONE PostgreSQL and ONE Redis this script starts
  2. pytest -n 2     the same servers, emptied first: the two workers collide
  3. blitz run -p 2  per-slot servers that blitz starts; run 1 from a fresh .blitz (no
                     history), run 2 with what run 1 learnt
and prints each way's wall time, its ratio to the serial run and its passed and failed
tests (from JUnit XML), then from blitz's --result-json ("services") each slot's time from
starting a server to its being ready, against the targets: Redis < 0.1 s, PostgreSQL < 1 s.
Times are medians over --runs runs (default 1). Exits 0 unless the harness itself breaks:
failing tests, a failing blitz and missed targets are reported, not errors.
"""

import argparse
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "examples" / "services"
PYTHON = "/usr/bin/python3"      # Debian's: it has pytest, xdist, psycopg2 and redis-py
READY_TARGETS = {"redis": 0.1, "postgres": 1.0}
COMMAND_TIMEOUT = 900            # seconds: a run that takes longer is stuck
START_TIMEOUT = 30               # seconds for a shared server to become ready


class HarnessError(Exception):
    """The benchmark itself cannot go on (as opposed to tests or blitz failing)."""


def fmt(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir() -> Path:
    """Debian keeps the server outside PATH, one folder per major version: the newest."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).parent
    raise HarnessError("no PostgreSQL server: apt-get install postgresql")


def redis_command(port: int, *words: str, timeout: float = 2.0) -> bytes:
    """Send one command to Redis in its protocol; returns the first line of the reply."""
    request = f"*{len(words)}\r\n".encode()
    for w in words:
        request += f"${len(w.encode())}\r\n{w}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.strip()


class SharedServers:
    """One PostgreSQL and one Redis for the pytest runs; stopped and removed by stop()."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.bindir = postgres_bindir()
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.pg_dir: Optional[Path] = None
        self.procs: Dict[str, subprocess.Popen] = {}
        self.logs: Dict[str, Path] = {}
        # PostgreSQL refuses to run as root: as root, it runs as the postgres user
        self.as_user = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise HarnessError("running as root and there is no postgres user to run PostgreSQL as")
            self.as_user = pw

    @property
    def env(self) -> Dict[str, str]:
        return {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0"}

    def _pg_run_kwargs(self) -> dict:
        if not self.as_user:
            return {}
        return {"user": self.as_user.pw_uid, "group": self.as_user.pw_gid, "extra_groups": []}

    def start(self) -> None:
        # its own folder in /tmp: the postgres user must own it and cannot enter the scratch dir
        self.pg_dir = Path(tempfile.mkdtemp(prefix="blitz-bench-pg-"))
        if self.as_user:
            os.chown(self.pg_dir, self.as_user.pw_uid, self.as_user.pw_gid)
        env = {"PATH": f"{self.bindir}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.pg_dir)}
        init = subprocess.run([str(self.bindir / "initdb"), "-D", str(self.pg_dir / "data"), "-U", "postgres",
                               "-A", "trust", "--no-sync"], env=env, cwd=self.pg_dir,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=120, **self._pg_run_kwargs())
        if init.returncode != 0:
            raise HarnessError(f"initdb failed ({init.returncode}):\n{init.stdout[-2000:]}")
        self._spawn("postgres", [str(self.bindir / "postgres"), "-D", str(self.pg_dir / "data"),
                                 "-p", str(self.pg_port), "-k", "", "-c", "listen_addresses=127.0.0.1",
                                 "-c", "fsync=off", "-c", "synchronous_commit=off",
                                 "-c", "full_page_writes=off"],
                    env, self.pg_dir / "postgres.log", **self._pg_run_kwargs())
        self._spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                              "--dir", str(self.scratch), "--save", "", "--appendonly", "no"],
                    env, self.scratch / "redis.log")
        self._wait_ready()

    def _spawn(self, name: str, argv: List[str], env: Dict[str, str], log: Path, **kwargs) -> None:
        self.logs[name] = log
        with open(log, "wb") as out:
            # a session of its own: a Ctrl-C in the terminal reaches this script, which stops it
            self.procs[name] = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True,
                                                **kwargs)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = {"postgres", "redis"}
        while waiting:
            for name in sorted(waiting):
                if self.procs[name].poll() is not None:
                    raise HarnessError(f"{name} exited with {self.procs[name].returncode}:\n"
                                       f"{self.logs[name].read_text(errors='replace')[-2000:]}")
                if self.ready(name):
                    waiting.discard(name)
            if waiting and time.monotonic() > deadline:
                raise HarnessError(f"not ready after {START_TIMEOUT} s: {', '.join(sorted(waiting))}")
            if waiting:
                time.sleep(0.02)

    def ready(self, name: str) -> bool:
        if name == "redis":
            try:
                return redis_command(self.redis_port, "PING") == b"+PONG"
            except OSError:
                return False
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.pg_port)],
                              env={"PATH": f"/usr/bin:/bin:{self.bindir}"}).returncode == 0

    def reset(self) -> None:
        """What blitz's reset does between two jobs: an empty public schema, an empty Redis."""
        r = subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                            "-d", "postgres", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public"],
                           env={"PATH": f"/usr/bin:/bin:{self.bindir}", "PGOPTIONS": "-c client_min_messages=warning"},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        if r.returncode != 0:
            raise HarnessError(f"resetting PostgreSQL failed: {r.stdout.strip()}")
        if redis_command(self.redis_port, "FLUSHALL") != b"+OK":
            raise HarnessError("resetting Redis failed")

    def stop(self) -> None:
        # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients); Redis takes SIGTERM
        for name, sig in (("postgres", signal.SIGINT), ("redis", signal.SIGTERM)):
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                proc.send_signal(sig)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        if self.pg_dir:
            shutil.rmtree(self.pg_dir, ignore_errors=True)
            self.pg_dir = None


def junit_counts(path: Path) -> Optional[Dict[str, int]]:
    """passed / failed (failures and errors) / skipped of a JUnit XML file; None if unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            counts["failed"] += 1
        elif "skipped" in tags:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


class Way:
    """One way of running the suite, over --runs runs."""

    def __init__(self, label: str):
        self.label = label
        self.times: List[float] = []
        self.counts: List[Dict[str, int]] = []
        self.notes: List[str] = []

    @property
    def median(self) -> Optional[float]:
        return statistics.median(self.times) if self.times else None

    def tests(self) -> str:
        if not self.counts:
            return "-"
        passed = [c["passed"] for c in self.counts]
        failed = [c["failed"] for c in self.counts]
        if len(self.counts) == 1:
            return f"{passed[0]} passed, {failed[0]} failed"
        return (f"{statistics.median(passed):g} passed, {statistics.median(failed):g} failed "
                f"(failed per run: {', '.join(map(str, failed))})")


def run_timed(argv: List[str], cwd: Path, env: Dict[str, str], log: Path) -> Tuple[float, int]:
    start = time.monotonic()
    with open(log, "wb") as out:
        try:
            rc = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            raise HarnessError(f"{' '.join(argv)} took more than {COMMAND_TIMEOUT} s (log: {log})")
    return time.monotonic() - start, rc


def service_processes(under: Path) -> List[int]:
    """Processes whose command line names a path under `under`: servers blitz left running."""
    pids = []
    needle = str(under).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if needle in cmdline and (b"postgres" in cmdline or b"redis-server" in cmdline):
            pids.append(int(entry))
    return pids


def blitz_run(blitz: Path, project: Path, env: Dict[str, str], label: str, log: Path,
              way: Way, ready: List[dict]) -> Optional[Dict[str, int]]:
    """Time one blitz run into `way`; its services' ready times go to `ready`. Returns its
    test counts, or None with what was missing in way.notes."""
    result = project.parent / f"{label}.json"
    result.unlink(missing_ok=True)
    seconds, rc = run_timed([str(blitz), "run", "-p", "2", "--result-json", str(result)], project, env, log)
    way.times.append(seconds)
    if rc != 0:
        # the scratch folder and its logs are removed at the end: keep the last words here
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
        why = [line for line in lines if " FAILED in " in line][:2] or lines[-2:]
        way.notes.append(f"blitz exited with {rc}: " + " / ".join(why)[:300])
    try:
        data = json.loads(result.read_text())
    except (OSError, ValueError) as e:
        way.notes.append(f"no result json from blitz ({e.__class__.__name__}: {e})")
        return None
    junit = data.get("junit")
    if not junit:
        # blitz without the key: the merged report sits in the run's folder, beside each env's log
        logs = [e.get("log") for e in data.get("envs", []) if e.get("log")]
        guess = Path(logs[0]).parent / "junit.xml" if logs else None
        if guess and guess.exists():
            junit = str(guess)
            way.notes.append('result json has no "junit": read the junit.xml beside the env logs')
        else:
            way.notes.append('result json has no "junit" and no junit.xml was found')
    counts = junit_counts(Path(junit)) if junit else None
    if counts:
        way.counts.append(counts)
    elif junit:
        way.notes.append(f"cannot read the JUnit XML {junit}")
    if "services" not in data:
        way.notes.append('result json has no "services": no per-slot ready times '
                         '(a blitz without [blitz:service:NAME] support?)')
    else:
        for s in data["services"]:
            ready.append(dict(s, run=label))
    leaked = service_processes(project)
    if leaked:
        way.notes.append(f"{len(leaked)} service process(es) still running after blitz exited: "
                         f"pids {', '.join(map(str, leaked))}")
        for pid in leaked:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return counts


def check_prerequisites(blitz: Path) -> List[str]:
    missing = []
    if not Path(PYTHON).exists():
        missing.append(f"{PYTHON} (Debian's python3)")
    else:
        probe = subprocess.run([PYTHON, "-c", "import pytest, xdist, psycopg2, redis"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if probe.returncode != 0:
            missing.append("python3-pytest python3-pytest-xdist python3-psycopg2 python3-redis "
                           f"({probe.stdout.strip().splitlines()[-1] if probe.stdout.strip() else 'import failed'})")
    for tool in ("redis-server", "psql", "pg_isready"):
        if not shutil.which(tool, path="/usr/bin:/bin"):
            missing.append(tool)
    if not blitz.exists():
        missing.append(f"{blitz} (make)")
    return missing


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--blitz", default=str(REPO_ROOT / "build" / "blitz"), help="blitz binary (default: build/blitz)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each way; times are medians (default 1)")
    args = ap.parse_args()
    blitz = Path(args.blitz).resolve()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    missing = check_prerequisites(blitz)
    if any(not m.startswith(str(blitz)) for m in missing):
        print("services benchmark skipped: missing " + "; ".join(missing))
        return 0
    skip_blitz = bool(missing)
    if skip_blitz:
        print(f"no blitz at {blitz}: measuring pytest only (build it with make)")

    scratch = Path(tempfile.mkdtemp(prefix="blitz-bench-services-"))
    servers: Optional[SharedServers] = None
    # a SIGTERM unwinds like Ctrl-C, so that the servers are stopped either way
    signal.signal(signal.SIGTERM, interrupted)
    try:
        project = scratch / "services"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(
            ".blitz", ".tox", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
        home = scratch / "home"
        home.mkdir()
        base_env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
                    "PYTHONDONTWRITEBYTECODE": "1"}

        servers = SharedServers(scratch)
        print(f"shared servers: PostgreSQL {servers.bindir.parent.name} on port {servers.pg_port}, "
              f"Redis on port {servers.redis_port}; blitz: {blitz if not skip_blitz else '(none)'}")
        servers.start()
        pytest_env = dict(base_env, PYTHONPATH=str(project), **servers.env)

        serial, xdist = Way("pytest (serial, shared servers)"), Way("pytest -n 2 (shared servers)")
        first, second = Way("blitz run -p 2 (run 1, no history)"), Way("blitz run -p 2 (run 2)")
        ready: List[dict] = []
        for i in range(1, args.runs + 1):
            for way, extra in ((serial, []), (xdist, ["-n", "2"])):
                servers.reset()
                junit = scratch / f"junit-{len(way.times)}-{'x' if extra else 's'}.xml"
                log = scratch / (junit.stem + ".log")
                seconds, rc = run_timed([PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q", *extra,
                                         "--junitxml", str(junit), "tests"], project, pytest_env, log)
                way.times.append(seconds)
                counts = junit_counts(junit)
                if counts is None:
                    raise HarnessError(f"pytest wrote no readable JUnit XML (exit {rc}; log: {log})")
                way.counts.append(counts)
                print(f"  run {i}: {way.label}: {fmt(seconds)}, {counts['passed']} passed, "
                      f"{counts['failed']} failed")
            if skip_blitz:
                continue
            for stale in (".blitz", ".tox"):
                shutil.rmtree(project / stale, ignore_errors=True)
            for way, label in ((first, f"blitz-{i}-first"), (second, f"blitz-{i}-second")):
                counts = blitz_run(blitz, project, base_env, label, scratch / f"{label}.log", way, ready)
                print(f"  run {i}: {way.label}: {fmt(way.times[-1])}"
                      + (f", {counts['passed']} passed, {counts['failed']} failed" if counts else ""))

        report([serial, xdist] + ([] if skip_blitz else [first, second]), ready, skip_blitz)
        return 0
    except HarnessError as e:
        print(f"services benchmark: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("services benchmark: interrupted", file=sys.stderr)
        return 130
    finally:
        if servers:
            servers.stop()
        for pid in service_processes(scratch):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(scratch, ignore_errors=True)


def report(ways: List[Way], ready: List[dict], skip_blitz: bool) -> None:
    base = ways[0].median
    print()
    print(f"{'way':<38} {'wall (median)':>14} {'vs serial':>10}  tests")
    for way in ways:
        ratio = f"{way.median / base:.2f}x" if way.median and base else "-"
        print(f"{way.label:<38} {fmt(way.median):>14} {ratio:>10}  {way.tests()}")
        for note in dict.fromkeys(way.notes):
            print(f"{'':<38} note: {note}")
    if skip_blitz:
        return
    print()
    if not ready:
        print("ready times: none reported (the result json has no \"services\")")
        return
    print("time from start to ready, per slot and service (targets: "
          + ", ".join(f"{k} < {fmt(v)}" for k, v in READY_TARGETS.items()) + ")")
    print(f"  {'run':<16} {'service':<10} {'slot':>4} {'port':>6} {'ready':>9} {'job waited':>11}  target")
    by_service: Dict[str, List[float]] = {}
    for s in ready:
        name = s.get("service", "?")
        seconds = s.get("ready_seconds")
        target = READY_TARGETS.get(name)
        if not s.get("started", True) or seconds is None:
            verdict = "not started" if not s.get("started", True) else "no time"
        elif target is None:
            verdict = "(no target)"
        else:
            verdict = "met" if seconds < target else "MISSED"
        if seconds is not None and s.get("started", True):
            by_service.setdefault(name, []).append(seconds)
        waited = s.get("job_wait_seconds")
        print(f"  {s.get('run', ''):<16} {name:<10} {s.get('slot', '?'):>4} {s.get('port', '?'):>6} "
              f"{fmt(seconds):>9} {fmt(waited):>11}  {verdict}")
    for name, times in sorted(by_service.items()):
        target = READY_TARGETS.get(name)
        met = "" if target is None else ("target met" if max(times) < target else "target MISSED")
        print(f"  {name}: median {fmt(statistics.median(times))}, worst {fmt(max(times))} "
              f"over {len(times)} start(s); {met}")
    for name in READY_TARGETS:
        if name not in by_service:
            print(f"  {name}: no ready time reported")


if __name__ == "__main__":
    sys.exit(main())
