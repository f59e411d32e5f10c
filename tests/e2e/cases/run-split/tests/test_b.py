import time


class TestB:
    def test_one(self):
        time.sleep(0.3)

    def test_two(self):
        time.sleep(0.3)


def test_quick():
    pass
