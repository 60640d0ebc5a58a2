"""Configuration as git reads it, and no silent pass (GUARD.md, "Reading configuration and
input"): `git -c` reaches the hook, every exo.* value the guard cannot use is an error naming
the key, the value and where it came from, and exo.root naming no workspace fails closed."""
import json

import pytest

from conftest import git, guard
from test_branches import commit_all, head, main, two_agents, write  # noqa: F401  (main: fixture)
from test_guard import change


def test_git_c_mode_reaches_the_hook(main):  # noqa: F811
    a, b = two_agents(main)
    git(b, "add", "-A")
    before = head(b)
    r = git(b, "-c", "exo.mode=warn", "commit", "-q", "-m", "b", check=False)
    assert r.returncode == 0 and "exo-guard: warning" in r.stderr, r.stderr
    assert head(b) != before


def test_git_config_count_reaches_the_hook(main):  # noqa: F811
    a, b = two_agents(main)
    git(b, "add", "-A")
    env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "exo.mode", "GIT_CONFIG_VALUE_0": "warn"}
    r = git(b, "commit", "-q", "-m", "b", env=env, check=False)
    assert r.returncode == 0 and "exo-guard: warning" in r.stderr, r.stderr


def test_git_c_quoted_values(main):  # noqa: F811
    """Both of git's forms of GIT_CONFIG_PARAMETERS ('key=value' and 'key'='value'), with a
    quote inside a value."""
    a, b = two_agents(main)
    git(b, "add", "-A")
    for params in ("'exo.mode=warn'", "'exo.mode'='warn'", "'core.x'='it'\\''s' 'exo.mode'='warn'"):
        r = guard("check", "--staged", cwd=b, env={"GIT_CONFIG_PARAMETERS": params})
        assert r.returncode == 0 and "warning" in r.stdout + r.stderr, (params, r.stdout, r.stderr)


@pytest.mark.parametrize("key,value", [
    ("exo.watchDays", "abc"), ("exo.strict", "yes-please"), ("exo.cache", "maybe"),
    ("exo.watch", "refs/heads/["), ("exo.showBypass", "2"), ("exo.refs", "refs/heads/a b"),
    ("exo.maxMemory", "12x"), ("exo.maxFrontmatter", "0"), ("exo.watchDays", "-1"),
])
def test_a_bad_value_is_an_error_naming_it(main, key, value):  # noqa: F811
    git(main, "config", "exo.watch", "none") if key != "exo.watch" else None
    git(main, "config", key, value)
    write(main, "b", change("active", "auth"))
    before = head(main)
    r = commit_all(main)
    assert r.returncode != 0 and head(main) == before, r.stderr
    where = str(main / ".git" / "config")  # the file that set it
    assert key in r.stderr and repr(value) in r.stderr and f"from {where}" in r.stderr, r.stderr
    r = guard("check", "--staged", cwd=main)
    assert r.returncode == 2 and key in r.stderr
    # the same value through git -c says so
    git(main, "config", "--unset-all", key)
    r = git(main, "-c", f"{key}={value}", "commit", "-q", "-m", "x", check=False)
    assert r.returncode != 0 and "from git -c" in r.stderr, r.stderr


@pytest.mark.parametrize("root", ["nowhere", "modules"])
def test_exo_root_naming_no_workspace_fails_closed(main, root):  # noqa: F811
    a, b = two_agents(main)
    git(main, "config", "exo.root", root)
    git(b, "add", "-A")
    before = head(b)
    r = git(b, "commit", "-q", "-m", "b", check=False)
    assert r.returncode != 0 and head(b) == before
    assert "exo.root" in r.stderr and repr(root) in r.stderr and "none is there" in r.stderr, r.stderr


