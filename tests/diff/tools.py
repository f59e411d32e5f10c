"""Running one tool (tox 4.58 or blitz) on one fixture, and what the suite observes.

Each tool gets its own copy of the fixture, in its own run folder:

    <scratch>/<tool>/<fixture>/project/        the copy ({toxinidir}); the tool's .tox is inside
    <scratch>/<tool>/<fixture>/probe/          rec.py (writing to records.jsonl) and inspect_env.py
    <scratch>/<tool>/<fixture>/home/, tmp/     HOME and TMPDIR
    <scratch>/<tool>/<fixture>/RUN.out         the tool's stdout and stderr for that run

and runs with nothing in its environment but PATH (/usr/bin:/bin, then a folder of links
to the interpreters the fixtures use), HOME, TMPDIR, LANG=C.UTF-8, PIP_NO_INDEX=1,
PIP_FIND_LINKS (the wheelhouse) and the fixture's [environ]. After each run the suite
reads the records the commands appended, each env's installed distributions (with the
env's own python, see probe/inspect_env.py) and what changed in the project's tree.

Everything observed is then normalised: the run folder's paths become @ROOT@ (the
project) and @RUN@ (its run folder), the wheelhouse @WHEELS@ and @EXTRA@, the link
folder @BIN@, the scratch folder @W@, and any file or folder directly in TMPDIR @TMP@/*
(pip's and tempfile's random names).
"""
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import fixture as fixture_mod

HASHSEED = "1234"
TOX_RESULT = re.compile(r"^  (\S+): (OK|SKIP|NOT AVAILABLE|FAIL code -?\d+|IGNORED FAIL code -?\d+) \(")
BLITZ_EXIT_CODE = re.compile(r"exit code (-?\d+)")
INTERRUPT_WAIT = 60       # seconds a run may take to start the command it interrupts
OUTPUT_TAIL_LINES = 40    # lines of a tool's output kept with the observation


# The tools' process groups still running, so that an interrupted suite can stop them.
_live = set()
_live_lock = threading.Lock()


def stop_all() -> None:
    with _live_lock:
        for pid in _live:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@dataclasses.dataclass
class Context:
    """What every run of the suite shares."""
    scratch: Path          # removed at the end unless --keep
    suite: Path            # tests/diff
    bin_dir: Path          # links to the interpreters (on PATH after /usr/bin:/bin)
    wheelhouse: Path
    extra_wheels: Path
    find_links: str
    seed_wheels: str       # virtualenv 21.7.0's embedded wheels (pip, setuptools), which tox seeds venvs with
    timeout: float         # per tool invocation
    keep: bool = False     # keep each run folder (else removed once observed)


@dataclasses.dataclass
class Tool:
    name: str              # "tox" or "blitz"
    argv: List[str]        # how to start it

    def run_argv(self, run: fixture_mod.Run, result_json: Path) -> List[str]:
        extra = ["--result-json", str(result_json)] if self.name == "blitz" else []
        return self.argv + run.argv() + ["--hashseed", HASHSEED] + extra

    def config_argv(self, run: fixture_mod.Run) -> List[str]:
        envs = ",".join(run.envs)
        if self.name == "tox":
            return self.argv + ["config", *run.config_args(), "-e", envs, "-k", "env_dir", "--format", "json"]
        return self.argv + [*run.config_args(), "config", "-e", envs, "-k", "env_dir", "--json"]


class Folders:
    def __init__(self, ctx: Context, tool: Tool, fix: fixture_mod.Fixture):
        self.base = ctx.scratch / tool.name / fix.name
        self.project = self.base / "project"
        self.probe = self.base / "probe"
        self.home = self.base / "home"
        self.tmp = self.base / "tmp"
        self.records = self.base / "records.jsonl"


