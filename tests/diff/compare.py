"""The checks: two observations of one fixture (tox's, blitz's) turned into lines and compared.

Each check renders what one tool did as a list of lines; it passes when both lists are
equal, and its diff is the unified diff of the two. Check names:

  RUN:exit            the tool's exit status for the run
  RUN:ENV:result      the env's outcome in tox's words: OK, FAIL code N, IGNORED FAIL code N, SKIP
  RUN:ENV:commands    the commands that recorded themselves in that env, in order: label,
                      arguments, folder, and what they asked for (imports, which, files,
                      signals received)
  RUN:ENV:environ     the environment each command that asked for it (+env) saw (DROPPED below)
  RUN:ENV:venv        the env's Python, where the env is, whether it sees system site-packages
  RUN:ENV:dists       the distributions installed in the env (name, version, installer, how)
  RUN:ENV:seed        pip, setuptools and wheel when the env's deps did not ask for them (what
                      the venv creator put there)
  RUN:ENV:project     the project's installed files (its RECORD) and .pth files
  RUN:builds          the in-tree backend's hooks run during the run, by which Python, where,
                      seeing which variables and diffdep-* distributions
  RUN:tree            files and folders the run added to, removed from or changed in the project
  RUN:order           for each pair of fixture.ini's order: did the first env finish before the second started
"""
import dataclasses
import difflib
import json
from typing import Dict, List, Optional, Sequence, Tuple

# Variables left out of the environ check, each with its reason.
DROPPED: Dict[str, str] = {}
DROPPED_PREFIXES = {
    "BLITZ_": "blitz's own variables (services, shards); tox has none",
}
# Variables kept, but whose value is compared by its file name only, with the reason.
BASENAME_ONLY = {
    "TOX_PACKAGE": "the built package's folder is each tool's own (.tox/.pkg/dist, .blitz/wheels); its name says what was built",
}
# A signal's delay after the Ctrl-C is rounded to this many seconds: the interrupt fixture
# sets every *_timeout to it, so each wait a tool honours adds one step, and a loaded
# machine has half a step of slack either way.
SIGNAL_STEP = 1.5
# Distributions a venv creator puts into every env (virtualenv's seed), compared apart
# (the seed check) unless the env's deps asked for them.
SEED = ("pip", "setuptools", "wheel")
OUTSIDE = "outside-envs"   # the "env" of records made by no env's python


@dataclasses.dataclass
class Check:
    fixture: str
    name: str
    tox: Tuple[str, ...]
    blitz: Tuple[str, ...]
    explained_by: Optional[object] = None
    notes: Tuple[str, ...] = ()    # shown with a mismatch, not compared (what each tool said)

    @property
    def passed(self) -> bool:
        return self.tox == self.blitz

    @property
    def failed(self) -> bool:
        return not self.passed and self.explained_by is None

    def diff(self) -> List[str]:
        return list(difflib.unified_diff(list(self.tox), list(self.blitz), fromfile="tox 4.58", tofile="blitz",
                                         n=2, lineterm=""))[2:]


def env_of(record: Dict, dirs: Dict[str, str], last: Dict[str, str]) -> str:
    """The env a record was made in: the one whose folder is the record's sys.prefix."""
    prefix = record.get("prefix")
    for name, folder in dirs.items():
        if prefix == folder:
            return name
    return last.get(record.get("label"), OUTSIDE) if "signal" in record or "slept" in record else OUTSIDE


def records_by_env(run: Dict, dirs: Dict[str, str]) -> Dict[str, List[Dict]]:
    grouped: Dict[str, List[Dict]] = {}
    last: Dict[str, str] = {}
    for record in run.get("records", []):
        if record.get("label") == "backend":
            continue
        env = env_of(record, dirs, last)
        last[record.get("label")] = env
        grouped.setdefault(env, []).append(record)
    return grouped


