"""The audit log (git config exo.auditLog): one JSON line per decision of every hook and
check, with the server's actor and push options; timeouts and errors too; a trace2
data_json event when GIT_TRACE2_EVENT is set; a failed write never changes the verdict."""
import json
import subprocess

from conftest import BIN, git, guard
from test_guard import change, head, make_repo, workspace
from test_hostile import deep_repo, server


def lines(path):
    return [json.loads(l) for l in path.read_text().splitlines()]


def pushing_repo(tmp_path):
    repo = make_repo(tmp_path / "repo", workspace(), install=False)
    bare = server(tmp_path)
    git(bare, "config", "exo.auditLog", "audit.jsonl")
    git(bare, "config", "receive.advertisePushOptions", "true")
    git(repo, "remote", "add", "origin", str(bare))
    return repo, bare


def test_every_server_decision_is_one_line(tmp_path):
    repo, bare = pushing_repo(tmp_path)
    assert git(repo, "push", "-q", "origin", "main", env={"GL_USERNAME": "alice"}, check=False).returncode == 0
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "commit", "-qam", "collide")
    r = git(repo, "push", "-o", "ci.skip", "origin", "main", env={"GL_USERNAME": "alice"}, check=False)
    assert r.returncode != 0
    log = lines(bare / "audit.jsonl")
    assert [e["decision"] for e in log] == ["pass", "block"]
    last = log[-1]
    assert last["hook"] == "pre-receive" and last["ref"] == "refs/heads/main" and last["actor"] == "alice"
    assert last["push_options"] == ["ci.skip"] and last["mode"] == "block" and last["mode_source"] == "default"
    assert last["new"] == [{"a": "a", "b": "b", "shared": ["auth"]}]
    assert last["repository"] == str(bare) and isinstance(last["duration_ms"], int) and last["version"]
    assert last["time"].endswith("Z")


def test_check_and_local_hooks_log_too(tmp_path):
    repo = make_repo(tmp_path / "repo", workspace())
    git(repo, "config", "exo.auditLog", str(tmp_path / "local.jsonl"))
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    assert git(repo, "commit", "-qm", "x", check=False).returncode != 0
    assert guard("check", "--staged", cwd=repo).returncode == 1
    log = lines(tmp_path / "local.jsonl")
    assert [(e["hook"], e["decision"]) for e in log] == [("pre-commit", "block"), ("check", "block")]
    assert log[0]["ref"] == "refs/heads/main"


def test_timeouts_and_errors_are_decisions(tmp_path):
    repo = deep_repo(tmp_path, 3000)
    bare = server(tmp_path)
    git(bare, "config", "exo.auditLog", "audit.jsonl")
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    git(bare, "config", "exo.timeout", "0.05")  # under what reading the deep path takes
    assert git(repo, "push", "-q", str(bare), "main:refs/heads/main", check=False).returncode != 0
    git(bare, "config", "exo.timeout", "0")
    git(bare, "config", "exo.mode", "loud")
    assert git(repo, "push", "-q", str(bare), "main:refs/heads/main", check=False).returncode != 0
    log = lines(bare / "audit.jsonl")
    assert [e["decision"] for e in log] == ["pass", "timeout", "error"]
    assert "'loud'" in log[-1]["error"]


def test_trace2_event_and_a_failed_write(tmp_path):
    repo, bare = pushing_repo(tmp_path)
    trace = tmp_path / "trace2.json"
    r = git(repo, "push", "-q", "origin", "main", env={"GIT_TRACE2_EVENT": str(trace)}, check=False)
    assert r.returncode == 0, r.stderr
    events = [json.loads(l) for l in trace.read_text().splitlines()]
    ours = [e for e in events if e.get("category") == "exo-guard"]
    assert len(ours) == 1 and ours[0]["event"] == "data_json" and ours[0]["key"] == "decision"
    assert ours[0]["value"]["decision"] == "pass"
    parents = {e["sid"] for e in events if e.get("category") != "exo-guard"}
    assert any(ours[0]["sid"].startswith(p + "/") for p in parents)
    # a log that cannot be written: one line, the verdict stands
    (bare / "audit.jsonl").unlink()
    (bare / "audit.jsonl").mkdir()
    (repo / "changes/c.md").write_text(change("active", "billing"))
    git(repo, "commit", "-qam", "clean")
    r = git(repo, "push", "origin", "main", check=False)
    assert r.returncode == 0 and "cannot write the audit log" in r.stderr


def test_concurrent_checks_never_interleave(tmp_path):
    repo = make_repo(tmp_path / "repo", workspace(), install=False)
    log = tmp_path / "many.jsonl"
    git(repo, "config", "exo.auditLog", str(log))
    procs = [subprocess.Popen([BIN, "check", "--staged"], cwd=repo, env=__import__("conftest").git_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(8)]
    for p in procs:
        p.wait()
    assert [e["hook"] for e in lines(log)] == ["check"] * 8


def test_actor_without_user_variables_is_the_users_name(tmp_path):
    """A push with no GL_USERNAME, USER or LOGNAME (sshd, a daemon) names the server's
    account from the password database, not "uid 0"."""
    import os
    import pwd
    repo, bare = pushing_repo(tmp_path)
    r = git(repo, "push", "-q", "origin", "main", env={"USER": "", "LOGNAME": ""}, check=False)
    assert r.returncode == 0, r.stderr
    assert lines(bare / "audit.jsonl")[-1]["actor"] == pwd.getpwuid(os.getuid()).pw_name
