#!/usr/bin/env python3
"""The matrix benchmark: the example's envs run by Debian's tox 3.28 and by blitz.

See bench/README.md. In short: two scratch copies of examples/sdk, one per tool;
for each tool a cold run (no envs) and then timed runs with every env in place
(`tox -p auto`, `blitz -p auto`), then one serial blitz run that measures each
env's test commands alone, for the two lower bounds: the tests' wall time / cores
and their CPU time / cores.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(ROOT, "examples", "sdk")
# Debian's tox 3.28 creates envs with Debian's virtualenv 20.17, which can seed pip only
# into the Python versions Debian ships wheels for; it tries to download them for 3.12+.
TOX3_PYTHONS = ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11"]


def pyenv_bins():
    """X.Y -> the bin folder of pyenv's X.Y.Z (the newest Z)."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    try:
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            root = out.stdout.strip()
    except OSError:
        pass
    bins = {}
    versions = os.path.join(root, "versions")
    if os.path.isdir(versions):
        for v in sorted(os.listdir(versions), key=lambda s: [int(x) if x.isdigit() else 0 for x in s.split(".")]):
            m = re.match(r"^(\d+)\.(\d+)\.\d+$", v)
            if m and os.path.isdir(os.path.join(versions, v, "bin")):
                bins["%s.%s" % m.groups()] = os.path.join(versions, v, "bin")
    return bins


def python_version(base_python):
    """The X.Y a base_python names (py311, python3.11, /path/python3.11), or None."""
    m = re.search(r"(?:py|python)(\d)\.?(\d+)$", base_python)
    return "%s.%s" % m.groups() if m else None


def run(cmd, cwd, env, log):
    """Run cmd, output to log; return (seconds, exit status)."""
    with open(log, "ab") as f:
        f.write(("\n$ %s\n" % " ".join(cmd)).encode())
        f.flush()
        start = time.monotonic()
        rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        return time.monotonic() - start, rc


def copy_example(dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(".tox", ".blitz", "__pycache__", "*.egg-info"))


def test_totals(result_json):
    """Sum of the test commands' wall and CPU seconds over every env of a blitz run."""
    d = json.load(open(result_json))
    wall = cpu = 0.0
    for e in d["envs"]:
        for s in e["steps"]:
            if s["what"] == "command":
                wall += s["seconds"]
                cpu += s["cpu_seconds"]
    return wall, cpu


