import CGit2

/// Reading a snapshot's blobs: whole through libgit2, or for the parallel read, as far as
/// their frontmatter goes from the object files.
extension GitSnapshot {
    /// Blobs larger than this are not read: a pushed file that big makes the check fail
    /// (exit 2, the push rejected) rather than exhaust the server's memory.
    static let maxBlobSize = 64 << 20

    func blob(_ id: ObjectID) throws(SnapshotError) -> [UInt8] {
        try Self.blob(id, in: repository)
    }

    /// A reader per thread, each on its own handle of the repository (libgit2 objects are
    /// not shared between threads); none when libgit2 was built without threads.
    public func readerFactory() -> (@Sendable () -> (any ConcurrentReader)?)? {
        guard LibGit2.threadSafe else { return nil }
        let environment = repository.environment
        let directory = repository.currentDirectory
        let objects = repository.objectDirectories
        // Made on the thread that reads, and only when one does: a run whose folders all
        // come from the cache maps no pack.
        return { () -> (any ConcurrentReader)? in
            guard let repository = try? Repository(environment: environment, directory: directory) else { return nil }
            return Reader(repository: repository, prefixes: BlobPrefixReader(directories: objects))
        }
    }

    /// Reads documents for parsing: as far as their frontmatter goes, from the object files
    /// when the blob is plain there, else whole through libgit2.
    struct Reader: ConcurrentReader {
        let repository: Repository
        let prefixes: BlobPrefixReader
        func read(_ path: String, key: CacheKey?) -> [UInt8]? {
            guard let key else { return nil }
            if let early = prefixes.read(key, maxSize: GitSnapshot.maxBlobSize, enough: Frontmatter.isDecided(byPrefix:)) {
                return early
            }
            return try? GitSnapshot.blob(ObjectID(key), in: repository)
        }
    }

    static func blob(_ id: ObjectID, in repository: Repository) throws(SnapshotError) -> [UInt8] {
        var object: OpaquePointer? = nil
        var raw = id.raw
        var headerSize = 0
        var type = GIT_OBJECT_INVALID
        if git.odb_read_header(&headerSize, &type, repository.odb, &raw) == 0, headerSize > Self.maxBlobSize {
            throw SnapshotError(
                "object \(id) is \(headerSize >> 20) MiB, over the \(Self.maxBlobSize >> 20) MiB a document may have", fatal: true
            )
        }
        guard git.odb_read(&object, repository.odb, &raw) == 0 else {
            throw SnapshotError("cannot read object \(id): \(LibGit2.lastMessage())", fatal: true)
        }
        defer { git.odb_object_free(object) }
        let size = git.odb_object_size(object)
        guard size > 0, let data = git.odb_object_data(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }
}
