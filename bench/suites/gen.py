#!/usr/bin/env python3
"""Write the suite benchmark's three pytest projects into a folder: webapp, data, api-client.

usage: gen.py OUT [--suites webapp,data,api-client]

Each is a small project as a real one is laid out: a package under src/, a tests/ tree of
modules and classes, fixtures (some module-scoped, with a set-up cost), parametrized tests,
and a tox.ini whose one env `py` runs `python -m pytest` with Debian's /usr/bin/python3 and
pytest as its one dep (the benchmark installs it offline, from Debian's pytest packed into
wheels). The tests do real work: CPU in the package's own code (pbkdf2, sqlite, pure-Python
kernels, JSON) and waits (time.sleep standing for a network or disk round trip). How long
each test takes is drawn from heavy-tailed distributions (lognormal) with a fixed seed, so
the same files come out every time; the sizes that turn seconds into work were measured on
the project's machine (2 cores, Debian 12), so a faster machine runs the CPU-bound parts
faster. The slow tests sit where a project would put them (tests/e2e, tests/integration, a
sync module), and collection order is left as that makes it: webapp's slow tests come
first, api-client's longest last.

  webapp      545 tests: many fast unit tests, a third of them parametrized; four integration
              modules, each with a module-scoped database (migrate + seed), of slower tests;
              five end-to-end flows of seconds each behind a module-scoped browser. Mostly
              waits, some CPU. About 30 s in all, the longest test about 3 s.
  data        323 tests: CPU-bound kernels (sieve, matrix product, Mandelbrot, edit distance,
              bootstrap, compression) with a long tail, and a pipeline module that also waits
              on its loaders. About 25 s, the longest about 5 s.
  api-client  380 tests: an HTTP client against a fake transport with latency: mostly waits
              (requests, retries with back-off, pages), some JSON decoding, and one very long
              test (a full sync over 300 pages, 15 s) just under half of the 31 s in all.
"""
import argparse
import os
import shutil
import sys

from api_client import api_client
from data import data
from model import write
from webapp import webapp


SUITES = {"webapp": webapp, "data": data, "api-client": api_client}


def generate(out, name):
    suite, pkg, ini = SUITES[name]()
    root = os.path.join(out, name)
    shutil.rmtree(root, ignore_errors=True)
    for rel, text in sorted(pkg.items()):
        write(root, rel, text)
    write(root, "tox.ini", ini)
    suite.render(root)
    for m in suite.modules:  # every test folder is a package (the tests import by module name)
        d = os.path.dirname(m.rel)
        while d and d != "tests":
            write(root, os.path.join(d, "__init__.py"), "")
            d = os.path.dirname(d)
    return suite


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--suites", default=",".join(SUITES))
    args = ap.parse_args()
    for name in args.suites.split(","):
        if name not in SUITES:
            sys.exit("gen.py: no suite %r (there are: %s)" % (name, ", ".join(SUITES)))
        s = generate(args.out, name)
        durations = sorted((d for t in s.tests() for d in t.seconds), reverse=True)
        print("%-10s %3d tests, planned %.1f s, longest %.2f s" % (name, len(durations), s.planned_total(), durations[0]))


if __name__ == "__main__":
    main()
