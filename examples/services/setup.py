"""shop: a tiny order-and-cart app on PostgreSQL and Redis (blitz's services example).

Plain setuptools and no pyproject.toml: pip builds it with the setuptools and wheel it
already has, so installing needs no package index.
"""
from setuptools import setup

setup(
    name="shop",
    version="0.1.0",
    description="Orders in PostgreSQL, carts and counters in Redis: the example blitz runs with per-slot services",
    packages=["shop"],
    python_requires=">=3.8",
    install_requires=[],  # psycopg2 and redis come from the system (tox.ini: sitepackages = true)
)
