import os
import time

import pytest


def stamp():
    # a time in a parametrize id, as marshmallow's tests have: a process that collects a
    # second later sees other ids. Here the second shard's process is that later one, every
    # time (the real thing happens when a second boundary falls between the processes).
    late = os.environ.get("BLITZ_SHARD_FILE", "").endswith("shard-2.txt")
    return "late" if late else "early"


@pytest.mark.parametrize("when", ["%s-%d" % (stamp(), i) for i in range(80)])
def test_at(when):
    time.sleep(0.01)
    assert when
