"""Generated workspaces: one (or more) for every rule of GRAPH.md, and randomised ones.

A case is (name, files, start): `files` maps a path to text, bytes, or Link(target);
`start` is the folder, relative to the case's top, where `--root` points (None: the top).
"""
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    target: str


COORD = 'packs = ["coordination"]\n'
CHANGE_TYPE = """
[types.change]
folder = "changes"
optional = { touches = "ref-list", gate = "ref", verified_by = "ref", notes = "string-list" }
[types.module]
folder = "modules"
[types.gate]
folder = "gates"
"""
BASIC = COORD + CHANGE_TYPE


def fm(**fields):
    lines = ["---"]
    for k, v in fields.items():
        lines.append(f"{k}: {v}")
    lines.append("---")
    return "\n".join(lines) + "\n\nBody text.\n"


def base_docs():
    return {
        "modules/auth.md": "# Auth\n",
        "modules/billing.md": fm(status="stable"),
        "gates/release.md": fm(status="open"),
        "changes/a.md": fm(status="active", touches="[auth, billing]", gate="release"),
        "changes/b.md": fm(status="active", touches="[auth]", assignee="bob"),
        "changes/c.md": fm(status="draft", touches="[auth]"),
        "changes/d.md": fm(status="active", gate="release"),
    }


def ws(config=BASIC, **extra):
    files = {"tropo.toml": config}
    files.update(base_docs())
    files.update(extra)
    return files


THIN = """version = 1
packs = ["coordination"]
exclude = [".vivary/state", "private", "runtime"]
[workspace]
contract = "thin-v0.3"
preset = "solo"
state = ".vivary/state"
private = ["private"]
runtime = ["runtime"]
adapters = ["agents"]
""" + CHANGE_TYPE


def thin(text=THIN, **extra):
    files = {".vivary/workspace.toml": text}
    files.update(base_docs())
    files.update(extra)
    return files


