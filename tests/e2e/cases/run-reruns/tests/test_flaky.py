import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def test_fine():
    time.sleep(1)  # long enough that two processes pay


def test_flaky():
    # fails the first time in each run (the marker is removed between runs)
    marker = os.path.join(HERE, "..", "failed-once")
    if not os.path.exists(marker):
        open(marker, "w").close()
        assert False, "first try"


def test_broken_when_asked():
    assert not os.path.exists(os.path.join(HERE, "..", "break"))


def test_other():
    time.sleep(1)