def overhead_ini(copy):
    """.overhead.ini next to the copy's tox.ini: the same envs (so the same venvs and fingerprints),
    each command replaced by `true`, so that a run of it is blitz's own set-up cost and nothing else."""
    text = open(os.path.join(copy, "tox.ini")).read()
    # drop every commands* and allowlist_externals key, with its continuation lines
    text = re.sub(r"(?m)^(commands(_pre|_post)?|allowlist_externals)[ \t]*=.*\n(?:[ \t]+\S.*\n|[ \t]*\n(?=[ \t]+\S))*",
                  "", text)
    text = re.sub(r"(?m)^(\[testenv(:[^\]]*)?\])[ \t]*$", "\\1\ncommands = true\nallowlist_externals = true", text)
    # a dot file: outside the source tree fingerprint, so the project is not seen as changed
    path = os.path.join(copy, ".overhead.ini")
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blitz", default=os.path.join(ROOT, "blitz"))
    ap.add_argument("--work", default="/tmp/blitz-bench-matrix", help="scratch folder (emptied)")
    ap.add_argument("--runs", type=int, default=1, help="timed runs per tool with the envs in place")
    ap.add_argument("--envs", help="a regular expression: only the envs it finds in a name")
    ap.add_argument("--no-tox", action="store_true", help="blitz alone")
    ap.add_argument("--setup-only", action="store_true",
                    help="cold runs only, every command `true`: making the envs, and nothing else, by both tools")
    ap.add_argument("--overhead-runs", type=int, default=3, help="runs of the set-up overhead measure")
    ap.add_argument("--warm-only", action="store_true",
                    help="keep the scratch folder of an earlier run and its envs: no cold runs")
    args = ap.parse_args()

    wheelhouse = os.path.join(EXAMPLE, "wheelhouse")
    if not os.path.isdir(wheelhouse) or not any(n.startswith("pytest-") for n in os.listdir(wheelhouse)):
        sys.exit("bench: the example's wheelhouse is empty: run `make wheelhouse` first")
    tox = None if args.no_tox else shutil.which("tox")
    if not tox and not args.no_tox:
        print("bench: tox is not installed (apt-get install tox): blitz alone")
    cores = os.cpu_count() or 1
    bins = pyenv_bins()
    work = args.work
    if args.warm_only and not os.path.isdir(os.path.join(work, "blitz", ".tox")):
        sys.exit("bench: --warm-only needs the envs of an earlier run in %s" % work)
    if not args.warm_only:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "home"), exist_ok=True)
    log = os.path.join(work, "bench.log")

    # one environment for both tools: Debian's python3 first, pyenv's versions after it, pip offline
    path = ["/usr/bin", "/bin"] + [bins[v] for v in TOX3_PYTHONS if v in bins]
    env = {"HOME": os.path.join(work, "home"), "PATH": ":".join(path), "LANG": "C.UTF-8",
           "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    # the envs: the example's default ones that tox 3 can create here
    if not args.warm_only:
        copy_example(os.path.join(work, "blitz"))
    out = subprocess.run([args.blitz, "config", "--json", "-k", "base_python"], cwd=os.path.join(work, "blitz"),
                         env=env, capture_output=True, text=True, check=True)
    every = json.loads(out.stdout)
    every = every.get("env", every)  # tox 4 layout: {"env": {NAME: {...}}}; tox 3 files: {NAME: {...}}
    envs, left_out = [], []
    for name, conf in every.items():
        base = conf["base_python"][0] if conf.get("base_python") else "/usr/bin/python3"
        version = python_version(base)
        if version is None and os.path.isabs(base):
            out = subprocess.run([base, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True)
            version = out.stdout.strip() or None
        if args.envs and not re.search(args.envs, name):
            continue
        (envs if tox is None or version in TOX3_PYTHONS else left_out).append(name)
    if not envs:
        sys.exit("bench: no env selected")
    print("bench: %d envs of examples/sdk; %d cores" % (len(envs), cores))
    if left_out:
        print("bench: left out (tox 3.28's virtualenv cannot seed pip offline for their Python): %s"
              % " ".join(left_out))
    sel = ",".join(envs)

    results = {}
    copies = {"blitz": os.path.join(work, "blitz")}
    if tox:
        copies["tox"] = os.path.join(work, "tox")
        if not args.warm_only:
            copy_example(copies["tox"])

    def tool_cmd(tool, tag, parallel="auto", ini=None):
        conf = ["-c", ini] if ini else []
        if tool == "tox":
            return [tox] + conf + ["-p", parallel, "-e", sel]
        return [args.blitz] + conf + ["-p", parallel, "-e", sel, "--result-json", os.path.join(work, tag + ".json")]

    def timed(tool, tag, parallel="auto", ini=None):
        e = dict(env, PIP_FIND_LINKS=os.path.join(copies[tool], "wheelhouse"))
        secs, rc = run(tool_cmd(tool, tag, parallel, ini), copies[tool], e, log)
        if rc != 0:
            sys.exit("bench: %s failed (exit %d) in the %s run; see %s" % (tool, rc, tag, log))
        print("  %-5s %-6s %8.1f s" % (tool, tag, secs), flush=True)
        return secs

    if args.setup_only:
        # the envs made from nothing, the commands `true`: what each tool spends making envs
        print("cold, making the envs only (every command `true`):", flush=True)
        for tool in copies:
            results[tool] = timed(tool, "setup", ini=overhead_ini(copies[tool]))
        print()
        print("%d envs, %d cores" % (len(envs), cores))
        if tox:
            print("making the envs cold:  tox -p auto %7.1f s   blitz -p auto %7.1f s   blitz %.2fx faster"
                  % (results["tox"], results["blitz"], results["tox"] / results["blitz"]))
        else:
            print("making the envs cold:  blitz -p auto %7.1f s" % results["blitz"])
        return
    if not args.warm_only:
        print("cold (no envs yet):", flush=True)
        for tool in copies:
            results[(tool, "cold")] = timed(tool, "cold")
    print("warm (every env in place), %d run%s each:" % (args.runs, "s" if args.runs > 1 else ""), flush=True)
    for i in range(args.runs):
        for tool in copies:
            results.setdefault((tool, "warm"), []).append(timed(tool, "warm%d" % i))
    # blitz's set-up cost alone: every env in place and unchanged, commands `true`
    print("set-up overhead (every env unchanged, commands `true`), %d runs:" % args.overhead_runs, flush=True)
    ini = overhead_ini(copies["blitz"])
    overhead = []
    for i in range(args.overhead_runs):
        e = dict(env, PIP_FIND_LINKS=os.path.join(copies["blitz"], "wheelhouse"))
        res = os.path.join(work, "overhead%d.json" % i)
        secs, rc = run([args.blitz, "-c", ini, "-p", "auto", "-e", sel, "--result-json", res], copies["blitz"], e, log)
        d = json.load(open(res)) if rc == 0 else None
        if rc != 0 or not all(x["reused"] for x in d["envs"]):
            sys.exit("bench: the overhead run failed or rebuilt an env (exit %d); see %s" % (rc, log))
        overhead.append(secs)
        print("  blitz  overhead %6.3f s" % secs, flush=True)
    print("serial (blitz -p 1, for the lower bounds):", flush=True)
    timed("blitz", "serial", "1")
    wall, cpu = test_totals(os.path.join(work, "serial.json"))
    _, cpu_par = test_totals(os.path.join(work, "warm0.json"))

    bw = statistics.median(results[("blitz", "warm")])
    print()
    print("%d envs, %d cores" % (len(envs), cores))
    if tox:
        tw = statistics.median(results[("tox", "warm")])
        if not args.warm_only:
            print("cold:  tox -p auto %7.1f s   blitz -p auto %7.1f s   blitz %.2fx faster"
                  % (results[("tox", "cold")], results[("blitz", "cold")],
                     results[("tox", "cold")] / results[("blitz", "cold")]))
        print("warm:  tox -p auto %7.1f s   blitz -p auto %7.1f s   blitz %.2fx faster (target: 2x)"
              % (tw, bw, tw / bw))
    else:
        if not args.warm_only:
            print("cold:  blitz -p auto %7.1f s" % results[("blitz", "cold")])
        print("warm:  blitz -p auto %7.1f s" % bw)
    ov = statistics.median(overhead)
    print("set-up overhead, %d unchanged envs: %.3f s in all, %.1f ms per env (target: under 1 s)"
          % (len(envs), ov, 1000 * ov / len(envs)))
    print("tests alone (serial run): wall %.1f s, CPU %.1f s (CPU in the parallel run: %.1f s)" % (wall, cpu, cpu_par))
    print("bound 1, tests' wall / cores: %6.1f s   blitz warm / bound 1: %.2f (target: under 1)" % (wall / cores, bw / (wall / cores)))
    print("bound 2, tests' CPU / cores:  %6.1f s   blitz warm / bound 2: %.2f (1.00 is the physical limit)"
          % (cpu / cores, bw / (cpu / cores)))
    # CPU time measured on a shared VM drifts between runs (steal, clock changes): each warm
    # run against the CPU its own tests used is the steadier measure of how full the cores were
    own = []
    for i, secs in enumerate(results[("blitz", "warm")]):
        _, c = test_totals(os.path.join(work, "warm%d.json" % i))
        own.append("%.2f (CPU %.1f s)" % (secs / (c / cores), c))
    print("each blitz warm run / its own tests' CPU / cores: %s" % ", ".join(own))


if __name__ == "__main__":
    main()
