"""A PEP 517 backend that builds slowly and checks its packaging env stayed whole meanwhile."""
import os
import sys
import time
import zipfile


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    # a file in the packaging env (.tox/.pkg) this build relies on while it runs
    mine = os.path.join(sys.prefix, "in-use-%d" % os.getpid())
    open(mine, "w").close()
    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "building"), "a").close()
    time.sleep(2)
    if not os.path.exists(mine):
        sys.exit("the packaging env was cleared under this build")
    os.unlink(mine)
    name = "mypkg-1.0-py3-none-any.whl"
    dist = "mypkg-1.0.dist-info"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        z.writestr("mypkg/__init__.py", "NAME = 'mypkg'\n")
        z.writestr(dist + "/METADATA", "Metadata-Version: 2.1\nName: mypkg\nVersion: 1.0\n")
        z.writestr(dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(dist + "/RECORD", "")
    return name