def rule_cases():
    c = []
    add = lambda name, files, start=None: c.append((name, files, start))

    # 1. Finding the workspace root
    add("root-legacy", ws())
    add("root-legacy-from-subfolder", ws(), "changes")
    add("root-legacy-from-file", ws(), "changes/a.md")
    add("root-nearest-legacy", {"tropo.toml": "", "inner/tropo.toml": BASIC,
                                **{"inner/" + k: v for k, v in base_docs().items()}}, "inner/changes")
    add("root-thin", thin())
    add("root-thin-beats-nearer-legacy", {**thin(), "sub/tropo.toml": BASIC,
                                          "sub/changes/x.md": fm(status="active", touches="[auth]")}, "sub")
    add("root-two-thin-competing", {**thin(), "sub/.vivary/workspace.toml": THIN, "sub/changes/x.md": fm(status="active")}, "sub")
    add("root-none", {"changes/a.md": fm(status="active")})
    add("root-missing-start-folder", ws(), "does/not/exist")

    # 2. Thin-config validation
    add("thin-version-2", thin(THIN.replace("version = 1", "version = 2")))
    add("thin-version-float", thin(THIN.replace("version = 1", "version = 1.0")))
    add("thin-version-bool", thin(THIN.replace("version = 1", "version = true")))
    add("thin-no-workspace-table", thin("version = 1\nexclude = []\n"))
    add("thin-contract-wrong", thin(THIN.replace('"thin-v0.3"', '"thin-v0.2"')))
    add("thin-preset-empty", thin(THIN.replace('preset = "solo"', 'preset = ""')))
    add("thin-state-dotdot", thin(THIN.replace('state = ".vivary/state"', 'state = "../x"')))
    add("thin-state-absolute", thin(THIN.replace('state = ".vivary/state"', 'state = "/x"')))
    add("thin-state-drive", thin(THIN.replace('state = ".vivary/state"', 'state = "C:x"')))
    add("thin-state-trailing-slash", thin(THIN.replace('state = ".vivary/state"', 'state = "x/"')))
    add("thin-private-empty", thin(THIN.replace('private = ["private"]', "private = []")))
    add("thin-runtime-not-list", thin(THIN.replace('runtime = ["runtime"]', 'runtime = "runtime"')))
    add("thin-adapters-bad", thin(THIN.replace('adapters = ["agents"]', 'adapters = ["vim"]')))
    add("thin-adapters-twice", thin(THIN.replace('adapters = ["agents"]', 'adapters = ["agents", "agents"]')))
    add("thin-adapters-missing", thin(THIN.replace('adapters = ["agents"]\n', "")))
    add("thin-capability-ok", thin(THIN.replace('adapters = ["agents"]', 'adapters = ["agents", "claude"]\ncapabilities = ["cocoindex-code"]')
                                   .replace('"runtime"]\n[', '"runtime", ".cocoindex_code"]\n[')))
    add("thin-capability-unprotected", thin(THIN.replace('adapters = ["agents"]', 'adapters = ["agents"]\ncapabilities = ["cocoindex-code"]')))
    add("thin-capability-bad", thin(THIN.replace('adapters = ["agents"]', 'adapters = ["agents"]\ncapabilities = ["x"]')))
    add("thin-exclude-missing", thin(THIN.replace('exclude = [".vivary/state", "private", "runtime"]', 'exclude = ["private"]')))
    add("thin-exclude-slashes", thin(THIN.replace('exclude = [".vivary/state", "private", "runtime"]', 'exclude = ["/.vivary/state/", "private/", "runtime"]')))
    add("thin-exclude-not-list", thin(THIN.replace('exclude = [".vivary/state", "private", "runtime"]', 'exclude = "private"')))
    add("thin-private-docs-excluded", thin(**{"private/changes/p.md": fm(status="active", touches="[auth]")}))
    add("thin-config-symlink", {".vivary/real.toml": THIN, ".vivary/workspace.toml": Link("real.toml"), **base_docs()})
    add("thin-root-overlay", thin(**{"tropo.toml": "[types.change]\nrequired = { touches = \"ref-list\" }\n"}))
    add("thin-root-overlay-loosens", thin(**{"tropo.toml": "[types.change]\noptional = { touches = \"string-list\" }\n"}))

    # 3. Packs
    add("pack-dev-project", ws('packs = ["dev-project"]\n' + CHANGE_TYPE.replace('[types.module]\nfolder = "modules"\n', ""),
                               **{"decisions/d1.md": fm(status="accepted", date="2026-01-01", supersedes="d0"),
                                  "decisions/d0.md": fm(status="superseded", date="2025-01-01"),
                                  "changes/e.md": fm(status="active", touches="[d1]")}))
    add("pack-repo-graph", {"tropo.toml": 'packs = ["repo-graph", "coordination"]\n', **base_docs(),
                            "changes/r.md": fm(status="active", related_modules="[auth]", project="x", slice="s")})
    add("pack-repo-graph-with-refs", {"tropo.toml": 'packs = ["repo-graph"]\n[types.implementation_slice.optional]\ntouches = "ref-list"\n', **base_docs()})
    add("pack-local-shadows-bundled", ws('packs = ["coordination"]\n' + CHANGE_TYPE,
                                         **{".tropo/packs/coordination.toml": '[base.optional]\nowner = "ref"\n',
                                            "changes/o1.md": fm(status="active", owner="alice"),
                                            "changes/o2.md": fm(status="active", owner="alice")}))
    add("pack-local-only", ws('packs = ["mine"]\n' + CHANGE_TYPE, **{".tropo/packs/mine.toml": '[base.optional]\nparent = "ref"\n',
                                                                     "changes/p1.md": fm(status="active", parent="auth")}))
    add("pack-missing", ws('packs = ["nope"]\n'))
    add("pack-order-conflict", ws('packs = ["coordination", "x"]\n', **{".tropo/packs/x.toml": '[base.optional]\nassignee = "ref"\n'}))

    # 4. Tighten-only merging
    add("tighten-optional-to-required", ws(BASIC + '[base.required]\nassignee = "string"\n'))
    add("tighten-enum-narrow", ws('packs = ["p"]\n' + CHANGE_TYPE.replace('optional = {', 'optional = { status = "enum:active|draft", '),
                                  **{".tropo/packs/p.toml": '[types.change.optional]\nstatus = "enum:active|draft|done"\n'}))
    add("tighten-enum-widen", ws('packs = ["p"]\n[types.change.optional]\nstatus = "enum:active|draft|done|x"\n',
                                 **{".tropo/packs/p.toml": '[types.change.optional]\nstatus = "enum:active|draft|done"\n'}))
    add("tighten-required-to-optional", ws('packs = ["p"]\n' + CHANGE_TYPE,
                                           **{".tropo/packs/p.toml": '[base.required]\ntouches = "ref-list"\n'}))
    add("tighten-spec-change", ws('packs = ["p"]\n' + CHANGE_TYPE,
                                  **{".tropo/packs/p.toml": '[types.change.optional]\ntouches = "string-list"\n'}))
    add("tighten-allow-untyped", ws('packs = ["p"]\n[base]\nallow_untyped = true\n' + CHANGE_TYPE,
                                    **{".tropo/packs/p.toml": '[base]\nallow_untyped = false\n'}))
    add("tighten-strict", ws('packs = ["p"]\n[base]\nstrict = false\n' + CHANGE_TYPE,
                             **{".tropo/packs/p.toml": '[base]\nstrict = true\n'}))
    add("tighten-folder-claimed-twice", ws(BASIC + '[types.other]\nfolder = "changes"\n'))
    add("type-folder-list", ws(COORD + '[types.change]\nfolder = ["changes", "work"]\noptional = { touches = "ref-list" }\n',
                               **{"work/w.md": fm(status="active", touches="[auth]")}))
    add("type-folder-default-name", ws(COORD + '[types.changes]\noptional = { touches = "ref-list" }\n'))
    add("type-nested-folder", ws(BASIC, **{"changes/sub/deep/n.md": fm(status="active", touches="[billing]")}))
    add("derive-skips-ref", ws(BASIC + '[base]\nderive = ["touches"]\n'))
    add("derive-union", ws('packs = ["p"]\n[base]\nderive = ["gate"]\n' + CHANGE_TYPE, **{".tropo/packs/p.toml": '[base]\nderive = ["touches", "gate"]\n'}))
    add("base-ref-field", ws(COORD + '[base.optional]\nparent = "ref"\n' + CHANGE_TYPE,
                             **{"changes/p1.md": fm(status="active", parent="epic"), "changes/p2.md": fm(status="active", parent="epic")}))
    add("toml-invalid", ws(BASIC + "this is = = not toml\n"))
    # toml++ asserted (aborting the process) on a table header whose key starts badly.
    add("toml-header-bad-key-start", ws(BASIC + "[|types.module]\n"))
    add("toml-array-closed-by-a-brace", ws(BASIC + "x = [1, }\n"))
    add("toml-header-in-a-value", ws(BASIC + "x = [\n[+1],\n]\ns = \"\"\"\n[|y\n\"\"\"\n"))
    add("toml-bom", ws("\ufeff" + BASIC))
    add("toml-exclude-string", ws(BASIC + 'exclude = "changes"\n'))

    # Overlays
    add("overlay-adds-ref", ws(BASIC, **{"changes/team/tropo.toml": '[types.change.optional]\nowner = "ref"\n',
                                        "changes/team/t1.md": fm(status="active", owner="carol"),
                                        "changes/team/t2.md": fm(status="active", owner="carol"),
                                        "changes/u.md": fm(status="active", owner="carol")}))
    add("overlay-exclude-rebased", ws(BASIC, **{"changes/tropo.toml": 'exclude = ["old/x.md", "./old/y.md"]\n',
                                               "changes/old/x.md": fm(status="active", touches="[auth]"),
                                               "changes/old/y.md": fm(status="active", touches="[auth]"),
                                               "changes/old/z.md": fm(status="active", touches="[auth]")}))
    add("overlay-exclude-component", ws(BASIC, **{"changes/tropo.toml": 'exclude = ["drafts"]\n',
                                                 "changes/drafts/x.md": fm(status="active", touches="[auth]")}))
    add("overlay-loosens", ws(BASIC, **{"changes/tropo.toml": '[types.change.optional]\ntouches = "string-list"\n'}))
    add("overlay-nested-thin", ws(BASIC, **{"changes/sub/.vivary/workspace.toml": THIN, "changes/sub/s.md": fm(status="active")}))
    add("overlay-nested-thin-no-docs", ws(BASIC, **{"other/.vivary/workspace.toml": THIN}))
    add("overlay-two-levels", ws(BASIC, **{"changes/tropo.toml": '[types.change.optional]\nowner = "ref"\n',
                                          "changes/x/tropo.toml": '[types.change.required]\nowner = "ref"\n',
                                          "changes/x/k.md": fm(status="active", owner="dan"),
                                          "changes/l.md": fm(status="active", owner="dan")}))
    add("overlay-root-exclude-prunes", ws(BASIC + 'exclude = ["archive"]\n', **{"changes/archive/old.md": fm(status="active", touches="[auth]")}))

    # 3. Which files are documents
    add("walk-default-excludes", ws(BASIC, **{"node_modules/changes/n.md": fm(status="active", touches="[auth]"),
                                             ".obsidian/x.md": fm(status="active"), ".claude/changes/c.md": fm(status="active"),
                                             ".tropo/changes/t.md": fm(status="active")}))
    add("walk-exclude-patterns", ws(BASIC + 'exclude = ["changes/b.md", "gates/", "modules/**", "nothing/"]\n'))
    add("walk-exclude-file-component", ws(BASIC + 'exclude = ["c.md"]\n'))
    add("walk-markdown-suffix", ws(BASIC, **{"changes/m.markdown": fm(status="active", touches="[auth]"),
                                            "changes/u.MD": fm(status="active", touches="[auth]"),
                                            "changes/v.md.txt": fm(status="active", touches="[auth]")}))
    add("walk-symlinked-file-inside", ws(BASIC, **{"changes/alias.md": Link("a.md")}))
    add("walk-symlinked-file-chain", ws(BASIC, **{"changes/l1.md": Link("l2.md"), "changes/l2.md": Link("../store/real.md"),
                                                 "store/real.md": fm(status="active", touches="[auth]")}))
    add("walk-symlinked-file-dangling", ws(BASIC, **{"changes/gone.md": Link("nothing.md")}))
    add("walk-symlinked-dir", ws(BASIC, **{"store/changes/s.md": fm(status="active", touches="[auth]"), "linked": Link("store/changes"),
                                          "changes/more": Link("../store/changes")}))
    add("walk-symlink-to-dir-named-md", ws(BASIC, **{"store/x.md/y.md": fm(status="active"), "changes/dir.md": Link("../store/x.md")}))
    add("walk-symlink-outside-root", {"inner/tropo.toml": BASIC, **{"inner/" + k: v for k, v in base_docs().items()},
                                      "outside.md": fm(status="active", touches="[auth]"),
                                      "inner/changes/out.md": Link("../../outside.md")}, "inner")
    add("walk-order-duplicates", ws(BASIC, **{"changes/a/a.md": fm(status="draft"), "changes/z/a.md": fm(status="active", touches="[zeta]")}))

    # 4. Reading one document
    add("doc-bom", ws(BASIC, **{"changes/bom.md": b"\xef\xbb\xbf---\nstatus: active\ntouches: [auth]\n---\n"}))
    add("doc-crlf", ws(BASIC, **{"changes/crlf.md": b"---\r\nstatus: active\r\ntouches: [auth]\r\n---\r\nbody\r\n"}))
    add("doc-lone-cr", ws(BASIC, **{"changes/cr.md": b"---\rstatus: active\rtouches: [auth]\r---\r"}))
    add("doc-invalid-utf8", ws(BASIC, **{"changes/bad.md": b"---\nstatus: active\ntouches: [auth, \xff\xfe]\nnote: \xed\xa0\x80\n---\n"}))
    add("doc-no-closing", ws(BASIC, **{"changes/open.md": "---\nstatus: active\ntouches: [auth]\n"}))
    add("doc-closing-at-eof", ws(BASIC, **{"changes/eof.md": "---\nstatus: active\ntouches: [auth]\n---"}))
    add("doc-fence-spaces", ws(BASIC, **{"changes/sp.md": "---  \nstatus: active\ntouches: [auth]\n--- \t\nbody"}))
    add("doc-fence-dashes", ws(BASIC, **{"changes/dd.md": "---\nstatus: active\n----\ntouches: [auth]\n---\n"}))
    add("doc-first-close-wins", ws(BASIC, **{"changes/fc.md": "---\nstatus: active\n---\ntouches: [auth]\n---\n"}))
    add("doc-empty-frontmatter", ws(BASIC, **{"changes/empty.md": "---\n\n---\n"}))
    add("doc-leading-blank", ws(BASIC, **{"changes/lb.md": "\n---\nstatus: active\n---\n"}))
    add("doc-empty-file", ws(BASIC, **{"changes/zero.md": ""}))

    # YAML subset
    y = lambda name, text: add("yaml-" + name, ws(BASIC, **{f"changes/y-{name}.md": "---\n" + text + "\n---\n",
                                                          "changes/peer.md": fm(status="active", touches="[auth, billing, x, y]")}))
    y("tab-indent", "status: active\ntouches:\n\t- auth")
    y("tab-in-value", "status: active\ttouches: [auth]")
    y("duplicate-key", "status: active\ntouches: [auth]\nstatus: done")
    y("list-of-maps", "status: active\ntouches:\n  - name: auth")
    y("list-url", "status: active\ntouches:\n  - http://x\n  - auth")
    y("quotes-hash", "status: 'active'\ntouches: [\"a#b\", 'c # d', auth] # trailing\nnote: x#y")
    y("comment-no-space", "status: active#not a comment\ntouches: [auth]")
    y("block-literal", "status: active\nbody: |\n  line one\n  # not a comment?\n  line two\ntouches: [auth]")
    y("block-folded", "status: active\nbody: >-\n  folded\ntouches: [billing]")
    y("nested-map", "status: active\nmeta:\n  owner: x\n  inner:\n    deep: 1\ntouches: [auth]")
    y("nested-inline", "status: active\ntouches: [auth, [billing, x], {y}]")
    y("inline-empty", "status: active\ntouches: []\ngate: ~")
    y("inline-commas", "status: active\ntouches: [auth,, billing, ]")
    y("block-list", "status: active\ntouches:\n  - auth\n  -\n  - 5\n  - billing")
    y("list-at-key-indent", "status: active\ntouches:\n- auth")
    y("unexpected-indent", "status: active\n  touches: [auth]")
    y("bad-line", "status: active\njust words\ntouches: [auth]")
    y("top-level-list", "- status\n- active")
    y("scalar-types", "status: active\ntouches: [1, 2.5, true, null, ~, 'auth', \"billing\", 1_000, 0x10, 1e3, inf, -nan]")
    y("colon-in-value", "status: active\ntouches: auth:billing\ngate: release: now")
    y("key-quoted", "'status': active\n\"touches\": [auth]")
    y("key-no-space", "status:active\ntouches: [auth]")
    y("empty-value-then-map", "status: active\ntouches:\ngate: release")
    y("dash-only-line", "status: active\n-\ntouches: [auth]")
    y("unicode-ws", "status: active\u00a0\ntouches: [auth]\u3000")
    y("ref-self-and-broken", "status: active\ntouches: [y-ref-self-and-broken, ghost, Auth, 'with space']")
    add("status-values", ws(BASIC, **{
        "changes/s1.md": fm(status="Active", touches="[auth]"),
        "changes/s2.md": fm(status="'active'", touches="[auth]"),
        "changes/s3.md": fm(status="true"),
        "changes/s4.md": fm(status="''"),
        "changes/s5.md": fm(status="~"),
        "changes/s6.md": fm(status="0"),
        "changes/s7.md": "---\nstatus:\n---\n",
        "changes/s8.md": fm(status="false"),
        "changes/s9.md": "---\ntouches: [auth]\n---\n",
        "changes/s10.md": fm(status="[]"),
        "changes/s11.md": fm(status="{}"),
    }))
    add("status-numbers", ws(BASIC, **{
        "changes/n1.md": fm(status="5"), "changes/n2.md": fm(status="2.5"), "changes/n3.md": fm(status="1e20"),
        "changes/n4.md": fm(status="-0.0001"), "changes/n5.md": fm(status="123456789012345678901234567890"),
        "changes/n6.md": fm(status="inf"), "changes/n7.md": fm(status="1e-7"), "changes/n8.md": fm(status="007"),
    }))
    add("status-lists", ws(BASIC, **{"changes/l1.md": fm(status="[b, 'it''s', 1]"), "changes/l2.md": fm(status="[a]"),
                                    "changes/l3.md": "---\nstatus:\n  - x\n  - y\n---\n"}))
    add("status-unicode", ws(BASIC, **{"changes/u1.md": fm(status="élan", assignee="José"),
                                      "changes/u2.md": fm(status="\U0001F680 go", assignee="'q\"uote'"),
                                      "changes/u3.md": fm(status="ä"), "changes/u4.md": fm(status="zzz")}))
    add("assignee-values", ws(BASIC, **{"changes/a1.md": fm(status="active", assignee="0"),
                                       "changes/a2.md": fm(status="active", assignee="[x, y]"),
                                       "changes/a3.md": fm(status="active", assignee="false"),
                                       "changes/a4.md": fm(status="active", assignee="''")}))

    # Derived ids
    add("id-index-documents", ws(BASIC, **{"changes/README.md": fm(status="active", touches="[auth]"),
                                          "changes/feat/index.md": fm(status="active", touches="[auth]"),
                                          "changes/feat2/_index.markdown": fm(status="active", touches="[billing]"),
                                          "changes/feat3/Feat3.md": fm(status="active", touches="[billing]"),
                                          "changes/Readme.MD.md": fm(status="active", touches="[auth]")}))
    add("id-slugify", ws(BASIC, **{"changes/Hello World!.md": fm(status="active", touches="[auth]"),
                                  "changes/--x--.md": fm(status="active", touches="[auth]"),
                                  "changes/!!!.md": fm(status="active", touches="[auth]"),
                                  "changes/Ünïcødé.md": fm(status="active", touches="[auth]"),
                                  "changes/a.b_c-d.md": fm(status="active", touches="[auth]"),
                                  "changes/x.md.md": fm(status="active", touches="[auth]"),
                                  "changes/y.markdown.md": fm(status="active", touches="[auth]"),
                                  "changes/UPPER.md": fm(status="active", touches="[auth]")}))
    add("id-duplicates-last-wins", ws(BASIC, **{"changes/x/dup.md": fm(status="active", touches="[auth]"),
                                               "changes/y/dup.md": fm(status="draft", touches="[billing]"),
                                               "modules/dup.md": fm(status="active")}))
    add("id-duplicate-change-and-module", ws(BASIC, **{"changes/same.md": fm(status="active", touches="[auth]"),
                                                      "modules/same.md": "# module\n"}))
    add("id-root-readme", ws(BASIC, **{"README.md": fm(status="active", touches="[auth]")}))

    # Edges
    add("edge-null-and-nonstring", ws(BASIC, **{"changes/e1.md": fm(status="active", touches="~", gate="5"),
                                               "changes/e2.md": fm(status="active", touches="[5, true, ~, auth]", gate="[release]")}))
    add("edge-string-list-no-edge", ws(BASIC, **{"changes/e3.md": fm(status="active", notes="[auth]"),
                                                "changes/e4.md": fm(status="active", notes="[auth]", undeclared="auth")}))
    add("edge-ref-list-given-scalar", ws(BASIC, **{"changes/e5.md": fm(status="active", touches="auth"),
                                                  "changes/e6.md": fm(status="active", gate="[auth, billing]")}))
    add("edge-empty-string-target", ws(BASIC, **{"changes/e7.md": fm(status="active", gate="''"),
                                                "changes/e8.md": fm(status="active", gate='""')}))
    add("edge-nested-map-value", ws(BASIC, **{"changes/e9.md": "---\nstatus: active\ntouches:\n  k: auth\n---\n"}))
    add("edge-untyped-doc", ws(BASIC, **{"misc/m.md": fm(status="active", touches="[auth]")}))
    add("edge-type-from-root-name", {"ws/tropo.toml": COORD + '[types.ws]\nfolder = "ws"\noptional = { touches = "ref-list" }\n',
                                     "ws/changes/r1.md": fm(status="active", touches="[auth]"),
                                     "ws/changes/r2.md": fm(status="active", touches="[auth]"),
                                     "ws/README.md": fm(status="active")}, "ws")

    # exo's view
    add("role-first-folder-only", ws(BASIC, **{"work/changes/w.md": fm(status="active", touches="[auth]"),
                                              "changes.md": fm(status="active", touches="[auth]")}))
    add("role-verification-gate", ws(BASIC + '[types.verification]\nfolder = "verification"\noptional = { covers = "ref-list" }\n',
                                     **{"verification/v1.md": fm(status="active", covers="[auth]"),
                                        "changes/v.md": fm(status="active", verified_by="v1", touches="[v1]"),
                                        "changes/w.md": fm(status="active", verified_by="v1")}))
    add("no-changes", {"tropo.toml": BASIC, "modules/auth.md": "# auth\n"})
    add("no-active", {"tropo.toml": BASIC, "changes/x.md": fm(status="draft")})
    add("many-shared", ws(BASIC, **{f"changes/m{i}.md": fm(status="active", touches="[auth, billing, t%d]" % (i % 3)) for i in range(8)}))
    return c


