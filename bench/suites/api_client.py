"""The api-client suite: an HTTP client against a fake transport with latency, and one very long sync (see gen.py)."""
from model import Module, Namer, Suite, Test, add_tests, lognormal, tox_ini

# Seconds of CPU per unit of work, measured on the project's machine (2 cores, Debian 12;
# between a quiet machine and one whose other core is busy).
COST_JSON = 9e-6  # apiclient.codec.make_payload and decode_items, per item

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
