#!/usr/bin/env python3
"""Each struct has one owner that writes it: this checks the ones whose owner
the code names (a comment "the only writer of struct NAME" in a header or
source of src/), by looking for writes to their fields in any other file:
an assignment (=, op=, ++, --) to VAR->FIELD or VAR.FIELD, or &VAR->FIELD
handed to a function that changes what it is given (strvec_*, steps_*,
snprintf, memset, ...), VAR being any name of that struct's type in the file.

    owners.py        prints every write outside the owner, exits 1 if any
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
# functions that change what they are handed (the first argument)
MUTATORS = r"(?:strvec_(?:push\w*|insert|remove|clear|extend|sort)|steps_(?:insert|install\w*|remove|release|build|set_packages)|snprintf|memset|memcpy|strcpy|free|envvars_\w+|strbuf_\w+)"


def sources():
    for folder, _, files in os.walk(SRC):
        for name in files:
            if name.endswith((".c", ".h")):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    yield os.path.relpath(path, SRC), f.read()


def struct_fields(texts, name):
    for _, text in texts:
        m = re.search(r"\nstruct " + name + r" \{\n(.*?)\n\};", text, re.S)
        if m:
            body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
            fields = set()
            for decl in body.split(";"):
                decl = re.sub(r"\[[^]]*\]", "", decl).strip()
                if not decl or decl.startswith("}"):
                    continue
                for part in decl.split(","):
                    w = re.findall(r"[A-Za-z_]\w*", part)
                    if w:
                        fields.add(w[-1])
            return fields
    return set()


def main():
    texts = list(sources())
    owners = {}
    for path, text in texts:
        for m in re.finditer(r"the\s+(?:\*\s+)?only\s+(?:\*\s+)?writer\s+(?:\*\s+)?of\s+(?:\*\s+)?struct\s+(?:\*\s+)?(\w+)", text, re.I):
            if path.endswith(".c"):
                owners[m.group(1)] = path
            else:
                owners.setdefault(m.group(1), None)
    members = {}
    for struct in owners:
        members[struct] = set()
        for path, text in texts:
            if path.endswith(".h"):
                members[struct] |= set(re.findall(r"\n\s+(?:const\s+)?struct " + struct + r"\s*\*?\s*(\w+)\s*;", text))
    bad = 0
    for struct, owner in sorted(owners.items()):
        if owner is None:
            print(f"struct {struct}: a header names its only writer, but no .c says it is")
            bad += 1
            continue
        fields = struct_fields(texts, struct)
        if not fields:
            print(f"struct {struct}: not found")
            bad += 1
            continue
        f = "|".join(sorted(fields, key=len, reverse=True))
        for path, text in texts:
            if path == owner or not path.endswith(".c"):
                continue
            # the names this file gives values of that struct type, and the members of that type any header declares
            names = set(re.findall(r"struct " + struct + r"\s*\*?\s*(\w+)\s*[=;,)\[]", text))
            alts = []
            if names:  # a name of this file's, on its own or reached through others
                alts.append(r"(?:(?:\w+(?:\[[^]]*\])?(?:->|\.))*\b(?:" + "|".join(sorted(names)) + r")(?:\[[^]]*\])?)")
            if members[struct]:  # a member of that type, reached through whatever holds it
                alts.append(r"(?:(?:\w+(?:\[[^]]*\])?(?:->|\.))+(?:" + "|".join(sorted(members[struct])) + r")(?:\[[^]]*\])?)")
            if not alts:
                continue
            var = "(?:" + "|".join(alts) + ")"
            # its field, and what is inside the field itself (a member struct, an array), not what it points to
            field = r"(?:->|\.)(?:" + f + r")\b(?:\.\w+|\[[^]]*\])*"
            assign = re.compile(r"(?<![\w>.])" + var + field + r"\s*(?:[-+*/|&^]?=(?!=)|\+\+|--)")
            incdec = re.compile(r"(?:\+\+|--)\s*" + var + field)
            mutate = re.compile(MUTATORS + r"\(\s*&?" + var + field + r"\s*[,)]")
            seen = set()
            for n, line in enumerate(text.splitlines(), 1):
                code = re.sub(r"/\*.*?\*/|//.*$|\"(?:\\.|[^\"\\])*\"", "", line)
                if (assign.search(code) or incdec.search(code) or mutate.search(code)) and n not in seen:
                    seen.add(n)
                    print(f"src/{path}:{n}: writes struct {struct} (its only writer is src/{owner}): {line.strip()}")
                    bad += 1
    if not bad:
        print("every struct that names its writer is written by it alone: " + ", ".join(sorted(owners)))
    # one check per struct (make check sums these lines); each write found is a failure
    print(f"{len(owners) if not bad else 0} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
