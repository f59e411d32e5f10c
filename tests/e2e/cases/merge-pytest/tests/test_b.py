import pytest


def test_skip():
    pytest.skip("not on this node")


@pytest.fixture
def broken():
    raise RuntimeError("set-up <fails> & says so")


def test_error(broken):
    pass
