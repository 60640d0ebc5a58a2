#!/usr/bin/env bash
# The Debian package as a user gets it: lintian clean (make deb-check), then unpacked and
# looked at: the control fields, a stripped binary that runs and guards a commit, the man
# page gzipped and readable, the copyright and changelog in place.
set -euo pipefail
deb="$1"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
fail() { echo "check-deb: $*" >&2; exit 1; }
dpkg-deb -x "$deb" "$root"
control="$(dpkg-deb -f "$deb")"
for field in Package Version Architecture Maintainer Installed-Size Depends Description; do
  grep -q "^$field: " <<<"$control" || fail "control has no $field"
done
depends="$(dpkg-deb -f "$deb" Depends)"
for dep in libc6 libgit2 git; do grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"; done
bin="$root/usr/bin/exo-guard"
if readelf -S "$bin" | grep -q '\.symtab'; then fail "the binary is not stripped"; fi
"$bin" --version | grep -q . || fail "the binary does not run"
zcat "$root/usr/share/man/man1/exo-guard.1.gz" | grep -q '^\.Sh ENVIRONMENT' || fail "man page lacks ENVIRONMENT"
test -s "$root/usr/share/doc/exo-guard/copyright" || fail "no copyright file"
zcat "$root/usr/share/doc/exo-guard/changelog.gz" | head -1 | grep -q "^exo-guard (" || fail "no changelog"
for h in pre-commit pre-merge-commit pre-push update pre-receive reference-transaction; do
  test -x "$root/usr/share/exo-guard/hooks/$h" || fail "hook $h missing"
done
# the unpacked binary guards a commit in a fresh repository
repo="$root/repo"
mkdir -p "$repo/modules" "$repo/changes"
export GIT_CONFIG_GLOBAL="$root/gitconfig" GIT_CONFIG_SYSTEM=/dev/null
git config --global user.name t && git config --global user.email t@example.com
printf 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n' > "$repo/tropo.toml"
echo "# auth" > "$repo/modules/auth.md"
printf -- '---\nstatus: active\ntouches: [auth]\n---\n' > "$repo/changes/a.md"
git -C "$repo" init -q && git -C "$repo" add -A && git -C "$repo" commit -qm init
(cd "$repo" && "$bin" install >/dev/null)
printf -- '---\nstatus: active\ntouches: [auth]\n---\n' > "$repo/changes/b.md"
git -C "$repo" add -A
if git -C "$repo" commit -qm collide 2>/dev/null; then fail "the packaged binary let a colliding commit through"; fi
echo "check-deb: $deb is fine"