def random_case(seed):
    rnd = random.Random(seed)
    files = {}
    cfg = [COORD]
    ref_fields = ["touches", "gate", "needs", "verified_by"]
    cfg.append('[types.change]\nfolder = "changes"\noptional = { touches = "ref-list", gate = "ref", needs = "ref-list", verified_by = "ref", tags = "string-list" }\n')
    cfg.append('[types.module]\nfolder = "modules"\n[types.gate]\nfolder = "gates"\n[types.verification]\nfolder = "verification"\n')
    if rnd.random() < 0.3:
        cfg.append('[base]\nderive = ["needs"]\n')
    if rnd.random() < 0.3:
        cfg.append('exclude = ["archive", "changes/old"]\n')
    files["tropo.toml"] = "".join(cfg)
    n_mod = rnd.randint(1, 12)
    modules = [f"mod-{i}" for i in range(n_mod)]
    gates = [f"gate-{i}" for i in range(rnd.randint(0, 3))]
    verifs = [f"ver-{i}" for i in range(rnd.randint(0, 3))]
    for m in modules:
        files[f"modules/{m}.md"] = fm(status=rnd.choice(["stable", "active", "draft"]))
    for g in gates:
        files[f"gates/{g}.md"] = fm(status="open")
    for v in verifs:
        files[f"verification/{v}.md"] = fm(status="planned")
    targets = modules + gates + verifs + ["ghost", "Mixed Case"]
    statuses = ["active"] * 5 + ["draft", "done", "closed", "'active'", "Active", "~", "", "blocked"]
    for i in range(rnd.randint(0, 30)):
        folder = rnd.choice(["changes", "changes", "changes", "changes/sub", "changes/old", "archive/changes", "changes/deep/er"])
        name = rnd.choice([f"ch-{i}", f"CH {i}", f"ch-{i % 5}", "README", "index"])
        fields = {}
        st = rnd.choice(statuses)
        if st:
            fields["status"] = st
        for f in rnd.sample(ref_fields, rnd.randint(0, len(ref_fields))):
            if f in ("gate", "verified_by"):
                fields[f] = rnd.choice(targets)
            else:
                k = rnd.randint(0, 4)
                picked = rnd.sample(targets, min(k, len(targets)))
                if rnd.random() < 0.5:
                    fields[f] = "[" + ", ".join(picked) + "]"
                else:
                    fields[f] = "\n" + "\n".join("  - " + p for p in picked) if picked else "[]"
        if rnd.random() < 0.3:
            fields["assignee"] = rnd.choice(["alice", "bob", "@carol", "0", "''"])
        if rnd.random() < 0.2:
            fields["tags"] = "[x, y]"
        text = fm(**fields)
        if rnd.random() < 0.1:
            text = text.replace("\n", "\r\n")
        if rnd.random() < 0.05:
            text = "\ufeff" + text
        if rnd.random() < 0.05:
            text = text.replace("---\n", "---\n\t", 1)  # a broken frontmatter
        files[f"{folder}/{name}.md"] = text
    return (f"random-{seed}", files, None)


def all_cases(n_random=220):
    return rule_cases() + [random_case(s) for s in range(n_random)]
