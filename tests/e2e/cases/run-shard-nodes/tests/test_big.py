import time

import pytest


def test_0():
    time.sleep(0.5)


def test_1():
    time.sleep(0.4)


def test_2():
    time.sleep(0.3)


def test_3():
    time.sleep(0.3)


def test_4():
    time.sleep(0.2)


def test_5():
    time.sleep(0.2)


def test_6():
    time.sleep(0.1)


def test_7():
    time.sleep(0.1)


def test_8():
    time.sleep(0.05)


def test_9():
    time.sleep(0.05)


@pytest.mark.parametrize('n', range(8))
def test_p(n):
    time.sleep(0.02)
