"""The data suite: CPU-bound kernels with a long tail, and a pipeline that also waits (see gen.py)."""
import math

from model import Module, Namer, Suite, add_tests, lognormal, tox_ini

# Seconds of CPU per unit of work, measured on the project's machine (2 cores, Debian 12;
# between a quiet machine and one whose other core is busy).
COST_SIEVE = 70e-9  # dataproc.primes.sieve, per number below the limit
COST_MATMUL = 120e-9  # dataproc.linalg.matmul and its two matrices, per multiply-add (n^3)
COST_MANDEL = 0.2e-6  # dataproc.fractal.mandelbrot, per pixel-iteration (about 12 a pixel)
COST_LEVEN = 0.35e-6  # dataproc.text.levenshtein, per cell (n^2)
COST_BOOT = 0.12e-6  # dataproc.stats.bootstrap_ci, per draw (resamples x sample size)
COST_LOGS = 4.5e-6  # dataproc.compress.synthetic_log and a zlib round trip, per line

DATA_PKG = {
    "src/dataproc/__init__.py": '''
"""Numeric and text kernels behind a small data pipeline, in pure Python."""
''',
    "src/dataproc/primes.py": '''
def sieve(limit):
    is_prime = bytearray([1]) * (limit + 1)
    is_prime[0:2] = b"\\0\\0"
    for i in range(2, int(limit ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = bytes(len(range(i * i, limit + 1, i)))
    return [i for i in range(limit + 1) if is_prime[i]]
''',
    "src/dataproc/linalg.py": '''
import random


def random_matrix(n, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)]


def identity(n):
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def matmul(a, b):
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a]
''',
    "src/dataproc/fractal.py": '''
def mandelbrot(width, height, max_iter=50):
    rows = []
    for j in range(height):
        y = -1.2 + 2.4 * j / height
        row = []
        for i in range(width):
            c = complex(-2.2 + 3.0 * i / width, y)
            z, n = 0j, 0
            while abs(z) <= 2.0 and n < max_iter:
                z = z * z + c
                n += 1
            row.append(n)
        rows.append(row)
    return rows
''',
    "src/dataproc/text.py": '''
import random


def random_dna(n, seed=0):
    rng = random.Random(seed)
    return "".join(rng.choice("ACGT") for _ in range(n))


def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
''',
    "src/dataproc/stats.py": '''
import random


def mean(xs):
    return sum(xs) / len(xs)


def bootstrap_ci(sample, resamples=1000, alpha=0.05, seed=0):
    rng = random.Random(seed)
    n = len(sample)
    means = sorted(sum(rng.choices(sample, k=n)) / n for _ in range(resamples))
    return means[int(alpha / 2 * resamples)], means[int((1 - alpha / 2) * resamples) - 1]
''',
    "src/dataproc/compress.py": '''
import random
import zlib


def synthetic_log(lines, seed=0):
    rng = random.Random(seed)
    levels = ["INFO", "INFO", "INFO", "WARN", "ERROR"]
    out = []
    for i in range(lines):
        out.append("2024-05-%02d %s worker-%d processed %d rows in %.3fs" % (
            i % 28 + 1, rng.choice(levels), rng.randrange(16), rng.randrange(10000), rng.random()))
    return "\\n".join(out).encode()


def roundtrip(blob, level=6):
    return zlib.decompress(zlib.compress(blob, level))
''',
    "src/dataproc/io.py": '''
import random
import time


def load_dataset(name, rows=1000, wait=0.0):
    """Rows of a named dataset; wait= stands for reading it from object storage."""
    time.sleep(wait)
    rng = random.Random(name)
    return [{"id": i, "value": rng.gauss(100, 15)} for i in range(rows)]
''',
    "tests/__init__.py": "",
    "tests/conftest.py": '''
import pytest

from dataproc.io import load_dataset


@pytest.fixture(scope="session")
def reference():
    return load_dataset("reference", rows=2000, wait=0.1)
''',
}