def command_lines(records: Sequence[Dict]) -> List[str]:
    """What the commands recorded. Signals: each kind once, when it first came, rounded to
    SIGNAL_STEP (a tool that sends the same signal twice, as tox 4.58 does from two
    threads, is not told apart from one that sends it once)."""
    lines = []
    signalled = set()
    for r in records:
        label = r.get("label")
        if "signal" in r:
            if (label, r["signal"]) in signalled:
                continue
            signalled.add((label, r["signal"]))
            if "since_ctrl_c" in r:
                steps = round(r["since_ctrl_c"] / SIGNAL_STEP)
                when = f"about {steps * SIGNAL_STEP:g}s after the Ctrl-C"
            else:
                when = "with no Ctrl-C sent"
            lines.append(f"  {label}: first {r['signal']} {when}")
            continue
        if "slept" in r:
            lines.append(f"  {label}: slept {r['slept']:g}s to the end")
            continue
        args = " ".join(r.get("args", []))
        lines.append(f"{label}{' ' + args if args else ''}  [in {r.get('cwd')}, python {r.get('python')}]")
        if "environ" in r:
            lines.append("  (environ recorded: see the environ check)")
        for path, exists in sorted(r.get("exists", {}).items()):
            lines.append(f"  exists {path}: {'yes' if exists else 'no'}")
        for module, got in sorted(r.get("import", {}).items()):
            where = f"error {got['error']}" if "error" in got else f"{got.get('file')} (version {got.get('version')})"
            lines.append(f"  import {module}: {where}")
        for program, path in sorted(r.get("which", {}).items()):
            lines.append(f"  which {program}: {path}")
        for path, text in sorted(r.get("cat", {}).items()):
            if text is None:
                lines.append(f"  cat {path}: (no such file)")
            else:
                lines.append(f"  cat {path}:")
                lines += [f"    | {line}" for line in text.splitlines()]
    return lines


def dropped(key: str) -> Optional[str]:
    if key in DROPPED:
        return DROPPED[key]
    for prefix, reason in DROPPED_PREFIXES.items():
        if key.startswith(prefix):
            return reason
    return None


def basename_only(key: str, value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1] if key in BASENAME_ONLY else value


def environ_lines(records: Sequence[Dict]) -> List[str]:
    lines = []
    for r in records:
        if "environ" not in r:
            continue
        lines.append(f"## {r.get('label')}")
        for key, value in sorted(r["environ"].items()):
            if dropped(key):
                continue
            lines.append(f"{key}={basename_only(key, value)}")
    return lines


def venv_lines(info: Dict, env_dir: str) -> List[str]:
    if info.get("missing"):
        return [f"no venv at {env_dir}"]
    if "error" in info:
        return [f"venv at {env_dir}: {info['error']}"]
    cfg = info.get("pyvenv", {})
    return [f"venv at {env_dir}", f"python {info.get('python')}",
            f"include-system-site-packages = {cfg.get('include-system-site-packages', '(unset)')}"]


def how_installed(dist: Dict) -> str:
    """Installer, and where from. (pip's REQUESTED marker is left out: tox installs a
    project's dependencies by name before the project, which marks them requested, and
    nothing but `pip list --not-required` reads it.)"""
    parts = [f"installer {dist.get('installer') or '(none)'}"]
    url = dist.get("direct_url")
    if isinstance(url, dict):
        target = url.get("url", "")
        if url.get("dir_info", {}).get("editable"):
            parts.append(f"editable from {target.replace('file://', '')}")
        elif "dir_info" in url:
            parts.append(f"from the folder {target.replace('file://', '')}")
        elif "archive_info" in url:
            parts.append(f"from the file {target.rsplit('/', 1)[-1]}")
        else:
            parts.append(f"direct_url {json.dumps(url, sort_keys=True)}")
    if "site-packages" not in (dist.get("location") or ""):
        parts.append(f"found in {dist.get('location')}")
    return ", ".join(parts)


def is_seed(dist: Dict) -> bool:
    return dist["name"].lower() in SEED and not dist.get("requested")


def dists_lines(info: Dict, project: str) -> List[str]:
    if "dists" not in info:
        return ["(no env to look into)"]
    return [f"{d['name']} {d['version']}: {how_installed(d)}" for d in info["dists"]
            if not (project and "files" in d) and not is_seed(d)]


def seed_lines(info: Dict) -> List[str]:
    if "dists" not in info:
        return ["(no env to look into)"]
    return [f"{d['name']} {d['version']}: {how_installed(d)}" for d in info["dists"] if is_seed(d)]


