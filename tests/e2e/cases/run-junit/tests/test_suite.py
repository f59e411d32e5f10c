import time

import pytest


def test_quick():
    assert True


def test_slow():
    time.sleep(0.4)


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n == 1


@pytest.mark.skip(reason="not here")
def test_skipped():
    pass
