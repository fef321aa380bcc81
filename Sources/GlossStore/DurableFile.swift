import Foundation

/// Files written so that once a call returns, a power cut cannot take them back.
package enum DurableFile {
    /// Writes `bytes` to `path` whole or not at all, and durably: a temporary
    /// file beside it is written and synced, renamed over `path`, and the
    /// folder synced. After a crash, `path` holds its old bytes (or nothing,
    /// if it did not exist) or all of `bytes`.
    ///
    /// - Throws: a message naming the step that failed and the system's reason;
    ///   `path` is then unchanged and no temporary file is left.
    package static func write(_ bytes: [UInt8], to path: String) throws(DurableFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: .min ... .max)).partial").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw .failed("cannot create a file in \(folder)", errno) }
        var written = 0
        let outcome: DurableFileError? = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return .failed("cannot write", errno) }
                written += count
            }
            return fsync(descriptor) == 0 ? nil : .failed("cannot sync", errno)
        }
        close(descriptor)
        if let outcome {
            unlink(temporary)
            throw outcome
        }
        guard rename(temporary, path) == 0 else {
            let error = DurableFileError.failed("cannot replace the file", errno)
            unlink(temporary)
            throw error
        }
        try syncFolder(folder)
    }

    /// Syncs a folder, so that the files created in it or renamed into it
    /// since are kept by a power cut.
    package static func syncFolder(_ path: String) throws(DurableFileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .failed("cannot open the folder \(path)", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .failed("cannot sync the folder \(path)", errno) }
    }
}

/// Why ``DurableFile`` could not write: the step, and the system's reason.
package enum DurableFileError: Error, CustomStringConvertible {
    case failed(String, Int32)

    package var description: String {
        switch self {
        case .failed(let step, let code): "\(step): \(String(cString: strerror(code)))"
        }
    }
}
