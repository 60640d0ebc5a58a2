"""`exo-guard hook agent` as an agent harness's pre-tool hook (GUARD.md, "In CI, on hosted
forges, and in agent harnesses"), fed the payloads Claude Code's PreToolUse and Cursor's
hooks document, answered in each one's format; and `install --agent` merging the hook into
the harness's settings file, `uninstall --agent` removing only its own entry."""
import json

import pytest

from conftest import git, guard
from test_branches import commit_all, main, worktree, write  # noqa: F401  (main: fixture)
from test_guard import change


def claude(tool, tool_input, cwd):
    return json.dumps({"session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": str(cwd),
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input})


def cursor(event, fields, cwd):
    return json.dumps({"hook_event_name": event, "conversation_id": "c1", "generation_id": "g1",
                       "workspace_roots": [str(cwd)], **fields})


def deny_reason(r):
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    decision = out["hookSpecificOutput"]
    assert decision["hookEventName"] == "PreToolUse" and decision["permissionDecision"] == "deny"
    return decision["permissionDecisionReason"]


@pytest.mark.parametrize("command", [
    "git commit --no-verify -m wip", "git commit -n -m wip", "git commit -anm wip", "cd sub && git push --no-verify",
    "git merge --no-verify topic", "git -C repo commit --no-verify", "git -c core.hooksPath=/dev/null commit -m x",
    "EXO_GUARD_MODE=off git commit -m x"])
def test_shell_commands_that_skip_the_hooks_are_denied(main, command):  # noqa: F811
    reason = deny_reason(guard("hook", "agent", cwd=main, input=claude("Bash", {"command": command}, main)))
    assert "exo-guard" in reason and "without" in reason


@pytest.mark.parametrize("command", [
    "git commit -m wip", "git commit -m '-n is in the message'", "git commit -m--no-verify-later", "git status",
    "echo git commit --no-verify", "git push origin main", "ls -la"])
def test_other_shell_commands_pass_without_a_word(main, command):  # noqa: F811
    r = guard("hook", "agent", cwd=main, input=claude("Bash", {"command": command}, main))
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", (command, r.stdout, r.stderr)


def test_a_write_that_would_collide_with_another_branch_is_denied_before_the_file_is_written(main):  # noqa: F811
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    target = b / "changes" / "b.md"
    before = target.read_text()
    r = guard("hook", "agent", cwd=b, input=claude(
        "Write", {"file_path": str(target), "content": change("active", "auth", assignee="bob")}, b))
    reason = deny_reason(r)
    assert "changes/b.md" in reason and "Next step:" in reason and "@alice" in reason, reason
    assert target.read_text() == before  # judged before the file is written; nothing written
    # an Edit to the same effect
    r = guard("hook", "agent", cwd=b, input=claude(
        "Edit", {"file_path": str(target), "old_string": "status: draft", "new_string": "status: active"}, b))
    assert "drop `auth`" in deny_reason(r)
    assert target.read_text() == before
    # a write that collides with nothing, and a document that is not a change: allowed silently
    r = guard("hook", "agent", cwd=b, input=claude(
        "Write", {"file_path": str(b / "changes" / "c.md"), "content": change("active", "billing")}, b))
    assert r.returncode == 0 and r.stdout == "", r.stdout
    r = guard("hook", "agent", cwd=b, input=claude(
        "Write", {"file_path": str(b / "notes.txt"), "content": "anything"}, b))
    assert r.stdout == ""
    # mode warn: nothing is denied
    git(b, "config", "exo.mode", "warn")
    r = guard("hook", "agent", cwd=b, input=claude(
        "Write", {"file_path": str(target), "content": change("active", "auth")}, b))
    assert r.stdout == ""


