import Testing

@testable import ExoCore
@testable import ExoModel

/// Derived ids (slugs) and output as Python prints it.
@Suite struct SlugTests {
    @Test func slugify() {
        #expect(DocumentID.slugify("Hello World!.md") == "hello-world")
        #expect(DocumentID.slugify("!!!") == "untitled")
        #expect(DocumentID.slugify("x.md.md") == "x.md")
        #expect(DocumentID.slugify("Ünïcødé") == "n-c-d")
        #expect(DocumentID.slugify("a.b_c-d") == "a.b_c-d")
    }

    @Test func indexDocumentsTakeTheirFolder() {
        #expect(DocumentID.derive(fileName: "README.md", parentName: "Auth Module") == "auth-module")
        #expect(DocumentID.derive(fileName: "_index.markdown", parentName: "x") == "x")
        #expect(DocumentID.derive(fileName: "Feat.MD", parentName: "feat") == "feat")
        #expect(DocumentID.derive(fileName: "other.md", parentName: "feat") == "other")
    }
}

@Suite struct OutputTests {
    @Test func pythonFloats() {
        #expect(PythonFloat.repr(1e16) == "1e+16")
        #expect(PythonFloat.repr(1234567890123456.0) == "1234567890123456.0")
        #expect(PythonFloat.repr(0.0001) == "0.0001")
        #expect(PythonFloat.repr(1e-5) == "1e-05")
        #expect(PythonFloat.repr(2.5) == "2.5")
        #expect(PythonFloat.repr(100) == "100.0")
    }

    @Test func jsonIsASCII() {
        #expect(JSON.string("é\u{1F680}\"").rendered() == "\"\\u00e9\\ud83d\\ude80\\\"\"")
        #expect(JSON.object([("a", .array([]))]).rendered() == "{\n  \"a\": []\n}")
    }

    @Test func pythonRepr() {
        #expect(Value.string("it's").pythonRepr == "\"it's\"")
        #expect(Value.list([.string("a"), .int("1"), .null, .bool(true)]).pythonRepr == "['a', 1, None, True]")
    }

    /// A blob is read only as far as its frontmatter decides: every prefix `isDecided`
    /// accepts must give the fields of the whole file, whatever follows.
    @Test func aDecidedPrefixGivesTheWholeFilesFields() {
        let texts: [[UInt8]] =
            [
                "---\nstatus: active\ntouches: [a, b]\n---\n# Body\n",
                "---\r\nstatus: active\r\n---\r\nbody",
                "---\rstatus: active\r---\rbody",
                "---  \t\nstatus: x\n---\t \nrest",
                "---\nstatus: x\n---",
                "---\nstatus: x\n--- \n",
                "---\nstatus: x\n---x\nstill: inside\n---\nbody",
                "---\n---\nstatus: after\n---\n",
                "---\n\n---\n",
                "--\n",
                "---x\n",
                "# no frontmatter\n---\nstatus: active\n---\n",
                "\u{FEFF}---\nstatus: bom\n---\n",
                "---\nstatus: [a\n---\n",
                "---\nstatus: caf\u{e9}\n---\r",
                "---\nstatus: open\n\n",
                "",
            ].map { Array($0.utf8) } + [
                // BOM, bad UTF-8, CR close
                [0xEF, 0xBB, 0xBF, 0x2D, 0x2D, 0x2D, 0x0A, 0x61, 0x3A, 0x20, 0xC3, 0x0A, 0x2D, 0x2D, 0x2D, 0x0D],
                [0xEF, 0xBB],
                [0x2D, 0x2D, 0x2D, 0x0D, 0x0A, 0x61, 0x3A, 0x20, 0x31, 0x0D, 0x0D, 0x0A, 0x2D, 0x2D, 0x2D, 0x0D, 0x0A, 0x78],
            ]
        var decided = 0
        for text in texts {
            let whole = Frontmatter.fields(of: text)
            for cut in 0...text.count {
                let prefix = Array(text[..<cut])
                guard Frontmatter.isDecided(byPrefix: prefix) else { continue }
                decided += 1
                let early = Frontmatter.fields(of: prefix)
                #expect(early.map == whole.map && early.error == whole.error, "\(text) cut at \(cut)")
                // And whatever else could follow.
                for tail in ["x", "\n---\n", "\r", "\n", "-"] {
                    let other = Frontmatter.fields(of: prefix + Array(tail.utf8))
                    #expect(other.map == early.map && other.error == early.error, "\(text) cut at \(cut) + \(tail)")
                }
            }
        }
        #expect(decided > 50)
        #expect(!Frontmatter.isDecided(byPrefix: Array("---\nstatus: x\n---".utf8)))
        #expect(Frontmatter.isDecided(byPrefix: Array("---\nstatus: x\n---\n".utf8)))
        #expect(Frontmatter.isDecided(byPrefix: Array("# title".utf8)))
    }
}

/// Names that are not UTF-8, kept byte for byte (`RawBytes`), as Python's surrogate escape.
@Suite struct RawNameTests {
    @Test func everyByteComesBack() {
        let cases: [[UInt8]] = [
            Array("plain.md".utf8), [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x6D, 0x64], [0xFF], [0xE2, 0x82],
            [0xC3, 0xA9, 0xC3], Array("é".utf8) + [0x80, 0x80] + Array("✓".utf8), [0xF4, 0x90, 0x80, 0x80],
        ]
        for bytes in cases {
            #expect(RawBytes.encode(RawBytes.decode(bytes)) == bytes, "\(bytes)")
        }
        // Random byte strings: decoding never loses a byte.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(RawBytes.encode(RawBytes.decode(bytes)) == bytes, "\(bytes)")
        }
    }

    @Test func shownAsTheirBytesAndAsPythonWritesThem() {
        let name = RawBytes.decode([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x6D, 0x64])
        #expect(ControlCharacters.escaped(name) == "caf\\xe9.md")
        #expect(JSON.string(name).rendered() == "\"caf\\udce9.md\"")
        #expect(DocumentID.derive(fileName: name, parentName: "changes") == "caf")
        #expect(ControlCharacters.escaped("caf\u{E9}.md") == "caf\u{E9}.md")  // é as UTF-8 is a letter
    }
}
