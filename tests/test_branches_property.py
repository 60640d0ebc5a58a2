"""A property test: on random histories of several branches (forks, edits, merges, squash
merges), what `check --staged` finds new and existing across branches equals a plain
computation written here from GUARD.md's definitions, reading the commits with git alone:
work in flight, the line settling it, work that moved on, one piece of work on several refs,
a change taken up twice keyed by the change and the ref holding it."""
import json
import random
import subprocess

import pytest

from conftest import git, guard, probes

MODULES = ["m0", "m1", "m2", "m3"]
CHANGES = ["c0", "c1", "c2", "c3", "c4"]
STATUSES = ["active", "active", "draft", "done"]
ASSIGNEES = [None, "ann", "bo"]
TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def doc(status, targets, assignee):
    who = f"assignee: {assignee}\n" if assignee else ""
    return f"---\nstatus: {status}\ntouches: [{', '.join(targets)}]\n{who}---\n"


def parse(text):
    """The generated documents only: status, touches, assignee."""
    if text is None:
        return None
    fields = {}
    for line in text.split("---\n")[1].splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    targets = sorted({t.strip() for t in fields.get("touches", "[]").strip("[]").split(",") if t.strip()})
    return (fields.get("status"), tuple(targets), fields.get("assignee"))


def active(state):
    return state is not None and state[0] == "active"


