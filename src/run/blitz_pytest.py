# blitz's pytest plugin. blitz writes this file for its runs and loads it
# with "-p blitz_pytest"; it does nothing unless blitz's variables are set.
#   BLITZ_COLLECT=FILE     write the node ids collected to FILE, one a line,
#                          after a line "!REASON" when the tests must not be
#                          split (pytest-xdist or pytest-cov at work)
#   BLITZ_SHARD_FILE=FILE  run only the tests FILE names: node ids after a
#                          "[run]" line, JUnit names ("classname::name")
#                          after "[keys]"; test files after "[skip]" are not
#                          even collected; with a "[done]" list instead, run
#                          every test whose node id it does not name
#   BLITZ_COLLECTED=FILE   the node ids blitz collected, in order: a test whose
#                          id changed since (a time or a random value in a
#                          parametrize id) is known by its place among its
#                          function's variants, and run as the id it had
#   BLITZ_ALL_IDS=FILE     run too the tests this list of node ids lacks
#                          (tests that were not there when it was made)
#   BLITZ_REPORT=FILE      when the session ends, write to FILE the node ids
#                          of the tests it started ("ran\tID") and those the
#                          shard file named that it did not collect
#                          ("missing\tID": a name that changed since blitz's
#                          collection, such as a time in a parametrize id)
#   BLITZ_QUEUE=FILE       after its own tests, take groups of tests from the
#                          queue FILE (one group a line, node ids joined by
#                          tabs) shared with the other shards: FILE.next holds
#                          the number of the next group, taken under a lock
# Written for every pytest blitz may meet: Python 2.7 and 3, pytest 4 on.
import os
import re

_shard = None
_queue = None
_ran = []
_missing = []
_original = {}


def _lines(path):
    with open(path, "rb") as f:
        data = f.read()
    if not isinstance(data, str):
        data = data.decode("utf-8", "surrogateescape")
    return data.splitlines()


def _encode(text):
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("utf-8", "surrogateescape")
    except LookupError:
        return text.encode("utf-8", "replace")


def _junit_key(nodeid):
    # the name pytest's junitxml gives the test: "classname::name"
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]) + "::" + names[-1]


def _places(ids):
    # each id's name by its place: a parametrized test's base id and its
    # variant's number among its function's ("tests/a.py::test_x[#2]");
    # another test, its id
    seen = {}
    out = []
    for nodeid in ids:
        base, bracket, _ = nodeid.partition("[")
        if not bracket:
            out.append(nodeid)
            continue
        k = seen.get(base, 0)
        seen[base] = k + 1
        out.append("%s[#%d]" % (base, k))
    return out


def pytest_configure(config):
    global _shard
    path = os.environ.get("BLITZ_SHARD_FILE")
    if not path:
        return
    _shard = {"run": set(), "keys": set(), "skip": set(), "done": set(), "all": None, "sweep": False}
    section = None
    for line in _lines(path):
        if line == "[done]":
            _shard["sweep"] = True
        if line in ("[run]", "[keys]", "[skip]", "[done]"):
            section = line[1:-1]
        elif section and line:
            _shard[section].add(line)
    every = os.environ.get("BLITZ_ALL_IDS")
    if every:
        _shard["all"] = set(_lines(every))
    collected = os.environ.get("BLITZ_COLLECTED")
    _shard["was"] = {}
    if collected:
        ids = [line for line in _lines(collected) if line and not line.startswith("!")]
        _shard["was"] = dict(zip(_places(ids), ids))
    _shard["known"] = set(_shard["was"].values())
    queue = os.environ.get("BLITZ_QUEUE")
    if queue:
        global _queue
        _queue = [line.split("\t") for line in _lines(queue)]
        for group in _queue:
            _shard["run"].update(group)


def _ignored(path, config):
    if _shard is None or not _shard["skip"]:
        return None
    root = getattr(config, "rootpath", None) or config.rootdir
    rel = os.path.relpath(str(path), str(root)).replace(os.sep, "/")
    return True if rel in _shard["skip"] else None


try:
    import pytest
    _PATHLIB_HOOKS = int(pytest.__version__.split(".")[0]) >= 7
except (ImportError, ValueError):
    _PATHLIB_HOOKS = False

if _PATHLIB_HOOKS:
    def pytest_ignore_collect(collection_path, config):
        return _ignored(collection_path, config)
else:
    def pytest_ignore_collect(path, config):
        return _ignored(path, config)


