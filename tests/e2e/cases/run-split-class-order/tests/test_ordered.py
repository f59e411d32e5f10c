import time


class TestBuildsUp:
    seen = []

    def test_1(self):
        time.sleep(0.3)
        self.seen.append(1)

    def test_2(self):
        time.sleep(0.3)
        assert self.seen == [1]
        self.seen.append(2)

    def test_3(self):
        time.sleep(0.3)
        assert self.seen == [1, 2]
        self.seen.append(3)

    def test_4(self):
        time.sleep(0.3)
        assert self.seen == [1, 2, 3]
        self.seen.append(4)

    def test_5(self):
        time.sleep(0.3)
        assert self.seen == [1, 2, 3, 4]


def test_quick_a():
    time.sleep(0.1)


def test_quick_b():
    time.sleep(0.1)
