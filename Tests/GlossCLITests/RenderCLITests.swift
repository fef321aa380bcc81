import Foundation
import Testing

/// Headless Chromium, when installed (`.ci/run` installs Debian's, and sets
/// GLOSS_REQUIRE_CHROMIUM so that CI cannot skip the test).
enum Chromium {
    static let path = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }.first

    static var isRequired: Bool { ProcessInfo.processInfo.environment["GLOSS_REQUIRE_CHROMIUM"] != nil }

    /// Runs Chromium headless on `arguments`, at most 120 s; returns stdout and stderr.
    static func run(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        guard let path else { throw CLIFailure(description: "Chromium is not installed; .ci/run installs Debian's chromium") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["120", path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--no-first-run", "--enable-logging=stderr", "--v=0"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}

@Suite("CLI: render a statement to HTML")
struct RenderCLITests {
    static let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("seeds/icj-cambodia-kem-sokha-2019-11-14.txt")

    /// The seed statement in Dara's workspace, annotated three times (two
    /// spans overlapping, one note with markup) and with a status conflict
    /// made through Sophea's replica.
    func annotatedSeed() throws -> (dara: GlossProcess, statement: String, annotations: [String]) {
        let dara = try GlossProcess(), sophea = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        let statement = String(try dara.succeed("statement", "add", Self.seed.path, "--title", "Cambodia: <Kem Sokha> & the ICJ").prefix(8))
        let treason = String(try dara.succeed("annotate", statement, "--quote", "treason", "--occurrence", "1",
                                              "--note", "<script>alert('x')</script> & <b>bold</b>", "--tag", "legal").prefix(8))
        let charges = String(try dara.succeed("annotate", statement, "--quote", "politically-motivated charges of treason",
                                              "--note", "overlaps the first").prefix(8))
        let leader = String(try dara.succeed("annotate", statement, "--quote", "Frederick Rawski", "--occurrence", "1", "--status", "verified").prefix(8))
        _ = try dara.succeed("bundle", "create", dara.path("all.bundle"))
        _ = try sophea.succeed("init", "--from", dara.path("all.bundle"), "--name", "Sophea")
        let device = (try sophea.json("id") as! [String: String])["device"]!
        _ = try dara.succeed("member", "add", "Sophea", device)
        try dara.send(to: sophea)
        _ = try sophea.succeed("edit", charges, "--status", "checked")
        _ = try dara.succeed("edit", charges, "--status", "disputed")
        try sophea.send(to: dara)
        return (dara, statement, [treason, charges, leader])
    }

    @Test("the page is self-contained and escapes the statement's title and every note")
    func escaping() throws {
        let (dara, statement, annotations) = try annotatedSeed()
        #expect(try dara.succeed("render", statement, "-o", "page.html") == "wrote page.html: 3 highlighted annotations\n")
        let html = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dara.path("page.html"))), as: UTF8.self)
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.contains("<title>Cambodia: &lt;Kem Sokha&gt; &amp; the ICJ</title>"))
        #expect(!html.lowercased().contains("<script") && !html.contains("<b>") && !html.contains("src=") && !html.contains("<link"))
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        for annotation in annotations { #expect(html.contains("data-annotation=\"\(annotation)")) }
        #expect(try dara.run("render", "nope", "-o", "x.html").stderr == "gloss: no statement has an id starting with \"nope\"\n")
        let unwritable = try dara.run("render", statement, "-o", dara.path("missing/folder/x.html"))
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.hasPrefix("gloss: cannot write the page \"\(dara.path("missing/folder/x.html"))\": "))
    }

    @Test("headless Chromium loads the rendered seed statement without errors, with every highlight, and prints it to a PNG",
          .enabled(if: Chromium.path != nil || Chromium.isRequired))
    func chromium() throws {
        let (dara, statement, annotations) = try annotatedSeed()
        _ = try dara.succeed("render", statement, "-o", "page.html")
        let url = URL(fileURLWithPath: dara.path("page.html")).absoluteString

        let (dom, log) = try Chromium.run(["--dump-dom", url])
        #expect(dom.contains("<article class=\"text\" id=\"statement\">"))
        let marks = dom.components(separatedBy: "<mark class=\"hl").count - 1
        #expect(marks == 3, "three annotations, two ending together, give three highlighted pieces")
        #expect(dom.contains(" overlap\" data-annotation=\""), "the shared piece is marked as an overlap")
        for annotation in annotations {
            #expect(dom.contains("<section class=\"note"), "a card per annotation")
            #expect(dom.range(of: "<mark class=\"hl[^\"]*\" data-annotation=\"[^\"]*\(annotation)", options: .regularExpression) != nil)
        }
        #expect(dom.contains("mark class=\"hl status-disputed conflicted"), "the conflicted annotation is flagged")
        #expect(dom.contains("⚠ conflict on status"))
        #expect(!dom.lowercased().contains("<script"), "the note's markup stays text")
        #expect(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"))
        let consoleErrors = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Refused to") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")

        let png = dara.path("page.png")
        _ = try Chromium.run(["--screenshot=\(png)", "--window-size=1280,2000", "--hide-scrollbars", url])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && bytes.count > 20_000)
    }
}