def test_cursor_payloads_are_answered_in_cursors_format(main):  # noqa: F811
    r = guard("hook", "agent", cwd=main, input=cursor(
        "beforeShellExecution", {"command": "git commit --no-verify -m x", "cwd": str(main)}, main))
    out = json.loads(r.stdout)
    assert out["permission"] == "deny" and "--no-verify" in out["agent_message"] and out["user_message"]
    r = guard("hook", "agent", cwd=main, input=cursor(
        "beforeShellExecution", {"command": "git status", "cwd": str(main)}, main))
    assert r.returncode == 0 and r.stdout == ""
    a = worktree(main, "agent-a", "agent/a")
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    r = guard("hook", "agent", cwd=main, input=cursor(
        "preToolUse", {"tool_name": "Write", "tool_input": {
            "file_path": str(main / "changes" / "b.md"), "content": change("active", "auth")}}, main))
    assert json.loads(r.stdout)["permission"] == "deny", r.stdout + r.stderr


def test_tool_calls_that_are_not_json_are_an_error_not_a_silent_pass(main):  # noqa: F811
    r = guard("hook", "agent", cwd=main, input="not json")
    assert r.returncode == 2 and "not JSON" in r.stderr


def test_install_agent_claude_merges_and_uninstall_removes_only_its_own(main):  # noqa: F811
    settings = main / ".claude" / "settings.json"
    settings.parent.mkdir()
    theirs = {"model": "x", "permissions": {"allow": ["Bash(ls:*)"]}, "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./mine.sh"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}}
    settings.write_text(json.dumps(theirs, indent=2))
    r = guard("install", "--agent", "claude", cwd=main)
    assert r.returncode == 0, r.stderr
    data = json.loads(settings.read_text())
    assert list(data) == ["model", "permissions", "hooks"] and data["permissions"] == theirs["permissions"]
    pre = data["hooks"]["PreToolUse"]
    assert pre[0] == theirs["hooks"]["PreToolUse"][0] and data["hooks"]["Stop"] == theirs["hooks"]["Stop"]
    ours = pre[1]
    assert ours["matcher"] == "Bash|Write|Edit|MultiEdit"
    assert ours["hooks"][0]["type"] == "command" and ours["hooks"][0]["command"].endswith("exo-guard hook agent")
    # twice: still one entry
    assert guard("install", "--agent", "claude", cwd=main).returncode == 0
    assert len(json.loads(settings.read_text())["hooks"]["PreToolUse"]) == 2
    r = guard("uninstall", "--agent", "claude", cwd=main)
    assert r.returncode == 0 and json.loads(settings.read_text()) == theirs, settings.read_text()
    # a settings file that is not JSON is left as it is
    settings.write_text("{ broken")
    r = guard("install", "--agent", "claude", cwd=main)
    assert r.returncode == 2 and "settings.json" in r.stderr and settings.read_text() == "{ broken"


def test_install_agent_cursor(main):  # noqa: F811
    r = guard("install", "--agent", "cursor", cwd=main)
    assert r.returncode == 0, r.stderr
    data = json.loads((main / ".cursor" / "hooks.json").read_text())
    assert data["version"] == 1
    for event in ["beforeShellExecution", "preToolUse"]:
        assert data["hooks"][event][0]["command"].endswith("exo-guard hook agent")
    assert guard("uninstall", "--agent", "cursor", cwd=main).returncode == 0
    assert json.loads((main / ".cursor" / "hooks.json").read_text()) == {"version": 1}


def test_install_both_agents_and_a_plain_uninstall_removes_every_entry_of_ours(main):  # noqa: F811
    settings = main / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"model": "x"}\n')
    r = guard("install", "--agent", "claude", "--agent", "cursor", cwd=main)
    assert r.returncode == 0 and r.stdout.count("installed the agent hook") == 2, r.stdout + r.stderr
    r = guard("uninstall", cwd=main)
    assert r.returncode == 0, r.stderr
    assert json.loads(settings.read_text()) == {"model": "x"}
    assert json.loads((main / ".cursor" / "hooks.json").read_text()) == {"version": 1}
    # the git hooks went too, as before
    assert not (main / ".git" / "hooks" / "pre-commit").exists() or "exo-guard" not in (
        main / ".git" / "hooks" / "pre-commit").read_text()
    r = guard("install", "--agent", "claude-code", cwd=main)
    assert r.returncode == 2 and "claude or cursor" in r.stderr
