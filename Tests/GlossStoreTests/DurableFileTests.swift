import Foundation
import GlossStore
import Testing

@Suite("DurableFile: a file is replaced whole or left as it was")
struct DurableFileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-durable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("a write creates the file, a second replaces it, and nothing else is left in the folder")
    func writesAndReplaces() throws {
        let path = folder.appendingPathComponent("out.bundle").path
        try DurableFile.write(Array("first".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("first".utf8))
        try DurableFile.write(Array("second, longer".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second, longer".utf8))
        try DurableFile.write([], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data())
        #expect(try contents() == ["out.bundle"])
    }

    @Test("a write into a missing folder says so and creates nothing")
    func missingFolder() throws {
        let path = folder.appendingPathComponent("missing/out.bundle").path
        #expect {
            try DurableFile.write(Array("bytes".utf8), to: path)
        } throws: { error in
            "\(error)" == "cannot create a file in \(folder.path)/missing: No such file or directory"
        }
        #expect(try contents() == [])
    }

    @Test("a write that cannot replace what is there leaves it, and takes its partial file away")
    func cannotReplace() throws {
        let path = folder.appendingPathComponent("taken").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try Data("kept".utf8).write(to: URL(fileURLWithPath: path + "/inside"))
        #expect {
            try DurableFile.write(Array("bytes".utf8), to: path)
        } throws: { error in
            "\(error)" == "cannot replace the file: Is a directory"
        }
        #expect(try contents() == ["taken"])
        #expect(FileManager.default.contents(atPath: path + "/inside") == Data("kept".utf8))
    }
}
