import CGit2

/// Reading a snapshot's blobs: whole through libgit2, or for the parallel read, as far as
/// their frontmatter goes from the object files.
extension GitSnapshot {
    /// How much of a document is read at most (git config `exo.maxFrontmatter`, bytes;
    /// default 64 MiB): a document of any size is read only as far as its frontmatter goes,
    /// and one whose frontmatter runs past this is refused rather than exhaust the server's
    /// memory. Set once, by the session, from the repository's own config.
    nonisolated(unsafe) public static var maxRead = 64 << 20

    static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

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
            if let early = prefixes.read(key, maxSize: GitSnapshot.maxRead, enough: Frontmatter.isDecided(byPrefix:)) {
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
        if git.odb_read_header(&headerSize, &type, repository.odb, &raw) == 0, headerSize > Self.maxRead {
            // A large document is read only as far as its frontmatter goes.
            let reader = BlobPrefixReader(directories: repository.objectDirectories)
            if let prefix = reader.read(id.cacheKey, maxSize: Self.maxRead, enough: Frontmatter.isDecided(byPrefix:)) {
                return prefix
            }
            throw SnapshotError(
                "a document of \(Self.mebibytes(headerSize)) whose frontmatter is not closed within its first "
                    + "\(Self.mebibytes(Self.maxRead)) (git config exo.maxFrontmatter)", fatal: true)
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
