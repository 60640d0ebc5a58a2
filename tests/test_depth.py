"""Deep trees: each folder's configuration, type, exclusion and cache position are made from
its parent's in one step (Sources/ExoGraph/Workspace/FolderState.swift), so that a folder
costs the same at any depth. Checked against the reference on random nested workspaces
(on the files, in a commit, and on a branch read by its tree delta), and seen to run by its
probes on a tree a pusher could send."""
import json
import random
import shutil
import subprocess

import pytest

from casefiles import assert_matches, write_case
from conftest import BIN, STATS, bare_server, git, git_env, guard, probes, reference
from workspaces import BASIC, THIN, fm

NAMES = ["changes", "modules", "gates", "d", "x", "drafts", "old", "team", "a\\b"]
OVERLAYS = [
    '[types.change.optional]\nowner = "ref"\n',
    'exclude = ["drafts"]\n',
    'exclude = ["old/c{next}.md", "./x"]\n',
    '[types.module]\nfolder = "d"\n',
    '[types.gate]\nfolder = ["x", "team"]\n',
    "this is = = not toml\n",
]


def nested_workspace(seed, broken=True):
    """A chain of folders 20 to 90 deep below changes/, documents on the way (their type, the
    nearest folder a type claims, decides which fields are edges), overlays and excludes here
    and there; with `broken`, now and then an overlay that does not parse, and in one seed in
    twelve a nested thin root, which tropo refuses."""
    rng = random.Random(seed)
    chain = ["changes"] + [rng.choice(NAMES) for _ in range(rng.randint(20, 90))]  # exo's role: the first folder's
    root_exclude = rng.choice(["", "team", "/".join(chain[: rng.randint(3, 12)])])
    files = {"tropo.toml": (f'exclude = ["{root_exclude}"]\n' if root_exclude else "") + BASIC,
             "modules/auth.md": fm(status="stable"), "gates/release.md": fm(status="open")}
    for level in range(len(chain)):
        folder = "/".join(chain[: level + 1])
        for k in range(rng.choice([0, 1, 1, 2])):
            fields = {"status": rng.choice(["active", "active", "draft"]), "touches": f"[{rng.choice(['auth', 'release', 'billing'])}]"}
            if rng.random() < 0.2:
                fields["owner"] = rng.choice(["auth", "carol"])  # an edge where an overlay declares it
            files[f"{folder}/c{level}{'ab'[k]}.md"] = fm(**fields)
        r = rng.random()
        if r < 0.08:
            overlay = rng.choice(OVERLAYS[:-1] if rng.random() < 0.9 or not broken else OVERLAYS)
            files[f"{folder}/tropo.toml"] = overlay.replace("{next}", str(level + 1))
        elif r < 0.09 and seed % 12 == 0 and broken:
            files[f"{folder}/.vivary/workspace.toml"] = THIN
    return files


COMMANDS = (("conflicts", "--json"), ("board", "--json"))


def assert_like_reference(top, label):
    """Both commands as exo answers them on the files at `top`, then on the same tree
    committed (read from git's objects)."""
    expected = {cmd: reference(*cmd, cwd=top) for cmd in COMMANDS}
    for cmd in COMMANDS:
        r = expected[cmd]
        assert_matches((r.returncode, r.stdout, r.stderr), guard(*cmd, cwd=top), f"{label} files {cmd}")
    git(top, "init", "-q")
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "deep")
    for cmd in COMMANDS:
        r = expected[cmd]
        assert_matches((r.returncode, r.stdout, r.stderr), guard(*cmd, "--rev", "HEAD", cwd=top), f"{label} rev {cmd}")


@pytest.mark.parametrize("seed", range(24))
def test_nested_folders_match_the_reference(tmp_path, seed):
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, nested_workspace(seed))
    assert_like_reference(top, f"seed {seed}")


