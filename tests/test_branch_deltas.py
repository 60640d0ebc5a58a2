"""A watched ref's changes in flight read from what it changed (the tree delta against its
merge base, and the merge base's against the line: `WorkLine.flights(anchor:...)`) against
the plain reading of the tip's and the merge base's graphs (`EXO_GUARD_TEST_FLIGHTS=graphs`),
on every conformance workspace: awkward configurations, overlays, excludes, ids derived
from folder names, duplicates. On each, random edits on a branch and on main after it:
changes taken up, files copied into subfolders (a second document of the same id),
moved, deleted, added in new and in excluded folders, and config or overlay edits, which
the delta must refuse. `board --branches` and `conflicts --branches` must say the same
both ways, and the probes say which way ran."""
import json
import random
import subprocess

import pytest

from casefiles import CASES, write_case
from conftest import STATS, git, guard, probes
from workspaces import Link, fm

SAMPLE = CASES[::2]


def documents(files):
    return sorted(p for p, c in files.items() if p.endswith(".md") and not isinstance(c, Link) and ".vivary" not in p)


def edit(top, start, files, rng, config_edits):
    """A few random edits; returns whether one touched configuration (the delta refuses those)."""
    root = top / start if start and (top / start).is_dir() else top
    docs = documents(files)
    touched_config = False
    for n in range(rng.randint(1, 4)):
        ops = ["activate", "activate", "copy", "move", "delete", "new", "excluded", "other-toml"]
        op = rng.choice(ops + ["config"] if config_edits else ops)
        path = top / rng.choice(docs) if docs else None
        body = fm(status="active", touches=rng.choice(["[auth]", "[auth, billing]", "[billing]"]),
                  assignee=rng.choice(["ann", "bo"]))
        if op == "activate" and path and path.exists():
            path.write_text(body)
        elif op == "copy" and path and path.exists():
            twin = path.parent / f"nested{n}" / path.name
            twin.parent.mkdir(parents=True, exist_ok=True)
            twin.write_text(body)
        elif op == "move" and path and path.exists():
            moved = path.parent / f"moved{n}" / path.name
            moved.parent.mkdir(parents=True, exist_ok=True)
            path.rename(moved)
        elif op == "delete" and path and path.exists():
            path.unlink()
        elif op == "new":
            folder = root / rng.choice(["changes", "changes/deep", "brand-new"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"new-{rng.randrange(3)}.md").write_text(body)
        elif op == "excluded":
            folder = root / rng.choice(["private", "runtime", "node_modules", ".vivary/state"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "hidden.md").write_text(body)
        elif op == "other-toml":
            # a .toml file no configuration reads: a file like any other to the delta
            (top / "pyproject.toml").write_text(f"[tool.x]\nn = {n}\n")
            (root / "tools").mkdir(exist_ok=True)
            (root / "tools" / "settings.toml").write_text(f"n = {n}\n")
        elif op == "config":
            touched_config = True
            packs = sorted(p for p in files if "/.tropo/packs/" in "/" + p)
            target = top / rng.choice(packs) if packs and rng.random() < 0.5 else \
                root / rng.choice(["tropo.toml", "changes/tropo.toml"])
            if target.parent.is_dir():
                with open(target, "a") as fh:
                    fh.write("\n# edited\n")
    return touched_config


def both_ways(top, args):
    """Each listing with the delta allowed and with the graphs only; the first run's probes."""
    out = {}
    for way, extra in (("delta", {}), ("graphs", {"EXO_GUARD_TEST_FLIGHTS": "graphs"})):
        env = {**STATS, "EXO_GUARD_CACHE": "0", **extra}
        runs = [guard(*cmd, *args, cwd=top, env=env) for cmd in
                (("board", "--branches", "--json"), ("conflicts", "--branches", "--json"))]
        out[way] = ([(r.returncode, r.stdout) for r in runs], probes(runs[0]))
    return out


@pytest.mark.parametrize("case", SAMPLE, ids=[c[0] for c in SAMPLE])
def test_flights_from_deltas_equal_flights_from_graphs(tmp_path, case):
    name, files, start = case
    rng = random.Random(name)
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, files)
    git(top, "init", "-q")
    git(top, "config", "exo.watchDays", "0")
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "--no-verify", "--allow-empty", "-m", "case")
    git(top, "checkout", "-q", "-b", "agent/a")
    config_edit = edit(top, start, files, rng, config_edits=rng.random() < 0.2)
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "--no-verify", "--allow-empty", "-m", "branch")
    git(top, "checkout", "-q", "main")
    edit(top, start, files, rng, config_edits=False)
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "--no-verify", "--allow-empty", "-m", "main")
    args = ["--root", str(top / start)] if start else []
    got = both_ways(top, args)
    assert got["delta"][0] == got["graphs"][0], name
    delta, graphs = got["delta"][1], got["graphs"][1]
    assert graphs["delta-flights"] == 0
    symlinks = any(isinstance(c, Link) for c in files.values())
    if graphs["graph-flights"] and not symlinks and not config_edit:
        # a ref read at all is read from its delta, unless the line's graph holds a symlink
        assert delta["delta-flights"] >= 1 and delta["graph-flights"] == 0, (name, " ".join(f"{k}={v}" for k, v in delta.items()))
    if config_edit:
        assert delta["delta-flights"] == 0, (name, delta)


