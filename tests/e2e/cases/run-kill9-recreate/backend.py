"""A PEP 517 backend in a few lines, so the case installs with no index; it counts its builds."""
import base64
import hashlib
import io
import os
import tarfile
import zipfile


def write_wheel(directory, name, version, files, scripts=None):
    """Write a pure-Python wheel holding files ({path: text}) and console scripts ({name: "module:func"})."""
    dist = "%s-%s.dist-info" % (name, version)
    files = dict(files)
    files[dist + "/METADATA"] = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    files[dist + "/WHEEL"] = "Wheel-Version: 1.0\nGenerator: backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if scripts:
        files[dist + "/entry_points.txt"] = "[console_scripts]\n" + "".join(
            "%s = %s\n" % kv for kv in sorted(scripts.items()))
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = "\n".join(record) + "\n"
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.environ["BUILD_LOG"], "a") as log:
        log.write("built\n")
    return write_wheel(wheel_directory, "mypkg", "1.0", {"mypkg/__init__.py": "NAME = 'mypkg'\n"})


def build_sdist(sdist_directory, config_settings=None):
    """The source tree as tox's default package: pip builds the wheel from it with this backend."""
    filename = "mypkg-1.0.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for name in ("pyproject.toml", "backend.py"):
            tar.add(name, arcname="mypkg-1.0/" + name)
        info = b"Metadata-Version: 2.1\nName: mypkg\nVersion: 1.0\n"
        entry = tarfile.TarInfo("mypkg-1.0/PKG-INFO")
        entry.size = len(info)
        tar.addfile(entry, io.BytesIO(info))
    return filename
