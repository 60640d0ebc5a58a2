"""make install / uninstall and make deb, run for real: the release binary (Swift runtime
linked in), the man page, completions and hook scripts land where they belong, the installed
binary runs with a minimal environment from any folder, and the Debian package installs with
dpkg, runs and is removed."""
import os
import shutil
import subprocess

import pytest

from conftest import REPO

FILES = ["bin/exo-guard", "share/man/man1/exo-guard.1", "share/bash-completion/completions/exo-guard",
         "share/zsh/site-functions/_exo-guard", "share/fish/vendor_completions.d/exo-guard.fish",
         "share/exo-guard/hooks/pre-commit", "share/exo-guard/hooks/pre-merge-commit",
         "share/exo-guard/hooks/pre-push", "share/exo-guard/hooks/update", "share/exo-guard/hooks/pre-receive",
         "share/exo-guard/hooks/reference-transaction"]


def make(*args):
    r = subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def minimal(cmd, cwd="/"):
    return subprocess.run(cmd, cwd=cwd, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)


def test_make_install_uninstall_and_the_debian_package(tmp_path):
    dest = tmp_path / "dest"
    make("install", f"DESTDIR={dest}", "PREFIX=/usr/local")
    top = dest / "usr" / "local"
    for f in FILES:
        assert (top / f).is_file() and (top / f).stat().st_size > 0, f
    assert os.access(top / "bin/exo-guard", os.X_OK) and os.access(top / "share/exo-guard/hooks/pre-push", os.X_OK)
    binary = str(top / "bin/exo-guard")
    r = minimal([binary, "--version"])
    assert r.returncode == 0 and r.stdout.startswith("exo-guard ") and "libgit2 1." in r.stdout
    r = minimal([binary, "conflicts", "--root", str(REPO / "examples/workspace")])
    assert r.returncode == 0 and "session-timeout <-> sso" in r.stdout
    # the release binary keeps its CA-bundle stand-in: libgit2 binds it, not mbedTLS's
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True,
                   env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"})
    r = subprocess.run([binary, "conflicts", "--rev", "HEAD"], cwd=repo, capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "LD_DEBUG": "bindings"})
    bindings = [line for line in r.stderr.splitlines() if "`mbedtls_x509_crt_parse_file'" in line]
    assert bindings and all("exo-guard" in b.split(" to ", 1)[1].split(":")[0] for b in bindings), bindings
    # the Swift runtime is linked in: nothing from the toolchain's folder is needed
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    assert "swift" not in ldd.lower()
    assert "complete" in (top / "share/bash-completion/completions/exo-guard").read_text()
    assert ".Nm exo-guard" in (top / "share/man/man1/exo-guard.1").read_text()
    make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr/local")
    assert not any((top / f).exists() for f in FILES)

    if os.geteuid() != 0 or not shutil.which("dpkg"):
        pytest.skip("installing a package needs root and dpkg")
    # lintian clean (installed when missing) and scripts/check-deb.sh on the unpacked package
    out = make("deb-check").stdout
    deb = REPO / next(line for line in out.splitlines() if line.startswith("built ")).split("built ", 1)[1]
    assert "is fine" in out, out
    depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True).stdout
    assert "libgit2-1.5 (>=" in depends and "libc6" in depends and depends.strip().endswith(", git"), depends
    contents = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True).stdout
    for f in ["./usr/bin/exo-guard", "./usr/share/man/man1/exo-guard.1.gz", "./usr/share/doc/exo-guard/copyright",
              "./usr/share/doc/exo-guard/changelog.gz"]:
        assert f in contents, f
    subprocess.run(["dpkg", "-r", "exo-guard"], capture_output=True)
    r = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    try:
        r = minimal(["/usr/bin/exo-guard", "--version"], cwd=str(tmp_path))
        assert r.returncode == 0 and r.stdout.startswith("exo-guard ")
        assert os.path.isfile("/usr/share/exo-guard/hooks/pre-receive")
    finally:
        r = subprocess.run(["dpkg", "-r", "exo-guard"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists("/usr/bin/exo-guard")
