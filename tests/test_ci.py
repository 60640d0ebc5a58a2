"""`exo-guard ci` on simulated runners with real git (GUARD.md, "In CI, on hosted forges,
and in agent harnesses"): a bare origin with several branches and pull-request heads, clones
fetched whole and one shallow, and the environment variables and event payloads GitHub
Actions and GitLab CI provide. The formats: workflow commands and the job summary, SARIF
checked against the official SARIF 2.1.0 schema (tests/schemas/), GitLab's Code Quality
fields. The shipped action.yml and ci/gitlab-ci.yml checked with check-jsonschema's
built-in schemas, and the composite action's shell steps run."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, REPO, git, guard
from test_guard import TOML, change

NOW = {"GIT_AUTHOR_DATE": "2026-12-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-12-01T00:00:00Z"}
ZERO = "0" * 40
# Nothing from the machine running the tests: each case says where it runs.
QUIET = {"GITHUB_ACTIONS": "", "GITLAB_CI": "", "GITHUB_STEP_SUMMARY": "", "CI_MERGE_REQUEST_DIFF_BASE_SHA": ""}


def commit(repo, message):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message, env=NOW)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def write(repo, name, text):
    (repo / "changes" / f"{name}.md").write_text(text)


@pytest.fixture
def origin(tmp_path):
    """A bare origin: main (a, b, c draft), other (a active on auth, ann), feature (b
    active on auth, bo): the pull request. Returns (origin, the base commit, work clone)."""
    src = tmp_path / "src"
    (src / "modules").mkdir(parents=True)
    (src / "changes").mkdir()
    (src / "tropo.toml").write_text(TOML)
    (src / "modules" / "auth.md").write_text("# auth\n")
    (src / "modules" / "billing.md").write_text("# billing\n")
    for c in "abc":
        write(src, c, change("draft", "auth"))
    git(src, "init", "-q")
    base = commit(src, "init")
    git(src, "checkout", "-q", "-b", "other")
    write(src, "a", change("active", "auth", assignee="ann"))
    commit(src, "a")
    git(src, "checkout", "-q", "main")
    git(src, "checkout", "-q", "-b", "feature")
    write(src, "b", change("active", "auth", assignee="bo"))
    commit(src, "b")
    git(src, "checkout", "-q", "main")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(src), str(bare))
    return bare, base, src


def runner(tmp_path, bare, name="runner", depth=None):
    """A runner's clone: every branch fetched (or shallow), as actions/checkout leaves it."""
    path = tmp_path / name
    args = ["clone", "-q"] + (["--depth", str(depth), "--no-single-branch"] if depth else [])
    git(tmp_path, *args, ("file://" if depth else "") + str(bare), str(path))
    git(path, "config", "exo.watchDays", "0")
    return path


def pull_request_merge(path, number=1, head="feature"):
    """The merge of the pull request into its base, checked out detached as
    refs/remotes/pull/N/merge (what actions/checkout does for pull_request)."""
    git(path, "checkout", "-q", "--detach", "origin/main")
    git(path, "merge", "-q", "--no-ff", "--no-verify", "--no-edit", f"origin/{head}", env=NOW)
    git(path, "update-ref", f"refs/remotes/pull/{number}/merge", "HEAD")


def github(tmp_path, event, payload, extra=None):
    path = tmp_path / f"{event}.json"
    path.write_text(json.dumps(payload))
    summary = tmp_path / "summary.md"
    env = {**QUIET, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(path),
           "GITHUB_STEP_SUMMARY": str(summary)}
    env.update(extra or {})
    return env, summary


