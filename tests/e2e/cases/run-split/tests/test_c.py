import os


def test_env_says_slot():
    assert os.environ["TOX_ENV_NAME"] == "py"


def test_fails_when_asked():
    assert not os.path.exists(os.path.join(os.path.dirname(__file__), "..", "fail-now"))