class Repo:
    def __init__(self, path, rng):
        self.path = path
        self.rng = rng
        self.n = 0
        self.views = {}

    def git(self, *args, check=True):
        return git(self.path, *args, check=check)

    def random_edit(self):
        for _ in range(self.rng.randint(1, 2)):
            c = self.rng.choice(CHANGES)
            targets = self.rng.sample(MODULES, self.rng.randint(0, 2))
            (self.path / "changes" / f"{c}.md").write_text(
                doc(self.rng.choice(STATUSES), targets, self.rng.choice(ASSIGNEES)))

    def commit(self):
        self.n += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", f"c{self.n}")

    def view(self, rev):
        """{id: state} of a commit (rev) or of the index (rev ""), a commit's read once."""
        if rev:
            rev = self.git("rev-parse", rev).stdout.strip()
            if rev in self.views:
                return self.views[rev]
        out = {}
        for c in CHANGES:
            r = self.git("show", f"{rev}:changes/{c}.md", check=False)
            state = parse(r.stdout) if r.returncode == 0 else None
            if state is not None:
                out[c] = state
        if rev:
            self.views[rev] = out
        return out

    def tip(self, ref):
        return self.git("rev-parse", ref).stdout.strip()

    def is_ancestor(self, a, b):
        """Whether commit a is an ancestor of commit b (or b itself)."""
        return self.git("merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def local_conflicts(view):
    items = sorted(c for c, s in view.items() if active(s))
    out = {}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            shared = sorted(set(view[a][1]) & set(view[b][1]))
            if shared:
                out[(a, b)] = shared
    return out


def assignee(state):
    return state[2] if state is not None else None


def status(state):
    return state[0] if state is not None else None


def taken_up(there, before):
    """GUARD.md: in flight (active, in another state than before) or claimed (the assignee
    set and other than before's, whatever the status)."""
    if there is None or there == before:
        return False
    return active(there) or (assignee(there) is not None and assignee(there) != assignee(before))


def in_flight(tip, base, line):
    """Each change taken up on the ref, unless the line settled it: (id, state there,
    whether the line took it up too). A claim alone settles nothing."""
    items = []
    for x, there in tip.items():
        if not taken_up(there, base.get(x)):
            continue
        here = line.get(x)
        changed = here != base.get(x)
        if changed and (here is None or here == there or (not active(here) and status(here) != status(base.get(x)))):
            continue
        items.append((x, there, changed and taken_up(here, base.get(x))))
    return items


def moved_on(repo, name, items, local_refs):
    """GUARD.md: X is not in flight on R when R's tip is an ancestor of the tip of another
    local branch (watched or not) where X's state differs from R's."""
    kept = []
    for x, there, taken in items:
        moved = False
        for other in local_refs:
            if other == name or repo.tip(other) == repo.tip(name):
                continue
            if repo.is_ancestor(repo.tip(name), repo.tip(other)) and repo.view(other).get(x) != there:
                moved = True
                break
        if not moved:
            kept.append((x, there, taken))
    return kept


def one_piece(repo, refs):
    """GUARD.md: X in flight on R1 and R2 in the same state, their merge base holding X in
    that state, transitively, is one piece of work: kept on the ref whose tip is an ancestor
    of every other tip of the group (else main, then by name). refs: [(name, items)]."""
    holders = {}
    for name, items in refs:
        for x, there, _ in items:
            holders.setdefault((x, there), []).append(name)
    drop = set()
    for (x, there), names in holders.items():
        parent = {n: n for n in names}

        def find(n):
            while parent[n] != n:
                n = parent[n]
            return n
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                mb = repo.git("merge-base", a, b, check=False).stdout.strip()
                if mb and repo.view(mb).get(x) == there:
                    parent[find(b)] = find(a)
        groups = {}
        for n in names:
            groups.setdefault(find(n), []).append(n)
        for group in groups.values():
            if len(group) < 2:
                continue
            ordered = sorted(group, key=lambda n: (n != "refs/heads/main", n))
            keeper = next((r for r in ordered if all(repo.is_ancestor(repo.tip(r), repo.tip(o)) for o in group)),
                          ordered[0])
            drop.update((n, x) for n in group if n != keeper)
    return [(name, [i for i in items if (name, i[0]) not in drop]) for name, items in refs]


def cross_conflicts(line, refs):
    """refs: [(name, [(id, state, taken_up)])]; returns [(a, a_ref, b, b_ref, shared)].
    A change only claimed on a ref (not active there) shares no target with anything."""
    lines = [(None, [(x, s, False) for x, s in line.items() if active(s)])] + refs
    out = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            for x, sx, _ in lines[i][1]:
                for y, sy, taken in lines[j][1]:
                    shared = sorted(set(sx[1]) & set(sy[1])) if active(sx) and active(sy) else []
                    if x == y:
                        if (taken if lines[i][0] is None else sx != sy):
                            out.append((x, lines[i][0], y, lines[j][0], shared))
                    elif shared:
                        out.append((x, lines[i][0], y, lines[j][0], shared))
    # taken up on the line without being active there (a claim): still taken up twice
    on_line = {x for x, _, _ in lines[0][1]}
    for name, items in refs:
        for y, _, taken in items:
            if taken and y not in on_line:
                out.append((y, None, y, name, []))
    return out


def key(a, b):
    return (min(a, b), max(a, b))


def oracle(repo, watched):
    """new and existing, as sets of (a, b, shared, ref or None), for pre-commit on HEAD."""
    base = repo.view("HEAD")
    target = repo.view("")
    refs_base, refs_target = [], []
    local_refs = repo.git("for-each-ref", "--format=%(refname)", "refs/heads/").stdout.split()
    for name in watched:
        tip = repo.view(name)
        mb = repo.git("merge-base", name, "HEAD", check=False).stdout.strip()
        m = repo.view(mb) if mb else {}
        refs_base.append((name, moved_on(repo, name, in_flight(tip, m, base), local_refs)))
        refs_target.append((name, moved_on(repo, name, in_flight(tip, m, target), local_refs)))
    refs_base, refs_target = one_piece(repo, refs_base), one_piece(repo, refs_target)
    bl, tl = local_conflicts(base), local_conflicts(target)
    new, existing = set(), set()
    for (a, b), shared in tl.items():
        had = bl.get((a, b))
        (existing if had is not None and set(shared) <= set(had) else new).add((a, b, tuple(shared), None))
    before = {}
    taken_before = set()  # a change taken up twice: keyed by the change and the ref holding it
    for (a, b), shared in bl.items():
        before.setdefault(key(a, b), set()).update(shared)
    for a, a_ref, b, b_ref, shared in cross_conflicts(base, refs_base):
        if a == b:
            if a_ref is None:
                taken_before.add((a, b_ref))
            continue
        before.setdefault(key(a, b), set()).update(shared)
    target_pairs = cross_conflicts(target, refs_target)
    union = {}  # a pair's shared targets: the union over every ref holding the other change
    for a, a_ref, b, b_ref, shared in target_pairs:
        if a_ref is None and a != b:
            union.setdefault(key(a, b), set()).update(shared)
    for a, a_ref, b, b_ref, shared in target_pairs:
        if a_ref is not None:
            continue
        if a == b:
            (existing if (a, b_ref) in taken_before else new).add((a, b, tuple(shared), b_ref))
            continue
        k = key(a, b)
        shared = sorted(union[k])
        old = k in tl or (k in before and set(shared) <= before[k])
        (existing if old else new).add((a, b, tuple(shared), b_ref))
    return new, existing


def build_history(path, seed):
    rng = random.Random(seed)
    repo = Repo(path, rng)
    path.mkdir()
    (path / "modules").mkdir()
    (path / "changes").mkdir()
    (path / "tropo.toml").write_text(TOML)
    for m in MODULES:
        (path / "modules" / f"{m}.md").write_text(f"# {m}\n")
    for c in CHANGES:
        (path / "changes" / f"{c}.md").write_text(doc("draft", [], None))
    repo.git("init", "-q")
    repo.commit()
    repo.git("config", "exo.watchDays", "0")
    branches = []
    for step in range(rng.randint(6, 14)):
        op = rng.random()
        if op < 0.3 or not branches:
            name = f"b{len(branches)}"
            start = rng.choice(["main"] + branches)
            repo.git("checkout", "-q", "-b", name, start)
            branches.append(name)
            repo.random_edit()
            repo.commit()
        elif op < 0.6:
            repo.git("checkout", "-q", rng.choice(["main"] + branches))
            repo.random_edit()
            repo.commit()
        elif op < 0.8:
            repo.git("checkout", "-q", "main")
            r = repo.git("merge", "-q", "--no-verify", "--no-edit", rng.choice(branches), check=False)
            if r.returncode != 0:
                repo.git("merge", "--abort", check=False)
        else:
            repo.git("checkout", "-q", "main")
            r = repo.git("merge", "-q", "--squash", rng.choice(branches), check=False)
            if r.returncode == 0:
                repo.commit()
            else:
                repo.git("reset", "-q", "--hard")
    line = rng.choice(["main"] + branches)
    repo.git("checkout", "-q", line)
    repo.random_edit()
    repo.git("add", "-A")
    watched = [f"refs/heads/{b}" for b in ["main"] + branches if b != line]
    return repo, watched


@pytest.mark.parametrize("seed", range(72))
def test_new_across_branches_matches_the_definition(tmp_path, seed):
    repo, watched = build_history(tmp_path / "r", seed)
    # merge bases from the walk over commits read once (CommitGraph.swift), each checked
    # against libgit2's on these random histories with merges
    r = guard("check", "--staged", "--json", "--mode", "warn", cwd=repo.path,
              env={"EXO_GUARD_STATS": "1", "EXO_GUARD_TEST_MERGE_BASE": "compare"})
    assert r.returncode == 0, r.stderr
    assert "merge base differs" not in r.stderr, r.stderr
    assert probes(r)["painted-merge-base"] > 0
    out = json.loads(r.stdout)
    # HEAD's cross state computed, the index's derived from it or computed: both checked
    # against the definition below (the seeds reach both)
    assert probes(r)["cached-cross"] == 0, r.stderr

    def got(kind):
        return {(c["a"], c["b"], tuple(c["shared"]), c.get("ref")) for c in out[kind]}

    new, existing = oracle(repo, watched)
    assert got("new") == new
    assert got("existing") == existing
    # again, each ref's flights now taken from the cache: the same answer
    again = guard("check", "--staged", "--json", "--mode", "warn", cwd=repo.path, env={"EXO_GUARD_STATS": "1"})
    assert json.loads(again.stdout) == out
    assert "folder diffs 0" in again.stderr
    # and each state's lines and conflicts across them, when any ref has work in flight,
    # from the cache as well (the first run computed and kept them)
    plain = guard("check", "--staged", "--json", "--mode", "warn", cwd=repo.path,
                  env={"EXO_GUARD_STATS": "1", "EXO_GUARD_CACHE": "0"})
    assert json.loads(plain.stdout) == out
    assert probes(plain)["cached-cross"] == 0 and probes(again)["computed-cross"] == 0, again.stderr


def committed_and_mirrored(repo, tmp_path):
    """The line's staged change committed, and the repository mirrored into a bare server
    (HEAD on main, every tip watched) whose line is still at the old commit: the line's ref,
    its old and new tips, and the server."""
    line = repo.git("symbolic-ref", "HEAD").stdout.strip()
    old = repo.tip("HEAD")
    repo.commit()
    pushed = repo.tip("HEAD")
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--mirror", str(repo.path), str(bare))
    git(bare, "update-ref", line, old)
    git(bare, "symbolic-ref", "HEAD", "refs/heads/main")
    git(bare, "config", "exo.watchDays", "0")
    return line, old, pushed, bare


@pytest.mark.parametrize("seed", range(0, 72, 3))
def test_pre_receive_finds_what_the_definition_finds(tmp_path, seed):
    """The same histories through a server's pre-receive: the line's staged change committed,
    the repository mirrored into a bare server whose branch is still at the old commit, and
    the push's ref line judged there. Same base, same target content, same other branches:
    the same new and existing pairs as the definition."""
    repo, watched = build_history(tmp_path / "r", seed)
    new, existing = oracle(repo, watched)
    line, old, pushed, bare = committed_and_mirrored(repo, tmp_path)
    r = guard("hook", "pre-receive", "--json", "--mode", "warn", cwd=bare, input=f"{old} {pushed} {line}\n",
              env={"GIT_DIR": str(bare)})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {(c["a"], c["b"], tuple(c["shared"]), c.get("ref")) for c in out["new"]} == new
    assert {(c["a"], c["b"], tuple(c["shared"]), c.get("ref")) for c in out["existing"]} == existing


@pytest.mark.parametrize("seed", range(1, 72, 4))
def test_a_push_of_every_branch_is_each_branch_pushed_alone(tmp_path, seed):
    """Every branch of a random history pushed at once as a new ref to a server holding main:
    each ref is judged against every other at its new value, so the push finds, pair for pair,
    what each branch finds pushed alone to a server that already holds all the others; and
    the same whatever the order of the push's lines (each check watches its own set of refs:
    nothing one learnt of the others may answer the next)."""
    repo, _ = build_history(tmp_path / "r", seed)
    branches = [b for b in repo.git("for-each-ref", "--format=%(refname)", "refs/heads/").stdout.split()
                if b != "refs/heads/main"]
    tips = {b: repo.tip(b) for b in branches}
    zero = "0" * 40
    env = {"EXO_GUARD_ADMISSIONS": "0"}

    def server(name, present=()):
        bare = tmp_path / name
        git(tmp_path, "clone", "-q", "--mirror", str(repo.path), str(bare))
        for b in branches:
            if b not in present:
                git(bare, "update-ref", "-d", b)
        git(bare, "symbolic-ref", "HEAD", "refs/heads/main")
        git(bare, "config", "exo.watchDays", "0")
        return bare

    def judged(bare, refs):
        r = guard("hook", "pre-receive", "--json", "--mode", "warn", cwd=bare,
                  input="".join(f"{zero} {tips[b]} {b}\n" for b in refs), env={**env, "GIT_DIR": str(bare)})
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        return {k: sorted(json.dumps(c, sort_keys=True) for c in out[k]) for k in ("new", "existing")}

    bare = server("all.git")
    forward = judged(bare, branches)
    assert judged(bare, branches[::-1]) == forward
    alone = {"new": [], "existing": []}
    for b in branches:
        one = judged(server(b.replace("/", "-") + ".git", present=[x for x in branches if x != b]), [b])
        for k in alone:
            alone[k] += one[k]
    assert {k: sorted(v) for k, v in alone.items()} == forward


@pytest.mark.parametrize("seed", range(2, 72, 5))
def test_the_update_hook_judges_a_ref_as_pre_receive_does(tmp_path, seed):
    """A push of one ref: the server's `update` hook (run per ref) and its `pre-receive` (one
    line on stdin) judge the same, pair for pair, word for word; for an existing branch moved
    on and for a new one."""
    repo, _ = build_history(tmp_path / "r", seed)
    line, old, pushed, bare = committed_and_mirrored(repo, tmp_path)
    env = {"GIT_DIR": str(bare), "EXO_GUARD_ADMISSIONS": "0"}
    cases = [(line, old, pushed)]
    if line != "refs/heads/main":
        cases.append(("refs/heads/fresh", "0" * 40, pushed))
    for ref, before, after in cases:
        for args in (("--json",), ()):
            by_update = guard("hook", "update", ref, before, after, "--mode", "warn", *args, cwd=bare, env=env)
            by_receive = guard("hook", "pre-receive", "--mode", "warn", *args, cwd=bare, env=env,
                               input=f"{before} {after} {ref}\n")
            assert by_update.returncode == by_receive.returncode == 0, by_update.stderr + by_receive.stderr
            assert (by_update.stdout, by_update.stderr) == (by_receive.stdout, by_receive.stderr), (ref, args)


@pytest.mark.parametrize("seed", range(3, 72, 5))
def test_a_pre_push_of_every_branch_is_each_branch_pushed_alone(tmp_path, seed):
    """A client pushing every branch at once to a remote that holds main: pre-push judges each
    ref as it judges that ref pushed alone (each check watches every ref but its own), in
    the same order: the report of the push is the reports of its refs, list by list."""
    repo, _ = build_history(tmp_path / "r", seed)
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo.git("push", "-q", "--no-verify", str(bare), "main")
    repo.git("remote", "add", "origin", str(bare))
    repo.git("fetch", "-q", "origin")
    branches = [b for b in repo.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/").stdout.splitlines()
                if not b.startswith("refs/heads/main ")]
    lines = [f"{name} {tip} {name} {'0' * 40}\n" for name, tip in (b.split() for b in branches)]
    env = {"EXO_GUARD_ADMISSIONS": "0"}

    def judged(stdin):
        r = guard("hook", "pre-push", "origin", str(bare), "--json", "--mode", "warn", cwd=repo.path, input=stdin, env=env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    together = judged("".join(lines))
    alone = [judged(line) for line in lines]
    for kind in ("new", "existing", "resolved", "activated"):
        assert together[kind] == [x for one in alone for x in one[kind]], kind


@pytest.mark.parametrize("seed", range(4, 72, 5))
def test_claim_refuses_what_the_definition_holds_elsewhere(tmp_path, seed):
    """`claim X --agent zed` on a random line of a random history of many branches refuses
    (exit 1, the file untouched) exactly when GUARD.md's definitions put X taken up on a
    watched ref under another assignee or none (in flight or claimed there, not settled by
    the files on disk, not moved on; one piece of work counted once), and then names that
    ref; `--force` claims anyway. Each change is tried, the file put back after each."""
    repo, watched = build_history(tmp_path / "r", seed)
    line = repo.view("")
    local_refs = repo.git("for-each-ref", "--format=%(refname)", "refs/heads/").stdout.split()
    held = {}
    refs = []
    for name in watched:
        mb = repo.git("merge-base", name, "HEAD", check=False).stdout.strip()
        refs.append((name, moved_on(repo, name, in_flight(repo.view(name), repo.view(mb) if mb else {}, line), local_refs)))
    for name, items in one_piece(repo, refs):
        for x, there, _ in items:
            if assignee(there) != "zed":
                held.setdefault(x, []).append(name)
    refused = 0
    for c in CHANGES:
        path = repo.path / "changes" / f"{c}.md"
        if not path.exists():
            continue
        before = path.read_bytes()
        r = guard("claim", c, "--agent", "zed", cwd=repo.path)
        after = path.read_bytes()
        path.write_bytes(before)
        forced = guard("claim", c, "--agent", "zed", "--force", cwd=repo.path)
        path.write_bytes(before)
        if forced.returncode != 0:  # exo's own refusal on the line: the same without --force
            assert r.returncode == forced.returncode and after == before, (c, r.stderr, forced.stderr)
            continue
        if c in held:
            refused += 1
            assert r.returncode == 1 and after == before, (c, held[c], r.stdout, r.stderr)
            assert any(short_ref(n) in r.stderr for n in held[c]), (held[c], r.stderr)
        else:
            assert r.returncode == 0, (c, r.stderr)
    # (every one of these seeds holds such a change: 1 to 4 refused each)


def short_ref(name):
    return name.removeprefix("refs/heads/")
