# blitz's PEP 517 front end. blitz writes this file for its runs and starts
# it with the python of a packaging env (or of the interpreter a wheel is
# built for); it builds one artefact and writes what it made, as JSON, to
# RESULT: {"artifact": PATH, "metadata": PATH or null, "backend": SPEC}.
#
#   build KIND ROOT OUTDIR RESULT SETTINGS -- INSTALL...
#       KIND is sdist, wheel or editable. Reads ROOT/pyproject.toml's
#       [build-system] (no table: setuptools >= 40.8.0 and its legacy
#       backend), installs the requirements this env lacks with the
#       install command INSTALL... (the env's install_command, the packages
#       appended), asks the backend get_requires_for_build_KIND and installs
#       what that adds, then calls build_KIND(OUTDIR, SETTINGS) in ROOT.
#       SETTINGS is the backend's config_settings as JSON ("null": none).
#       A backend without build_editable exits 3 (blitz then installs the
#       project as pip install -e does).
#   pip-wheel PIPDIR SDIST OUTDIR RESULT
#       pip (from PIPDIR) builds the wheel of SDIST for this interpreter,
#       in its own isolated build environment, as pip in an env would.
#   collect GLOB OUTDIR RESULT
#       the one file GLOB matches (what a packaging env's commands built,
#       package = external) copied into OUTDIR.
#
# A wheel's METADATA is copied beside RESULT (RESULT.METADATA) so that blitz
# can read the project's name, version and requirements without unzipping.
# Written for Python 3.6 and later.
import json
import os
import subprocess
import sys
import zipfile

LEGACY = {"requires": ["setuptools>=40.8.0"], "build-backend": "setuptools.build_meta:__legacy__"}


def fail(code, message):
    sys.stderr.write("blitz: %s\n" % message)
    sys.exit(code)


def toml_module():
    for name in ("tomllib", "tomli", "pip._vendor.tomli"):
        try:
            return __import__(name, fromlist=["loads"])
        except ImportError:
            pass
    return None


def build_system(root):
    path = os.path.join(root, "pyproject.toml")
    if not os.path.exists(path):
        return dict(LEGACY)
    toml = toml_module()
    if toml is None:
        fail(2, "cannot read %s: no TOML reader in this Python (tomllib, tomli or pip's)" % path)
    with open(path, "rb") as f:
        try:
            data = toml.loads(f.read().decode("utf-8"))
        except Exception as e:
            fail(2, "cannot read %s: %s" % (path, e))
    table = data.get("build-system")
    if table is None:
        return dict(LEGACY)
    if "requires" not in table:
        fail(2, "%s: [build-system] has no requires: list the packages the build needs" % path)
    if "build-backend" not in table:
        table = dict(table, **{"build-backend": LEGACY["build-backend"]})
    return table


def installed_version(name):
    try:
        from importlib import metadata
    except ImportError:
        return None
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def release(version):
    # "23.1.0" as (23, 1, 0); None for anything else (pre-releases, local versions)
    parts = version.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def compare(a, b):
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (a > b) - (a < b)


def meets(have, op, want):
    if op == "~=":
        if len(want) < 2:
            return None
        return compare(have, want) >= 0 and have[: len(want) - 1] == want[:-1]
    c = compare(have, want)
    return {"==": c == 0, "!=": c != 0, ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0}.get(op)


def satisfied(text):
    # a plain requirement ("setuptools>=61", "flit_core >=3.2,<4") this env meets already: no pip run for it.
    # Anything this cannot decide (markers, extras, URLs, pre-releases) is left to pip. The build backend
    # is imported in this process afterwards, so nothing of pip's is imported here.
    text = text.strip()
    if ";" in text or "[" in text or "@" in text:
        return False
    i = 0
    while i < len(text) and (text[i].isalnum() or text[i] in "-_."):
        i += 1
    name, rest = text[:i], text[i:].replace(" ", "")
    version = installed_version(name) if name else None
    have = release(version) if version else None
    if have is None:
        return False
    for clause in filter(None, rest.split(",")):
        op = next((o for o in ("~=", "==", "!=", ">=", "<=", ">", "<") if clause.startswith(o)), None)
        want = release(clause[len(op):]) if op else None
        if want is None or not meets(have, op, want):
            return False
    return True