def data_ops(rng):
    return {
        "sieve": (lambda t: str(max(100, round(t / COST_SIEVE))),
                  lambda n: (["primes = sieve(%s)" % n, "assert primes[:5] == [2, 3, 5, 7, 11]",
                              "assert all(p % 2 for p in primes[1:200])"], [])),
        "matrix": (lambda t: str(max(2, round((t / COST_MATMUL) ** (1 / 3)))),
                   lambda n: (["a = random_matrix(%s, seed=%d)" % (n, rng.randrange(100)),
                               "assert matmul(a, identity(%s)) == a" % n], [])),
        # a width x width/2 image, about 12 iterations a pixel
        "fractal": (lambda t: str(max(8, round(math.sqrt(2 * t / (COST_MANDEL * 12))))),
                    lambda w: (["img = mandelbrot(%s, %s // 2)" % (w, w), "assert len(img) == %s // 2" % w,
                                "assert max(map(max, img)) == 50"], [])),
        # two distances: a to b, a to itself
        "edit": (lambda t: str(max(4, round(math.sqrt(t / 2 / COST_LEVEN)))),
                 lambda n: (["a, b = random_dna(%s, seed=1), random_dna(%s, seed=2)" % (n, n),
                             "d = levenshtein(a, b)", "assert 0 <= d <= %s" % n, "assert levenshtein(a, a) == 0"], [])),
        # resamples of the module's 200-value sample
        "boot": (lambda t: str(max(10, round(t / (COST_BOOT * 200)))),
                 lambda n: (["lo, hi = bootstrap_ci(sample, resamples=%s)" % n, "assert lo <= mean(sample) <= hi"],
                            ["sample"])),
        "logs": (lambda t: str(max(10, round(t / COST_LOGS))),
                 lambda n: (["blob = synthetic_log(%s, seed=%d)" % (n, rng.randrange(100)),
                             "assert roundtrip(blob) == blob"], [])),
        "load": (lambda t: "%.4f" % t,
                 lambda w: (['rows = load_dataset("%s", rows=200, wait=%s)'
                             % (rng.choice(["sales", "events", "sensors", "users"]), w),
                             "assert len(rows) == 200"], [])),
        "trivial": ["sieve(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]", 'levenshtein("kitten", "sitting") == 3',
                    "matmul([[1, 2], [3, 4]], identity(2)) == [[1, 2], [3, 4]]", "mean([1, 2, 3, 6]) == 3",
                    'roundtrip(b"abc" * 100) == b"abc" * 100'],
    }


def data():
    s = Suite("data", 202)
    rng = s.rng
    s.ops = data_ops(rng)
    header = """
import pytest

from dataproc.compress import roundtrip, synthetic_log
from dataproc.fractal import mandelbrot
from dataproc.io import load_dataset
from dataproc.linalg import identity, matmul, random_matrix
from dataproc.primes import sieve
from dataproc.stats import bootstrap_ci, mean
from dataproc.text import levenshtein, random_dna
"""
    namer = Namer(rng, ["computes", "matches", "handles", "bounds", "converges_on", "agrees_with", "scales_to",
                        "survives", "stays_stable_on", "reproduces"],
                  ["small_input", "large_input", "edge_case", "reference", "random_seed", "empty_tail", "odd_size",
                   "power_of_two", "prime_size", "sparse_data", "dense_data", "negative_values", "repeated_runs",
                   "known_answer", "identity"])
    dist = lambda r: lognormal(r, 0.006, 1.9, 0.0002, 2.0)
    labels = ["tiny", "small", "medium", "large", "xl", "xxl", "odd", "even", "seed0", "seed1", "seed2"]
    mods = [("primes", [("TestSieve", 14), ("TestPrimeCounts", 10)], [[("sieve", 1.0)]]),
            ("linalg", [("TestMatmul", 16), ("TestIdentity", 8)], [[("matrix", 1.0)]]),
            ("fractal", [("TestMandelbrot", 14)], [[("fractal", 1.0)]]),
            ("text", [("TestLevenshtein", 16), ("TestRandomDna", 6)], [[("edit", 1.0)], [("trivial", 1.0)]]),
            ("stats", [("TestBootstrap", 14), ("TestMean", 6)], [[("boot", 1.0)]]),
            ("compress", [("TestRoundtrip", 14)], [[("logs", 1.0)]]),
            ("pipeline", [("TestPipeline", 12)], [[("load", 0.4), ("sieve", 0.6)], [("load", 0.3), ("matrix", 0.7)],
                                                  [("load", 0.5), ("logs", 0.5)]])]
    for mod, classes, ops in mods:
        m = Module("tests/test_%s.py" % mod, header)
        if mod == "stats":
            m.fixture_src = '''
@pytest.fixture(scope="module")
def sample(reference):
    return [row["value"] for row in reference[:200]]
'''
        if mod == "pipeline":
            m.fixture_src = '''
@pytest.fixture(scope="module", autouse=True)
def warehouse():
    return load_dataset("warehouse", rows=50000, wait=0.3)
'''
            m.fixture_seconds = 0.3 + 50000 * 1.0e-6
        add_tests(s, m, [(c, "%s: %s." % (mod, c[4:]), n) for c, n in classes], dist, ops, namer, 0.4, labels)
        s.modules.append(m)
    s.scale(30.0)
    return s, DATA_PKG, tox_ini("the pipeline's kernels", [])
