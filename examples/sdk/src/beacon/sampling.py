"""Deterministic sampling: the same trace id is always kept or always dropped."""
import hashlib


def sample_key(trace_id):
    digest = hashlib.sha1(str(trace_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") / float(1 << 64)


def should_sample(trace_id, rate):
    if not 0.0 <= rate <= 1.0:
        raise ValueError("sample rate must be within [0, 1], got %r" % (rate,))
    if rate == 0.0:
        return False
    if rate == 1.0:
        return True
    return sample_key(trace_id) < rate