def install(command, requires):
    missing = [r for r in requires if not satisfied(r)]
    if not missing:
        return
    sys.stdout.write("blitz: installing %s\n" % " ".join(missing))
    sys.stdout.flush()
    code = subprocess.call(command + missing)
    if code != 0:
        fail(code if code > 0 else 1, "installing the build's requirements failed (exit code %d)" % code)
    import importlib
    importlib.invalidate_caches()


def load_backend(spec, paths, root):
    for p in reversed(paths):
        sys.path.insert(0, os.path.normpath(os.path.join(root, p)))
    module, _, obj = spec.partition(":")
    backend = __import__(module.strip(), fromlist=["_"])
    for part in obj.strip().split(".") if obj.strip() else []:
        backend = getattr(backend, part)
    return backend


def copy_metadata(wheel, result):
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        if not names:
            return None
        out = result + ".METADATA"
        with open(out, "wb") as f:
            f.write(z.read(names[0]))
        return out


def write_result(result, artifact, backend):
    metadata = copy_metadata(artifact, result) if artifact.endswith(".whl") else None
    with open(result, "w") as f:
        json.dump({"artifact": artifact, "metadata": metadata, "backend": backend}, f)


def build(kind, root, outdir, result, settings, command):
    root = os.path.abspath(root)
    os.chdir(root)
    table = build_system(root)
    install(command, list(table.get("requires", [])))
    spec = table["build-backend"]
    backend = load_backend(spec, list(table.get("backend-path", [])), root)
    config = json.loads(settings)
    get_requires = getattr(backend, "get_requires_for_build_" + kind, None)
    if get_requires is not None:
        install(command, list(get_requires(config)))
    hook = getattr(backend, "build_" + kind, None)
    if hook is None:
        fail(3, "the build backend %s has no build_%s" % (spec, kind))
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    if kind == "sdist":
        name = hook(outdir, config)
    else:
        name = hook(outdir, config, None)
    write_result(result, os.path.join(outdir, name), spec)


def pip_wheel(pipdir, sdist, outdir, result):
    sys.path.insert(0, pipdir)
    from pip._internal.cli.main import main

    before = set(os.listdir(outdir)) if os.path.isdir(outdir) else set()
    # PEP 517 whatever the sdist holds (a setup.py alone included), as tox's packages are built
    code = main(["wheel", "--no-deps", "--use-pep517", "--wheel-dir", outdir, sdist])
    if code:
        sys.exit(code)
    made = [n for n in os.listdir(outdir) if n.endswith(".whl") and n not in before]
    if len(made) != 1:
        fail(1, "pip wheel made %d wheels of %s in %s" % (len(made), sdist, outdir))
    write_result(result, os.path.join(outdir, made[0]), "pip")


def collect(pattern, outdir, result):
    import glob
    import shutil

    found = sorted(glob.glob(pattern))
    if len(found) != 1:
        fail(1, "%s files match %s: the package env's commands must build exactly one package there"
             % (len(found) or "no", pattern))
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    target = os.path.join(outdir, os.path.basename(found[0]))
    shutil.copyfile(found[0], target)
    write_result(result, target, "external")


def main(argv):
    if len(argv) >= 7 and argv[0] == "build" and argv[6] == "--" and argv[1] in ("sdist", "wheel", "editable"):
        build(argv[1], argv[2], argv[3], argv[4], argv[5], argv[7:])
    elif len(argv) == 5 and argv[0] == "pip-wheel":
        pip_wheel(*argv[1:])
    elif len(argv) == 4 and argv[0] == "collect":
        collect(*argv[1:])
    else:
        fail(2, "usage: blitz_backend.py build KIND ROOT OUTDIR RESULT SETTINGS -- INSTALL... | pip-wheel PIPDIR SDIST OUTDIR RESULT")


if __name__ == "__main__":
    main(sys.argv[1:])
