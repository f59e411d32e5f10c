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
import math
import os
import random
import shutil
import sys

# Seconds of CPU per unit of work, measured on the project's machine (2 cores, Debian 12;
# between a quiet machine and one whose other core is busy).
COST_RENDER = 1.5e-6  # webapp.templates.render_listing, per item
COST_PBKDF2 = 0.4e-6  # hashlib.pbkdf2_hmac sha256, per round
COST_SEED = 3.5e-6  # webapp.db.Database.seed, per row
COST_SIEVE = 70e-9  # dataproc.primes.sieve, per number below the limit
COST_MATMUL = 120e-9  # dataproc.linalg.matmul and its two matrices, per multiply-add (n^3)
COST_MANDEL = 0.2e-6  # dataproc.fractal.mandelbrot, per pixel-iteration (about 12 a pixel)
COST_LEVEN = 0.35e-6  # dataproc.text.levenshtein, per cell (n^2)
COST_BOOT = 0.12e-6  # dataproc.stats.bootstrap_ci, per draw (resamples x sample size)
COST_LOGS = 4.5e-6  # dataproc.compress.synthetic_log and a zlib round trip, per line
COST_JSON = 9e-6  # apiclient.codec.make_payload and decode_items, per item


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


# --- webapp ----------------------------------------------------------------

WEBAPP_PKG = {
    "src/webapp/__init__.py": '''
"""A small shop: accounts, a catalogue, a cart and a checkout."""
''',
    "src/webapp/security.py": '''
import hashlib
import hmac

SALT = b"webapp-test-salt"


def hash_password(password, rounds=260000):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, rounds).hex()


def check_password(password, digest, rounds=260000):
    return hmac.compare_digest(hash_password(password, rounds), digest)


def make_token(user_id, secret=b"not-a-secret"):
    mac = hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()
    return "%s.%s" % (user_id, mac[:16])


def check_token(token, secret=b"not-a-secret"):
    user_id, _, _ = token.partition(".")
    return hmac.compare_digest(make_token(user_id, secret), token)
''',
    "src/webapp/templates.py": '''
import html
import re


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def money(cents, currency="EUR"):
    return "%s %d.%02d" % (currency, cents // 100, cents % 100)


def render_listing(items, locale="en"):
    sep = "," if locale == "en" else "."
    parts = ['<ul class="products" lang="%s">' % locale]
    for i in range(items):
        price = format(i * 1.07, ",.2f").replace(",", sep)
        parts.append('<li data-id="%d">%s &mdash; %s</li>' % (i, html.escape("Product %d" % i).title(), price))
    parts.append("</ul>")
    return "\\n".join(parts)
''',
    "src/webapp/db.py": '''
import sqlite3
import time

SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, active INTEGER);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, cents INTEGER);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total INTEGER);
"""


class Database:
    """sqlite in memory; wait= stands for the round trip to a database server."""

    def __init__(self):
        self.conn = sqlite3.connect(":memory:")

    def migrate(self, wait=0.0):
        time.sleep(wait)
        self.conn.executescript(SCHEMA)

    def seed(self, rows):
        self.conn.executemany("INSERT INTO users (email, active) VALUES (?, ?)",
                              (("user%d@example.org" % i, int(i % 3 != 0)) for i in range(rows)))
        self.conn.commit()

    def query(self, sql, args=(), wait=0.0):
        time.sleep(wait)
        return self.conn.execute(sql, args).fetchall()

    def close(self):
        self.conn.close()
''',
    "src/webapp/server.py": '''
import json
import time


class Response:
    def __init__(self, status, body):
        self.status, self.body = status, body

    def json(self):
        return json.loads(self.body)


class TestClient:
    """Requests to the app; wait= stands for the network and the app's own I/O."""

    __test__ = False

    def __init__(self, user=None):
        self.user = user

    def request(self, method, path, data=None, wait=0.0, status=200):
        time.sleep(wait)
        body = json.dumps({"method": method, "path": path, "data": data, "user": self.user})
        return Response(status, body)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data, **kw)
''',
    "tests/__init__.py": "",
    "tests/conftest.py": '''
import time

import pytest

from webapp.server import TestClient


@pytest.fixture(scope="session")
def settings():
    time.sleep(0.05)  # reading the settings files
    return {"currency": "EUR", "debug": False}


@pytest.fixture
def client(settings):
    return TestClient()


@pytest.fixture
def admin_client(settings):
    return TestClient(user="admin")
''',
}