def environment(ctx: Context, folders: Folders, fix: fixture_mod.Fixture, words: Dict[str, str]) -> Dict[str, str]:
    env = {
        "PATH": f"/usr/bin:/bin:{ctx.bin_dir}",
        "HOME": str(folders.home),
        "TMPDIR": str(folders.tmp),
        "LANG": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": ctx.find_links,
        # where both tools find the wheels they seed venvs with: virtualenv seeds from its
        # own copies of these, blitz from here, as from virtualenv's wheel house on a machine
        # where tox has run
        "VIRTUALENV_EXTRA_SEARCH_DIR": ctx.seed_wheels,
    }
    for key, value in fix.environ:
        env[key] = fixture_mod.template(value, words)
    return env


def prepare(ctx: Context, folders: Folders, fix: fixture_mod.Fixture) -> Dict[str, str]:
    """The run folder: the probe (templated), HOME, TMPDIR, the project's copy. Returns the words."""
    if folders.base.exists():
        shutil.rmtree(folders.base)
    for folder in (folders.probe, folders.home, folders.tmp):
        folder.mkdir(parents=True)
    words = {
        "@DIFF_REC@": str(folders.probe / "rec.py"),
        "@DIFF_PROBE@": str(folders.probe),
        "@DIFF_RECORDS@": str(folders.records),
        "@DIFF_WHEELS@": str(ctx.wheelhouse),
        "@DIFF_EXTRA_WHEELS@": str(ctx.extra_wheels),
    }
    source = ctx.suite / "probe"
    for name in ("rec.py", "inspect_env.py"):
        (folders.probe / name).write_text(fixture_mod.template((source / name).read_text(), words))
    fixture_mod.copy(fix, folders.project, source, words)
    return words


