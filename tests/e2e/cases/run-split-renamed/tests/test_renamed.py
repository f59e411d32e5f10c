import random
import time

import pytest


@pytest.mark.parametrize("x", [random.random() for _ in range(30)])
def test_random(x):
    time.sleep(0.01)
    assert 0 <= x < 1


@pytest.mark.parametrize("stamp", ["%.6f" % (time.time() + i) for i in range(10)])
def test_stamped(stamp):
    assert float(stamp) > 0


class TestStable:
    @pytest.mark.parametrize("n", range(10))
    def test_n(self, n):
        time.sleep(0.01)
        assert n >= 0
