import random

import pytest

from beacon.scrub import FILTERED, luhn_ok, scrub, scrub_text


@pytest.mark.parametrize("key", ["password", "PASSWORD", "api_key", "api-key", "Authorization",
                                 "cookie", "session", "token", "secret", "csrftoken"])
def test_sensitive_keys_are_filtered(key):
    assert scrub({key: "hunter2"}) == {key: FILTERED}


@pytest.mark.parametrize("key", ["username", "path", "method", "count", "tokens_used_total"])
def test_other_keys_are_kept(key):
    assert scrub({key: "value"}) == {key: "value"}


@pytest.mark.parametrize("number", ["4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004",
                                    "340000000000009"])
def test_card_numbers_are_filtered(number):
    assert scrub_text("paid with %s today" % number) == "paid with %s today" % FILTERED


@pytest.mark.parametrize("number", ["4111111111111112", "1234567890123", "order 12345"])
def test_non_card_numbers_are_kept(number):
    assert scrub_text(number) == number


def test_nested_structures():
    event = {"request": {"headers": [{"Cookie": "a=b"}, {"Accept": "*/*"}]}, "tags": ("x", "y")}
    assert scrub(event) == {"request": {"headers": [{"Cookie": FILTERED}, {"Accept": "*/*"}]},
                            "tags": ("x", "y")}


def test_depth_limit():
    value = current = {}
    for _ in range(20):
        current["next"] = {}
        current = current["next"]
    out = scrub(value, max_depth=3)
    assert out["next"]["next"]["next"]["next"] == "[Depth]"


def test_luhn_agrees_with_a_reference_on_many_numbers():
    rng = random.Random(7)

    def reference(digits):
        checksum = sum(int(d) for d in digits[-1::-2])
        checksum += sum(sum(divmod(int(d) * 2, 10)) for d in digits[-2::-2])
        return checksum % 10 == 0
    for _ in range(8000):
        digits = "".join(rng.choice("0123456789") for _ in range(16))
        assert luhn_ok(digits) == reference(digits)


def test_scrub_large_payload():
    rng = random.Random(3)
    payload = [{"password": "x", "note": "card %016d" % rng.randrange(10 ** 15, 10 ** 16),
                "items": list(range(20))} for _ in range(2000)]
    out = scrub(payload)
    assert all(item["password"] == FILTERED for item in out)
