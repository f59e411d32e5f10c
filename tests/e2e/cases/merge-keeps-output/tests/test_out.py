import sys


def test_prints(record_property):
    record_property("ticket", "BZ-42")
    print("to stdout from the test")
    sys.stderr.write("to stderr from the test\n")


def test_fails_after_printing():
    print("what it saw before failing")
    assert 1 == 2