def test_a_second_document_of_an_id_on_the_branch(tmp_path):
    """The id's state at the tip is made from both documents in walk order (the last one's
    status, the targets of both), with no graph of the tip read; .toml files that are no
    configuration's do not stop the delta."""
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, {"tropo.toml": 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\n'
                     'optional = { touches = "ref-list" }\n[types.module]\nfolder = "modules"\n',
                     "modules/auth.md": "# Auth\n", "modules/billing.md": "# Billing\n",
                     "changes/x.md": fm(status="draft", touches="[auth]")})
    git(top, "init", "-q")
    git(top, "config", "exo.watchDays", "0")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    git(top, "checkout", "-q", "-b", "agent/a")
    (top / "changes" / "more").mkdir()
    (top / "changes" / "more" / "x.md").write_text(fm(status="active", touches="[billing]", assignee="ann"))
    # .toml files no configuration reads: files like any other, the delta still reads the branch
    (top / "pyproject.toml").write_text("[tool.x]\n")
    (top / "modules" / "notes.toml").write_text("n = 1\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "twin")
    git(top, "checkout", "-q", "main")
    r = guard("board", "--branches", "--json", cwd=top, env=STATS)
    assert json.loads(r.stdout)["items"] == [{"id": "x", "status": "active", "assignee": "ann", "ref": "refs/heads/agent/a"}]
    assert probes(r)["delta-flights"] == 1 and probes(r)["graph-flights"] == 0
    (top / "changes" / "y.md").write_text(fm(status="active", touches="[auth]"))
    r = guard("conflicts", "--branches", "--json", cwd=top, env=STATS)
    # x's targets at the tip are both documents': auth from the first, billing from the second
    assert json.loads(r.stdout)["conflicts"] == [
        {"a": "y", "a_ref": None, "b": "x", "b_ref": "refs/heads/agent/a", "shared": ["auth"]}]


def test_a_tree_out_of_gits_order_is_read_by_its_graphs(tmp_path):
    """A crafted tree whose entries are out of git's order would pair the wrong entries in
    the comparison of two trees: the branch is read by its graphs instead, the same answer."""
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, {"tropo.toml": 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\n'
                     'optional = { touches = "ref-list" }\n',
                     "changes/a.md": fm(status="draft", touches="[auth]")})
    git(top, "init", "-q")
    git(top, "config", "exo.watchDays", "0")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")

    def write_object(kind, data):
        r = subprocess.run(["git", "hash-object", "-w", "-t", kind, "--literally", "--stdin"], cwd=top,
                           input=data, capture_output=True, check=True, env=__import__("conftest").git_env())
        return bytes.fromhex(r.stdout.decode().strip())

    blob = write_object("blob", fm(status="active", touches="[auth]", assignee="ann").encode())
    changes = write_object("tree", b"100644 a.md\0" + blob)
    toml = bytes.fromhex(git(top, "rev-parse", "HEAD:tropo.toml").stdout.strip())
    # tropo.toml before changes: out of git's order
    root = write_object("tree", b"100644 tropo.toml\0" + toml + b"40000 changes\0" + changes)
    head = git(top, "rev-parse", "HEAD").stdout.strip()
    commit = git(top, "commit-tree", root.hex(), "-p", head, "-m", "crafted").stdout.strip()
    git(top, "update-ref", "refs/heads/agent/x", commit)
    got = {}
    for way, extra in (("delta", {}), ("graphs", {"EXO_GUARD_TEST_FLIGHTS": "graphs"})):
        r = guard("board", "--branches", "--json", cwd=top, env={**STATS, "EXO_GUARD_CACHE": "0", **extra})
        assert r.returncode == 0, r.stderr
        got[way] = (r.stdout, probes(r))
    assert got["delta"][0] == got["graphs"][0]
    assert got["delta"][1]["delta-flights"] == 0 and got["delta"][1]["graph-flights"] == 1


def test_a_pack_changed_on_the_branch_is_read_by_its_graphs(tmp_path):
    """A local pack is an input of the root's configuration: a branch that edits it (here
    so that its changes folder is another) is read by its graphs, where the edit counts."""
    top = tmp_path / "w"
    top.mkdir()
    pack = '[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n[types.module]\nfolder = "modules"\n'
    write_case(top, {"tropo.toml": 'packs = ["coordination", "team"]\n', ".tropo/packs/team.toml": pack,
                     "modules/auth.md": "# Auth\n", "changes/a.md": fm(status="draft", touches="[auth]")})
    git(top, "init", "-q")
    git(top, "config", "exo.watchDays", "0")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    git(top, "checkout", "-q", "-b", "agent/a")
    (top / ".tropo" / "packs" / "team.toml").write_text(pack.replace('folder = "changes"', 'folder = "work"'))
    (top / "changes" / "b.md").write_text(fm(status="active", touches="[auth]", assignee="ann"))
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "pack")
    git(top, "checkout", "-q", "main")
    (top / "changes" / "c.md").write_text(fm(status="active", touches="[auth]"))
    got = {}
    for way, extra in (("delta", {}), ("graphs", {"EXO_GUARD_TEST_FLIGHTS": "graphs"})):
        r = guard("conflicts", "--branches", "--json", cwd=top, env={**STATS, "EXO_GUARD_CACHE": "0", **extra})
        assert r.returncode == 0, r.stderr
        got[way] = (json.loads(r.stdout), probes(r))
    # on the branch, changes/ is no change folder: b is no work item in flight there
    assert got["delta"][0] == got["graphs"][0] == {"conflicts": []}
    assert got["delta"][1]["delta-flights"] == 0 and got["delta"][1]["graph-flights"] == 1
