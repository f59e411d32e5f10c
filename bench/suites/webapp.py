"""The webapp suite: many fast unit tests, integration modules on a module-scoped database, end-to-end flows (see gen.py)."""
from model import Module, Namer, Suite, Test, add_tests, lognormal, tox_ini

# Seconds of CPU per unit of work, measured on the project's machine (2 cores, Debian 12;
# between a quiet machine and one whose other core is busy).
COST_RENDER = 1.5e-6  # webapp.templates.render_listing, per item
COST_PBKDF2 = 0.4e-6  # hashlib.pbkdf2_hmac sha256, per round
COST_SEED = 3.5e-6  # webapp.db.Database.seed, per row

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
