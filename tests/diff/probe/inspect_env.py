"""The differential suite's look into one env after a run: what is installed, and how.

    ENV/bin/python -I inspect_env.py PROJECT ROOT

Prints one JSON object: the env's Python version, its pyvenv.cfg, and each distribution
the env's python sees outside the base interpreter's own folders (so the env's
site-packages and what .pth files add, such as an editable project's source folder, but
not Debian's dist-packages of a system_site_packages env): name, version, INSTALLER,
whether REQUESTED is there, direct_url.json, and the folder it was found in. For the
distribution named PROJECT it adds the files its RECORD lists, each with a hash of its
content in which the path ROOT was first replaced by @ROOT@ (so an editable project's
.pth or finder, which name the project's folder, compare equal between two copies), and
the text of its .pth files. Runs on Python 3.8 and later (importlib.metadata).
"""
import hashlib
import json
import os
import sys
from importlib import metadata


def canonical(name):
    return "".join("-" if c in "-_." else c for c in name.lower())


def under(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def search_path():
    """sys.path without the base interpreter's folders (stdlib, its own site-packages,
    Debian's dist-packages), unless they are inside the env."""
    bases = {sys.base_prefix, sys.base_exec_prefix, "/usr"}
    kept = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        if under(entry, sys.prefix) or not any(under(entry, base) for base in bases):
            kept.append(entry)
    return kept


def pyvenv_cfg():
    settings = {}
    try:
        with open(os.path.join(sys.prefix, "pyvenv.cfg"), encoding="utf-8") as handle:
            for line in handle:
                key, sep, value = line.partition("=")
                if sep:
                    settings[key.strip()] = value.strip()
    except OSError:
        pass
    return settings


def content_hash(path, root):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    data = data.replace(root.encode(), b"@ROOT@")
    real = os.path.realpath(root)
    if real != root:
        data = data.replace(real.encode(), b"@ROOT@")
    return hashlib.sha256(data).hexdigest()[:12]


def project_files(dist, root):
    """RECORD's files: [path, hash of the normalised content or null]; .pth texts."""
    files, pth = [], {}
    for item in dist.files or []:
        rel = str(item)
        full = str(dist.locate_file(item))
        if rel.endswith((".pyc", "RECORD", "direct_url.json")):
            # bytecode holds times; RECORD cannot hash itself; direct_url.json names the
            # file installed from, which is each tool's own (its gist is shown apart)
            files.append([rel, None])
            continue
        files.append([rel, content_hash(full, root)])
        if rel.endswith(".pth"):
            try:
                with open(full, encoding="utf-8", errors="replace") as handle:
                    pth[rel] = handle.read()
            except OSError:
                pth[rel] = None
    return sorted(files), pth


def describe(dist, project, root):
    info = {
        "name": dist.metadata["Name"],
        "version": dist.version,
        "installer": (dist.read_text("INSTALLER") or "").strip() or None,
        "requested": dist.read_text("REQUESTED") is not None,
        "direct_url": None,
        "location": str(dist.locate_file("")),
    }
    text = dist.read_text("direct_url.json")
    if text:
        try:
            info["direct_url"] = json.loads(text)
        except ValueError:
            info["direct_url"] = {"unreadable": text}
    if canonical(info["name"] or "") == canonical(project):
        info["files"], info["pth"] = project_files(dist, root)
    return info


def main(argv):
    project, root = argv
    seen, dists = set(), []
    for dist in metadata.distributions(path=search_path()):
        name = canonical(dist.metadata["Name"] or "")
        if name and name not in seen:  # the first on the path is the one imported
            seen.add(name)
            dists.append(describe(dist, project, root))
    print(json.dumps({
        "python": "%d.%d.%d" % sys.version_info[:3],
        "pyvenv": pyvenv_cfg(),
        "dists": sorted(dists, key=lambda d: canonical(d["name"])),
    }, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
