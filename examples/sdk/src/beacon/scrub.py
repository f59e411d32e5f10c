"""Removing secrets from events before they leave the process."""
import re

DEFAULT_KEYS = frozenset(["password", "passwd", "secret", "api_key", "apikey", "token",
                          "authorization", "cookie", "session", "csrftoken", "private_key"])
FILTERED = "[Filtered]"
_CARD_RE = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def scrub_text(text):
    def replace(match):
        digits = re.sub(r"[ -]", "", match.group(0))
        return FILTERED if luhn_ok(digits) else match.group(0)
    return _CARD_RE.sub(replace, text)


def scrub(value, keys=DEFAULT_KEYS, depth=0, max_depth=10):
    if depth > max_depth:
        return "[Depth]"
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, str) and key.lower().replace("-", "_") in keys:
                out[key] = FILTERED
            else:
                out[key] = scrub(item, keys, depth + 1, max_depth)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item, keys, depth + 1, max_depth) for item in value)
    if isinstance(value, str):
        return scrub_text(value)
    return value
