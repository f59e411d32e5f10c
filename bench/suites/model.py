"""What the suite generator's three projects are made of: tests with planned durations,
modules, classes and the suite that renders them into files (see gen.py)."""
import math
import os
import random


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.lstrip("\n"))


def tox_ini(description, markers):
    lines = "markers =\n" + "".join("    %s\n" % m for m in markers) if markers else ""
    return """
[tox]
envlist = py

[testenv:py]
description = %s
# pytest comes from the wheelhouse the benchmark packs from Debian's (PIP_FIND_LINKS)
deps = pytest
skip_install = true
basepython = /usr/bin/python3
commands = python -m pytest {posargs}

[pytest]
testpaths = tests
pythonpath = src
addopts = -ra --strict-markers
%s""" % (description, lines)


def lognormal(rng, median, sigma, lo, hi):
    return min(hi, max(lo, rng.lognormvariate(math.log(median), sigma)))


class Namer:
    """Unique test names from verb and object words, as a project's tests read."""

    def __init__(self, rng, verbs, objects):
        self.rng, self.verbs, self.objects, self.used = rng, verbs, objects, set()

    def __call__(self):
        for _ in range(1000):
            name = "test_%s_%s" % (self.rng.choice(self.verbs), self.rng.choice(self.objects))
            if name not in self.used:
                self.used.add(name)
                return name
        n = len(self.used)
        self.used.add("test_case_%d" % n)
        return "test_case_%d" % n


class Test:
    """One test function: plain (one duration) or parametrized (a label and a duration per
    case). ops: (kind, share of the time) pairs, kind in the suite's ops table, whose entry
    is size(seconds) -> the work's size as a literal and body(size) -> (lines, fixtures);
    a parametrized test has one op, its size the parameter. body: lines of its own instead."""

    def __init__(self, name, seconds, ops, labels=None, body=None, fixtures=()):
        self.name, self.seconds, self.ops, self.labels = name, seconds, ops, labels
        self.body, self.fixtures = body, list(fixtures)


class Module:
    def __init__(self, rel, header, fixture_src=""):
        self.rel, self.header, self.fixture_src = rel, header, fixture_src
        self.classes = []  # (class name or None, docstring, [Test])
        self.fixture_seconds = 0.0


class Suite:
    def __init__(self, name, seed):
        self.name, self.rng, self.ops = name, random.Random(seed), None
        self.modules = []

    def tests(self):
        for m in self.modules:
            for _, _, tests in m.classes:
                yield from tests

    def planned_total(self):
        return sum(sum(t.seconds) for t in self.tests()) + sum(m.fixture_seconds for m in self.modules)

    def scale(self, target, keep=()):
        """Scale every test's duration (except those named in keep) so that the plan adds up to target."""
        fixed = sum(m.fixture_seconds for m in self.modules)
        fixed += sum(sum(t.seconds) for t in self.tests() if t.name in keep)
        free = sum(sum(t.seconds) for t in self.tests() if t.name not in keep)
        k = (target - fixed) / free
        for t in self.tests():
            if t.name not in keep:
                t.seconds = [s * k for s in t.seconds]

    def render(self, root):
        for m in self.modules:
            out = [m.header.strip("\n"), ""]
            if m.fixture_src:
                out += ["", m.fixture_src.strip("\n"), ""]
            for cls, doc, tests in m.classes:
                out.append("")
                indent = ""
                if cls:
                    out += ["class %s:" % cls, '    """%s"""' % doc, ""]
                    indent = "    "
                for t in tests:
                    out += [indent + line if line else "" for line in self.render_test(t, bool(cls))]
                    out.append("")
            write(root, m.rel, "\n".join(out).rstrip("\n") + "\n")

    def render_test(self, t, method):
        args = ["self"] if method else []
        if t.body:
            return ["def %s(%s):" % (t.name, ", ".join(args + t.fixtures))] + ["    " + b for b in t.body]
        if t.labels is None:
            body, fixtures = [], []
            for kind, frac in t.ops:
                if kind == "trivial":
                    lines, fx = ["assert %s" % self.rng.choice(self.ops["trivial"])], []
                else:
                    size, code = self.ops[kind]
                    lines, fx = code(size(t.seconds[0] * frac))
                body += lines
                fixtures += [f for f in fx if f not in fixtures]
            return ["def %s(%s):" % (t.name, ", ".join(args + fixtures))] + ["    " + b for b in body]
        size, code = self.ops[t.ops[0][0]]
        params = ", ".join('("%s", %s)' % (label, size(s)) for label, s in zip(t.labels, t.seconds))
        lines, fixtures = code("size")
        return (['@pytest.mark.parametrize("case,size", [%s])' % params,
                 "def %s(%s):" % (t.name, ", ".join(args + ["case", "size"] + fixtures))]
                + ["    " + b for b in lines])


def add_tests(suite, module, classes, dist, ops_choices, namer, param_share=0.3, labels=None):
    """Fill module with classes (name, docstring, number of test functions) of tests whose
    durations dist(rng) draws; a param_share of them parametrized over 3-8 labelled cases."""
    rng = suite.rng
    for cls, doc, n in classes:
        tests = []
        for _ in range(n):
            ops = rng.choice(ops_choices)
            if labels and len(ops) == 1 and ops[0][0] != "trivial" and rng.random() < param_share:
                k = rng.randint(3, min(8, len(labels)))
                case_labels = rng.sample(labels, k)
                tests.append(Test(namer(), [dist(rng) for _ in range(k)], [(ops[0][0], 1.0)], case_labels))
            else:
                tests.append(Test(namer(), [dist(rng)], ops))
        module.classes.append((cls, doc, tests))
