import time


def test_other_a():
    time.sleep(0.2)


def test_other_b():
    time.sleep(0.2)
