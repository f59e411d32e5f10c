import os

import pytest


@pytest.fixture(autouse=True)
def record(request):
    # which process ran which test, appended (O_APPEND: shards write at once)
    line = "%s %d\n" % (request.node.nodeid, os.getpid())
    fd = os.open(os.path.join(os.path.dirname(__file__), "..", "ran.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, line.encode())
    os.close(fd)
    yield
