import pytest


def test_pass():
    assert True


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n < 3


class TestGroup:
    def test_in_class(self):
        pass