@pytest.mark.parametrize("seed", range(12))
def test_a_nested_branch_reads_the_same_by_its_delta(tmp_path, seed):
    """A branch that adds, changes and removes documents deep in the chain: read from what it
    changed (`locate` makes each folder's state from its parent's) and from its graphs, the
    same board and conflicts."""
    rng = random.Random(1000 + seed)
    top = tmp_path / "w"
    top.mkdir()
    files = nested_workspace(seed, broken=False)  # a graph on either side to compare
    write_case(top, files)
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "base")
    git(top, "checkout", "-q", "-b", "deep")
    docs = [p for p in files if p.endswith(".md") and "/" in p]
    for p in rng.sample(docs, min(len(docs), 6)):
        if rng.random() < 0.3:
            (top / p).unlink()
        else:
            (top / p).write_text(fm(status="active", touches=f"[{rng.choice(['auth', 'release'])}]"))
    folders = sorted({p.rsplit("/", 1)[0] for p in docs})
    for k, folder in enumerate(rng.sample(folders, min(len(folders), 4))):
        (top / folder / f"n{k}.md").write_text(fm(status="active", touches="[auth]"))
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "deep work")
    git(top, "checkout", "-q", "main")
    git(top, "config", "exo.watchDays", "0")
    outputs = {}
    for way in ("delta", "graphs"):
        env = {**STATS, **({"EXO_GUARD_TEST_FLIGHTS": "graphs"} if way == "graphs" else {})}
        runs = [guard("board", "--branches", "--json", cwd=top, env=env), guard("conflicts", "--branches", "--json", cwd=top, env=env)]
        for r in runs:
            assert r.returncode == 0, r.stderr[-2000:]
        outputs[way] = [r.stdout for r in runs]
        if way == "delta":
            assert probes(runs[0])["delta-flights"] == 1 and probes(runs[0])["graph-flights"] == 0
    assert outputs["delta"] == outputs["graphs"]


def fast_import(repo, ref, files, parent=None):
    out = [f"commit {ref}\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\n"]
    if parent:
        out.append(f"from {parent}\n")
    for path, text in files.items():
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=git_env(), input="".join(out).encode(), check=True)


def test_a_document_in_every_folder_of_a_deep_push_costs_a_step_a_folder(tmp_path):
    """2,048 nested folders with a document in each (a tree a pusher may send; each folder
    looked its type up through every folder above it, which made the push cubic in its depth:
    1.3 s at 2,048 in a release build). Each folder's state now comes from its parent's; the
    folder of an overlay that claims other folders looks its type up through every folder
    above it, once."""
    depth = 2048
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": BASIC, "changes/a.md": fm(status="draft"), "modules/auth.md": fm(status="stable")})
    files = {"/".join(["changes"] * k) + f"/x{k}.md": fm(status="active", touches="[auth]") for k in range(1, depth + 1)}
    files["changes/changes/tropo.toml"] = '[types.change]\nfolder = "work"\n'  # "work" claimed too
    fast_import(repo, "refs/heads/main", files, parent="refs/heads/main^0")
    r = guard("board", "--rev", "main", "--json", cwd=repo, env={**STATS, "EXO_GUARD_CACHE": "0"})
    assert r.returncode == 0, r.stderr[-2000:]
    seen = probes(r)
    assert seen["type-up-to-root"] == 1, seen  # changes/changes, whose overlay claims another folder
    assert seen["folder-from-parent"] == depth, seen  # modules and the chain but changes/changes
    assert r.stdout.count('"status": "active"') == depth
    # pushed: judged (no budget here: a debug build runs slower than the server's), and the
    # 2,048 new changes sharing auth reported
    bare = bare_server(tmp_path)
    git(bare, "config", "exo.timeout", "0")
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0 and "exo.timeout" not in r.stderr, r.stderr[-2000:]
    pairs = depth * (depth - 1) // 2
    assert "new conflict" in r.stderr and f"auth: shared by {pairs - 20} of them" in r.stderr, r.stderr[-2000:]


