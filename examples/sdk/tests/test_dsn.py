import pytest

from beacon.dsn import BadDsn, Dsn

VALID = [
    ("https://key@beacon.example/1", "beacon.example", 443, "", 1),
    ("http://key@beacon.example/2", "beacon.example", 80, "", 2),
    ("https://key@beacon.example:8443/3", "beacon.example", 8443, "", 3),
    ("https://key:secret@beacon.example/4", "beacon.example", 443, "", 4),
    ("https://key@beacon.example/sub/5", "beacon.example", 443, "/sub", 5),
    ("https://key@beacon.example/a/b/6", "beacon.example", 443, "/a/b", 6),
    ("http://key@127.0.0.1:9000/7", "127.0.0.1", 9000, "", 7),
    ("https://key@localhost/12345", "localhost", 443, "", 12345),
    ("https://k-e_y@beacon.example/8/", "beacon.example", 443, "", 8),
    ("http://key@beacon.example:80/9", "beacon.example", 80, "", 9),
]

INVALID = [
    "", "beacon.example/1", "ftp://key@beacon.example/1", "https://beacon.example/1",
    "https://@beacon.example/1", "https://key@/1", "https://key@beacon.example/",
    "https://key@beacon.example/abc", "https://key@beacon.example", "key@beacon.example/1",
]


@pytest.mark.parametrize("value,host,port,path,project", VALID)
def test_parse(value, host, port, path, project):
    dsn = Dsn(value)
    assert (dsn.host, dsn.port, dsn.path, dsn.project_id) == (host, port, path, project)


@pytest.mark.parametrize("value", INVALID)
def test_invalid(value):
    with pytest.raises(BadDsn):
        Dsn(value)


@pytest.mark.parametrize("value,url", [
    ("https://key@beacon.example/1", "https://beacon.example/api/1/store/"),
    ("https://key@beacon.example:8443/1", "https://beacon.example:8443/api/1/store/"),
    ("http://key@beacon.example:80/1", "http://beacon.example/api/1/store/"),
    ("https://key@beacon.example/sub/1", "https://beacon.example/sub/api/1/store/"),
])
def test_store_url(value, url):
    assert Dsn(value).store_url() == url


def test_auth_header_without_secret():
    header = Dsn("https://pub@beacon.example/1").auth_header(version="1.4.0")
    assert header == "Beacon beacon_key=pub, beacon_client=beacon.python/1.4.0"


def test_auth_header_with_secret():
    assert "beacon_secret=s3" in Dsn("https://pub:s3@beacon.example/1").auth_header()


def test_equality_and_hash():
    assert Dsn("https://k@h/1") == Dsn("https://k@h/1")
    assert Dsn("https://k@h/1") != Dsn("https://k@h/2")
    assert len({Dsn("https://k@h/1"), Dsn("https://k@h/1")}) == 1


def test_repr():
    assert repr(Dsn("https://k@h/1")) == "Dsn('https://k@h/1')"
