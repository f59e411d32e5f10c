import os
import time

import pytest


def stamp():
    # a time in a parametrize id, as marshmallow's tests have: a process that collects a
    # second later sees other ids. Here the second shard's process is that later one, every
    # time (the real thing happens when a second boundary falls between the processes).
    late = os.environ.get("BLITZ_SHARD_FILE", "").endswith("shard-2.txt")
    return "late" if late else "early"


def variants():
    # with a file "fewer" in the project, that later process also sees fewer of them: the
    # tests it was given at places it no longer has fall between the shards
    fewer = os.path.exists(os.path.join(os.path.dirname(__file__), "..", "fewer"))
    return 70 if fewer and stamp() == "late" else 80


@pytest.mark.parametrize("when", ["%s-%d" % (stamp(), i) for i in range(variants())])
def test_at(when):
    time.sleep(0.01)
    assert when