def test_a_watched_branch_of_deep_changes_is_read_by_what_it_changed(tmp_path):
    """A branch on the server with a change in each of 2,048 nested folders, and a push to
    main beside it. Reading that branch's flights took 70 s in a release build: for each
    file its folders were looked up from the top through folders main does not have, and
    each changed id was looked for among every document of the delta, then of each graph.
    Now each folder is reached from its parent by the tree key in its parent's listing, and
    each pass is made once: the push is judged within the server's budget, both ways."""
    depth = 2048
    bare = bare_server(tmp_path)
    fast_import(bare, "refs/heads/main", {"tropo.toml": BASIC, "modules/auth.md": fm(status="stable"), "changes/a.md": fm(status="draft")})
    files = {"/".join(["changes"] * k) + f"/x{k}.md": fm(status="active", touches="[auth]") for k in range(1, depth + 1)}
    fast_import(bare, "refs/heads/deep", files, parent="refs/heads/main^0")  # made on the server: no hook
    git(bare, "config", "exo.watchDays", "0")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--single-branch", "-b", "main", str(bare), str(work))
    (work / "changes" / "mine.md").write_text(fm(status="active", touches="[auth]"))
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "mine")
    for way in ("delta", "graphs"):
        env = {**STATS, **({"EXO_GUARD_TEST_FLIGHTS": "graphs"} if way == "graphs" else {})}
        r = git(work, "push", "origin", "main", check=False, env=env)
        assert r.returncode != 0 and "exo.timeout" not in r.stderr, (way, r.stderr[-2000:])
        assert f"mine <-> x1" in r.stderr and "in flight on deep" in r.stderr, (way, r.stderr[-3000:])
        seen = [l for l in r.stderr.splitlines() if "exo-guard probes:" in l]
        assert seen and f"{ {'delta': 'delta', 'graphs': 'graph'}[way]}-flights=1" in seen[-1], (way, seen)
        shutil.rmtree(bare / "exo-guard", ignore_errors=True)  # no cache: each way reads the branch


@pytest.mark.parametrize("seed", range(6))
def test_long_exclude_lists_match_the_reference(tmp_path, seed):
    """Exclude lists thousands long, with duplicates and every form a pattern takes
    (components, prefixes, trailing `/` and `/**`, backslashes, numbers that are the same
    value), at the root and in overlays: merged through sets and matched through sets
    (ExcludeRules), as exo merges and matches them one by one."""
    rng = random.Random(seed)
    names = ["d", "x", "old", "drafts", "team", "a\\b"]
    def pattern():  # mostly names no path holds, now and then one many do
        pool = names if rng.random() < 0.003 else [f"n{rng.randint(0, 3000)}"]
        parts = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
        p = "/".join(parts)
        return rng.choice([p, p + "/", p + "/**", p.replace("/", "\\"), "changes/" + p, "./" + p])
    root = [pattern() for _ in range(3000)]
    files = {"tropo.toml": "exclude = [" + ", ".join(f"'{p}'" for p in root) + "]\n" + BASIC,
             "modules/auth.md": fm(status="stable")}
    for k in range(40):
        folder = "changes/" + "/".join(rng.choice(names + [f"n{rng.randint(0, 3000)}"]) for _ in range(rng.randint(1, 5)))
        files[f"{folder}/c{k}.md"] = fm(status="active", touches="[auth]")
        if rng.random() < 0.3:
            files[f"{folder}/tropo.toml"] = "exclude = [" + ", ".join(f"'{pattern()}'" for _ in range(200)) + "]\n"
    if seed % 3 == 0:  # numbers equal by value are one entry, then refused as not strings
        files["tropo.toml"] = files["tropo.toml"].replace("exclude = [", "exclude = [1, 1.0, true, ", 1)
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, files)
    for cmd in COMMANDS:
        r = reference(*cmd, cwd=top)
        assert_matches((r.returncode, r.stdout, r.stderr), guard(*cmd, cwd=top), f"seed {seed} {cmd}")


