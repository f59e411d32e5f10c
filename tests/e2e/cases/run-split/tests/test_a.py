import time

import pytest


def test_slow():
    time.sleep(0.6)


@pytest.mark.parametrize("n", range(6))
def test_many(n):
    time.sleep(0.05)
