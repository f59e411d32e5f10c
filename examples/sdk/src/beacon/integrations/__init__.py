"""Integrations hook beacon into frameworks. Each knows the versions it supports and adapts to
API differences between them."""
import importlib

from beacon.utils import parse_version


class DidNotEnable(Exception):
    """The framework is missing or its version is not supported."""


class Integration:
    identifier = None
    module = None            # the framework's import name
    min_version = (0,)

    _installed = set()

    @classmethod
    def framework_version(cls):
        try:
            mod = importlib.import_module(cls.module)
        except ImportError:
            raise DidNotEnable("%s is not installed" % cls.module)
        version = parse_version(getattr(mod, "VERSION", None) or getattr(mod, "__version__", ""))
        if version is None:
            raise DidNotEnable("cannot tell the version of %s" % cls.module)
        if version < tuple(cls.min_version):
            raise DidNotEnable("%s %s is older than %s" % (
                cls.module, ".".join(map(str, version)), ".".join(map(str, cls.min_version))))
        return version

    def setup_once(self):
        raise NotImplementedError

    def setup(self):
        if self.identifier in Integration._installed:
            return False
        self.setup_once()
        Integration._installed.add(self.identifier)
        return True


NAMES = {
    "flaskish": "beacon.integrations.flaskish:FlaskishIntegration",
    "djangoish": "beacon.integrations.djangoish:DjangoishIntegration",
    "fastish": "beacon.integrations.fastish:FastishIntegration",
    "celeryish": "beacon.integrations.celeryish:CeleryishIntegration",
    "redisish": "beacon.integrations.redisish:RedisishIntegration",
}


def load(name):
    module, _, attr = NAMES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def auto_integrations():
    found = []
    for name in sorted(NAMES):
        cls = load(name)
        try:
            cls.framework_version()
        except DidNotEnable:
            continue
        found.append(cls())
    return found


def setup_integrations(integrations):
    return [i.identifier for i in integrations if i.setup()]
