"""The two engines the session chooses between (Sources/ExoGraph/Coordination/Engine.swift):
the fast one (Sources/ExoEngine: views derived or kept, comparisons through the changed ids'
pairs, graphs made from a near one's) and the
plain one (`EXO_GUARD_ENGINE=plain`: exo's view computed whole, ExoRules' judgement pair by
pair) give the same verdict and report on random commits, and each really ran its own way
(the probes)."""
import json
import random
import shutil

import pytest

from conftest import STATS, git, guard, probes, without_probes
from test_branches_property import build_history

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'
MODULES = [f"m{i}" for i in range(6)]


def change(rng):
    status = rng.choice(["active", "active", "draft", "done"])
    touches = ", ".join(rng.sample(MODULES, rng.randint(0, 3)))
    assignee = f"\nassignee: a{rng.randrange(3)}" if rng.random() < 0.3 else ""
    return f"---\nstatus: {status}\ntouches: [{touches}]{assignee}\n---\n"


def test_the_plain_and_the_fast_engine_agree_on_random_commits(tmp_path):
    rng = random.Random(12)
    repo = tmp_path / "repo"
    (repo / "changes").mkdir(parents=True)
    (repo / "modules").mkdir()
    (repo / "tropo.toml").write_text(TOML)
    for m in MODULES:
        (repo / "modules" / f"{m}.md").write_text(f"# {m}\n")
    # Some in a folder of their own, which now and then gives way to a file of its name and
    # back (what a staged index is compared with HEAD by: folder against file).
    names = [f"c{i}" for i in range(14)] + [f"team/t{i}" for i in range(4)]
    for n in names[:10]:
        (repo / "changes" / f"{n}.md").write_text(change(rng))
    git(repo, "init", "-q")
    git(repo, "config", "exo.watch", "none")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "start")
    compared = {"new": 0, "existing": 0, "resolved": 0}
    fast_ways = derived_graphs = 0
    team = repo / "changes" / "team"
    for round_ in range(24):
        for _ in range(rng.randint(1, 4)):  # edit, add or remove changes, then stage
            path = repo / "changes" / f"{rng.choice(names)}.md"
            if rng.random() < 0.08:  # the folder turned into a file, or the file into a folder
                if team.is_dir():
                    shutil.rmtree(team)
                    team.write_text("not a folder\n")
                else:
                    team.unlink(missing_ok=True)
                continue
            if path.parent == team and team.is_file():
                team.unlink()
            path.parent.mkdir(exist_ok=True)
            if path.exists() and rng.random() < 0.2:
                path.unlink()
            else:
                path.write_text(change(rng))
        git(repo, "add", "-A")
        for args in (("check", "--staged", "--json"), ("conflicts", "--json"), ("board", "--json")):
            fast = guard(*args, cwd=repo, env=STATS)
            plain = guard(*args, cwd=repo, env={**STATS, "EXO_GUARD_ENGINE": "plain"})
            assert fast.returncode == plain.returncode, (args, fast.stderr, plain.stderr)
            assert json.loads(fast.stdout) == json.loads(plain.stdout), (round_, args)
            p, f = probes(plain), probes(fast)
            assert p["derived-view"] == 0 and p["kept-view"] == 0 and p["changed-pairs-diff"] == 0, p
            # The fast run before it left a cache; the plain engine's walk remembers nothing.
            assert p["cached-fields"] == p["cached-folder"] == p["folder-from-version"] == p["read-ahead"] == 0, p
            assert without_probes(fast).stderr == without_probes(plain).stderr
            if args[0] == "check":
                fast_ways += f["derived-view"] + f["changed-pairs-diff"] + f["kept-view"]
                derived_graphs += f["derived-graph"]  # the staged graph made from HEAD's
                out = json.loads(fast.stdout)
                for k in compared:
                    compared[k] += len(out[k])
        if rng.random() < 0.5:
            git(repo, "commit", "-q", "--no-verify", "-m", f"round {round_}")
    assert fast_ways > 20  # the fast engine took its own ways, so the comparison means something
    assert derived_graphs > 10, derived_graphs
    assert all(v > 5 for v in compared.values()), compared


