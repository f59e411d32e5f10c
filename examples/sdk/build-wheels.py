#!/usr/bin/env python3
"""Build pure-Python wheels of beacon and of every fake framework version, with zipfile only.

usage: /usr/bin/python3 build-wheels.py OUTDIR

Each folder frameworks/<name>/<version>/ holds the importable source of one release; beacon's
version is read from src/beacon/__init__.py. No setuptools, wheel or pip is needed: a wheel is a
zip of the package files plus <name>-<version>.dist-info/{METADATA,WHEEL,RECORD}.
"""
import base64
import hashlib
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# a fixed date keeps the wheels byte-identical between builds
DATE = (2024, 1, 1, 0, 0, 0)


def record_hash(data):
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def source_files(root):
    """(archive path, bytes) of every .py file under root, bytecode caches skipped."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".egg-info"))
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    found.append((os.path.relpath(path, root).replace(os.sep, "/"), fh.read()))
    return found


def build_wheel(name, version, root, outdir, summary, requires_python=">=3.8"):
    files = source_files(root)
    if not files:
        raise SystemExit("build-wheels: no Python files under %s" % root)
    dist = re.sub(r"[-_.]+", "_", name).lower()
    info = "%s-%s.dist-info" % (dist, version)
    metadata = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n"
                "Requires-Python: %s\n" % (name, version, summary, requires_python))
    wheel = ("Wheel-Version: 1.0\nGenerator: beacon-build-wheels\n"
             "Root-Is-Purelib: true\nTag: py3-none-any\n")
    files.append((info + "/METADATA", metadata.encode()))
    files.append((info + "/WHEEL", wheel.encode()))
    lines = ["%s,%s,%d" % (path, record_hash(data), len(data)) for path, data in files]
    lines.append(info + "/RECORD,,")
    files.append((info + "/RECORD", ("\n".join(lines) + "\n").encode()))
    target = os.path.join(outdir, "%s-%s-py3-none-any.whl" % (dist, version))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files:
            entry = zipfile.ZipInfo(path, DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, data)
    return target


def beacon_version():
    with open(os.path.join(HERE, "src", "beacon", "__init__.py")) as fh:
        match = re.search(r'^__version__ = "([^"]+)"', fh.read(), re.M)
    if match is None:
        raise SystemExit("build-wheels: no __version__ in src/beacon/__init__.py")
    return match.group(1)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    built = [build_wheel("beacon", beacon_version(), os.path.join(HERE, "src"), outdir,
                         "beacon: the example SDK that blitz runs")]
    frameworks = os.path.join(HERE, "frameworks")
    for name in sorted(os.listdir(frameworks)):
        for version in sorted(os.listdir(os.path.join(frameworks, name))):
            root = os.path.join(frameworks, name, version)
            if os.path.isdir(root):
                built.append(build_wheel(name, version, root, outdir,
                                         "%s %s: a fake framework for beacon's tests" % (name, version)))
    for path in built:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
