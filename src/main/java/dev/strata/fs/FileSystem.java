package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Every file operation Strata performs goes through this interface, so that tests can swap in an
 * in-memory file system that loses unsynced data on a simulated crash, or one that injects I/O
 * errors at a chosen operation. Implementations must be thread-safe.
 *
 * <p>Failures are IOExceptions. The JDK reports some I/O errors unchecked (a failed msync, a fault
 * on a mapped buffer; see {@link IoFailures}): an implementation translates them, and the engine
 * puts a {@link TranslatingFileSystem} around every file system it is given, so that one that does
 * not is handled all the same.
 */
public interface FileSystem {
  /** Creates a new file for appending; fails if it already exists. */
  WritableFile create(Path path) throws IOException;

  /**
   * Creates a new append-only file whose appends are copies into a memory mapping of the file, for
   * the write-ahead log: once {@link WritableFile#append} returns, the bytes are in the operating
   * system's page cache and survive a crash of the process, without a write system call. {@link
   * WritableFile#flush()} therefore does nothing; {@link WritableFile#sync()} forces the mapping and
   * the file's metadata to stable storage. Fails if the file already exists.
   *
   * <p>The mapping grows by {@code segmentBytes} at a time, and mapping a segment extends the file,
   * so until {@link WritableFile#close()} truncates it to {@link WritableFile#size()} the file is
   * longer than what was appended and zero-filled past the end. A file left by a crashed process
   * keeps that tail: <b>readers of such files (the log reader) must treat an all-zero tail as the
   * end of the file</b>. Unlike other writable files, the returned one is thread-safe.
   *
   * <p>Segments are mapped ahead of the appends, as tasks on {@code preparer} (blocking file work:
   * give it a thread that nothing slow holds up, or the appends map their segments themselves). A
   * direct executor ({@code Runnable::run}) maps each segment one ahead, on the appending thread.
   * File systems without mappings may ignore it.
   *
   * @throws IllegalArgumentException if {@code segmentBytes} is not positive
   */
  WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException;

  /**
   * Opens {@code path}, an existing file (one {@link #createMapped} wrote, such as a WAL a previous
   * process left), for appends through memory mappings from {@code offset} on: the returned file
   * behaves as one {@link #createMapped} returns, whose {@link WritableFile#size()} starts at
   * {@code offset}. For reopening a log whose valid content ends at {@code offset}.
   *
   * <p>Everything the file holds from {@code offset} on is cut off before the first append (a
   * mapped file's zero-filled tail, or anything else that lies there), so the appends continue
   * the content before {@code offset} byte for byte, and no byte written before the open can be
   * read after them as if it belonged to the file. The cut is not synced: until the next {@link
   * WritableFile#sync()} a power loss may bring the old tail back, which is what it was before.
   *
   * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
   * @throws IllegalArgumentException if {@code segmentBytes} is not positive, or {@code offset} is
   *     negative or past the end of the file
   */
  WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException;

  /**
   * Creates a new append-only file for a log whose appends count only once a {@link
   * WritableFile#sync()} after them has returned (the WAL of a store with synced writes): appends
   * may wait in the process until {@link WritableFile#flush()} or {@link WritableFile#sync()}
   * writes them, so a crash of the process loses what was appended since. The space they are
   * written to is claimed ahead, {@code segmentBytes} at a time, by writing zeros on {@code
   * preparer}, so that a sync seldom grows the file and its fdatasync seldom has metadata to
   * commit. As with {@link #createMapped}, until {@link WritableFile#close()} truncates it the file
   * is zero-filled past what was written, a crashed process leaves that tail, and <b>readers must
   * treat an all-zero tail as the end of the file</b>. Thread-safe, like a mapped file. Fails if
   * the file already exists.
   *
   * <p>By default, {@link #createMapped}: a mapped file's appends reach the operating system
   * sooner than this contract asks, which it allows.
   *
   * @throws IllegalArgumentException if {@code segmentBytes} is not positive
   */
  default WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
    return createMapped(path, segmentBytes, preparer);
  }

  /**
   * Opens {@code path}, an existing file, for appends as {@link #createPreallocated} makes them,
   * from {@code offset} on, cutting off what lies past it first, as {@link #openMapped} does. By
   * default, {@link #openMapped}.
   *
   * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
   * @throws IllegalArgumentException if {@code segmentBytes} is not positive, or {@code offset} is
   *     negative or past the end of the file
   */
  default WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    return openMapped(path, offset, segmentBytes, preparer);
  }

  /** Opens an existing file for positional reads. */
  ReadableFile openReadable(Path path) throws IOException;

  /**
   * Opens an existing file that no one will change again (an SST) for positional reads, which
   * may be served from a memory mapping. Its {@link ReadableFile#close()} must come after its
   * last read. By default, {@link #openReadable}.
   */
  default ReadableFile openImmutable(Path path) throws IOException {
    return openReadable(path);
  }

  /**
   * As {@link #openImmutable(Path)}, with at most {@code budget}'s number of such files mapped at
   * once (see {@link MappingBudget}). By default, {@link #openImmutable(Path)}: a file system
   * without mappings has nothing to bound.
   */
  default ReadableFile openImmutable(Path path, MappingBudget budget) throws IOException {
    return openImmutable(path);
  }

  /** Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists. */
  void rename(Path from, Path to) throws IOException;

  /** Deletes the file; a missing file is not an error. */
  void delete(Path path) throws IOException;

  boolean exists(Path path);

  /** The file names (not paths) directly inside {@code dir}. */
  List<String> list(Path dir) throws IOException;

  void createDirectories(Path dir) throws IOException;

  /** Makes creations, renames and deletions inside {@code dir} durable. */
  void syncDirectory(Path dir) throws IOException;

  /**
   * Takes the exclusive lock held through {@code lockFile}, creating the file if it is missing (its
   * parent directory must exist). Fails with an IOException saying the directory is locked by
   * another Strata instance if this JVM or another process holds it.
   */
  FileLock lock(Path lockFile) throws IOException;
}
