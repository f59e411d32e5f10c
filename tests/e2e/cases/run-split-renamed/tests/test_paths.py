import os
import sys


def test_no_blitz_folder_in_the_tree():
    # the tests see the project as pytest alone shows it: blitz's plugin comes from outside it
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    inside = [p for p in sys.path
              if p and os.path.abspath(p).startswith(root + os.sep) and os.path.exists(os.path.join(p, "blitz_pytest.py"))]
    assert not inside, inside
