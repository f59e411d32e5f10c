"""A small in-tree PEP 517/660 build backend for the differential suite's fixtures.

It stands for setuptools_scm's `write_to`: the version comes from outside the package
(the project's VERSION file, where setuptools_scm would ask git) and every build writes it
into the tree, as src/<package>/_version.py, before packing. Each hook it runs appends a
record (label "backend") to the run's records file, with the hook's name, the Python that
ran it, the folder it ran in, the DIFF_* and TOX_* variables it saw and the suite's diffdep-*
distributions it could import: so the suite can compare which builds a tool made, with which
interpreter, and what set_env and deps reached them.

A fixture gets it with `backend = _backend` in its fixture.ini (copied there, with
@DIFF_PROBE@ replaced by the folder of rec.py) and declares it in pyproject.toml:

    [build-system]
    requires = []
    build-backend = "diffbackend"
    backend-path = ["_backend"]

    [project]
    name = "diff-scm"
    dynamic = ["version"]
    dependencies = ["diffdep-a>=2"]      # optional, one line

`python _backend/diffbackend.py wheel OUTDIR` builds a wheel outside any frontend (for
package = external). Needs nothing but the standard library; Python 3.6 and later.
"""
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import zipfile

sys.path.insert(0, "@DIFF_PROBE@")
import rec  # noqa: E402  (the suite's recorder, found through the path above)


def project():
    """name, version and dependencies, from pyproject.toml's [project] (simple lines) and VERSION."""
    with open("pyproject.toml", encoding="utf-8") as handle:
        text = handle.read()
    table = text.split("[project]", 1)[1].split("\n[", 1)[0]
    name = re.search(r'^name\s*=\s*"([^"]+)"', table, re.M).group(1)
    deps = re.search(r"^dependencies\s*=\s*(\[.*\])\s*$", table, re.M)
    with open("VERSION", encoding="utf-8") as handle:
        version = handle.read().strip()
    return name, version, json.loads(deps.group(1)) if deps else []


def visible_diffdeps():
    """The suite's distributions the build can import (a package env's deps reach it)."""
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        return None
    names = {d.metadata["Name"] for d in metadata.distributions()}
    return sorted(n for n in names if n and n.startswith("diffdep"))


def record(hook):
    rec.append({
        "label": "backend",
        "args": [hook],
        "cwd": os.getcwd(),
        "prefix": sys.prefix,
        "python": "%d.%d" % sys.version_info[:2],
        "environ": {k: v for k, v in os.environ.items() if k.startswith(("DIFF_", "TOX_"))},
        "diffdeps": visible_diffdeps(),
    })


def write_version(package, version):
    """setuptools_scm's write_to: the version file goes into the tree."""
    with open(os.path.join("src", package, "_version.py"), "w", encoding="utf-8") as handle:
        handle.write("version = %r\n" % version)


def source_files(package):
    found = []
    for folder, dirs, files in os.walk(os.path.join("src", package)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(folder, f) for f in sorted(files) if not f.endswith(".pyc")]
    return found


def metadata(name, version, deps):
    lines = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version]
    lines += ["Requires-Dist: " + d for d in deps]
    return "\n".join(lines) + "\n"


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(directory, name, version, deps, payload):
    """payload: {path in the wheel: bytes}; adds the dist-info and returns the file name."""
    stem = "%s-%s" % (re.sub(r"[-_.]+", "_", name).lower(), version)
    info = stem + ".dist-info"
    files = dict(payload)
    files[info + "/METADATA"] = metadata(name, version, deps).encode()
    files[info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: diffbackend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    rows = ["%s,%s,%d" % (path, digest(data), len(data)) for path, data in sorted(files.items())]
    files[info + "/RECORD"] = ("\n".join(rows + [info + "/RECORD,,"]) + "\n").encode()
    filename = stem + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), data)
    return filename


def build_package_wheel(directory):
    name, version, deps = project()
    package = re.sub(r"[-.]+", "_", name)
    write_version(package, version)
    payload = {}
    for path in source_files(package):
        with open(path, "rb") as handle:
            payload[os.path.relpath(path, "src").replace(os.sep, "/")] = handle.read()
    return write_wheel(directory, name, version, deps, payload)


def get_requires_for_build_wheel(config_settings=None):
    record("get_requires_for_build_wheel")
    return []


def get_requires_for_build_sdist(config_settings=None):
    record("get_requires_for_build_sdist")
    return []


def get_requires_for_build_editable(config_settings=None):
    record("get_requires_for_build_editable")
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    record("build_wheel")
    return build_package_wheel(wheel_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    record("build_editable")
    name, version, deps = project()
    write_version(re.sub(r"[-.]+", "_", name), version)
    pth = (os.path.abspath("src") + "\n").encode()
    return write_wheel(wheel_directory, name, version, deps, {"_%s.pth" % re.sub(r"[-.]+", "_", name): pth})


def build_sdist(sdist_directory, config_settings=None):
    record("build_sdist")
    name, version, deps = project()
    package = re.sub(r"[-.]+", "_", name)
    write_version(package, version)
    stem = "%s-%s" % (re.sub(r"[-_.]+", "_", name).lower(), version)
    members = ["pyproject.toml", "VERSION", os.path.join("_backend", "diffbackend.py")] + source_files(package)
    filename = stem + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as archive:
        for path in members:
            archive.add(path, arcname=stem + "/" + path.replace(os.sep, "/"))
        info = tarfile.TarInfo(stem + "/PKG-INFO")
        data = metadata(name, version, deps).encode()
        info.size, info.mtime = len(data), time.time()
        archive.addfile(info, io.BytesIO(data))
    return filename


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "wheel":
        print("usage: diffbackend.py wheel OUTDIR", file=sys.stderr)
        sys.exit(2)
    record("cli wheel")
    os.makedirs(sys.argv[2], exist_ok=True)
    print(build_package_wheel(sys.argv[2]))
