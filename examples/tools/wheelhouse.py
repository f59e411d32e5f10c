#!/usr/bin/env python3
"""Make pure-Python wheels of distributions Debian installed, for offline venvs.

No package index is reachable, and Debian packages pytest only for its own
Python. The example's envs use other interpreters (pyenv's 3.8 ... 3.13), so
this packs what Debian installed under /usr/lib/python3/dist-packages into
ordinary wheels; any venv can then run

    pip install --no-index --find-links WHEELHOUSE pytest

usage: wheelhouse.py OUTDIR [DIST ...]   (default: pytest, its dependencies, xdist, coverage)
Run it with Debian's /usr/bin/python3; it needs the python3-* packages of the
distributions named (scripts/install-deps installs them for the example).
"""
import base64
import csv
import hashlib
import io
import os
import re
import sys
import zipfile
from importlib import metadata

SITE = "/usr/lib/python3/dist-packages"
DEFAULT = ["pytest", "pluggy", "iniconfig", "packaging", "attrs", "exceptiongroup", "tomli",
           "pytest-xdist", "execnet", "coverage", "pytest-cov"]


def canonical(name):
    """PEP 503 normal form, used for both lookups and file names."""
    return re.sub(r"[-_.]+", "_", name).lower()


def clean_version(version):
    """Debian adds local suffixes (1.0.0+repack): wheels want the upstream version."""
    return re.split(r"[+~]", version)[0]


def installed_files(dist):
    """The distribution's own files, relative to site-packages (no metadata, no bytecode)."""
    listed = [str(f) for f in (dist.files or [])]
    if not listed:
        # egg-info from Debian often lists no files: take the top-level packages it names
        tops = (dist.read_text("top_level.txt") or canonical(dist.metadata["Name"])).split()
        for top in tops:
            if os.path.isfile(os.path.join(SITE, top + ".py")):
                listed.append(top + ".py")
            for root, dirs, names in os.walk(os.path.join(SITE, top)):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                listed += [os.path.relpath(os.path.join(root, n), SITE) for n in names]
    keep = []
    for rel in listed:
        if rel.startswith(("..", "/")) or "__pycache__" in rel:
            continue
        if ".dist-info/" in rel or ".egg-info/" in rel or rel.endswith((".pyc", ".so")):
            continue  # compiled parts are Python-version specific: pure Python fallbacks are used
        if os.path.isfile(os.path.join(SITE, rel)):
            keep.append(rel)
    return sorted(set(keep))


def metadata_text(dist, version):
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    if not text:
        text = "Metadata-Version: 2.1\nName: %s\n" % dist.metadata["Name"]
    text = re.sub(r"(?m)^Version: .*$", "Version: " + version, text, count=1)
    if "Version:" not in text:
        text = text.rstrip("\n") + "\nVersion: %s\n" % version
    if "Requires-Dist:" not in text and dist.requires:
        head, sep, body = text.partition("\n\n")
        head += "".join("\nRequires-Dist: " + r for r in dist.requires)
        text = head + (sep + body if sep else "\n")
    return text


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build(dist, outdir):
    name = dist.metadata["Name"]
    version = clean_version(dist.version)
    contents = {}
    for rel in installed_files(dist):
        with open(os.path.join(SITE, rel), "rb") as fh:
            contents[rel] = fh.read()
    if not contents:
        raise SystemExit("wheelhouse: %s has no files to pack" % name)
    info = "%s-%s.dist-info" % (canonical(name), version)
    contents[info + "/METADATA"] = metadata_text(dist, version).encode()
    contents[info + "/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: blitz-wheelhouse\n"
                                 b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    for extra in ("entry_points.txt", "top_level.txt"):
        text = dist.read_text(extra)
        if text:
            contents["%s/%s" % (info, extra)] = text.encode()
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for rel, data in sorted(contents.items()):
        writer.writerow([rel, digest(data), len(data)])
    writer.writerow([info + "/RECORD", "", ""])
    contents[info + "/RECORD"] = record.getvalue().encode()
    path = os.path.join(outdir, "%s-%s-py3-none-any.whl" % (canonical(name), version))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for rel, data in sorted(contents.items()):
            wheel.writestr(rel, data)
    return path


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    found = {canonical(d.metadata["Name"]): d for d in metadata.distributions(path=[SITE])}
    missing = []
    for name in argv[2:] or DEFAULT:
        dist = found.get(canonical(name))
        if dist is None:
            missing.append(name)
            continue
        print(build(dist, outdir))
    if missing:
        print("wheelhouse: not installed by Debian (apt-get install the python3-* package): "
              + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