@pytest.mark.parametrize("seed", range(0, 72, 2))
def test_the_plain_and_the_fast_engine_agree_across_branches(tmp_path, seed):
    """Random histories of many branches (test_branches_property's): `check --staged` on the
    line and a server's pre-receive of every branch at once, each engine. The plain one reads
    each ref's flights from whole views and judges with ExoRules' pairs; the fast one with
    delta flights, cross states and indexes (and the cache). Same report, word for word."""
    repo, _ = build_history(tmp_path / "r", seed)
    plain_env = {**STATS, "EXO_GUARD_ENGINE": "plain"}
    fast = guard("check", "--staged", "--json", "--mode", "warn", cwd=repo.path, env=STATS)
    plain = guard("check", "--staged", "--json", "--mode", "warn", cwd=repo.path, env=plain_env)
    assert fast.returncode == plain.returncode == 0, (fast.stderr, plain.stderr)
    assert json.loads(fast.stdout) == json.loads(plain.stdout)
    p, f = probes(plain), probes(fast)
    assert p["plain-cross"] >= 1 and p["computed-cross"] + p["derived-cross"] + p["cached-cross"] == 0, p
    assert p["delta-flights"] == 0 and f["plain-cross"] == 0, (p, f)
    def words(r):  # the report, less the counts of what each engine read
        return "".join(line for line in without_probes(r).stderr.splitlines(True) if not line.startswith("exo-guard stats:"))
    assert words(fast) == words(plain)
    # the listings across branches
    for args in (("conflicts", "--branches", "--json"), ("board", "--branches", "--json")):
        listed = [guard(*args, cwd=repo.path, env=env) for env in (STATS, plain_env)]
        assert listed[0].returncode == listed[1].returncode, listed[1].stderr
        assert json.loads(listed[0].stdout) == json.loads(listed[1].stdout), args
        assert probes(listed[1])["delta-flights"] == 0
    # the text report too, and through a server's pre-receive of every branch
    fast_text = guard("check", "--staged", "--mode", "warn", cwd=repo.path)
    plain_text = guard("check", "--staged", "--mode", "warn", cwd=repo.path, env={"EXO_GUARD_ENGINE": "plain"})
    assert fast_text.stdout + fast_text.stderr == plain_text.stdout + plain_text.stderr
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--mirror", str(repo.path), str(bare))
    branches = [b for b in git(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/").stdout.splitlines()
                if not b.startswith("refs/heads/main ")]
    for b in branches:
        git(bare, "update-ref", "-d", b.split()[0])
    git(bare, "config", "exo.watchDays", "0")
    stdin = "".join(f"{'0' * 40} {b.split()[1]} {b.split()[0]}\n" for b in branches)
    runs = [guard("hook", "pre-receive", "--json", "--mode", "warn", cwd=bare, input=stdin,
                  env={**env, "GIT_DIR": str(bare), "EXO_GUARD_ADMISSIONS": "0"}) for env in (STATS, plain_env)]
    assert runs[0].returncode == runs[1].returncode == 0, runs[1].stderr
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
    assert probes(runs[1])["plain-cross"] >= 1


def test_the_plain_engine_reads_and_keeps_no_cache(tmp_path):
    """The plain engine answers from the definitions alone: on a repository with no cache it
    leaves none, and with the cache a fast run left it takes exactly the ways it takes with
    the cache turned off (EXO_GUARD_CACHE=0): nothing read from a folder, fields or a view an
    earlier run kept, and within the run no folder taken from an earlier walk (HEAD's and the
    index's graphs each walked and parsed whole)."""
    repo, _ = build_history(tmp_path / "r", 3)
    cache = repo.path / ".git" / "exo-guard" / "parse-cache"
    plain_env = {**STATS, "EXO_GUARD_ENGINE": "plain"}
    args = ("check", "--staged", "--json", "--mode", "warn")
    plain = guard(*args, cwd=repo.path, env=plain_env)
    assert plain.returncode == 0, plain.stderr
    assert not cache.exists()
    fast = guard(*args, cwd=repo.path, env=STATS)
    assert fast.returncode == 0 and cache.exists(), fast.stderr
    warm = guard(*args, cwd=repo.path, env=plain_env)
    off = guard(*args, cwd=repo.path, env={**plain_env, "EXO_GUARD_CACHE": "0"})
    assert json.loads(warm.stdout) == json.loads(off.stdout) == json.loads(fast.stdout)
    assert probes(warm) == probes(off), (probes(warm), probes(off))
    assert probes(warm)["cached-folder"] == 0 and probes(off)["cached-folder"] == 0
    assert probes(guard(*args, cwd=repo.path, env=STATS))["cached-folder"] > 0  # the cache is there to be read