def project_lines(info: Dict, project: str) -> List[str]:
    if "dists" not in info:
        return ["(no env to look into)"]
    mine = [d for d in info["dists"] if "files" in d]
    if not mine:
        return [f"{project} is not installed"]
    d = mine[0]
    lines = [f"{d['name']} {d['version']}: {how_installed(d)}"]
    lines += [f"  {path}  {digest or ''}".rstrip() for path, digest in d["files"]]
    for path, text in sorted(d.get("pth", {}).items()):
        lines.append(f"  {path} says:")
        lines += [f"    | {line}" for line in (text or "").splitlines()]
    return lines


def build_lines(run: Dict) -> List[str]:
    lines = []
    for r in run.get("records", []):
        if r.get("label") != "backend":
            continue
        env = " ".join(f"{k}={basename_only(k, v)}" for k, v in sorted(r.get("environ", {}).items()))
        deps = ",".join(r.get("diffdeps") or []) or "none"
        lines.append(f"{r['args'][0]}  [python {r.get('python')}, in {r.get('cwd')}, sys.prefix {r.get('prefix')}, "
                     f"diffdeps {deps}]" + (f"  {env}" if env else ""))
    return lines


def order_lines(run: Dict, grouped: Dict[str, List[Dict]], pairs: Sequence[Tuple[str, str]]) -> List[str]:
    position = {id(r): i for i, r in enumerate(run.get("records", []))}
    lines = []
    for before, after in pairs:
        a, b = grouped.get(before, []), grouped.get(after, [])
        if not a or not b:
            missing = " and ".join(e for e, rs in ((before, a), (after, b)) if not rs)
            lines.append(f"{before} < {after}: {missing} ran no command")
            continue
        done_first = max(position[id(r)] for r in a) < min(position[id(r)] for r in b)
        lines.append(f"{before} < {after}: {'yes' if done_first else 'no, they overlapped or ran the other way'}")
    return lines


def checks(name: str, runs: Sequence, project: str, tox: Dict, blitz: Dict) -> List[Check]:
    """Every check of one fixture; `runs` are its fixture.Run entries."""
    made = []

    def add(check_name: str, tox_lines: Sequence[str], blitz_lines: Sequence[str], notes: Sequence[str] = ()) -> None:
        made.append(Check(name, check_name, tuple(tox_lines), tuple(blitz_lines), notes=tuple(notes)))

    for spec, t_run, b_run in zip(runs, tox["runs"], blitz["runs"]):
        add(f"{spec.name}:exit", [str(t_run["exit"])], [str(b_run["exit"])])
        t_grouped = records_by_env(t_run, t_run["env_dirs"])
        b_grouped = records_by_env(b_run, b_run["env_dirs"])
        for env in spec.envs:
            prefix = f"{spec.name}:{env}"
            notes = [f"{tool} said: {run['reasons'][env]}" for tool, run in (("tox", t_run), ("blitz", b_run))
                     if run.get("reasons", {}).get(env)]
            add(f"{prefix}:result", [t_run["results"].get(env, "(no result)")],
                [b_run["results"].get(env, "(no result)")], notes)
            add(f"{prefix}:commands", command_lines(t_grouped.get(env, [])), command_lines(b_grouped.get(env, [])))
            t_env, b_env = environ_lines(t_grouped.get(env, [])), environ_lines(b_grouped.get(env, []))
            if t_env or b_env:
                add(f"{prefix}:environ", t_env, b_env)
            t_info, b_info = t_run["envs"].get(env, {}), b_run["envs"].get(env, {})
            add(f"{prefix}:venv", venv_lines(t_info, t_run["env_dirs"][env]), venv_lines(b_info, b_run["env_dirs"][env]))
            add(f"{prefix}:dists", dists_lines(t_info, project), dists_lines(b_info, project))
            add(f"{prefix}:seed", seed_lines(t_info), seed_lines(b_info))
            if project:
                add(f"{prefix}:project", project_lines(t_info, project), project_lines(b_info, project))
        for env in (OUTSIDE,):
            if t_grouped.get(env) or b_grouped.get(env):
                add(f"{spec.name}:{env}:commands", command_lines(t_grouped.get(env, [])),
                    command_lines(b_grouped.get(env, [])))
        t_builds, b_builds = build_lines(t_run), build_lines(b_run)
        if t_builds or b_builds:
            add(f"{spec.name}:builds", t_builds, b_builds)
        add(f"{spec.name}:tree", t_run["tree"], b_run["tree"])
        if spec.order:
            add(f"{spec.name}:order", order_lines(t_run, t_grouped, spec.order),
                order_lines(b_run, b_grouped, spec.order))
    return made
