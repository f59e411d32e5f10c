"""Fixtures: the servers come from DATABASE_URL and REDIS_URL, nothing else.

Each test process creates the tables it needs (a parallel group starts from an empty
database) and each test empties what it uses before it starts, so the suite passes in any
order against one server. What it does not survive is a second process using the same
servers at the same time: see README.md.
"""

import os
import time

import psycopg2
import pytest

from shop import cache, schema
from shop.db import ConfigError, Database

# the time between a write and the check of it: long enough for two test processes on one
# server to overlap, as the slower tests of a real suite do
PAUSE_SECONDS = float(os.environ.get("SHOP_TEST_PAUSE", "0.04"))


def pytest_report_header(config):
    return (f"shop: slot {os.environ.get('BLITZ_SLOT', '-')}, "
            f"DATABASE_URL={os.environ.get('DATABASE_URL', '(unset)')}, "
            f"REDIS_URL={os.environ.get('REDIS_URL', '(unset)')}")


def pytest_unconfigure(config):
    # after pytest's summary: the last lines are the ones a CI log shows
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if terminal and not os.environ.get(name):
            terminal.write_line(f"{name} is not set: the tests that need its server errored", red=True)


@pytest.fixture
def pause():
    def sleep(seconds=None):
        time.sleep(PAUSE_SECONDS if seconds is None else seconds)
    return sleep


@pytest.fixture(scope="session")
def db():
    try:
        database = Database()
    except ConfigError as e:
        pytest.fail(str(e), pytrace=False)
    except psycopg2.OperationalError as e:
        pytest.fail(f"cannot connect to DATABASE_URL={os.environ['DATABASE_URL']}: {e}", pytrace=False)
    schema.create_schema(database)
    yield database
    database.close()


@pytest.fixture
def clean_db(db):
    """The database with every table empty and ids starting at 1."""
    schema.truncate_all(db)
    return db


@pytest.fixture(scope="session")
def r():
    try:
        client = cache.connect()
        client.ping()
    except ConfigError as e:
        pytest.fail(str(e), pytrace=False)
    except Exception as e:  # redis.ConnectionError and friends
        pytest.fail(f"cannot reach REDIS_URL={os.environ['REDIS_URL']}: {e}", pytrace=False)
    yield client
    client.close()


@pytest.fixture
def clean_redis(r):
    """Redis with an empty database."""
    r.flushdb()
    return r
