"""Shared set-up for the conformance and end-to-end tests.

The binary under test is EXO_GUARD_BIN (default: .build/debug/exo-guard); the reference
is EXO_REF (default: .venv-ref/bin/exo, installed by `make test`). git runs with its
configuration isolated: GIT_CONFIG_GLOBAL points at a temporary file and
GIT_CONFIG_SYSTEM at /dev/null.
"""
import os
import pathlib
import subprocess
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
BIN = os.path.abspath(os.environ.get("EXO_GUARD_BIN", str(REPO / ".build" / "debug" / "exo-guard")))
REF = os.path.abspath(os.environ.get("EXO_REF", str(REPO / ".venv-ref" / "bin" / "exo")))

_GLOBAL = tempfile.NamedTemporaryFile(prefix="exo-guard-gitconfig-", delete=False)
_GLOBAL.write(b"[user]\n\tname = Test\n\temail = test@example.com\n[commit]\n\tgpgsign = false\n"
              b"[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
_GLOBAL.close()


def git_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "EXO_GUARD_"))}
    env.update({
        "GIT_CONFIG_GLOBAL": _GLOBAL.name,
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
        "NO_COLOR": "1",
    })
    if extra:
        env.update(extra)
    return env


def git(cwd, *args, env=None, check=True, input=None):
    return subprocess.run(["git", *args], cwd=cwd, env=git_env(env), check=check,
                          capture_output=True, text=True, input=input)


def run(cmd, cwd=None, env=None, input=None):
    return subprocess.run(cmd, cwd=cwd, env=git_env(env), capture_output=True, text=True, input=input)


def guard(*args, cwd=None, env=None, input=None):
    return run([BIN, *args], cwd=cwd, env=env, input=input)


def probes(result):
    """The counters a run printed with EXO_GUARD_STATS=1 (Sources/ExoModel/Probes/Probe.swift):
    how many times each fast path and each plain path ran, by name."""
    lines = [l for l in result.stderr.splitlines() if l.startswith("exo-guard probes: ")]
    assert lines, f"no probes line in stderr: {result.stderr!r}"
    return {k: int(v) for k, v in (kv.split("=") for kv in lines[-1].split(": ", 1)[1].split())}


STATS = {"EXO_GUARD_STATS": "1"}


def without_probes(result):
    """`result` with the probes line taken out of its stderr (for checks of the error line)."""
    result.stderr = "".join(l for l in result.stderr.splitlines(True) if not l.startswith("exo-guard probes: "))
    return result


def reference(*args, cwd=None):
    return run([REF, *args], cwd=cwd)


def bare_server(parent, hook="pre-receive", name="server.git"):
    """A bare repository under `parent` whose `hook` runs the guard under test."""
    server = parent / name
    git(parent, "init", "-q", "--bare", str(server))
    script = server / "hooks" / hook
    script.write_text(f"#!/bin/sh\nexec {BIN} hook {hook} \"$@\"\n")
    script.chmod(0o755)
    return server


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
