"""A PEP 517 backend whose build fails, as a broken setup.py does."""


def build_sdist(sdist_directory, config_settings=None):
    raise SystemExit("backend: cannot build mypkg: the version file is missing")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit("backend: cannot build mypkg: the version file is missing")
