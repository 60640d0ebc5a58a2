"""Real transports on 127.0.0.1, started by the tests and stopped after: git daemon with
receive-pack, smart HTTP through git http-backend behind lighttpd, and SSH through OpenSSH's
sshd with git-shell and a generated key. In each, a colliding push is rejected with the
report readable by the client (remote: lines), and a clean push is accepted."""
import contextlib
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import BIN, git
from test_guard import change, head, make_repo, workspace


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@contextlib.contextmanager
def serving(cmd, port, **kwargs):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    try:
        wait_for(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def server_repo(root):
    bare = root / "server.git"
    git(root, "init", "-q", "--bare", str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec {BIN} hook pre-receive\n")
    hook.chmod(0o755)
    git(bare, "config", "http.receivepack", "true")
    return bare


def push_both_ways(tmp_path, url, env=None):
    """The first push (an import), a colliding one (rejected, the report readable), a clean one."""
    repo = make_repo(tmp_path / "client", workspace(), install=False)
    bare = tmp_path / "srv" / "server.git"
    r = git(repo, "push", url, "main", env=env, check=False)
    assert r.returncode == 0, r.stderr
    before = git(bare, "rev-parse", "main").stdout
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "commit", "-qam", "collide")
    r = git(repo, "push", url, "main", env=env, check=False)
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr and "a <-> b" in r.stderr, r.stderr
    assert git(bare, "rev-parse", "main").stdout == before
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    (repo / "changes/c.md").write_text(change("active", "billing"))
    git(repo, "commit", "-qam", "clean")
    r = git(repo, "push", url, "main", env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert git(bare, "rev-parse", "main").stdout.strip() == head(repo)


def test_git_daemon(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    server_repo(root)
    port = free_port()
    cmd = ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={root}",
           "--export-all", "--enable=receive-pack", str(root)]
    with serving(cmd, port):
        push_both_ways(tmp_path, f"git://127.0.0.1:{port}/server.git")


@pytest.mark.skipif(not shutil.which("lighttpd"), reason="lighttpd is not installed (.ci/run installs it)")
def test_smart_http_behind_lighttpd(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    server_repo(root)
    port = free_port()
    conf = tmp_path / "lighttpd.conf"
    conf.write_text(f"""
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
server.document-root = "{root}"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{tmp_path}/lighttpd.log"
server.pid-file = "{tmp_path}/lighttpd.pid"
alias.url = ("/git/" => "/usr/lib/git-core/git-http-backend/")
$HTTP["url"] =~ "^/git/" {{
  cgi.assign = ("" => "")
  setenv.set-environment = ("GIT_PROJECT_ROOT" => "{root}", "GIT_HTTP_EXPORT_ALL" => "1",
                            "REMOTE_USER" => "tester")
}}
""")
    with serving(["lighttpd", "-D", "-f", str(conf)], port):
        push_both_ways(tmp_path, f"http://127.0.0.1:{port}/git/server.git")


@pytest.mark.skipif(not shutil.which("sshd") and not os.path.exists("/usr/sbin/sshd"),
                    reason="sshd is not installed (.ci/run installs it)")
@pytest.mark.skipif(os.geteuid() != 0, reason="sshd runs as root here")
def test_ssh_with_git_shell(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    server_repo(root)
    port = free_port()
    keys = tmp_path / "keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / "host")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / "client")], check=True)
    shell = shutil.which("git-shell") or "/usr/bin/git-shell"
    public = (keys / "client.pub").read_text().strip()
    (keys / "authorized_keys").write_text(
        f'command="{shell} -c \\"$SSH_ORIGINAL_COMMAND\\"",no-pty,no-port-forwarding {public}\n')
    os.chmod(keys / "authorized_keys", 0o600)
    os.makedirs("/run/sshd", exist_ok=True)
    conf = tmp_path / "sshd_config"
    conf.write_text(f"""
Port {port}
ListenAddress 127.0.0.1
HostKey {keys}/host
AuthorizedKeysFile {keys}/authorized_keys
PidFile {tmp_path}/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
""")
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    ssh = (f"ssh -i {keys}/client -p {port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
           "-o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR")
    with serving([sshd, "-D", "-e", "-f", str(conf)], port):
        push_both_ways(tmp_path, f"ssh://root@127.0.0.1:{port}{root}/server.git", env={"GIT_SSH_COMMAND": ssh})
