"""DSNs: scheme://public_key[:secret]@host[:port]/[path/]project_id"""


class BadDsn(ValueError):
    pass


class Dsn:
    def __init__(self, value):
        self.value = value
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in ("http", "https"):
            raise BadDsn("unsupported scheme in %r" % value)
        auth, sep, location = rest.rpartition("@")
        if not sep or not auth:
            raise BadDsn("missing public key in %r" % value)
        self.public_key, _, self.secret_key = auth.partition(":")
        netloc, _, path = location.partition("/")
        host, _, port = netloc.partition(":")
        if not host:
            raise BadDsn("missing host in %r" % value)
        parts = [p for p in path.split("/") if p]
        if not parts or not parts[-1].isdigit():
            raise BadDsn("missing project id in %r" % value)
        self.scheme = scheme
        self.host = host
        self.port = int(port) if port else (443 if scheme == "https" else 80)
        self.path = "/" + "/".join(parts[:-1]) if len(parts) > 1 else ""
        self.project_id = int(parts[-1])

    @property
    def netloc(self):
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else "%s:%d" % (self.host, self.port)

    def store_url(self):
        return "%s://%s%s/api/%d/store/" % (self.scheme, self.netloc, self.path, self.project_id)

    def auth_header(self, client="beacon.python", version="0"):
        fields = [("beacon_key", self.public_key), ("beacon_client", "%s/%s" % (client, version))]
        if self.secret_key:
            fields.append(("beacon_secret", self.secret_key))
        return "Beacon " + ", ".join("%s=%s" % f for f in fields)

    def __eq__(self, other):
        return isinstance(other, Dsn) and self.value == other.value

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return "Dsn(%r)" % self.value