@pytest.mark.parametrize("status", ["actve", "Active"])
def test_a_status_the_type_does_not_declare_is_doubtful(tmp_path, status):
    """A change type that declares its statuses (draft|active|done): `actve` passes with a
    doubtful line, and blocks under exo.strict."""
    from casefiles import write_case
    repo = tmp_path / "r"
    repo.mkdir()
    toml = ('packs = ["coordination"]\n[types.change]\nfolder = "changes"\n'
            'required = { status = "enum:draft|active|done" }\noptional = { touches = "ref-list" }\n')
    write_case(repo, {"tropo.toml": toml, "modules/auth.md": "# auth\n",
                      "changes/a.md": "---\nstatus: draft\ntouches: [auth]\n---\n"})
    git(repo, "init", "-q")
    assert commit_all(repo, "init").returncode == 0
    assert guard("install", cwd=repo).returncode == 0
    (repo / "changes/a.md").write_text(f"---\nstatus: {status}\ntouches: [auth]\n---\n")
    git(repo, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=repo)
    assert r.returncode == 0, r.stderr
    import json
    assert [(d["id"], d["value"]) for d in json.loads(r.stdout)["doubtful"]] == [("a", status)]
    git(repo, "config", "exo.strict", "true")
    r = commit_all(repo)
    assert r.returncode == 1 and f"`status: {status}` is not a status its type declares" in r.stderr, r.stderr


def test_the_hint_for_existing_conflicts_names_the_command_that_lists_them(main):  # noqa: F811
    """Pairs on this line are listed by exo-guard conflicts; --branches lists pairs with other
    lines of work (it would answer "no conflicts across branches" here)."""
    write(main, "a", change("active", "auth"))
    write(main, "b", change("active", "auth"))
    assert commit_all(main, extra=("--no-verify",)).returncode == 0
    write(main, "c", change("active", "billing"))
    r = commit_all(main)
    assert r.returncode == 0
    assert "1 existing conflict(s) unchanged (exo-guard conflicts lists them)" in r.stderr, r.stderr
    assert "  a <-> b  share: auth" in guard("conflicts", cwd=main).stdout


def frontmatter_of(size):
    """A change document whose frontmatter, delimiter lines included, is `size` bytes."""
    head = "---\nstatus: active\ntouches: [auth]\nnote: "
    tail = "\n---\n"
    text = head + "x" * (size - len(head) - len(tail)) + tail
    assert len(text.encode()) == size
    return text + "# body\n" + "y" * 3000 + "\n"


@pytest.mark.parametrize("where", ["worktree", "staged", "rev"])
def test_max_frontmatter_is_exact_in_every_snapshot(main, where):  # noqa: F811
    """exo.maxFrontmatter 1000: a frontmatter of 1,000 bytes is read, one of 1,001 is refused
    in one line naming the file, on disk, in the index and in a commit alike."""
    git(main, "config", "exo.maxFrontmatter", "1000")
    git(main, "config", "exo.watch", "none")
    args = {"worktree": ["check"], "staged": ["check", "--staged"],
            "rev": ["check", "--rev", "HEAD", "--base", "HEAD~1"]}[where]
    for size, refused in ((1000, False), (1001, True)):
        (main / "changes" / "big.md").write_text(frontmatter_of(size))
        git(main, "add", "-A")
        if where == "rev":
            git(main, "commit", "-q", "--no-verify", "-m", f"big {size}")
        r = guard(*args, "--json", cwd=main)
        if refused:  # the target cannot be read: blocked, with the one line in the report
            assert r.returncode == 1 and "exo.maxFrontmatter" in json.loads(r.stdout)["error"], r.stdout
            text = guard(*args, cwd=main)
            lines = [l for l in (text.stdout + text.stderr).splitlines() if "exo.maxFrontmatter" in l]
            assert len(lines) == 1 and "changes/big.md" in lines[0], text.stdout + text.stderr
        else:
            assert r.returncode == 0, r.stdout + r.stderr
            assert "big" in json.loads(r.stdout)["activated"]


def test_numbers_read_as_git_reads_integers(main):  # noqa: F811
    """exo.* numbers take git's unit suffixes: exo.maxFrontmatter 1k is 1,024 bytes, so a
    frontmatter of 1,024 bytes is read and one of 1,025 refused."""
    git(main, "config", "exo.maxFrontmatter", "1k")
    git(main, "config", "exo.watch", "none")
    for size, code in ((1024, 0), (1025, 1)):
        (main / "changes" / "big.md").write_text(frontmatter_of(size))
        git(main, "add", "-A")
        r = guard("check", "--staged", "--json", cwd=main)
        assert r.returncode == code, (size, r.stdout + r.stderr)
