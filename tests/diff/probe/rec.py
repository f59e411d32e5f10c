"""The differential suite's recorder: a command in a fixture's tox.ini that says it ran.

    python @DIFF_REC@ LABEL [ARG...] [+ACTION...]

The suite copies this file into each tool's run folder, with @DIFF_RECORDS@ replaced by
the absolute path of that run's records file, and the fixture's tox.ini calls it as
`python @DIFF_REC@ ...` (the suite replaces @DIFF_REC@ with this file's path). Each call
appends one JSON line: the label, the other arguments, the folder it ran in, the
interpreter and venv it ran with, and whatever the actions ask for. Arguments that start
with `+` are actions, not recorded as arguments:

    +env            the whole environment (os.environ)
    +import=A,B     for each module: where it was imported from and its __version__, or the error
    +which=A,B      for each program: where PATH finds it (shutil.which)
    +cat=PATH       the file's text, or null if there is none
    +touch=PATH     create the file (after recording whether it existed, see exists below)
    +trap           catch SIGINT and SIGTERM (and SIGHUP), recording each, instead of dying
    +sleep=S        sleep S seconds after recording (with +trap: recording signals meanwhile)
    +exit=N         exit with status N after everything else

Every argument (and +cat/+touch path) that is an absolute path gets an `exists` entry:
whether the path existed when the command started. Runs on Python 3.6 and later.
"""
import importlib
import json
import os
import shutil
import signal
import sys
import time

RECORDS = "@DIFF_RECORDS@"
START = time.time()


def append(record):
    """One line per record; O_APPEND keeps the lines of concurrent commands whole."""
    line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(RECORDS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def imported(name):
    try:
        module = importlib.import_module(name)
    except Exception as err:  # any failure to import is what is recorded
        return {"error": type(err).__name__}
    return {"file": getattr(module, "__file__", None), "version": str(getattr(module, "__version__", None))}


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def on_signal(label):
    def handler(signo, frame):
        append({"label": label, "prefix": sys.prefix, "signal": signal.Signals(signo).name,
                "time": time.time()})
    return handler


def main(argv):
    if not argv:
        print("usage: rec.py LABEL [ARG...] [+ACTION...]", file=sys.stderr)
        return 2
    label, rest = argv[0], argv[1:]
    args = [a for a in rest if not a.startswith("+")]
    actions = [a[1:].partition("=") for a in rest if a.startswith("+")]
    record = {
        "label": label,
        "args": args,
        "cwd": os.getcwd(),
        "prefix": sys.prefix,
        "executable": sys.executable,
        "python": "%d.%d" % sys.version_info[:2],
    }
    paths = [a for a in args if a.startswith("/")]
    paths += [value for name, _, value in actions if name in ("cat", "touch") and value.startswith("/")]
    if paths:
        record["exists"] = {p: os.path.exists(p) for p in paths}
    exit_code, sleep_for, touch = 0, 0.0, []
    for name, _, value in actions:
        if name == "env":
            record["environ"] = dict(os.environ)
        elif name == "import":
            record["import"] = {m: imported(m) for m in value.split(",")}
        elif name == "which":
            record["which"] = {p: shutil.which(p) for p in value.split(",")}
        elif name == "cat":
            record.setdefault("cat", {})[value] = read_text(value)
        elif name == "touch":
            touch.append(value)
        elif name == "trap":
            for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signo, on_signal(label))
        elif name == "sleep":
            sleep_for = float(value)
        elif name == "exit":
            exit_code = int(value)
        else:
            print("rec.py: unknown action +%s" % name, file=sys.stderr)
            return 2
    append(record)
    for path in touch:
        with open(path, "a"):
            pass
    deadline = time.time() + sleep_for
    while time.time() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.time())))
    if sleep_for:
        append({"label": label, "prefix": sys.prefix, "slept": sleep_for})
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
