"""`hook reference-transaction` (GUARD.md, "Taking up work is atomic"): opt-in, judges in
git's `prepared` state every update of a local branch to a commit no other ref holds, with
the branch's old value as base; what --no-verify, cherry-pick, rebase, am and fast-forwards
bring in unchecked. Real git; the branch moved or not, and the report's words."""
import pytest

from conftest import STATS, git, guard
from test_branches import RECENT, commit_all, head, write
from test_guard import change
from test_admission import main_with_two  # noqa: F401  (fixture)


@pytest.fixture
def guarded(main_with_two):  # noqa: F811
    repo, a, b = main_with_two
    r = guard("install", "--hook", "pre-commit", "--hook", "reference-transaction", cwd=repo)
    assert r.returncode == 0, r.stderr
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    return repo, a, b


def test_no_verify_commit_is_judged_by_the_ref_update(guarded):
    repo, a, b = guarded
    write(b, "b", change("active", "auth"))
    before = head(b)
    r = commit_all(b, extra=("--no-verify",))
    assert r.returncode != 0, r.stderr
    assert head(b) == before
    assert "exo-guard: blocked" in r.stderr and "update of agent/b" in r.stderr and "in flight on agent/a" in r.stderr


def test_cherry_pick_is_judged(guarded):
    repo, a, b = guarded
    # a commit activating b on auth, on no branch (detached), picked onto agent/b
    git(b, "checkout", "-q", "--detach")
    write(b, "b", change("active", "auth"))
    assert commit_all(b, extra=("--no-verify",)).returncode == 0  # detached HEAD: not a branch update
    picked = head(b)
    git(b, "checkout", "-q", "agent/b")
    before = head(b)
    r = git(b, "cherry-pick", picked, env=RECENT, check=False)
    assert r.returncode != 0 and head(b) == before, r.stderr
    assert "in flight on agent/a" in r.stderr
    git(b, "cherry-pick", "--abort", check=False)


def test_fast_forward_to_a_commit_another_ref_holds_passes(guarded):
    repo, a, b = guarded
    r = git(b, "merge", "-q", "--ff-only", "agent/a", env=RECENT, check=False)
    assert r.returncode == 0, r.stderr
    assert head(b) == head(a)


def test_a_commit_admitted_by_pre_commit_is_not_judged_twice(guarded):
    repo, a, b = guarded
    write(b, "b", change("active", "billing", assignee="bob"))  # takes up work, no collision
    r = commit_all(b, env=STATS)
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("exo-guard probes: ")]
    assert len(lines) == 2  # pre-commit, then reference-transaction in the prepared state
    recorded = [int(l.split("admissions-recorded=")[1].split()[0]) for l in lines]
    assert recorded == [1, 0]


def test_install_writes_it_only_when_named(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    assert guard("install", cwd=repo).returncode == 0
    assert not (repo / ".git" / "hooks" / "reference-transaction").exists()
    assert guard("install", "--hook", "reference-transaction", cwd=repo).returncode == 0
    script = (repo / ".git" / "hooks" / "reference-transaction").read_text()
    assert '[ "$1" = prepared ] || exit 0' in script
    assert guard("uninstall", cwd=repo).returncode == 0
    assert not (repo / ".git" / "hooks" / "reference-transaction").exists()
