"""libgit2 is loaded when a command first needs git, not when the process starts
(Sources/CGit2/shim.h): commands on the files never map it or its eighteen libraries, and
commands on git objects load it and still skip the CA bundle exo-guard never uses, because
the executable's definition of that function comes first.

The dynamic loader says what it loads and binds when LD_DEBUG asks it to.
"""
import os

import pytest

from conftest import BIN, git, guard

TOML = '[types.module]\nfolder = "modules"\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


@pytest.fixture
def repo(tmp):
    (tmp / "modules").mkdir()
    (tmp / "changes").mkdir()
    (tmp / "tropo.toml").write_text(TOML)
    (tmp / "modules" / "m.md").write_text("---\nowner: a\n---\n")
    for c in ("a", "b"):
        (tmp / "changes" / f"{c}.md").write_text("---\nstatus: active\ntouches: [m]\n---\n")
    git(tmp, "init", "-q")
    git(tmp, "add", "-A")
    git(tmp, "commit", "-qm", "graph")
    return tmp


def test_commands_on_the_files_never_load_libgit2(repo):
    for args in (["conflicts", "--json"], ["board"], ["roles"], ["--help"]):
        r = guard(*args, cwd=repo, env={"LD_DEBUG": "libs"})
        assert r.returncode == 0, r.stderr
        assert "libgit2" not in r.stderr, args
    assert '"m"' in guard("conflicts", "--json", cwd=repo).stdout


def test_commands_on_git_load_libgit2_and_skip_what_they_never_use(repo):
    plain = guard("conflicts", "--json", "--rev", "HEAD", cwd=repo)
    r = guard("conflicts", "--json", "--rev", "HEAD", cwd=repo, env={"LD_DEBUG": "libs,bindings"})
    assert r.returncode == 0
    assert r.stdout == plain.stdout and '"m"' in plain.stdout
    assert "libgit2.so" in r.stderr
    binary = os.path.basename(BIN)
    symbol = "mbedtls_x509_crt_parse_file"
    bindings = [line for line in r.stderr.splitlines() if f"`{symbol}'" in line]
    assert bindings, symbol
    # "binding file <lib> [0] to <where> [0]: normal symbol `...'": bound to exo-guard itself.
    assert all(" to " in b and binary in b.split(" to ", 1)[1].split(":")[0] for b in bindings), bindings
    # libssh2 is initialised by libssh2 itself (its stand-in saved nothing measurable)
    ssh = [line for line in r.stderr.splitlines() if "`libssh2_init'" in line]
    assert ssh and not any(binary in b.split(" to ", 1)[1].split(":")[0] for b in ssh), ssh


def test_a_libgit2_that_cannot_be_loaded_is_named_and_only_git_commands_need_it(repo, tmp_path_factory):
    broken = tmp_path_factory.mktemp("lib")
    (broken / "libgit2.so.1.5").write_bytes(b"not a library\n")
    env = {"LD_LIBRARY_PATH": str(broken)}
    r = guard("conflicts", "--rev", "HEAD", cwd=repo, env=env)
    assert r.returncode == 2
    assert r.stderr.startswith("exo-guard: cannot load libgit2 (") and "libgit2.so.1.5" in r.stderr, r.stderr
    r = guard("hook", "pre-commit", cwd=repo, env=env)
    assert r.returncode == 2 and "cannot load libgit2" in r.stderr
    # The files need no git.
    r = guard("conflicts", cwd=repo, env=env)
    assert r.returncode == 0 and "m" in r.stdout, r.stderr


def test_the_whole_of_foundation_is_never_linked(repo):
    """Vendor/TOMLKit takes its few Foundation types from FoundationEssentials: the whole of
    Foundation (and, in a static build, ICU's data) would add 0.8 ms to every start and
    49 MB to the binary. A build with the dynamic Swift runtime names what it loads."""
    r = guard("roles", cwd=repo, env={"LD_DEBUG": "libs"})
    assert r.returncode == 0, r.stderr
    loaded = [line for line in r.stderr.splitlines() if "calling init:" in line]
    assert loaded, "LD_DEBUG=libs printed nothing: cannot tell what was loaded"
    for name in ("libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"):
        assert not any(name in line for line in loaded), name
