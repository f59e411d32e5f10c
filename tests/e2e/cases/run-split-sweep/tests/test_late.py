import os
import time

import pytest


def stamp():
    # the second shard's process sees other ids, and fewer of them, than blitz's collection:
    # the tests it was given at places it no longer has fall between the shards
    late = os.environ.get("BLITZ_SHARD_FILE", "").endswith("shard-2.txt")
    return "late" if late else "early"


@pytest.mark.parametrize("when", ["%s-%d" % (stamp(), i) for i in range(70 if stamp() == "late" else 80)])
def test_at(when):
    time.sleep(0.01)
    assert when
