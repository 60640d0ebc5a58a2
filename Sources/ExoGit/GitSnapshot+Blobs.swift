import CGit2
import ExoModel
import ExoSnapshot
import ExoStore

/// Reading a snapshot's blobs: whole through libgit2, or for the parallel read, as far as
/// their frontmatter goes from the object files.
extension GitSnapshot {
    func blob(_ id: ObjectID, file: String) throws(ExoError) -> [UInt8] {
        try Self.blob(id, in: repository, file: file)
    }

    /// A reader per thread, each on its own handle of the repository (libgit2 objects are
    /// not shared between threads); none when libgit2 was built without threads.
    public func readerFactory() -> (@Sendable () -> (any ConcurrentReader)?)? {
        guard LibGit2.threadSafe else { return nil }
        let environment = repository.environment
        let directory = repository.currentDirectory
        let objects = repository.objectDirectories
        let limit = repository.readLimit
        // Made on the thread that reads, and only when one does: a run whose folders all
        // come from the cache maps no pack.
        return { () -> (any ConcurrentReader)? in
            guard let repository = try? Repository(environment: environment, directory: directory) else { return nil }
            repository.readLimit = limit
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
            if let early = prefixes.read(key, maxSize: repository.readLimit.bytes, enough: repository.readLimit.enough) {
                Probe.prefixRead.hit()
                return early
            }
            return try? GitSnapshot.blob(ObjectID(key), in: repository, file: path)
        }
    }

    /// A blob's bytes, or as many of them as decide its frontmatter when it is larger than
    /// the repository's `readLimit`; `file` names it in an error.
    static func blob(_ id: ObjectID, in repository: Repository, file: String) throws(ExoError) -> [UInt8] {
        var raw = id.raw
        var headerSize = 0
        var type = GIT_OBJECT_INVALID
        if git.odb_read_header(&headerSize, &type, repository.odb, &raw) >= 0, headerSize > repository.readLimit.bytes {
            // A large document is read only as far as its frontmatter goes.
            let reader = BlobPrefixReader(directories: repository.objectDirectories)
            if let prefix = reader.read(id.cacheKey, maxSize: repository.readLimit.bytes, enough: repository.readLimit.enough) {
                Probe.prefixRead.hit()
                return prefix
            }
            throw .frontmatterTooLarge(file: file, size: headerSize, limit: repository.readLimit.bytes)
        }
        var object: OpaquePointer? = nil
        guard git.odb_read(&object, repository.odb, &raw) >= 0 else {
            throw .unreadableObject(file: file, id: id.description, cause: LibGit2.lastMessage())
        }
        Probe.wholeRead.hit()
        let owner = Owner(object!, free: git.odb_object_free)
        let size = git.odb_object_size(owner.pointer)
        guard size > 0, let data = git.odb_object_data(owner.pointer) else { return [] }
        return withExtendedLifetime(owner) { Array(UnsafeRawBufferPointer(start: data, count: size)) }
    }
}
