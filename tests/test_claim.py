"""claim against the reference exo: the same output and, for LF files without a BOM, the
same bytes; and exo-guard's byte-for-byte promise where exo rewrites the whole file."""
import json
import os
import shutil

import pytest

from casefiles import write_case
from conftest import guard, reference

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def workspace(tmp_path, name, toml=TOML):
    top = tmp_path / name
    top.mkdir()
    write_case(top, {
        "tropo.toml": toml,
        "modules/auth.md": "# auth\n",
        "changes/a.md": "---\nstatus: active\ntouches: [auth]\n---\n# A\n\nBody.\n",
        "changes/b.md": "---\nstatus: active\nassignee: alice\ntouches: [auth]\n---\n# B\n",
        "changes/plain.md": "# No frontmatter\n\nJust text.\n",
        "changes/bad.md": "---\nstatus: active\n\tx: 1\n---\n",
        "changes/open.md": "---\nstatus: active\n",
    })
    return top


def both(tmp_path, args, toml=TOML, prepare=None):
    """Runs exo and exo-guard on twin workspaces; returns their results and folders."""
    ref_top, ours_top = workspace(tmp_path, "ref", toml), workspace(tmp_path, "ours", toml)
    if prepare:
        prepare(ref_top)
        prepare(ours_top)
    r = reference("claim", *args, "--root", str(ref_top))
    o = guard("claim", *args, "--root", str(ours_top))
    return r, o, ref_top, ours_top


def same_files(a, b):
    for root, _dirs, files in os.walk(a):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), a)
            assert (b / rel).read_bytes() == (a / rel).read_bytes(), rel


@pytest.mark.parametrize("args", [
    ["a", "--agent", "bob"],              # first claim
    ["a", "--agent", "@bob", "--json"],   # leading @ dropped
    ["b", "--agent", "alice"],            # re-claim by the same agent: unchanged
    ["b", "--agent", "alice", "--json"],
    ["b", "--agent", "carol", "--json"],  # reclaim by another
    ["plain", "--agent", "bob"],          # a file without frontmatter gets one
])
def test_claim_matches_the_reference(tmp_path, args):
    r, o, ref_top, ours_top = both(tmp_path, args)
    assert r.returncode == 0 and o.returncode == 0, (r.stderr, o.stderr)
    assert o.stdout == r.stdout
    same_files(ref_top, ours_top)


@pytest.mark.parametrize("args,message", [
    (["auth", "--agent", "bob"], "is not a work item under changes/"),   # a module: refused
    (["nope", "--agent", "bob"], "no work item with id 'nope'"),
    (["a", "--agent", "bad handle"], "invalid agent handle"),
    (["bad", "--agent", "bob"], "frontmatter is not valid YAML"),
    (["open", "--agent", "bob"], "malformed frontmatter"),
])
def test_claim_refusals_match_the_reference(tmp_path, args, message):
    r, o, ref_top, ours_top = both(tmp_path, args)
    assert r.returncode != 0 and message in r.stderr
    assert o.returncode == 2 and message in o.stderr and len(o.stderr.strip().splitlines()) == 1
    same_files(ref_top, ours_top)


def test_undeclared_assignee_is_refused(tmp_path):
    toml = '[types.change]\nfolder = "changes"\n'
    r, o, _, ours_top = both(tmp_path, ["a", "--agent", "bob"], toml=toml)
    assert r.returncode != 0 and o.returncode == 2
    assert "assignee is not declared" in r.stderr and "assignee is not declared" in o.stderr
    assert "assignee" not in (ours_top / "changes/a.md").read_text()


def test_symlinked_target_is_refused(tmp_path):
    def link(top):
        (top / "elsewhere.md").write_text("---\nstatus: active\n---\n")
        os.symlink("../elsewhere.md", top / "changes/linked.md")
    r, o, _, ours_top = both(tmp_path, ["linked", "--agent", "bob"], prepare=link)
    assert r.returncode != 0 and "refusing to claim symlinked" in r.stderr
    assert o.returncode == 2 and "refusing to claim symlinked" in o.stderr
    assert "assignee" not in (ours_top / "elsewhere.md").read_text()


def test_claim_keeps_every_other_byte(tmp_path):
    top = workspace(tmp_path, "w")
    original = b"\xef\xbb\xbf---\r\nstatus: active\r\nassignee: x  # old\r\ntouches: [auth]\r\n---\r\nBody\r\n"
    (top / "changes/crlf.md").write_bytes(original)
    os.chmod(top / "changes/crlf.md", 0o664)
    o = guard("claim", "crlf", "--agent", "bob", "--json", "--root", str(top))
    assert o.returncode == 0, o.stderr
    assert json.loads(o.stdout)["previous_assignee"] == "x"
    assert (top / "changes/crlf.md").read_bytes() == original.replace(b"assignee: x  # old", b"assignee: bob")
    assert oct(os.stat(top / "changes/crlf.md").st_mode & 0o777) == "0o664"
    assert not [f for f in os.listdir(top / "changes") if f.startswith(".")]  # no temporary file left