def webapp_ops(rng):
    paths = ["/", "/cart", "/cart/items", "/checkout", "/account", "/login", "/search?q=shoes",
             "/products/42", "/orders", "/admin/users", "/api/v1/products", "/api/v1/orders/7"]
    return {
        "render": (lambda t: str(max(1, round(t / COST_RENDER))),
                   lambda n: (["html = render_listing(%s)" % n, 'assert html.count("<li") == %s' % n], [])),
        # hashing and checking: two pbkdf2 runs
        "hash": (lambda t: str(max(1, round(t / 2 / COST_PBKDF2))),
                 lambda n: (['digest = hash_password("correct horse", rounds=%s)' % n,
                             'assert check_password("correct horse", digest, rounds=%s)' % n], [])),
        "http": (lambda t: "%.4f" % t,
                 lambda w: (['resp = client.get("%s", wait=%s)' % (rng.choice(paths), w),
                             "assert resp.status == 200"], ["client"])),
        "query": (lambda t: "%.4f" % t,
                  lambda w: (['rows = database.query("SELECT id FROM users WHERE active = ?", (1,), wait=%s)' % w,
                              "assert len(rows) > 0"], ["database"])),
        "trivial": ['slugify("Hello, World!") == "hello-world"', 'money(1999) == "EUR 19.99"',
                    "check_token(make_token(7))", 'not check_token("7.0000000000000000")',
                    'slugify("  \u00c9t\u00e9 2024 ") == "t-2024"', 'money(5, "USD") == "USD 0.05"'],
    }


def webapp():
    s = Suite("webapp", 101)
    rng = s.rng
    s.ops = webapp_ops(rng)
    namer = Namer(rng, ["renders", "validates", "rejects", "accepts", "serializes", "formats", "rounds",
                        "orders", "filters", "redirects", "escapes", "paginates", "caches", "counts",
                        "sorts", "links", "hides", "shows", "updates", "parses"],
                  ["email", "password", "cart_total", "empty_cart", "coupon", "unicode_name", "price",
                   "currency", "missing_field", "long_title", "stock", "discount", "vat", "locale",
                   "date", "slug", "html", "page_two", "admin_link", "anonymous_user", "csrf_token",
                   "order_id", "shipping", "tax_rate", "zero_quantity", "bad_token", "session"])
    labels = ["en", "de", "fr", "it", "es", "nl", "pl", "sv", "ja", "pt", "cs", "fi"]
    unit_header = """
import pytest

from webapp.security import check_password, check_token, hash_password, make_token
from webapp.templates import money, render_listing, slugify
"""
    unit_dist = lambda r: lognormal(r, 0.0025, 1.0, 0.0001, 0.15)
    unit_ops = [[("trivial", 1.0)], [("render", 1.0)], [("render", 1.0)], [("hash", 1.0)],
                [("http", 0.7), ("render", 0.3)]]
    units = [("models", ["TestUser", "TestProduct", "TestOrder"]), ("forms", ["TestSignupForm", "TestCheckoutForm"]),
             ("validators", ["TestEmail", "TestPostcode", "TestQuantity"]), ("templates", ["TestListing", "TestInvoice"]),
             ("permissions", ["TestAnonymous", "TestStaff"]), ("serializers", ["TestProductSerializer", "TestOrderSerializer"]),
             ("urls", ["TestRouting"]), ("utils", ["TestSlugify", "TestMoney", "TestTokens"])]
    for mod, classes in units:
        m = Module("tests/unit/test_%s.py" % mod, unit_header)
        add_tests(s, m, [(c, "%s: %s." % (mod, c[4:]), rng.randint(9, 15)) for c in classes], unit_dist,
                  unit_ops, namer, 0.35, labels)
        s.modules.append(m)

    integ_header = """
import pytest

from webapp.db import Database
from webapp.security import check_password, hash_password
from webapp.templates import render_listing
"""
    integ_dist = lambda r: lognormal(r, 0.15, 1.1, 0.01, 3.0)
    integ_ops = [[("http", 1.0)], [("query", 1.0)], [("http", 0.6), ("query", 0.4)], [("hash", 0.5), ("http", 0.5)],
                 [("query", 0.5), ("render", 0.5)]]
    for mod, classes in [("checkout", ["TestCheckoutFlow", "TestPayments"]), ("accounts", ["TestSignup", "TestLogin"]),
                         ("search", ["TestSearch"]), ("admin", ["TestAdminUsers", "TestAdminOrders"])]:
        wait = round(rng.uniform(0.2, 0.6), 3)
        rows = rng.choice([20000, 50000, 120000])
        fixture = '''
@pytest.fixture(scope="module")
def database():
    db = Database()
    db.migrate(wait=%s)
    db.seed(rows=%d)
    yield db
    db.close()


@pytest.fixture
def client(database, settings):
    from webapp.server import TestClient
    return TestClient(user="user1@example.org")
''' % (wait, rows)
        m = Module("tests/integration/test_%s.py" % mod, integ_header, fixture)
        m.fixture_seconds = wait + rows * COST_SEED
        add_tests(s, m, [(c, "%s against a real database." % c[4:], rng.randint(5, 9)) for c in classes],
                  integ_dist, integ_ops, namer, 0.25, ["visa", "mastercard", "paypal", "invoice", "voucher", "sepa"])
        s.modules.append(m)

    e2e = Module("tests/e2e/test_browser_flows.py", '''
import time

import pytest

from webapp.security import check_password, hash_password
from webapp.templates import render_listing

pytestmark = pytest.mark.slow
''', '''
@pytest.fixture(scope="module", autouse=True)
def browser():
    time.sleep(0.8)  # starting the headless browser
    yield "chromium"
''')
    e2e.fixture_seconds = 0.8
    e2e_names = Namer(rng, ["guest_buys", "member_returns", "admin_refunds", "user_resets", "shopper_abandons"],
                      ["a_shirt", "two_items", "an_order", "the_password", "the_cart"])
    e2e_tests = []
    for _ in range(5):
        e2e_tests.append(Test(e2e_names(), [lognormal(rng, 1.6, 0.4, 0.8, 3.5)], [("http", 0.8), ("hash", 0.2)]))
    e2e.classes.append((None, "", e2e_tests))
    s.modules.append(e2e)
    s.scale(27.0)
    return s, WEBAPP_PKG, tox_ini("the shop's tests", ["slow: end-to-end flows in a browser"])