def overlay_chain(seed, depth):
    """A chain `depth` folders deep below changes/ with an overlay in nearly every folder
    adding excludes: names of folders above it (which exclude the overlay's own folder and
    all below), names and relative paths of folders below, patterns no path holds, `\\`,
    trailing `/` and `/**`; a document in every folder."""
    rng = random.Random(seed)
    chain = ["changes"] + [rng.choice(NAMES) for _ in range(depth)]
    files = {"tropo.toml": BASIC, "modules/auth.md": fm(status="stable")}
    for level in range(1, len(chain)):
        folder = "/".join(chain[: level + 1])
        files[f"{folder}/c{level}.md"] = fm(status="active", touches="[auth]")
        if rng.random() < 0.1:
            continue
        below = chain[level + 1 : level + 1 + rng.randint(1, 3)]
        patterns = [f"zz{level}"]
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.04:
                patterns.append(rng.choice(chain[1 : level + 1]))  # a folder above: all below it goes
            elif r < 0.3 and below:
                patterns.append(rng.choice([below[-1], "/".join(below), "./" + "/".join(below), "\\".join(below) + "/"]))
            else:
                patterns.append(rng.choice(["q/r", f"n{level}/**", "a\\b/zz", "/abs"]))
        files[f"{folder}/tropo.toml"] = "exclude = [" + ", ".join(f"'{p}'" for p in patterns) + "]\n"
    return files


@pytest.mark.parametrize("seed", range(10))
def test_nested_overlays_excluding_match_the_reference(tmp_path, seed):
    """An overlay in nearly every folder of a chain, each adding excludes to those above it
    (ExcludeRules shared through persistent hash trees, each folder's exclusion made from its
    parent's): as exo composes and matches them, on the files and in a commit."""
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, overlay_chain(seed, 60))
    assert_like_reference(top, f"seed {seed}")


def test_nested_overlays_cost_what_each_adds(tmp_path):
    """1,024 nested folders, each with a document and an overlay adding two excludes, one of
    them relative (made a path as deep as the overlay): each overlay's configuration shares
    its parent's rules and specs (it took a copy of every rule above it, and every document's
    path was matched prefix by prefix, each prefix hashed from the start: 21 s in a release
    build). The overlay at level 1,000 excludes the chain below it by a folder name above it:
    the documents below are left out by their folder's state, their paths not matched."""
    depth, cut = 1024, 1000
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": BASIC, "modules/auth.md": fm(status="stable")})
    files = {}
    for k in range(1, depth + 1):
        folder = "/".join(["changes"] * k)
        files[f"{folder}/x{k}.md"] = fm(status="active", touches="[auth]")
        files[f"{folder}/tropo.toml"] = f'exclude = ["zz{k}", "a/b{k}"]\n' if k != cut else 'exclude = ["changes"]\n'
    fast_import(repo, "refs/heads/main", files, parent="refs/heads/main^0")
    r = guard("board", "--rev", "main", "--json", cwd=repo, env={**STATS, "EXO_GUARD_CACHE": "0"})
    assert r.returncode == 0, r.stderr[-2000:]
    seen = probes(r)
    assert seen["specs-from-parent"] == depth, seen  # no overlay names a field, derive or type
    assert seen["excluded-by-folder"] == depth - cut + 1, seen  # x1000 and every one below
    assert r.stdout.count('"status": "active"') == cut - 1


SPEC_ERRORS = [
    '[types.module]\nfolder = "gates"\n',  # a folder two types claim
    '[base.optional]\npeer = "string"\n',  # loosens ref-list, where declared
    '[types.change.optional]\nstage = "enum:a|z"\n',  # widens, where declared
]


