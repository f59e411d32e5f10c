import pytest

from beacon.sampling import sample_key, should_sample


@pytest.mark.parametrize("trace_id", ["a", "b", "0" * 32, 12345, "trace-with-dashes"])
def test_key_is_deterministic_and_in_range(trace_id):
    assert sample_key(trace_id) == sample_key(trace_id)
    assert 0.0 <= sample_key(trace_id) < 1.0


@pytest.mark.parametrize("rate", [-0.01, 1.01, 100])
def test_rate_must_be_a_fraction(rate):
    with pytest.raises(ValueError):
        should_sample("t", rate)


@pytest.mark.parametrize("trace_id", range(10))
def test_extremes(trace_id):
    assert should_sample(trace_id, 1.0) and not should_sample(trace_id, 0.0)


@pytest.mark.parametrize("rate", [0.01, 0.25, 0.5, 0.75])
def test_rate_is_respected(rate):
    n = 40000
    kept = sum(should_sample("trace-%d" % i, rate) for i in range(n))
    assert abs(kept / n - rate) < 0.01


def test_monotonic_in_rate():
    ids = ["t%d" % i for i in range(20000)]
    previous = set()
    for rate in (0.1, 0.2, 0.4, 0.8):
        kept = {t for t in ids if should_sample(t, rate)}
        assert previous <= kept
        previous = kept


def test_keys_are_uniform():
    buckets = [0] * 100
    n = 200000
    for i in range(n):
        buckets[int(sample_key(i) * 100)] += 1
    expected = n / 100
    chi2 = sum((b - expected) ** 2 / expected for b in buckets)
    assert chi2 < 160