# --- data ------------------------------------------------------------------

DATA_PKG = {
    "src/dataproc/__init__.py": '''
"""Numeric and text kernels behind a small data pipeline, in pure Python."""
''',
    "src/dataproc/primes.py": '''
def sieve(limit):
    is_prime = bytearray([1]) * (limit + 1)
    is_prime[0:2] = b"\\0\\0"
    for i in range(2, int(limit ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = bytes(len(range(i * i, limit + 1, i)))
    return [i for i in range(limit + 1) if is_prime[i]]
''',
    "src/dataproc/linalg.py": '''
import random


def random_matrix(n, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)]


def identity(n):
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def matmul(a, b):
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a]
''',
    "src/dataproc/fractal.py": '''
def mandelbrot(width, height, max_iter=50):
    rows = []
    for j in range(height):
        y = -1.2 + 2.4 * j / height
        row = []
        for i in range(width):
            c = complex(-2.2 + 3.0 * i / width, y)
            z, n = 0j, 0
            while abs(z) <= 2.0 and n < max_iter:
                z = z * z + c
                n += 1
            row.append(n)
        rows.append(row)
    return rows
''',
    "src/dataproc/text.py": '''
import random


def random_dna(n, seed=0):
    rng = random.Random(seed)
    return "".join(rng.choice("ACGT") for _ in range(n))


def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
''',
    "src/dataproc/stats.py": '''
import random


def mean(xs):
    return sum(xs) / len(xs)


def bootstrap_ci(sample, resamples=1000, alpha=0.05, seed=0):
    rng = random.Random(seed)
    n = len(sample)
    means = sorted(sum(rng.choices(sample, k=n)) / n for _ in range(resamples))
    return means[int(alpha / 2 * resamples)], means[int((1 - alpha / 2) * resamples) - 1]
''',
    "src/dataproc/compress.py": '''
import random
import zlib


def synthetic_log(lines, seed=0):
    rng = random.Random(seed)
    levels = ["INFO", "INFO", "INFO", "WARN", "ERROR"]
    out = []
    for i in range(lines):
        out.append("2024-05-%02d %s worker-%d processed %d rows in %.3fs" % (
            i % 28 + 1, rng.choice(levels), rng.randrange(16), rng.randrange(10000), rng.random()))
    return "\\n".join(out).encode()


def roundtrip(blob, level=6):
    return zlib.decompress(zlib.compress(blob, level))
''',
    "src/dataproc/io.py": '''
import random
import time


def load_dataset(name, rows=1000, wait=0.0):
    """Rows of a named dataset; wait= stands for reading it from object storage."""
    time.sleep(wait)
    rng = random.Random(name)
    return [{"id": i, "value": rng.gauss(100, 15)} for i in range(rows)]
''',
    "tests/__init__.py": "",
    "tests/conftest.py": '''
import pytest

from dataproc.io import load_dataset


@pytest.fixture(scope="session")
def reference():
    return load_dataset("reference", rows=2000, wait=0.1)
''',
}