def spec_chain(seed, depth):
    """A chain below changes/ with an overlay in most folders naming fields, derive entries,
    types and folders, each tightening those above it (the fields a document's type makes
    edges of change on the way down); in one seed in four, one that breaks a composition
    rule somewhere."""
    rng = random.Random(seed)
    chain = ["changes"] + [rng.choice(["changes", "d", "x", "team"]) for _ in range(depth)]
    files = {"tropo.toml": BASIC, "modules/auth.md": fm(status="stable"), "gates/release.md": fm(status="open")}
    owner = stage = None  # what the chain above has declared
    broken = rng.randint(1, depth) if seed % 4 == 3 else None
    for level in range(1, len(chain)):
        folder = "/".join(chain[: level + 1])
        field = rng.choice([("touches", "[auth]"), ("owner", "auth"), ("peer", "[release]"), ("gate", "release")])
        files[f"{folder}/c{level}.md"] = fm(status="active", **dict([field]))
        if level == broken:
            files[f"{folder}/tropo.toml"] = rng.choice(SPEC_ERRORS)
            continue
        if rng.random() < 0.35:
            continue
        base, change, rest = [], [], []
        for pick in rng.sample(range(8), rng.randint(1, 3)):
            if pick == 0:
                base.append('peer = "ref-list"')  # an edge for every type
            elif pick == 1:
                rest.append('[base]\nderive = ["peer"]\n')  # derived: no edge, whatever its spec
            elif pick == 2 and owner != "required":
                owner = rng.choice(["optional", "required"])  # optional -> required
                rest.append(f'[types.change.{owner}]\nowner = "ref"\n')
            elif pick == 3:
                base.append(f'f{level} = "string"')
            elif pick == 4:
                rest.append(f'[types.gate]\nfolder = ["x{level}", "x"]\n')
            elif pick == 5:
                rest.append('[types.decision]\nfolder = "d"\n[types.decision.optional]\npeer = "ref"\ntouches = "ref-list"\n')
            elif pick == 6:
                stage = "enum:a|b|c" if stage is None else "enum:a|b"  # declared, then narrowed
                change.append(f'stage = "{stage}"')
            elif pick == 7:
                base.append(f'r{level} = "ref"')
        text = "".join(rest)
        if base:
            text += "[base.optional]\n" + "\n".join(base) + "\n"
        if change and "[types.change.optional]" not in text:  # one table of a name in a file
            text += "[types.change.optional]\n" + "\n".join(change) + "\n"
        if text:
            files[f"{folder}/tropo.toml"] = text
    return files


@pytest.mark.parametrize("seed", range(12))
def test_nested_overlays_naming_fields_match_the_reference(tmp_path, seed):
    """Field specs, derive entries, types and folders made from the parent configuration's
    with the overlay's named fields made again (EffectiveConfig+Specs): the same edges and
    the same composition errors as exo's, on the files and in a commit."""
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, spec_chain(seed, 50))
    assert_like_reference(top, f"seed {seed}")


def test_nested_overlays_naming_fields_cost_what_each_adds(tmp_path):
    """1,024 nested folders, each with an active change and an overlay declaring two fields
    of its own, one of them a reference the change's document uses (each configuration's
    specs were made again from every field above it, and kept: 5.7 s and 730 MB in a
    release build at 2,048). Each overlay's specs are its parent's hash tree with its two
    fields added: every change still has its edge."""
    depth = 1024
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": BASIC, "modules/auth.md": fm(status="stable")})
    files = {}
    for k in range(1, depth + 1):
        folder = "/".join(["changes"] * k)
        files[f"{folder}/x{k}.md"] = fm(status="active", **{f"r{k}": "auth"})
        files[f"{folder}/tropo.toml"] = f'[base.optional]\nf{k} = "string"\nr{k} = "ref"\n'
    fast_import(repo, "refs/heads/main", files, parent="refs/heads/main^0")
    r = guard("conflicts", "--rev", "main", "--json", cwd=repo, env={**STATS, "EXO_GUARD_CACHE": "0"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert probes(r)["specs-from-parent"] == 0
    assert len(json.loads(r.stdout)["conflicts"]) == depth * (depth - 1) // 2  # every pair shares auth
