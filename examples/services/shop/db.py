"""The database connection: read from DATABASE_URL, autocommit, every query counted."""

import contextlib
import os

import psycopg2


class ConfigError(RuntimeError):
    """A server's address is missing from the environment."""


def database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise ConfigError(
            "DATABASE_URL is not set: point it at a PostgreSQL server, "
            "e.g. DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres "
            "(blitz sets it for each slot from tox.ini's [blitz:service:postgres])"
        )
    return url


class QueryCounter:
    def __init__(self):
        self.count = 0
        self.statements = []


class Database:
    """One connection in autocommit mode; transaction() groups statements.

    `queries` counts every statement sent, like Django's assertNumQueries counts them.
    """

    def __init__(self, url=None):
        self.url = url or database_url()
        self.conn = psycopg2.connect(self.url)
        self.conn.autocommit = True
        self.queries = 0
        self._counters = []

    def close(self):
        self.conn.close()

    def execute(self, sql, params=None):
        self.queries += 1
        for counter in self._counters:
            counter.count += 1
            counter.statements.append(sql)
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return cur

    def all(self, sql, params=None):
        cur = self.execute(sql, params)
        rows = cur.fetchall()
        cur.close()
        return rows

    def one(self, sql, params=None):
        cur = self.execute(sql, params)
        row = cur.fetchone()
        cur.close()
        return row

    def scalar(self, sql, params=None):
        row = self.one(sql, params)
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self):
        self.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    @contextlib.contextmanager
    def count_queries(self):
        counter = QueryCounter()
        self._counters.append(counter)
        try:
            yield counter
        finally:
            self._counters.remove(counter)


def connect(url=None):
    return Database(url)
