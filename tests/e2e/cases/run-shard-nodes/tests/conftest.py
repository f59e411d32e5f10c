import os

import pytest


@pytest.fixture(autouse=True)
def record(request):
    line = "%s %s\n" % (os.environ["TOX_ENV_NAME"], request.node.nodeid)
    fd = os.open(os.path.join(os.path.dirname(__file__), "..", "ran.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, line.encode())
    os.close(fd)
    yield