def data_ops(rng):
    return {
        "sieve": (lambda t: str(max(100, round(t / COST_SIEVE))),
                  lambda n: (["primes = sieve(%s)" % n, "assert primes[:5] == [2, 3, 5, 7, 11]",
                              "assert all(p % 2 for p in primes[1:200])"], [])),
        "matrix": (lambda t: str(max(2, round((t / COST_MATMUL) ** (1 / 3)))),
                   lambda n: (["a = random_matrix(%s, seed=%d)" % (n, rng.randrange(100)),
                               "assert matmul(a, identity(%s)) == a" % n], [])),
        # a width x width/2 image, about 12 iterations a pixel
        "fractal": (lambda t: str(max(8, round(math.sqrt(2 * t / (COST_MANDEL * 12))))),
                    lambda w: (["img = mandelbrot(%s, %s // 2)" % (w, w), "assert len(img) == %s // 2" % w,
                                "assert max(map(max, img)) == 50"], [])),
        # two distances: a to b, a to itself
        "edit": (lambda t: str(max(4, round(math.sqrt(t / 2 / COST_LEVEN)))),
                 lambda n: (["a, b = random_dna(%s, seed=1), random_dna(%s, seed=2)" % (n, n),
                             "d = levenshtein(a, b)", "assert 0 <= d <= %s" % n, "assert levenshtein(a, a) == 0"], [])),
        # resamples of the module's 200-value sample
        "boot": (lambda t: str(max(10, round(t / (COST_BOOT * 200)))),
                 lambda n: (["lo, hi = bootstrap_ci(sample, resamples=%s)" % n, "assert lo <= mean(sample) <= hi"],
                            ["sample"])),
        "logs": (lambda t: str(max(10, round(t / COST_LOGS))),
                 lambda n: (["blob = synthetic_log(%s, seed=%d)" % (n, rng.randrange(100)),
                             "assert roundtrip(blob) == blob"], [])),
        "load": (lambda t: "%.4f" % t,
                 lambda w: (['rows = load_dataset("%s", rows=200, wait=%s)'
                             % (rng.choice(["sales", "events", "sensors", "users"]), w),
                             "assert len(rows) == 200"], [])),
        "trivial": ["sieve(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]", 'levenshtein("kitten", "sitting") == 3',
                    "matmul([[1, 2], [3, 4]], identity(2)) == [[1, 2], [3, 4]]", "mean([1, 2, 3, 6]) == 3",
                    'roundtrip(b"abc" * 100) == b"abc" * 100'],
    }


