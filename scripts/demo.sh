#!/usr/bin/env bash
# The demo: exo's commands on the example workspace, then the guard in a throwaway
# repository blocking a commit that activates a colliding change.
set -euo pipefail
BIN=$(realpath "${1:-.build/debug/exo-guard}")
EXAMPLE=$(realpath examples/workspace)

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "exo-guard conflicts --root examples/workspace"
"$BIN" conflicts --root "$EXAMPLE"
step "exo-guard board --root examples/workspace"
"$BIN" board --root "$EXAMPLE"

REPO=$(mktemp -d /tmp/exo-guard-demo.XXXXXX)
export GIT_CONFIG_GLOBAL="$REPO.gitconfig" GIT_CONFIG_SYSTEM=/dev/null
printf '[user]\n\tname = Demo\n\temail = demo@example.com\n[init]\n\tdefaultBranch = main\n' > "$GIT_CONFIG_GLOBAL"
cp -r "$EXAMPLE"/. "$REPO"
cd "$REPO"
git init -q && git add -A && git commit -qm "the example workspace"
step "exo-guard install   (in a throwaway repository: $REPO)"
"$BIN" install
step "activate annual-plans (it touches billing, which sso already touches) and commit"
sed -i 's/^status: draft/status: active/' changes/annual-plans.md
git add changes/annual-plans.md
if git commit -qm "start annual plans"; then
  echo "unexpected: the commit went through" >&2; exit 1
else
  echo "(the commit was blocked: exit $?)"
fi
step "EXO_GUARD_MODE=warn git commit ...   (the same report, as a warning; the commit goes through)"
EXO_GUARD_MODE=warn git commit -qm "start annual plans (coordinated with @alice)"
git log --oneline | head -2

# Many agents: one worktree and branch each. The hooks are installed once, in the main
# checkout; linked worktrees share them, and each sees the work in flight on the others.
printf -- '# Reports\n' > modules/reports.md
printf -- '---\nstatus: draft\ntouches: [reports]\n---\n# CSV export\n' > changes/csv-export.md
printf -- '---\nstatus: draft\ntouches: [reports]\n---\n# PDF export\n' > changes/pdf-export.md
git add -A && git commit -qm "reports, and two export changes to pick up"
git worktree add -q ../"$(basename "$REPO")-agent-a" -b agent/a
git worktree add -q ../"$(basename "$REPO")-agent-b" -b agent/b
step "agent A, in its own worktree on agent/a: takes up csv-export and commits (passes)"
cd ../"$(basename "$REPO")-agent-a"
sed -i 's/^status: draft/status: active\nassignee: agent-a/' changes/csv-export.md
git commit -qam "agent A: csv export" && echo "(committed on agent/a)"
step "agent B, on agent/b: takes up pdf-export, which touches reports too, and commits"
cd ../"$(basename "$REPO")-agent-b"
sed -i 's/^status: draft/status: active/' changes/pdf-export.md
if git commit -qam "agent B: pdf export"; then
  echo "unexpected: the commit went through" >&2; exit 1
else
  echo "(blocked by agent A's branch: exit $?)"
fi
step "exo-guard board --branches   (what is in flight, here and on every other branch)"
"$BIN" board --branches

# Two agents that take up the same change at the same instant: each commit's check sees the
# other's only if it comes second, so the guard decides one at a time and the first one
# admitted is seen by the second as work in flight, before its commit is even made.
cd "$REPO"
printf -- '# Spreadsheets\n' > modules/spreadsheets.md
printf -- '---\nstatus: draft\ntouches: [spreadsheets]\n---\n# XLSX export\n' > changes/xlsx-export.md
git add -A && git commit -q --no-verify -m "one more export change"
for who in c d; do
  git worktree add -q ../"$(basename "$REPO")-agent-$who" -b "agent/$who" main
  (cd ../"$(basename "$REPO")-agent-$who" &&
    sed -i "s/^status: draft/status: active\nassignee: agent-$who/" changes/xlsx-export.md && git add -A)
done
step "agents C and D, each in its own worktree, take up xlsx-export and commit at the same instant"
for who in c d; do
  (cd ../"$(basename "$REPO")-agent-$who" && while [ ! -e "$REPO.go" ]; do :; done &&
    if git commit -qm "agent ${who^^}: xlsx export" 2> "$REPO.$who.err"; then echo "agent ${who^^}: committed"
    else echo "agent ${who^^}: blocked"; fi) &
done
sleep 0.3 && touch "$REPO.go" && wait
for who in c d; do sed -n '/new conflict/,/next step/p' "$REPO.$who.err"; done
winners=$(for who in c d; do git -C "$REPO" log -1 --format=%s "agent/$who"; done | grep -c xlsx || true)
echo "(exactly one of the two commits was made: $winners)"
[ "$winners" = 1 ] || { echo "unexpected: $winners commits were made" >&2; exit 1; }

cd "$REPO"
for who in a b c d; do git worktree remove --force ../"$(basename "$REPO")-agent-$who"; done
rm -rf "$REPO" "$REPO.gitconfig" "$REPO.go" "$REPO".?.err