@pytest.mark.parametrize("event", ["pull_request", "pull_request_target"])
def test_pull_request_blocks_a_collision_with_another_branch_and_annotates_the_status_line(tmp_path, origin, event):
    bare, base, _ = origin
    path = runner(tmp_path, bare)
    pull_request_merge(path)
    env, summary = github(tmp_path, event, {
        "number": 1, "pull_request": {"number": 1, "base": {"sha": base, "ref": "main"},
                                      "head": {"ref": "feature", "sha": git(path, "rev-parse", "origin/feature").stdout.strip()}}},
        {"GITHUB_REF": "refs/pull/1/merge"})
    r = guard("ci", cwd=path, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    # the text report, then one workflow command at b's status: line (line 2)
    assert "b <-> a on origin/other" in r.stdout
    commands = [line for line in r.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == 1, commands
    assert commands[0].startswith("::error file=changes/b.md,line=2,title=new conflict%3A b <-> a on origin/other::")
    assert "Next step: set `status:` in changes/b.md" in commands[0]
    # the pull request's own head branch (origin/feature holds b) is not someone else's work
    assert "b <-> b" not in r.stdout and "taken up" not in r.stdout
    text = summary.read_text()
    assert text.startswith("### exo-guard: blocked") and "`changes/b.md` line 2" in text
    # JSON: the same verdict; the pair is on origin/other only
    r = guard("ci", "--json", cwd=path, env=env)
    assert [(p["a"], p["b"], p["ref"]) for p in json.loads(r.stdout)["new"]] == [("b", "a", "refs/remotes/origin/other")]
    # mode warn: ::warning, exit 0
    r = guard("ci", "--mode", "warn", cwd=path, env=env)
    assert r.returncode == 0 and "::warning file=changes/b.md,line=2," in r.stdout, r.stdout


def test_sarif_validates_against_the_official_schema(tmp_path, origin):
    jsonschema = pytest.importorskip("jsonschema")
    bare, base, _ = origin
    path = runner(tmp_path, bare)
    pull_request_merge(path)
    env, _ = github(tmp_path, "pull_request", {"number": 1, "pull_request": {"base": {"sha": base}, "head": {"ref": "feature"}}})
    out = tmp_path / "exo-guard.sarif"
    r = guard("ci", "--format", "sarif", "--output", str(out), cwd=path, env=env)
    assert r.returncode == 1 and "b <-> a on origin/other" in r.stdout, r.stderr
    log = json.loads(out.read_text())
    schema = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "exo-guard" and run["tool"]["driver"]["version"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["new-conflict", "taken-up-twice", "doubtful"]
    [result] = run["results"]
    location = result["locations"][0]["physicalLocation"]
    assert result["ruleId"] == "new-conflict" and result["level"] == "error"
    assert location["artifactLocation"]["uri"] == "changes/b.md" and location["region"]["startLine"] == 2
    # to stdout: the log alone on stdout, the report on stderr
    r = guard("check", "--rev", "HEAD", "--base", base, "--watch", "refs/remotes/origin/other", "--format", "sarif",
              cwd=path, env=QUIET)
    assert r.returncode == 1 and json.loads(r.stdout)["version"] == "2.1.0" and "new conflict" in r.stderr
    jsonschema.validate(json.loads(r.stdout), schema)


def test_merge_group_of_two_pull_requests_that_collide_only_together(tmp_path, origin):
    """pr1 and pr2 each pass alone against main (the other not yet pushed); the merge queue
    puts both on one commit: blocked, as a pair on the line (no ref)."""
    bare, base, src = origin
    for name, c in [("pr1", "c"), ("pr2", "d")]:
        git(src, "checkout", "-q", "-b", name, "main")
        write(src, c, change("active", "billing", assignee=name))
        commit(src, c)
    git(src, "checkout", "-q", "-b", "gh-readonly-queue/main/pr-2", "main")
    git(src, "merge", "-q", "--no-ff", "--no-verify", "--no-edit", "pr1", env=NOW)
    git(src, "merge", "-q", "--no-ff", "--no-verify", "--no-edit", "pr2", env=NOW)
    head = git(src, "rev-parse", "HEAD").stdout.strip()
    git(src, "push", "-q", str(bare), "pr1", "pr2", "gh-readonly-queue/main/pr-2")
    path = runner(tmp_path, bare)
    git(path, "checkout", "-q", "--detach", head)
    env, _ = github(tmp_path, "merge_group", {"merge_group": {
        "base_sha": base, "head_sha": head, "head_ref": "refs/heads/gh-readonly-queue/main/pr-2", "base_ref": "refs/heads/main"}})
    r = guard("ci", "--json", cwd=path, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    new = json.loads(r.stdout)["new"]
    assert [(p["a"], p["b"], p.get("ref")) for p in new] == [("c", "d", None)], new
    # each pull request alone against main, before the other existed, passed: the
    # collision shows only together (the queue's own branch is never watched)
    r = guard("ci", cwd=path, env=env)
    assert "gh-readonly-queue" not in r.stdout


def test_push_of_a_new_branch_and_of_an_existing_one(tmp_path, origin):
    bare, base, src = origin
    path = runner(tmp_path, bare)
    # a new branch: before is zeros, the base is its merge base with the default branch
    git(path, "checkout", "-q", "-b", "topic", "origin/main")
    write(path, "c", change("active", "auth", assignee="cy"))
    after = commit(path, "c")
    git(path, "push", "-q", "origin", "topic")
    git(path, "fetch", "-q", "origin")
    env, _ = github(tmp_path, "push", {"ref": "refs/heads/topic", "before": ZERO, "after": after,
                                       "repository": {"default_branch": "main"}}, {"GITHUB_REF": "refs/heads/topic"})
    r = guard("ci", "--json", cwd=path, env=env)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["base"] == base
    # against a and b in flight on other and feature; never against its own origin/topic
    assert sorted(p["ref"] for p in out["new"]) == ["refs/remotes/origin/feature", "refs/remotes/origin/other"]
    # an existing branch: base before, target after (a commit that changes nothing of c)
    (path / "notes.txt").write_text("x\n")
    later = commit(path, "notes")
    env, _ = github(tmp_path, "push", {"ref": "refs/heads/topic", "before": after, "after": later},
                    {"GITHUB_REF": "refs/heads/topic"})
    r = guard("ci", "--json", cwd=path, env=env)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["base"] == after and out["new"] == [] and len(out["existing"]) == 2, r.stdout


def test_gitlab_merge_request_and_branch_pipelines(tmp_path, origin):
    bare, base, _ = origin
    path = runner(tmp_path, bare)
    feature = git(path, "rev-parse", "origin/feature").stdout.strip()
    git(path, "checkout", "-q", "--detach", feature)
    gitlab = {**QUIET, "GITLAB_CI": "true", "CI_COMMIT_SHA": feature, "CI_DEFAULT_BRANCH": "main"}
    mr = {**gitlab, "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
          "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_MERGE_REQUEST_IID": "7"}
    r = guard("ci", cwd=path, env=mr)
    assert r.returncode == 1 and "b <-> a on origin/other" in r.stdout, r.stdout + r.stderr
    # auto on GitLab: the text report, and the Code Quality report in gl-code-quality-report.json
    report = json.loads((path / "gl-code-quality-report.json").read_text())
    [issue] = report
    assert issue["check_name"] == "exo-guard/new-conflict" and issue["severity"] == "major"
    assert issue["location"] == {"path": "changes/b.md", "lines": {"begin": 2}}
    assert issue["description"] and len(issue["fingerprint"]) == 16
    (path / "gl-code-quality-report.json").unlink()
    # a branch pipeline for a new branch: before is zeros, the base is the merge base with main
    branch = {**gitlab, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": ZERO, "CI_COMMIT_BRANCH": "feature"}
    r = guard("ci", "--json", cwd=path, env=branch)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["base"] == base
    assert [(p["a"], p["b"], p["ref"]) for p in out["new"]] == [("b", "a", "refs/remotes/origin/other")]


def test_elsewhere_the_merge_base_with_origin_head(tmp_path, origin):
    bare, base, _ = origin
    path = runner(tmp_path, bare)
    git(path, "checkout", "-q", "--detach", "origin/feature")
    r = guard("ci", "--json", "--no-watch", cwd=path, env=QUIET)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["base"] == base and out["activated"] == ["b"], r.stdout


def test_a_shallow_or_lonely_clone_is_named_in_a_warning(tmp_path, origin):
    bare, base, _ = origin
    shallow = runner(tmp_path, bare, "shallow", depth=1)
    git(shallow, "checkout", "-q", "--detach", "origin/feature")
    env, _ = github(tmp_path, "push", {"ref": "refs/heads/feature", "before": ZERO,
                                       "after": git(shallow, "rev-parse", "HEAD").stdout.strip(),
                                       "repository": {"default_branch": "main"}})
    r = guard("ci", cwd=shallow, env=env)
    assert "this clone is shallow" in r.stderr and "fetch-depth: 0" in r.stderr, r.stderr
    lonely = tmp_path / "lonely"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", "main", str(bare), str(lonely))
    env, _ = github(tmp_path, "push", {"ref": "refs/heads/main", "before": base, "after": base})
    r = guard("ci", cwd=lonely, env=env)
    assert r.returncode == 0 and "holds no remote-tracking ref but its own" in r.stderr, r.stderr
    # a base the clone does not hold: exit 2, naming the cure
    env, _ = github(tmp_path, "pull_request", {"pull_request": {"base": {"sha": "1" * 40}, "head": {"ref": "x"}}})
    r = guard("ci", cwd=lonely, env=env)
    assert r.returncode == 2 and "fetch-depth: 0" in r.stderr, r.stderr


def test_shipped_action_and_gitlab_template_validate():
    check = shutil.which("check-jsonschema") or str(Path(os.environ.get("EXO_REF", "")).parent / "check-jsonschema")
    if not os.path.exists(check):
        pytest.skip("check-jsonschema is installed by make (.venv-ref)")
    for schema, file in [("vendor.github-actions", "action.yml"), ("vendor.gitlab-ci", "ci/gitlab-ci.yml")]:
        r = subprocess.run([check, "--builtin-schema", schema, str(REPO / file)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_the_composite_actions_shell_steps_run(tmp_path, origin):
    """action.yml's steps with `run:` executed by bash as a runner would, with the cache
    step taken as a hit (the binary under test in its place): the key is made, libgit2 is
    found, and exo-guard ci blocks the pull request with annotations."""
    yaml = pytest.importorskip("ruamel.yaml")
    action = yaml.YAML(typ="safe").load((REPO / "action.yml").read_text())
    action_path = tmp_path / "action"
    shutil.copytree(REPO / "Sources", action_path / "Sources")
    shutil.copy(REPO / "Package.swift", action_path / "Package.swift")
    (action_path / "Vendor").mkdir()
    (action_path / ".build" / "release").mkdir(parents=True)
    shutil.copy(BIN, action_path / ".build" / "release" / "exo-guard")
    bare, base, _ = origin
    path = runner(tmp_path, bare)
    pull_request_merge(path)
    env, summary = github(tmp_path, "pull_request", {"number": 1, "pull_request": {"base": {"sha": base}, "head": {"ref": "feature"}}})
    output = tmp_path / "github_output"
    env.update({"GITHUB_OUTPUT": str(output), "RUNNER_OS": "Linux"})
    inputs = {"mode": "block", "format": "auto", "output": ""}
    ran = []
    for step in action["runs"]["steps"]:
        if "run" not in step or step.get("if") == "steps.cache.outputs.cache-hit != 'true'":
            continue
        def expand(text):
            for k, v in inputs.items():
                text = text.replace("${{ inputs.%s }}" % k, v)
            return text.replace("${{ github.action_path }}", str(action_path))
        step_env = {**env, **{k: expand(str(v)) for k, v in step.get("env", {}).items()}}
        cwd = expand(step.get("working-directory", str(path)))
        r = subprocess.run(["bash", "-e", "-c", expand(step["run"])], cwd=cwd, env={**os.environ, **step_env},
                           capture_output=True, text=True)
        ran.append((step["name"], r))
    by_name = dict(ran)
    assert by_name["Install libgit2"].returncode == 0
    assert output.read_text().startswith("key=exo-guard-Linux-")
    last = by_name["exo-guard ci"]
    assert last.returncode == 1 and "::error file=changes/b.md,line=2," in last.stdout, last.stdout + last.stderr
    assert summary.read_text().startswith("### exo-guard: blocked")