def tail(text: str, lines: int = OUTPUT_TAIL_LINES) -> List[str]:
    return text.splitlines()[-lines:]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_process(argv: List[str], cwd: Path, env: Dict[str, str], timeout: float, out: Path,
                interrupt: Optional[str] = None, records: Optional[Path] = None) -> Dict:
    """Runs argv in its own process group, output to `out`; returns exit, seconds, problem.
    With `interrupt`, sends SIGINT to the group once a record with that label exists."""
    start = time.monotonic()
    problem = None
    with open(out, "wb") as sink:
        try:
            # SIGINT as a terminal's shell leaves it: a suite started in the background (`make
            # check &`) inherits it ignored, and Python programs (tox) then never see a Ctrl-C
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=_default_sigint)
        except OSError as err:
            return {"exit": None, "seconds": 0.0, "problem": f"cannot start {argv[0]}: {err}", "interrupted_at": None}
        with _live_lock:
            _live.add(proc.pid)
        interrupted_at = None
        if interrupt:
            problem = wait_for_label(proc, records, interrupt)
            if problem is None:
                interrupted_at = time.time()
                os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=max(1.0, timeout - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            problem = f"timed out after {timeout:g} s (killed)"
    # what the run left behind in its group (a command the tool did not stop) must not outlive it
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    with _live_lock:
        _live.discard(proc.pid)
    return {"exit": proc.returncode, "seconds": round(time.monotonic() - start, 2), "problem": problem,
            "interrupted_at": interrupted_at}


def wait_for_label(proc: subprocess.Popen, records: Path, label: str) -> Optional[str]:
    deadline = time.monotonic() + INTERRUPT_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"exited before any command recorded {label!r}: nothing interrupted"
        if records.is_file() and any(json.loads(line).get("label") == label
                                     for line in records.read_text().splitlines() if line.strip()):
            return None
        time.sleep(0.05)
    return f"no command recorded {label!r} within {INTERRUPT_WAIT} s: nothing interrupted"


def env_dirs(tool: Tool, folders: Folders, env: Dict[str, str], run: fixture_mod.Run, timeout: float) -> Dict:
    """Where the tool puts each env of the run, from its own `config` (so an envdir
    setting counts)."""
    dirs = {e: str(folders.project / ".tox" / e) for e in run.envs}
    try:
        proc = subprocess.run(tool.config_argv(run), cwd=folders.project, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
        data = json.loads(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return {"dirs": dirs, "problem": "its config command gave no JSON; envs looked for in .tox/ENV"}
    for name in run.envs:
        found = data.get("env", {}).get(name, {}).get("env_dir")
        if isinstance(found, str) and found.startswith("/"):
            dirs[name] = found
    return {"dirs": dirs, "problem": None}


def snapshot(project: Path) -> Dict[str, str]:
    """Every file (a hash of its content) and folder of the tree, but the tools' own folders
    (.tox, .blitz, wherever a config file put them), venvs wherever they are, and __pycache__."""
    found = {}
    for folder, dirs, files in os.walk(project):
        here = Path(folder)
        keep = []
        for d in sorted(dirs):
            if d in ("__pycache__", ".tox", ".blitz"):
                continue
            if (here / d / "pyvenv.cfg").exists():
                continue
            keep.append(d)
            found[str((here / d).relative_to(project)) + "/"] = "dir"
        dirs[:] = keep
        for name in files:
            path = here / name
            try:
                data = path.read_bytes().replace(str(project).encode(), b"@ROOT@")
            except OSError:
                data = b"(unreadable)"
            found[str(path.relative_to(project))] = hashlib.sha256(data).hexdigest()[:12]
    return found


def tree_changes(before: Dict[str, str], after: Dict[str, str]) -> List[str]:
    changes = [f"+ {p}" for p in sorted(set(after) - set(before))]
    changes += [f"- {p}" for p in sorted(set(before) - set(after))]
    changes += [f"~ {p}" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    return changes


def read_records(path: Path, offset: int):
    """The records appended since `offset` (bytes), and the new offset."""
    if not path.is_file():
        return [], offset
    data = path.read_bytes()
    records = []
    for line in data[offset:].decode("utf-8", "replace").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            records.append({"label": "(unreadable record)", "text": line})
    return records, len(data)


def tox_results(output: str) -> Dict[str, str]:
    results = {}
    for line in output.splitlines():
        match = TOX_RESULT.match(line)
        if match:
            results[match.group(1)] = match.group(2)
    return results


def tox_reasons(output: str, envs: Sequence[str]) -> Dict[str, str]:
    """For each env, the last line tox printed about it that says something went wrong."""
    words = ("fail", "error", "exit ", "skip", "not allowed", "could not", "not found", "interrupt")
    verdict = re.compile(r"^(OK|FAIL|SKIP) \S+ in [\d.]+ seconds$")  # "FAIL ✖ in 0.6 seconds" says nothing new
    reasons = {}
    for line in output.splitlines():
        name, sep, text = line.partition(": ")
        if sep and name in envs and any(w in text.lower() for w in words) and not verdict.match(text.strip()):
            reasons[name] = text.strip()
    return reasons


def blitz_reasons(result_json: Path) -> Dict[str, str]:
    try:
        data = json.loads(result_json.read_text())
    except (OSError, ValueError):
        return {}
    return {env["name"]: env["reason"] for env in data.get("envs", []) if env.get("reason")}


def blitz_results(result_json: Path) -> Dict[str, str]:
    """tox's words for blitz's results: OK, FAIL code N, IGNORED FAIL code N, SKIP. The code
    of a failed env is the one blitz gives it (its "code"), else the one its reason names
    (`... failed with exit code N: ...`), else the last failed step's."""
    try:
        data = json.loads(result_json.read_text())
    except (OSError, ValueError):
        return {}
    results = {}
    for env in data.get("envs", []):
        match = BLITZ_EXIT_CODE.search(env.get("reason") or "")
        codes = [s.get("exit_code") for s in env.get("steps", []) if s.get("exit_code")]
        code = match.group(1) if match else (str(codes[-1]) if codes else "?")
        if env.get("code"):
            code = str(env["code"])
        status = env.get("result")
        if status == "passed":
            results[env["name"]] = f"IGNORED FAIL code {code}" if env.get("ignored_failure") else "OK"
        elif status == "failed":
            results[env["name"]] = f"FAIL code {code}"
        elif status == "skipped" or (status == "not run" and (env.get("reason") or "").startswith("not started: ")):
            results[env["name"]] = "SKIP"  # tox's word for an env fail-fast did not start, too
        else:
            results[env["name"]] = f"({status})"
    return results


def inspect(folders: Folders, fix: fixture_mod.Fixture, env_dir: str) -> Dict:
    python = Path(env_dir) / "bin" / "python"
    if not python.exists():
        return {"missing": True}
    try:
        proc = subprocess.run([str(python), "-I", str(folders.probe / "inspect_env.py"), fix.project,
                               str(folders.project)], cwd=env_dir, env={"PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=60)
        return json.loads(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as err:
        return {"error": f"inspect_env.py failed: {err}"}


def observe(ctx: Context, tool: Tool, fix: fixture_mod.Fixture) -> Dict:
    """Runs the fixture's runs with the tool; returns the normalised observation."""
    started = time.monotonic()
    folders = Folders(ctx, tool, fix)
    words = prepare(ctx, folders, fix)
    env = environment(ctx, folders, fix, words)
    obs: Dict = {"tool": tool.name, "skipped": None, "runs": []}
    if tool.name == "blitz" and fix.blitz_may_not_read:
        proc = subprocess.run(tool.argv + ["list"], cwd=folders.project, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["(no message)"])[0]
            obs["skipped"] = f"{fix.blitz_may_not_read} (blitz list: {first})"
            return normalise(obs, ctx, folders)  # (the scratch folder goes at the end)
    offset = 0
    for run in fix.runs:
        # before the run: a tool's config command must not see what the run leaves
        located = env_dirs(tool, folders, env, run, ctx.timeout)
        before = snapshot(folders.project)
        result_json = folders.base / f"{run.name}.result.json"
        out = folders.base / f"{run.name}.out"
        argv = tool.run_argv(run, result_json)
        done = run_process(argv, folders.project, env, ctx.timeout, out, run.interrupt, folders.records)
        output = out.read_text(encoding="utf-8", errors="replace")
        records, offset = read_records(folders.records, offset)
        for record in records:  # a signal's time counts from the Ctrl-C
            if "time" in record and done["interrupted_at"]:
                record["since_ctrl_c"] = round(record.pop("time") - done["interrupted_at"], 3)
        obs["runs"].append({
            "name": run.name,
            "argv": [tool.name] + argv[len(tool.argv):],
            "env_dirs": located["dirs"],
            "env_dirs_problem": located["problem"],
            "exit": done["exit"],
            "seconds": done["seconds"],
            "problem": done["problem"],
            "results": tox_results(output) if tool.name == "tox" else blitz_results(result_json),
            "reasons": tox_reasons(output, run.envs) if tool.name == "tox" else blitz_reasons(result_json),
            "records": records,
            "tree": tree_changes(before, snapshot(folders.project)),
            "envs": {e: inspect(folders, fix, located["dirs"][e]) for e in run.envs},
            "output": tail(output),
        })
    obs = normalise(obs, ctx, folders)
    if not ctx.keep:  # now, while the other jobs run: hundreds of venv files take a while to go
        shutil.rmtree(folders.base, ignore_errors=True)
    obs["wall_seconds"] = round(time.monotonic() - started, 2)
    return obs


def normalise(value, ctx: Context, folders: Folders):
    pairs = []
    for path, word in ((folders.project, "@ROOT@"), (folders.tmp, "@TMP@"), (folders.base, "@RUN@"),
                       (ctx.wheelhouse, "@WHEELS@"), (ctx.extra_wheels, "@EXTRA@"), (ctx.bin_dir, "@BIN@"),
                       (ctx.scratch, "@W@")):
        pairs.append((str(path), word))
        if os.path.realpath(path) != str(path):
            pairs.append((os.path.realpath(path), word))
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    temp_name = re.compile(r"@TMP@/[^/\s\"':]+")
    # a path cut short in a tool's message ("... +touch=/dev/shm/blitz-diff-tds5...")
    cut_scratch = re.compile(re.escape(str(ctx.scratch.parent)) + r"/blitz-diff-\w*")

    def text(s: str) -> str:
        for path, word in pairs:
            s = s.replace(path, word)
        return cut_scratch.sub("@W@", temp_name.sub("@TMP@/*", s))

    def walk(v):
        if isinstance(v, str):
            return text(v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {text(k): walk(x) for k, x in v.items()}
        return v

    return walk(value)
