#!/usr/bin/env python3
"""The house rules the compiler does not keep, checked by `make lint`.

- Each target imports only the targets before it in the data flow (Package.swift says
  which), and only ExoGit imports CGit2 and CZlib, only the executable ArgumentParser.
- The plain engine's files never reach the fast engine: ExoGraph cannot import ExoEngine
  at all, and the watch's plain twin in ExoCore may not either (ExoCore is built with
  MemberImportVisibility, so even a member of ExoEngine's needs the import there).
- No source file is longer than 300 lines.
"""
import pathlib
import re
import sys

ALLOWED = {
    "ExoRules": set(),
    "ExoModel": {"TOMLKit", "HashTreeCollections"},
    "ExoStore": set(),
    "ExoSnapshot": {"ExoModel", "ExoStore"},
    "ExoGraph": {"ExoRules", "ExoModel", "ExoStore", "ExoSnapshot"},
    "ExoEngine": {"ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph"},
    "ExoGit": {"ExoModel", "ExoStore", "ExoSnapshot", "CGit2", "CZlib"},
    "ExoCore": {"ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit"},
    "ExoFuzzTargets": {"ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit"},
    "ExoGuard": {"ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit", "ExoCore", "ArgumentParser"},
}
# Files of a target that may not import some of what the target may.
PLAIN = {"ExoCore/Guard/Watch+Plain.swift": {"ExoEngine"}}
SYSTEM = {"Darwin", "Dispatch", "Foundation", "Glibc", "Synchronization", "Testing"}
MAX_LINES = 300

root = pathlib.Path(__file__).resolve().parent.parent / "Sources"
problems = []
for target, allowed in ALLOWED.items():
    for path in sorted((root / target).rglob("*.swift")):
        text = path.read_text()
        rel = path.relative_to(root.parent)
        for m in re.finditer(r"^\s*(?:@\w+\s+)?(?:(?:public|package|internal)\s+)?import\s+(\w+)", text, re.M):
            name = m.group(1)
            if name not in allowed and name not in SYSTEM:
                problems.append(f"{rel}: imports {name}, which {target} may not (see Package.swift)")
            if name in PLAIN.get(str(path.relative_to(root)), set()):
                problems.append(f"{rel}: imports {name}: the plain engine's files never reach the fast engine")
        lines = text.count("\n")
        if lines > MAX_LINES:
            problems.append(f"{rel}: {lines} lines, over {MAX_LINES}: split it by concern")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
