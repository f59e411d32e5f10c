"""The differential suite's offline wheelhouse, built once under the build folder.

Both tools install from the same folders, with PIP_NO_INDEX=1 and PIP_FIND_LINKS naming:

  <cache>/wheelhouse     Debian's pytest and friends and flit_core, packed into wheels
                         by ../shared/tools/debian-wheelhouse; and the suite's own tiny
                         distributions (diffdep-*), made here
  <tox4>/site/virtualenv/seed/wheels/embed
                         upstream setuptools (82.0.1 for Python 3.9, 83.0.0 for 3.10+) and
                         pip: Debian's setuptools fails on every interpreter but Debian's own
                         (see ../shared/tools/tox4/README.md), and a PEP 517 build with
                         setuptools needs one that works on each env's Python

<cache>/wheelhouse-extra holds one distribution that no PIP_FIND_LINKS names (diffdep-c
3.0): only an install_command that adds --find-links for it can install it, which shows
that the command was used.

The tiny distributions are one module each (`import diffdep_a; diffdep_a.VERSION`):

  diffdep-a 1.0, 2.0      constraints and constrain_package_deps pick between them
  diffdep-b 1.0           requires diffdep-a (pulled in, not named)
  diffdep-c 1.0           (3.0 only in wheelhouse-extra)
  diffdep-extra 1.0       named by a project's optional dependencies (extras)
  diffdep-group 1.0       named by a PEP 735 dependency group
  diffdep-req 1.0         named by a requirements file (-r)
"""
import base64
import hashlib
import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import List, Sequence, Tuple

# (name, version, requirements)
TINY = (
    ("diffdep-a", "1.0", ()),
    ("diffdep-a", "2.0", ()),
    ("diffdep-b", "1.0", ("diffdep-a",)),
    ("diffdep-c", "1.0", ()),
    ("diffdep-extra", "1.0", ()),
    ("diffdep-group", "1.0", ()),
    ("diffdep-req", "1.0", ()),
)
EXTRA = (("diffdep-c", "3.0", ()),)
# What debian-wheelhouse packs: its default set (pytest and what it needs), then flit_core.
DEBIAN_SETS = ((), ("flit_core",))
# Bump to rebuild every cached wheel when what this file makes changes.
FORMAT = 1


def snake(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def tiny_wheel(folder: Path, name: str, version: str, requires: Sequence[str]) -> Path:
    """A py3-none-any wheel of one module, `<name>/__init__.py`, holding VERSION."""
    module = snake(name)
    info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'VERSION = "{version}"\n'.encode(),
        f"{info}/METADATA": ("Metadata-Version: 2.1\n" f"Name: {name}\n" f"Version: {version}\n"
                             + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: blitz-diff\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    rows = [f"{path},{record_hash(data)},{len(data)}" for path, data in sorted(files.items())]
    files[f"{info}/RECORD"] = ("\n".join(rows + [f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0)), data)
    return path


def stamp_text(debian_wheelhouse: Path) -> str:
    return json.dumps({"format": FORMAT, "tiny": TINY, "extra": EXTRA, "debian": DEBIAN_SETS,
                       "tool": hashlib.sha256(debian_wheelhouse.read_bytes()).hexdigest()}, sort_keys=True)


def ensure(cache: Path, debian_wheelhouse: Path) -> Tuple[Path, Path, List[str]]:
    """Builds (or finds, when already built the same way) the wheelhouse and the extra
    folder under `cache`; returns (wheelhouse, extra, notes). Raises RuntimeError with
    debian-wheelhouse's complaint when a Debian package it packs is not installed."""
    house, extra = cache / "wheelhouse", cache / "wheelhouse-extra"
    stamp = cache / "wheelhouse.stamp"
    want = stamp_text(debian_wheelhouse)
    if stamp.is_file() and stamp.read_text() == want and house.is_dir() and extra.is_dir():
        return house, extra, [f"wheelhouse {house} (cached)"]
    for folder in (house, extra):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.whl"):
            old.unlink()
    for names in DEBIAN_SETS:
        proc = subprocess.run(["/usr/bin/python3", str(debian_wheelhouse), str(house), *names],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{debian_wheelhouse.name} {' '.join(names) or '(default set)'}: "
                               f"{proc.stderr.strip() or proc.stdout.strip()}")
    for name, version, requires in TINY:
        tiny_wheel(house, name, version, requires)
    for name, version, requires in EXTRA:
        tiny_wheel(extra, name, version, requires)
    stamp.write_text(want)
    count = len(list(house.glob("*.whl")))
    return house, extra, [f"wheelhouse {house} (built: {count} wheels)"]
