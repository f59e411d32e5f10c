"""beacon's PEP 517 build backend, in-tree: no setuptools needed, so the project builds
offline under any interpreter (Debian's setuptools carries patches that break in pyenv's
Pythons). It packs src/beacon into a wheel with build-wheels.py's own code."""
import importlib.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("build_wheels", os.path.join(_HERE, "build-wheels.py"))
_wheels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_wheels)


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    path = _wheels.build_wheel("beacon", _wheels.beacon_version(), os.path.join(_HERE, "src"),
                               wheel_directory, "beacon: the example SDK that blitz runs")
    return os.path.basename(path)


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_sdist(sdist_directory, config_settings=None):
    """A source archive of what building a wheel needs: pyproject.toml, this backend,
    build-wheels.py and src/, under beacon-<version>/ with a PKG-INFO."""
    import io
    import tarfile
    version = _wheels.beacon_version()
    base = "beacon-%s" % version
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel in ("pyproject.toml", "build_backend.py", "build-wheels.py", "src"):
            tar.add(os.path.join(_HERE, rel), arcname="%s/%s" % (base, rel),
                    filter=lambda info: None if "__pycache__" in info.name else info)
        info = ("Metadata-Version: 2.1\nName: beacon\nVersion: %s\n" % version).encode()
        entry = tarfile.TarInfo("%s/PKG-INFO" % base)
        entry.size = len(info)
        tar.addfile(entry, io.BytesIO(info))
    return name
