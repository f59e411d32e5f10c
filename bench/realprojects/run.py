#!/usr/bin/python3
"""Run real projects' own tox.ini with tox 4.58 and with blitz, cold and warm, offline.

usage: run.py [--projects a,b] [--tools tox,blitz] [--warm N] [--work DIR] [--mirrors DIR]
              [--blitz PATH] [--tox PATH] [--wheelhouse-tool PATH] [--install] [--keep]

For each project of projects.toml (beside this file): a clone of its fetched snapshot at the
tag, one per tool, under WORK/TOOL/NAME; then, tool by tool, a cold run (no .tox, no
.blitz) and N warm runs, each `TOOL -p auto -e ENVS --result-json FILE` in a clean
environment with pip offline. Per run and env: pass/fail, tests passed/failed (from the
commands' output: pytest's summary line, unittest's "Ran N tests"), and the run's wall time.
Writes WORK/results.json and prints a Markdown table per project.

Needs: the snapshots (MIRRORS/OWNER+NAME/repo, a git dir, as the session's fetch tool leaves
them), Debian's python3-* packages of each project's `debian` list (--install runs apt-get
when root), the shared tox4 and debian-wheelhouse tools, pyenv's interpreters.
"""
import argparse
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SITE = "/usr/lib/python3/dist-packages"
PYENV = os.environ.get("PYENV_ROOT", "/root/.pyenv")
PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
# What every run needs besides each project's own wheels: pytest is in most envs; `wheel` is
# what setuptools < 70.1 builds wheels with (py38 builds with setuptools 65.5); virtualenv < 21.5
# and its requirements are what tox 4.58 bootstraps to create a Python 3.8 env.
BASE_WHEELS = ["wheel", "virtualenv", "distlib", "filelock", "platformdirs"]
# Never packed from Debian: Debian's setuptools fails on other interpreters (its install_layout
# patch); upstream setuptools and pip wheels come from virtualenv's embed folder and pyenv.
NOT_FROM_DEBIAN = {"setuptools", "pip"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def log(*a):
    print(*a, flush=True)


# ---- the wheelhouse ---------------------------------------------------------------------------

def closure(roots, fixes):
    """Debian's distributions that roots need, following Requires-Dist and the requirements
    fixes restores (markers ignored: an env on an older Python may need what 3.11 does not,
    e.g. tomli); names not installed returned apart."""
    from packaging.requirements import Requirement
    found = {canonical(d.metadata["Name"]): d for d in metadata.distributions(path=[SITE])}
    want, missing, todo = {}, set(), [(r, ()) for r in roots]
    while todo:
        spec, extras = todo.pop()
        req = Requirement(spec) if isinstance(spec, str) else spec
        name = canonical(req.name)
        if name in NOT_FROM_DEBIAN:
            continue
        dist = found.get(name)
        if dist is None:
            missing.add(name)
            continue
        extras = set(extras) | set(req.extras)
        key = (name, tuple(sorted(extras)))
        if key in want:
            continue
        want[key] = dist
        for r in (dist.requires or []) + fixes.get(name, []):
            sub = Requirement(r)
            m = str(sub.marker or "")
            if "extra" in m:
                if not any(re.search(r"extra\s*==\s*['\"]%s['\"]" % re.escape(e), m) for e in extras):
                    continue
            todo.append((sub, ()))
    names = sorted({d.metadata["Name"] for d in want.values()}, key=str.lower)
    return names, sorted(missing)


def rewrite_wheel(path, edit):
    """Rewrite the wheel at path with edit(files) applied to its {name: bytes}, RECORD redone."""
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    edit(files)
    record = [n for n in files if n.endswith(".dist-info/RECORD")][0]
    rows = []
    for n, data in sorted(files.items()):
        if n != record:
            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append("%s,sha256=%s,%d" % (n, h, len(data)))
    rows.append(record + ",,")
    files[record] = ("\n".join(rows) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in sorted(files.items()):
            z.writestr(n, data)


def add_requires(path, requires):
    """Give the wheel at path the Requires-Dist lines Debian's metadata dropped."""
    def edit(files):
        meta = [n for n in files if n.endswith(".dist-info/METADATA")][0]
        text = files[meta].decode()
        head, sep, body = text.partition("\n\n")
        head = "\n".join(l for l in head.split("\n") if not l.startswith("Requires-Dist:"))
        head += "".join("\nRequires-Dist: %s" % r for r in requires)
        files[meta] = (head + (sep + body if sep else "\n")).encode()
    rewrite_wheel(path, edit)


def stub_wheel(outdir, name, version, requires):
    """A wheel with metadata only, for a PyPI name that only stands for its requirements."""
    info = "%s-%s.dist-info" % (re.sub(r"[-_.]+", "_", name).lower(), version)
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    meta += "".join("Requires-Dist: %s\n" % r for r in requires)
    files = {info + "/METADATA": meta.encode(),
             info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: blitz-realprojects\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n"}
    rows = []
    for path, data in sorted(files.items()):
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append("%s,sha256=%s,%d" % (path, h, len(data)))
    rows.append(info + "/RECORD,,")
    files[info + "/RECORD"] = ("\n".join(rows) + "\n").encode()
    path = os.path.join(outdir, "%s-%s-py3-none-any.whl" % (info.split("-")[0], version))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data in sorted(files.items()):
            z.writestr(p, data)
    return path


def make_wheelhouse(projects, fixes, outdir, tool, install):
    debs = sorted({d for p in projects for d in p.get("debian", [])})
    if debs:
        absent = [d for d in debs if subprocess.run(["dpkg-query", "-W", "-f=${Status}", d],
                  capture_output=True, text=True).stdout != "install ok installed"]
        if absent and install and os.geteuid() == 0:
            log("apt-get install", " ".join(absent))
            subprocess.run(["apt-get", "install", "-y", "--no-install-recommends"] + absent,
                           check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        elif absent:
            log("missing Debian packages (run as root with --install, or apt-get install):",
                " ".join(absent))
    roots = BASE_WHEELS + sorted({w for p in projects for w in p.get("wheels", [])})
    names, missing = closure(roots, fixes)
    if missing:
        log("not installed by Debian, left out of the wheelhouse:", " ".join(missing))
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    subprocess.run([sys.executable, tool, outdir] + names, check=True, stdout=subprocess.DEVNULL)
    for whl in os.listdir(outdir):
        name = canonical(whl.split("-")[0])
        if name in fixes:
            add_requires(os.path.join(outdir, whl), fixes[name])
    for p in projects:
        for name, version, requires in p.get("stubs", []):
            stub_wheel(outdir, name, version, requires)
    log("wheelhouse: %d wheels in %s" % (len(os.listdir(outdir)), outdir))


def pyenv_bins():
    bins, bundled = [], []
    vers = os.path.join(PYENV, "versions")
    have = sorted(os.listdir(vers)) if os.path.isdir(vers) else []
    for v in PYTHONS:
        match = sorted((x for x in have if x.startswith(v + ".")),
                       key=lambda s: [int(n) for n in s.split(".") if n.isdigit()])
        if not match:
            continue
        root = os.path.join(vers, match[-1])
        bins.append(os.path.join(root, "bin"))
        b = os.path.join(root, "lib", "python" + v, "ensurepip", "_bundled")
        if os.path.isdir(b):
            bundled.append(b)
    return bins, bundled


# ---- running ----------------------------------------------------------------------------------

def checkout(mirror, tag, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--no-checkout", mirror, dest], check=True)
    subprocess.run(["git", "-C", dest, "-c", "advice.detachedHead=false", "checkout", "-q", tag],
                   check=True)


def run_tool(cmd, cwd, env, logpath, timeout):
    t0 = time.monotonic()
    with open(logpath, "w") as out:
        try:
            rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    return rc, time.monotonic() - t0


PYTEST_WORDS = r"(?:passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?|rerun)"
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ %s(?:, )?)+)\s+in\s+[\d.]+s" % PYTEST_WORDS, re.M)
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in [\d.]+s\s*\n\s*\n?(OK|FAILED)(?: \(([^)]*)\))?", re.M)


def count_tests(text):
    """Tests passed and failed in a command's output: pytest summary lines and unittest's."""
    passed = failed = 0
    seen = False
    for m in PYTEST_SUMMARY.finditer(text):
        seen = True
        for n, word in re.findall(r"(\d+) (\w+)", m.group(1)):
            if word == "passed":
                passed += int(n)
            elif word in ("failed", "error", "errors"):
                failed += int(n)
    for m in UNITTEST_RAN.finditer(text):
        seen = True
        ran, bad = int(m.group(1)), 0
        skipped = 0
        for k, v in re.findall(r"(\w+)=(\d+)", m.group(3) or ""):
            if k in ("failures", "errors", "unexpected_successes"):
                bad += int(v)
            elif k in ("skipped", "expected_failures"):
                skipped += int(v)
        passed += ran - bad - skipped
        failed += bad
    return (passed, failed) if seen else (None, None)


def envs_of_tox(path, envs):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {e: {"ok": None} for e in envs}
    res = {}
    for e in envs:
        te = data.get("testenvs", {}).get(e)
        if te is None:
            res[e] = {"ok": None}
            continue
        text = "".join((c.get("output") or "") + (c.get("err") or "") for c in te.get("test", []))
        r = te.get("result", {})
        passed, failed = count_tests(text)
        res[e] = {"ok": bool(r.get("success")), "exit_code": r.get("exit_code"),
                  "seconds": r.get("duration"), "passed": passed, "failed": failed,
                  "python": (te.get("python") or {}).get("executable")}
    return res


def envs_of_blitz(path, envs):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {e: {"ok": None} for e in envs}
    by_name = {e["name"]: e for e in data.get("envs", [])}
    res = {}
    for e in envs:
        be = by_name.get(e)
        if be is None:
            res[e] = {"ok": None}
            continue
        # an env whose pytest command blitz split has one log per shard beside its own log
        # (which repeats a failed shard's output): count the shards' logs then
        logp = be.get("log") or ""
        shards = sorted(glob.glob(logp[:-len(".log")] + ".shard-*.log")) if logp.endswith(".log") else []
        text = ""
        for path_ in shards or [logp]:
            try:
                with open(path_, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        passed, failed = count_tests(text)
        res[e] = {"ok": be.get("result") == "passed", "result": be.get("result"),
                  "reused": be.get("reused"), "seconds": be.get("seconds"),
                  "reason": be.get("reason"), "passed": passed, "failed": failed,
                  "log": be.get("log")}
    return res


def run_project(p, args, env_base, tools):
    name = p["name"]
    owner, repo = p["repo"].split("/")
    mirror = os.path.join(args.mirrors, "%s+%s" % (owner, repo), "repo")
    if not os.path.isdir(mirror):
        log("%s: no snapshot at %s (fetch github:%s first); skipped" % (name, mirror, p["repo"]))
        return None
    envs = p["envs"]
    out = {"name": name, "repo": p["repo"], "tag": p["tag"], "envs": envs, "runs": {}}
    for tool in tools:
        # WORK/TOOL/NAME, not WORK/src/NAME/TOOL: coverage's [paths] patterns such as
        # */src/waitress would match the scratch folder's own path
        src = os.path.join(args.work, tool, name)
        checkout(mirror, p["tag"], src)
        home = os.path.join(args.work, "home", tool)
        os.makedirs(home, exist_ok=True)
        env = dict(env_base, HOME=home)
        runs = []
        for i in range(1 + args.warm):
            kind = "cold" if i == 0 else "warm%d" % i if args.warm > 1 else "warm"
            stem = os.path.join(args.work, "logs", "%s-%s-%s" % (name, tool, kind))
            rjson = stem + ".json"
            if os.path.exists(rjson):
                os.unlink(rjson)
            if tool == "tox":
                cmd = [args.tox, "-p", "auto", "-e", ",".join(envs), "--result-json", rjson]
            else:
                cmd = [args.blitz, "-p", "auto", "-e", ",".join(envs), "--result-json", rjson]
            load = os.getloadavg()[0]
            rc, secs = run_tool(cmd, src, env, stem + ".log", args.timeout)
            per_env = envs_of_tox(rjson, envs) if tool == "tox" else envs_of_blitz(rjson, envs)
            runs.append({"kind": kind, "exit": rc, "seconds": round(secs, 2), "envs": per_env,
                         "log": stem + ".log", "result_json": rjson,
                         "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)})
            oks = sum(1 for v in per_env.values() if v.get("ok"))
            log("  %-16s %-5s %-5s %7.1f s  exit %-3s  %d/%d envs ok  (load %.1f -> %.1f)" % (
                name, tool, kind, secs, rc, oks, len(envs), load, os.getloadavg()[0]))
        out["runs"][tool] = runs
    return out


def cell(e):
    if e.get("ok") is None:
        return "not run" if e.get("result") is None else e["result"]
    s = "pass" if e["ok"] else "FAIL"
    if e.get("passed") is not None:
        s += " %d" % e["passed"]
        if e.get("failed"):
            s += "/%d failed" % e["failed"]
    return s


def table(res):
    lines = ["### %s (%s, tag %s)" % (res["name"], res["repo"], res["tag"]), ""]
    tools = list(res["runs"])
    warm_of = {t: res["runs"][t][-1] for t in tools}
    cold_of = {t: res["runs"][t][0] for t in tools}
    lines.append("| env | " + " | ".join("%s cold | %s warm" % (t, t) for t in tools) +
                 (" | agree |" if len(tools) == 2 else " |"))
    lines.append("|---" * (1 + 2 * len(tools) + (1 if len(tools) == 2 else 0)) + "|")
    for e in res["envs"]:
        cells = []
        for t in tools:
            cells += [cell(cold_of[t]["envs"][e]), cell(warm_of[t]["envs"][e])]
        row = "| %s | %s |" % (e, " | ".join(cells))
        if len(tools) == 2:
            a = [bool(cold_of[t]["envs"][e].get("ok")) for t in tools]
            b = [bool(warm_of[t]["envs"][e].get("ok")) for t in tools]
            row += " %s |" % ("yes" if a[0] == a[1] and b[0] == b[1] else "**no**")
        lines.append(row)
    lines.append("")
    times = ", ".join("%s cold %.1f s (exit %s), warm %.1f s (exit %s)" % (
        t, cold_of[t]["seconds"], cold_of[t]["exit"], warm_of[t]["seconds"], warm_of[t]["exit"])
        for t in tools)
    lines.append("Wall time: " + times + ".")
    if set(tools) == {"tox", "blitz"}:
        def ratio(of):  # a run refused before any env ran takes no time
            return "%.2fx" % (of["tox"]["seconds"] / of["blitz"]["seconds"]) if of["blitz"]["seconds"] else "-"
        lines.append("tox / blitz: cold %s, warm %s." % (ratio(cold_of), ratio(warm_of)))
    return "\n".join(lines) + "\n"


def summary(results):
    """One line per project: envs, agreement, both tools' cold and warm times and tox / blitz."""
    lines = ["| project | envs | pass (tox / blitz, cold; warm) | agree | tox cold | blitz cold | "
             "tox/blitz | tox warm | blitz warm | tox/blitz |", "|---" * 10 + "|"]
    for r in results:
        if set(r["runs"]) != {"tox", "blitz"}:
            continue
        t, b = r["runs"]["tox"], r["runs"]["blitz"]
        ok = lambda run: sum(1 for v in run["envs"].values() if v.get("ok"))
        agree = sum(1 for e in r["envs"] if bool(t[0]["envs"][e].get("ok")) == bool(b[0]["envs"][e].get("ok"))
                    and bool(t[-1]["envs"][e].get("ok")) == bool(b[-1]["envs"][e].get("ok")))
        ratio = lambda x, y: "%.2fx" % (x / y) if y else "-"  # a run refused before any env took no time
        lines.append("| %s %s | %d | %d / %d; %d / %d | %d of %d | %.1f s | %.1f s | %s | %.1f s | %.1f s | %s |" % (
            r["name"], r["tag"], len(r["envs"]), ok(t[0]), ok(b[0]), ok(t[-1]), ok(b[-1]), agree,
            len(r["envs"]), t[0]["seconds"], b[0]["seconds"], ratio(t[0]["seconds"], b[0]["seconds"]),
            t[-1]["seconds"], b[-1]["seconds"], ratio(t[-1]["seconds"], b[-1]["seconds"])))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projects", help="comma-separated names (default: all)")
    ap.add_argument("--tools", default="tox,blitz")
    ap.add_argument("--warm", type=int, default=1, help="warm runs after the cold one")
    ap.add_argument("--work", default="/tmp/blitz-realprojects")
    ap.add_argument("--mirrors", default=os.environ.get("BLITZ_MIRRORS", "/work/.mirror"))
    ap.add_argument("--blitz", default=os.path.join(REPO, "blitz"))
    ap.add_argument("--tox", default=os.path.join(REPO, "..", "shared", "tools", "tox4", "tox4"))
    ap.add_argument("--wheelhouse-tool",
                    default=os.path.join(REPO, "..", "shared", "tools", "debian-wheelhouse"))
    ap.add_argument("--install", action="store_true", help="apt-get install what is missing")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    ap.add_argument("--legacy-setup-py", action="store_true",
                    help="leave PIP_USE_PEP517 unset (see README: setup.py-only projects on py38)")
    ap.add_argument("--report", action="store_true",
                    help="run nothing: read WORK/results.json and the runs' files again, print the tables")
    ap.add_argument("--keep-wheelhouse", action="store_true", help="reuse WORK/wheelhouse")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    args.blitz = os.path.abspath(args.blitz)
    args.tox = os.path.abspath(args.tox)
    tools = args.tools.split(",")

    with open(os.path.join(HERE, "projects.toml"), "rb") as f:
        data = tomllib.load(f)
    projects = data["project"]
    fixes = {canonical(k): v for k, v in data.get("requires", {}).items()}
    if args.projects:
        want = args.projects.split(",")
        unknown = set(want) - {p["name"] for p in projects}
        if unknown:
            sys.exit("run.py: unknown project(s): " + ", ".join(sorted(unknown)))
        projects = [p for p in projects if p["name"] in want]
    for t, path in (("tox", args.tox), ("blitz", args.blitz)):
        if t in tools and not os.access(path, os.X_OK):
            sys.exit("run.py: no %s at %s" % (t, path))

    if args.report:
        done = []
        with open(os.path.join(args.work, "results.json")) as f:
            for r in json.load(f)["projects"]:
                for tool, runs in r["runs"].items():
                    for run in runs:
                        parse = envs_of_tox if tool == "tox" else envs_of_blitz
                        rj = os.path.join(args.work, "logs", os.path.basename(run["result_json"]))
                        run["envs"] = parse(rj, r["envs"])
                log(table(r))
                done.append(r)
        log(summary(done))
        return
    os.makedirs(os.path.join(args.work, "logs"), exist_ok=True)
    wh = os.path.join(args.work, "wheelhouse")
    if not (args.keep_wheelhouse and os.path.isdir(wh)):
        make_wheelhouse(projects, fixes, wh, args.wheelhouse_tool, args.install)
    bins, bundled = pyenv_bins()
    embed = os.path.join(os.path.dirname(args.tox), "site", "virtualenv", "seed", "wheels", "embed")
    links = " ".join([wh, embed] + bundled)
    env_base = {"PATH": ":".join(["/usr/bin", "/bin"] + bins), "LANG": "C.UTF-8",
                "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": links,
                "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if not args.legacy_setup_py:
        env_base["PIP_USE_PEP517"] = "1"
    log("PATH=%s" % env_base["PATH"])
    log("PIP_FIND_LINKS=%s" % links)

    results = []
    t0 = time.monotonic()
    for p in projects:
        log("== %s %s (%s)" % (p["name"], p["tag"], ", ".join(p["envs"])))
        r = run_project(p, args, env_base, tools)
        if r:
            results.append(r)
    total = time.monotonic() - t0
    path = os.path.join(args.work, "results.json")
    old = []
    if os.path.exists(path):  # keep projects run earlier with --projects
        with open(path) as f:
            old = [r for r in json.load(f).get("projects", [])
                   if r["name"] not in {x["name"] for x in results}]
    with open(path, "w") as f:
        json.dump({"projects": old + results, "seconds": round(total, 1)}, f, indent=1)
    log("")
    for r in old + results:
        log(table(r))
    log(summary(old + results))
    log("results: %s (this invocation took %.0f s)" % (path, total))


if __name__ == "__main__":
    main()