def data():
    s = Suite("data", 202)
    rng = s.rng
    s.ops = data_ops(rng)
    header = """
import pytest

from dataproc.compress import roundtrip, synthetic_log
from dataproc.fractal import mandelbrot
from dataproc.io import load_dataset
from dataproc.linalg import identity, matmul, random_matrix
from dataproc.primes import sieve
from dataproc.stats import bootstrap_ci, mean
from dataproc.text import levenshtein, random_dna
"""
    namer = Namer(rng, ["computes", "matches", "handles", "bounds", "converges_on", "agrees_with", "scales_to",
                        "survives", "stays_stable_on", "reproduces"],
                  ["small_input", "large_input", "edge_case", "reference", "random_seed", "empty_tail", "odd_size",
                   "power_of_two", "prime_size", "sparse_data", "dense_data", "negative_values", "repeated_runs",
                   "known_answer", "identity"])
    dist = lambda r: lognormal(r, 0.006, 1.9, 0.0002, 2.0)
    labels = ["tiny", "small", "medium", "large", "xl", "xxl", "odd", "even", "seed0", "seed1", "seed2"]
    mods = [("primes", [("TestSieve", 14), ("TestPrimeCounts", 10)], [[("sieve", 1.0)]]),
            ("linalg", [("TestMatmul", 16), ("TestIdentity", 8)], [[("matrix", 1.0)]]),
            ("fractal", [("TestMandelbrot", 14)], [[("fractal", 1.0)]]),
            ("text", [("TestLevenshtein", 16), ("TestRandomDna", 6)], [[("edit", 1.0)], [("trivial", 1.0)]]),
            ("stats", [("TestBootstrap", 14), ("TestMean", 6)], [[("boot", 1.0)]]),
            ("compress", [("TestRoundtrip", 14)], [[("logs", 1.0)]]),
            ("pipeline", [("TestPipeline", 12)], [[("load", 0.4), ("sieve", 0.6)], [("load", 0.3), ("matrix", 0.7)],
                                                  [("load", 0.5), ("logs", 0.5)]])]
    for mod, classes, ops in mods:
        m = Module("tests/test_%s.py" % mod, header)
        if mod == "stats":
            m.fixture_src = '''
@pytest.fixture(scope="module")
def sample(reference):
    return [row["value"] for row in reference[:200]]
'''
        if mod == "pipeline":
            m.fixture_src = '''
@pytest.fixture(scope="module", autouse=True)
def warehouse():
    return load_dataset("warehouse", rows=50000, wait=0.3)
'''
            m.fixture_seconds = 0.3 + 50000 * 1.0e-6
        add_tests(s, m, [(c, "%s: %s." % (mod, c[4:]), n) for c, n in classes], dist, ops, namer, 0.4, labels)
        s.modules.append(m)
    s.scale(30.0)
    return s, DATA_PKG, tox_ini("the pipeline's kernels", [])


# --- api-client ------------------------------------------------------------

API_PKG = {
    "src/apiclient/__init__.py": '''
"""A client for a REST API: auth, retries with back-off, pagination, rate limits."""
''',
    "src/apiclient/transport.py": '''
import json
import time


class FakeTransport:
    """Answers requests as the API would; each one waits latency seconds (the round trip).
    fail_first: so many requests fail with 503 first; pages: how many pages a list has."""

    def __init__(self, latency=0.0, fail_first=0, pages=1):
        self.latency, self.fail_first, self.pages, self.calls = latency, fail_first, pages, 0

    def send(self, method, path, params=None):
        self.calls += 1
        time.sleep(self.latency)
        if self.calls <= self.fail_first:
            return 503, b"{}"
        page = (params or {}).get("page", 1)
        body = {"path": path, "page": page, "next": page + 1 if page < self.pages else None,
                "items": [{"id": "%s-%d-%d" % (path.strip("/").replace("/", "-"), page, i)} for i in range(20)]}
        return 200, json.dumps(body).encode()
''',
    "src/apiclient/client.py": '''
import json
import time


class ApiError(Exception):
    def __init__(self, status):
        super().__init__("HTTP %d" % status)
        self.status = status


class Client:
    def __init__(self, transport, token="tok_test", retries=3, backoff=0.0, rate=None):
        self.transport, self.token, self.retries, self.backoff = transport, token, retries, backoff
        self.rate, self.sent = rate, 0

    def get(self, path, **params):
        for attempt in range(self.retries + 1):
            if self.rate and self.sent:
                time.sleep(1.0 / self.rate)
            self.sent += 1
            status, body = self.transport.send("GET", path, params)
            if status < 500:
                break
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        if status >= 400:
            raise ApiError(status)
        return json.loads(body)

    def paginate(self, path):
        page = 1
        while page:
            data = self.get(path, page=page)
            yield from data["items"]
            page = data["next"]
''',
    "src/apiclient/codec.py": '''
import json


def make_payload(n):
    return json.dumps([{"id": "obj_%d" % i, "amount": i * 125, "currency": "eur", "metadata": {"n": str(i)},
                        "tags": ["a", "b", "c"][: i % 4]} for i in range(n)])


def decode_items(payload):
    return [dict(item, amount_major=item["amount"] / 100) for item in json.loads(payload)]
''',
    "tests/__init__.py": "",
    "tests/conftest.py": '''
import pytest

from apiclient.client import Client
from apiclient.transport import FakeTransport


@pytest.fixture
def make_client():
    def make(latency=0.0, fail_first=0, pages=1, backoff=0.0, rate=None):
        return Client(FakeTransport(latency, fail_first, pages), backoff=backoff, rate=rate)
    return make
''',
}


