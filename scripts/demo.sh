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
rm -rf "$REPO" "$REPO.gitconfig"
