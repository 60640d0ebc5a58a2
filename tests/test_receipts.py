"""Run receipts as exo 0.3.1 writes them, side by side with the reference: the same keys and
values for the same command line (but tool, version, the runtime's name and version, the
time and the duration), the same refusals, and a failed write turning success into exit 1."""
import json
import os
import shutil

import pytest

from conftest import REPO, guard, reference, run

EXAMPLE = str(REPO / "examples" / "workspace")
VARYING = {"tool", "version", "timestamp", "duration_ms", "python", "swift"}


def one(path):
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def comparable(record):
    return {k: v for k, v in record.items() if k not in VARYING}


@pytest.mark.parametrize("args", [
    ["conflicts", "--root", EXAMPLE, "--json"],
    ["board", "--root", EXAMPLE],
    ["--root", EXAMPLE],
    ["roles", "--json"],
    ["board", "--json", "--root=" + EXAMPLE],
    ["--help"],
])
def test_receipts_equal_the_reference(tmp_path, args):
    mine, theirs = tmp_path / "mine.jsonl", tmp_path / "theirs.jsonl"
    r = guard(*args, "--receipt", str(mine))
    ref = reference(*args, "--receipt", str(theirs))
    assert r.returncode == ref.returncode == 0
    a, b = one(mine), one(theirs)
    assert comparable(a) == comparable(b)
    assert a["tool"] == "exo-guard" and "swift" in a and "python" not in a
    assert set(a) - {"swift"} == set(b) - {"python"}
    assert list(a) == sorted(a)


def test_the_environment_names_the_log_and_claim_writes_one(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws)
    theirs_ws = tmp_path / "ws2"
    shutil.copytree(EXAMPLE, theirs_ws)
    mine, theirs = tmp_path / "mine.jsonl", tmp_path / "theirs.jsonl"
    r = guard("claim", "annual-plans", "--agent", "ann", "--root", str(ws), env={"VIVARY_RECEIPT_LOG": str(mine)})
    ref = run([str(REPO / ".venv-ref" / "bin" / "exo"), "claim", "annual-plans", "--agent", "ann", "--root",
               str(theirs_ws)], env={"VIVARY_RECEIPT_LOG": str(theirs)})
    assert r.returncode == ref.returncode == 0, r.stderr + ref.stderr
    assert comparable(one(mine)) == comparable(one(theirs))
    assert one(mine)["receipt_source"] == "env" and one(mine)["flags"] == ["--agent", "--root"]


def test_refusals_and_a_failed_write(tmp_path):
    real = tmp_path / "real.jsonl"
    real.write_text("")
    link = tmp_path / "link.jsonl"
    os.symlink(real, link)
    folder = tmp_path / "folder"
    folder.mkdir()
    linked_dir = tmp_path / "linked"
    os.symlink(folder, linked_dir)
    for target, words in ((link, "must not be a symlink"), (folder, "must be a regular file"),
                          (linked_dir / "r.jsonl", "must not contain a symlink")):
        r = guard("roles", "--receipt", str(target))
        ref = reference("roles", "--receipt", str(target))
        assert r.returncode == ref.returncode == 1, (target, r.stderr, ref.stderr)
        assert words in r.stderr and words in ref.stderr
        assert r.stderr.splitlines()[-1] == ref.stderr.splitlines()[-1].replace("exo:", "exo-guard:")
    assert real.read_text() == ""
