"""Every line a person reads shows control characters escaped, never raw (GUARD.md, "Reading
configuration and input"): paths and values from a commit or a push, locally and as remote:
lines; JSON escapes them as JSON does."""
import json

from conftest import bare_server, git, guard, reference
from test_branches import RECENT, commit_all, main, two_agents, write  # noqa: F401  (main: fixture)
from test_guard import change

EVIL = "e\x1b[31mvil"


def test_a_commit_report_escapes_paths_and_values(main):  # noqa: F811
    write(main, "a", change("active", "auth"))
    assert commit_all(main).returncode == 0
    (main / "changes" / f"{EVIL}.md").write_text(change("active", "auth", "\x1b[2J"))
    r = commit_all(main)
    assert r.returncode == 1, r.stderr
    assert "\x1b" not in r.stderr
    assert "e\\x1b[31mvil" in r.stderr
    git(main, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=main)
    out = json.loads(r.stdout)  # JSON escapes as JSON does, and reads back to the raw name
    assert [d["value"] for d in out["doubtful"]] == ["\x1b[2J"]
    assert "\\u001b" in r.stdout and "\x1b" not in r.stdout


def test_remote_lines_are_escaped(tmp_path, main):  # noqa: F811
    write(main, "a", change("active", "auth"))
    assert commit_all(main).returncode == 0
    bare = bare_server(tmp_path)
    assert git(main, "push", "-q", str(bare), "main").returncode == 0
    (main / "changes" / f"{EVIL}.md").write_text(change("active", "auth"))
    commit_all(main, extra=("--no-verify",))
    r = git(main, "push", "--no-verify", str(bare), "main", check=False)  # the server hook answers
    assert r.returncode != 0 and "remote: exo-guard: blocked" in r.stderr, r.stderr
    assert "\x1b" not in r.stderr and "e\\x1b[31mvil" in r.stderr


def test_board_branches_escapes(main):  # noqa: F811
    a, b = two_agents(main)
    (a / "changes" / "c.md").write_text("---\nstatus: active\ntouches: [billing]\nassignee: x\x1b[2J\n---\n")
    commit_all(a, extra=("--no-verify",))
    r = guard("board", "--branches", cwd=b)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "@x\\x1b[2J" in r.stdout, r.stdout


def test_a_document_whose_name_is_not_utf8_is_found_on_disk(main):  # noqa: F811
    """GUARD.md: a document is found on disk whatever bytes its name holds, as in the index
    and in trees. `changes/caf\\xe9.md`, active and colliding: the files on disk, the index
    and exo all find it, with the same id."""
    import os
    write(main, "a", change("active", "auth"))
    assert commit_all(main).returncode == 0
    name = os.path.join(os.fsencode(main), b"changes", b"caf\xe9.md")
    with open(name, "wb") as f:
        f.write(change("active", "auth").encode())
    r = guard("conflicts", "--json", cwd=main)
    assert json.loads(r.stdout) == json.loads(reference("conflicts", "--json", cwd=main).stdout)
    assert [c["b"] for c in json.loads(r.stdout)["conflicts"]] == ["caf"]
    r = guard("check", "--json", cwd=main)
    assert r.returncode == 1 and [c["b"] for c in json.loads(r.stdout)["new"]] == ["caf"], r.stdout
    git(main, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=main)
    assert r.returncode == 1 and [c["b"] for c in json.loads(r.stdout)["new"]] == ["caf"], r.stdout


def test_a_name_that_is_not_utf8_is_shown_by_its_bytes(main):  # noqa: F811
    """Reports name `changes/caf\\xe9.md` by its own bytes, escaped like a control character,
    never with U+FFFD (a file that does not exist): on disk, in the index and in a commit;
    JSON writes the byte as Python does (`\\udce9`)."""
    import os
    write(main, "a", change("active", "auth"))
    assert commit_all(main).returncode == 0
    with open(os.path.join(os.fsencode(main), b"changes", b"caf\xe9.md"), "wb") as f:
        f.write(change("active", "auth").encode())
    with open(os.path.join(os.fsencode(main), b"changes", b"d\xe8.md"), "wb") as f:
        f.write(change("active", "nothere").encode())
    for args in (("check",), ("check", "--staged"), ("check", "--rev", "HEAD", "--base", "HEAD~1")):
        if args[1:2] == ("--staged",):
            git(main, "add", "-A")
        if args[1:2] == ("--rev",):
            commit_all(main, extra=("--no-verify",))
        r = guard(*args, cwd=main)
        assert r.returncode == 1 and "changes/caf\\xe9.md" in r.stdout + r.stderr, (args, r.stdout + r.stderr)
        assert "changes/d\\xe8.md" in r.stdout + r.stderr and "\ufffd" not in r.stdout + r.stderr, args
        j = guard(*args, "--json", cwd=main)
        assert "changes/d\\udce8.md" in j.stdout and "\ufffd" not in j.stdout, j.stdout
        assert [d["path"] for d in json.loads(j.stdout)["doubtful"]] == ["changes/d\udce8.md"]
