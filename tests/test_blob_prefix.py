"""Documents in git are read only as far as their frontmatter goes, straight from the
object files (a pack's undeltified blob, a loose blob), and through libgit2 otherwise.
Whatever form the objects take, the graph must equal the reference on the files.

A workspace large enough for the parallel read (it starts at 64 documents), whose documents
take every awkward form of frontmatter (CRLF, lone CR, a BOM, a closing line at the very
end, a `---` inside the block that does not close it, no frontmatter, an unclosed one) and
bodies from empty to far larger than the first read, committed as loose objects, packed,
packed with deltas, and read in a bare clone.
"""
import random

import pytest

from casefiles import write_case
from conftest import STATS, git, guard, probes, reference

TOML = ('packs = ["coordination"]\n[types.module]\nfolder = "modules"\n[types.change]\nfolder = "changes"\n'
        'optional = { touches = "ref-list", gate = "ref" }\n')

HEADS = [
    "---\nstatus: {s}\ntouches: [{t}]\n---\n",
    "---\r\nstatus: {s}\r\ntouches: [{t}]\r\n---\r\n",
    "---\rstatus: {s}\rtouches: [{t}]\r---\r",
    "\ufeff---\nstatus: {s}\ntouches: [{t}]\n---\n",
    "--- \t\nstatus: {s}\ntouches: [{t}]\n---\t\n",
    "---\nstatus: {s}\ntouches: [{t}]\n---x\nnot: closed\n---\n",
    "---\nstatus: {s}\ntouches:\n  - {t1}\n  - {t2}\n---",
    "# No frontmatter\n---\nstatus: {s}\ntouches: [{t}]\n---\n",
    "---\nstatus: {s}\ntouches: [{t}]\n",
    "---\nstatus: {s}\ntouches: [{t}]\nnote: |\n  a\n  ---\n  b\n---\n",
]


def workspace(seed):
    rnd = random.Random(seed)
    files = {"tropo.toml": TOML}
    for m in range(20):
        files[f"modules/mod-{m}.md"] = f"---\nowner: t{m}\n---\n# Module {m}\n"
    for c in range(140):
        head = rnd.choice(HEADS)
        t1, t2 = (f"mod-{rnd.randrange(20)}" for _ in range(2))
        text = head.format(s=rnd.choice(["active", "active", "draft"]), t=f"{t1}, {t2}", t1=t1, t2=t2)
        body = "".join(rnd.choice("abc def\n") for _ in range(rnd.choice([0, 10, 400, 3000, 70000])))
        files[f"changes/part-{c % 3}/change-{c}.md"] = text + body
    return files


def expected(tmp_path, files):
    top = tmp_path / "ref"
    top.mkdir()
    write_case(top, files)
    return {cmd: reference(cmd, "--json", cwd=top).stdout for cmd in ("conflicts", "board")}


def committed(top, files):
    """A repository at `top` whose one commit holds `files`, as loose objects."""
    top.mkdir()
    write_case(top, files)
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "w")
    return top


def repack_plain(top):
    git(top, "repack", "-adq", "--window=0")


def repack_deltas(top):
    git(top, "repack", "-adfq", "--window=250", "--depth=50")


@pytest.mark.parametrize("form", ["loose", "packed", "deltas"])
@pytest.mark.parametrize("seed", [1, 2])
def test_documents_read_from_the_object_files_equal_the_reference(seed, form, tmp_path):
    files = workspace(seed)
    want = expected(tmp_path, files)
    top = committed(tmp_path / "w", files)
    # The same documents once more, edited a little: material for deltas.
    for rel in [r for r in files if r.startswith("changes/part-0/")]:
        (top / rel).write_bytes((top / rel).read_bytes() + b"\nmore\n")
    git(top, "commit", "-q", "-am", "edit")
    git(top, "revert", "--no-edit", "HEAD")
    {"loose": lambda t: None, "packed": repack_plain, "deltas": repack_deltas}[form](top)
    for cmd in ("conflicts", "board"):
        got = guard(cmd, "--json", "--rev", "HEAD", cwd=top, env=STATS)
        assert got.returncode == 0, got.stderr
        assert got.stdout == want[cmd], f"{form} {cmd}"
        # And the fast path really ran: 160 documents, past the parallel read's threshold,
        # read ahead on helper threads, as far as their frontmatter goes where the object
        # files hold them plainly; deltified blobs (the edited part-0 documents) and
        # tropo.toml whole through libgit2.
        read = probes(got)
        assert read["read-ahead"] == 160 and read["parsed-in-walk"] == 0, read
        # Most frontmatter (the modules', a change's `key: value` lines, normalized from CRLF,
        # CR or a BOM) read in one pass; an indented list, a block or a `---x` line inside
        # the block by tropo's full parser; the same graph as exo's either way.
        assert read["simple-frontmatter"] >= 80 and read["full-frontmatter"] >= 10, read
        if form == "deltas":
            assert read["whole-read"] >= 40 and read["prefix-read"] + read["whole-read"] == 161, read
        else:
            assert read["prefix-read"] == 160 and read["whole-read"] == 1, read
    bare = tmp_path / "w.git"
    git(tmp_path, "clone", "-q", "--bare", "--no-local", str(top), str(bare))
    got = guard("conflicts", "--json", "--rev", "HEAD", cwd=bare)
    assert got.stdout == want["conflicts"], f"{form} bare"
    # The guard's own read (cold, then from the cache it wrote) sees the same graph.
    check = guard("check", "--base-empty", "--rev", "HEAD", "--json", "--mode", "warn", cwd=top, env=STATS)
    again = guard("check", "--base-empty", "--rev", "HEAD", "--json", "--mode", "warn", cwd=top, env=STATS)
    plain = guard("check", "--base-empty", "--rev", "HEAD", "--json", "--mode", "warn", cwd=top,
                  env={"EXO_GUARD_CACHE": "0", **STATS})
    assert check.stdout == again.stdout == plain.stdout
    # Cold, then warm: every folder from the cache by its tree id, no document read again.
    cold, warm, uncached = probes(check), probes(again), probes(plain)
    assert cold["read-ahead"] == 160 and cold["cached-folder"] == 0, cold
    assert warm["cached-folder"] >= 1 and warm["walked-folder"] == 0, warm
    assert warm["read-ahead"] == warm["parsed-in-walk"] == warm["prefix-read"] == 0, warm
    # Without the cache: walked and read again.
    assert uncached["cached-folder"] == 0 and uncached["read-ahead"] == 160, uncached


def test_a_large_loose_object_is_read_as_far_as_its_frontmatter(tmp_path):
    """Loose objects up to 256 KiB are read into memory with one read, larger ones mapped:
    a document whose body does not compress below that (random text, 1 MiB) is read from
    its loose object like the small ones, and equals the reference."""
    rnd = random.Random(7)
    files = workspace(3)
    files["changes/part-0/huge.md"] = "---\nstatus: active\ntouches: [mod-1]\n---\n" + "".join(
        rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789 \n") for _ in range(1 << 20))
    want = expected(tmp_path, files)
    top = committed(tmp_path / "w", files)
    blob = git(top, "rev-parse", "HEAD:changes/part-0/huge.md").stdout.strip()
    assert (top / ".git/objects" / blob[:2] / blob[2:]).stat().st_size > 256 << 10
    got = guard("conflicts", "--json", "--rev", "HEAD", cwd=top, env=STATS)
    assert got.returncode == 0, got.stderr
    assert got.stdout == want["conflicts"]
    assert probes(got)["prefix-read"] == 161 and probes(got)["whole-read"] == 1, probes(got)