def api_ops(rng):
    paths = ["/v1/customers", "/v1/invoices", "/v1/charges", "/v1/refunds", "/v1/events", "/v1/subscriptions",
             "/v1/webhooks", "/v1/payouts", "/v1/balance"]

    def request(w):
        p = rng.choice(paths)
        return (["client = make_client(latency=%s)" % w, 'data = client.get("%s")' % p,
                 'assert data["path"] == "%s"' % p], ["make_client"])

    def pages(w):
        p = rng.choice(paths)
        return (["client = make_client(latency=%s, pages=10)" % w, 'items = list(client.paginate("%s"))' % p,
                 "assert len(items) == 200"], ["make_client"])

    return {
        "request": (lambda t: "%.4f" % t, request),
        # two 503s, then an answer: three round trips of unit / 3 and back-offs of 1 and 2 units
        "retry": (lambda t: "%.4f" % (t / 4),
                  lambda u: (["client = make_client(latency=%s / 3, fail_first=2, backoff=%s)" % (u, u),
                              'assert client.get("%s")["page"] == 1' % rng.choice(paths),
                              "assert client.transport.calls == 3"], ["make_client"])),
        # ten pages, a round trip each
        "pages": (lambda t: "%.4f" % (t / 10), pages),
        "decode": (lambda t: str(max(1, round(t / COST_JSON))),
                   lambda n: (["items = decode_items(make_payload(%s))" % n, "assert len(items) == %s" % n], [])),
        "trivial": ["ApiError(404).status == 404", 'decode_items("[]") == []', 'str(ApiError(500)) == "HTTP 500"',
                    'decode_items(make_payload(2))[1]["amount_major"] == 1.25'],
    }


def api_client():
    s = Suite("api-client", 303)
    rng = s.rng
    s.ops = api_ops(rng)
    header = """
import pytest

from apiclient.client import ApiError
from apiclient.codec import decode_items, make_payload
"""
    namer = Namer(rng, ["lists", "fetches", "creates", "retries", "refunds", "expands", "filters", "decodes",
                        "raises_on", "ignores", "follows", "refreshes", "signs", "verifies", "throttles"],
                  ["customers", "invoices", "charges", "refunds", "events", "empty_page", "expired_token",
                   "server_error", "rate_limit", "unicode_metadata", "large_amount", "idempotency_key",
                   "webhook", "subscription", "payout", "cursor", "timeout", "deleted_object"])
    dist = lambda r: lognormal(r, 0.012, 1.4, 0.0005, 2.0)
    labels = ["eur", "usd", "gbp", "jpy", "chf", "sek", "v1", "v2", "sandbox", "live"]
    mods = [("auth", [("TestTokens", 14), ("TestSigning", 10)], [[("request", 1.0)], [("trivial", 1.0)]]),
            ("models", [("TestDecode", 22), ("TestAmounts", 12)], [[("decode", 1.0)], [("trivial", 1.0)]]),
            ("errors", [("TestServerErrors", 14), ("TestClientErrors", 10)], [[("request", 1.0)], [("retry", 1.0)]]),
            ("retry", [("TestBackoff", 14)], [[("retry", 1.0)]]),
            ("pagination", [("TestCursor", 14), ("TestPages", 10)], [[("pages", 1.0)], [("request", 1.0)]]),
            ("rate_limit", [("TestThrottle", 12)], [[("request", 0.5), ("retry", 0.5)]]),
            ("webhooks", [("TestWebhookEvents", 16)], [[("decode", 0.5), ("request", 0.5)], [("request", 1.0)]]),
            ("sync", [("TestIncrementalSync", 12)], [[("pages", 1.0)], [("pages", 0.7), ("decode", 0.3)]])]
    for mod, classes, ops in mods:
        m = Module("tests/test_%s.py" % mod, header)
        add_tests(s, m, [(c, "%s: %s." % (mod, c[4:]), n) for c, n in classes], dist, ops, namer, 0.4, labels)
        s.modules.append(m)
    # the full sync: every page of every event since the account opened, one request each
    full = Test("test_full_sync_walks_every_page", [15.0], [], fixtures=["make_client"],
                body=["client = make_client(latency=0.05, pages=300)", 'items = list(client.paginate("/v1/events"))',
                      "assert len(items) == 300 * 20"])
    s.modules[-1].classes.append((None, "", [full]))
    s.scale(30.5, keep={full.name})
    return s, API_PKG, tox_ini("the client's tests", [])


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