def pytest_collection_modifyitems(session, config, items):
    if _shard is None:
        return
    keep, drop = [], []
    seen = set()
    was = _shard["was"]
    for item, place in zip(items, _places([item.nodeid for item in items])):
        nodeid = item.nodeid
        # the id blitz collected it under: its own, or the one at its place when that changed
        renamed = was and nodeid not in _shard["known"]
        known = was.get(place, nodeid) if renamed else nodeid
        _original[nodeid] = known
        seen.add(known)
        if _shard["sweep"]:
            wanted = known not in _shard["done"]
        else:
            wanted = (known in _shard["run"]
                      or (_shard["keys"] and _junit_key(nodeid) in _shard["keys"])
                      or (_shard["all"] is not None and known not in _shard["all"]))
        (keep if wanted else drop).append(item)
    if os.environ.get("BLITZ_REPORT"):
        _missing[:] = sorted(_shard["run"] - seen)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session):
    out = os.environ.get("BLITZ_COLLECT")
    if not out:
        return
    option = session.config.option
    why = None
    if getattr(option, "numprocesses", None):
        why = "pytest-xdist runs its tests in processes of its own (-n)"
    elif getattr(option, "cov_source", None):
        why = "pytest-cov measures coverage (--cov): shards would overwrite each other's data"
    with open(out + ".tmp", "wb") as f:
        if why:
            f.write(_encode("!" + why + "\n"))
        for item in session.items:
            f.write(_encode(item.nodeid) + b"\n")
    os.rename(out + ".tmp", out)


def pytest_runtest_logstart(nodeid, location):
    if _shard is not None and os.environ.get("BLITZ_REPORT"):
        _ran.append(_original.get(nodeid, nodeid))


def pytest_sessionfinish(session, exitstatus):
    out = os.environ.get("BLITZ_REPORT")
    if _shard is None or not out:
        return
    with open(out + ".tmp", "wb") as f:
        for nodeid in _ran:
            f.write(b"ran\t" + _encode(nodeid) + b"\n")
        for nodeid in _missing:
            f.write(b"missing\t" + _encode(nodeid) + b"\n")
    os.rename(out + ".tmp", out)


def _take(counter):
    # the number of the next group of the queue, counted up under a lock
    import fcntl
    fd = os.open(counter, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        taken = int(os.read(fd, 64) or b"0")
        os.lseek(fd, 0, 0)
        os.ftruncate(fd, 0)
        os.write(fd, str(taken + 1).encode())
        return taken
    finally:
        os.close(fd)


def _away(items):
    # the nodes every item's chain starts with, and one item per branch below
    chains = [item.listchain() for item in items]
    common = len(chains[0]) if chains else 0
    for chain in chains:
        while common and (len(chain) < common or chain[common - 1] is not chains[0][common - 1]):
            common -= 1
    branch = {}
    for item, chain in zip(items, chains):
        if len(chain) > common:
            branch.setdefault(id(chain[common]), item)

    def away(item):
        chain = item.listchain()
        mine = id(chain[common]) if len(chain) > common else None
        for key, other in branch.items():
            if key != mine:
                return other
        return None
    return away


def _groups(session):
    queued = set()
    for group in _queue:
        queued.update(group)
    by_id = {}
    own = []
    for item in session.items:
        known = _original.get(item.nodeid, item.nodeid)
        if known in queued:
            by_id.setdefault(known, []).append(item)
        else:
            own.append(item)
    if own:
        yield own
    counter = os.environ["BLITZ_QUEUE"] + ".next"
    while True:
        taken = _take(counter)
        if taken >= len(_queue):
            return
        group = [item for nodeid in _queue[taken] for item in by_id.get(nodeid, ())]
        if group:
            yield group


if os.environ.get("BLITZ_QUEUE"):
    import pytest as _pytest

    @_pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(session):
        if _queue is None:
            return None
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted("%d error%s during collection"
                                      % (session.testsfailed, "s" if session.testsfailed != 1 else ""))
        if session.config.option.collectonly:
            return True
        # a group's last item runs with an item of another branch of the
        # collection tree as its next one: pytest tears down what is below the
        # nodes every test shares, as it would between two modules, and the
        # next group is taken from the queue only when the shard is free
        away = _away(session.items)
        for group in _groups(session):
            for i, item in enumerate(group):
                nextitem = group[i + 1] if i + 1 < len(group) else away(item)
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                if session.shouldfail:
                    raise getattr(session, "Failed", session.Interrupted)(session.shouldfail)
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
        return True
