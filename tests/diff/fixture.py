"""A fixture of the differential suite: a small project, and how the suite runs it.

Each folder under tests/diff/fixtures/ is one fixture: the project's files (a tox.ini or
tox.toml, maybe a pyproject.toml or setup.py and a package, a couple of tests) and a
fixture.ini, which is not copied into the project:

    [fixture]
    covers  = no_package; commands_pre failing; ...   what the fixture is for (free text)
    python  = 3.11 3.12        interpreters it needs (skipped, saying so, when one is missing)
    project = diff-st          the project's distribution name: its installed files are compared
    backend = _backend         copy the suite's in-tree build backend (probe/diffbackend.py) there
    blitz_may_not_read = why   when `blitz list` rejects the config, skip the fixture with this reason

    [environ]                  variables added to both tools' environment
    DIFF_SECRET = s3cret

    [run:NAME]                 one tool invocation; runs go in file order, on the same copy
    envs = a,b                 the -e argument (the env names the suite inspects after the run)
    args = -p 2                more arguments, the same for both tools (split like a shell would);
                               a `-c FILE` here is given to the tools' config command too
    order = a<c b<c            check for each pair whether the first env had finished before
                               the second one started
    interrupt = LABEL          send SIGINT to the tool's process group (as Ctrl-C in a terminal
                               would) once a command has recorded LABEL

In every file of the project, these words are replaced when it is copied into a run folder:

    @DIFF_REC@          the path of the recorder (python @DIFF_REC@ LABEL ...: see probe/rec.py)
    @DIFF_PROBE@        the folder holding the recorder
    @DIFF_WHEELS@       the wheelhouse both tools install from
    @DIFF_EXTRA_WHEELS@ the folder no PIP_FIND_LINKS names (see wheels.py)
"""
import configparser
import dataclasses
import hashlib
import shlex
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Tuple

META = "fixture.ini"
TEXT_SUFFIXES = {".ini", ".toml", ".py", ".txt", ".cfg", ".md", ""}


@dataclasses.dataclass(frozen=True)
class Run:
    name: str
    envs: Tuple[str, ...]
    args: Tuple[str, ...] = ()
    order: Tuple[Tuple[str, str], ...] = ()
    interrupt: Optional[str] = None

    def argv(self) -> List[str]:
        return ["-e", ",".join(self.envs), *self.args]

    def config_args(self) -> List[str]:
        """The `-c FILE` among args, which the tool's config command needs too."""
        found = []
        for i, arg in enumerate(self.args):
            if arg == "-c" and i + 1 < len(self.args):
                found += ["-c", self.args[i + 1]]
        return found


@dataclasses.dataclass(frozen=True)
class Fixture:
    name: str
    folder: Path
    covers: str
    python: Tuple[str, ...]
    project: str
    backend: Optional[str]
    blitz_may_not_read: Optional[str]
    environ: Tuple[Tuple[str, str], ...]
    runs: Tuple[Run, ...]

    def files(self) -> List[Path]:
        """The project's files (relative), fixture.ini left out."""
        return sorted(p.relative_to(self.folder) for p in self.folder.rglob("*")
                      if p.is_file() and p.name != META and "__pycache__" not in p.parts)

    def digest(self) -> str:
        h = hashlib.sha256()
        for rel in self.files() + [Path(META)]:
            h.update(str(rel).encode() + b"\0" + (self.folder / rel).read_bytes() + b"\0")
        return h.hexdigest()


class FixtureError(Exception):
    pass


def load(folder: Path) -> Fixture:
    """Reads folder/fixture.ini. Raises FixtureError naming the file and what is wrong."""
    path = folder / META
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # environment variable names keep their case
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, configparser.Error) as err:
        raise FixtureError(f"{path}: {err}") from None
    if not parser.has_section("fixture"):
        raise FixtureError(f"{path}: no [fixture] section")
    meta = parser["fixture"]
    runs = []
    for section in parser.sections():
        if not section.startswith("run:"):
            if section not in ("fixture", "environ"):
                raise FixtureError(f"{path}: unknown section [{section}]")
            continue
        body = parser[section]
        envs = tuple(e.strip() for e in body.get("envs", "").split(",") if e.strip())
        if not envs:
            raise FixtureError(f"{path}: [{section}] names no envs")
        order = []
        for pair in body.get("order", "").split():
            before, sep, after = pair.partition("<")
            if not sep or not before or not after:
                raise FixtureError(f"{path}: [{section}] order: {pair!r} is not BEFORE<AFTER")
            order.append((before, after))
        runs.append(Run(section[4:], envs, tuple(shlex.split(body.get("args", ""))), tuple(order),
                        body.get("interrupt") or None))
    if not runs:
        raise FixtureError(f"{path}: no [run:NAME] section")
    environ = tuple(parser["environ"].items()) if parser.has_section("environ") else ()
    return Fixture(folder.name, folder, meta.get("covers", "").strip(), tuple(meta.get("python", "3.11").split()),
                   meta.get("project", "").strip(), meta.get("backend") or None,
                   meta.get("blitz_may_not_read") or None, environ, tuple(runs))


def find(fixtures: Path) -> List[Fixture]:
    return [load(folder) for folder in sorted(fixtures.iterdir()) if (folder / META).is_file()]


def template(text: str, words: Dict[str, str]) -> str:
    for word, value in words.items():
        text = text.replace(word, value)
    return text


def copy(fixture: Fixture, project: Path, suite_probe: Path, words: Dict[str, str]) -> None:
    """The fixture's files into `project` (created), the @DIFF_*@ words replaced; the
    suite's backend (from the folder `suite_probe`) into the folder fixture.ini names."""
    project.mkdir(parents=True)
    for rel in fixture.files():
        source, target = fixture.folder / rel, project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in TEXT_SUFFIXES:
            target.write_text(template(source.read_text(encoding="utf-8"), words), encoding="utf-8")
            shutil.copymode(source, target)
        else:
            shutil.copy2(source, target)
    if fixture.backend:
        target = project / fixture.backend / "diffbackend.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template((suite_probe / "diffbackend.py").read_text(encoding="utf-8"), words),
                          encoding="utf-8")
