package dev.strata.fs;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Executor;

/**
 * A {@link FileSystem} in memory, for tests, that can lose what a power loss would lose.
 *
 * <p><b>Crash model.</b> A file (an inode, {@link MemFile}) has a current content and a durable
 * one, which is what the current one was at its last {@link WritableFile#sync()}; a directory has
 * a current set of names and a durable one, as of its last {@link #syncDirectory}. This is
 * the strict model: creating, renaming and deleting a name are durable only once the directory is
 * synced, whatever was synced before, and a file's bytes are durable only once the file is synced,
 * whatever name it has. {@link #crash()} simulates a power loss: every directory reverts to its
 * durable names and every file to its durable content (a never-synced file is empty), so a file
 * created since the last directory sync vanishes, a rename since then is undone (the file is back
 * under its old name, and whatever it replaced is back under the new one), and a deleted file
 * reappears. A rename between two directories is durable on each side separately. Directories
 * themselves are always durable (createDirectories needs no sync); a deleted directory must be
 * empty. Handles open before a crash throw IOException, except {@code close()}, which does nothing
 * so that cleanup code still runs; locks are released.
 *
 * <p>Appends to a {@link #create}d file are buffered in its handle until flush (a process crash
 * loses them); {@link #createMapped} appends go straight to the current content, as into the page
 * cache, and the content is zero-filled to the next segment boundary until close, like the real
 * mapped file; {@link #openMapped} continues such a file the same way. A process crash is "reopen without calling crash()", after {@link #killProcess()}
 * if the dead process's handles and locks must stop counting.
 *
 * <p>Paths are made absolute and normalized. Thread-safe: every operation holds this object's
 * monitor.
 */
public final class InMemoryFileSystem implements FileSystem {
  /** Current names per directory; every existing directory is a key. */
  private final Map<Path, Map<String, MemFile>> current = new HashMap<>();
  /** Durable names per directory, as of its last syncDirectory. */
  private final Map<Path, Map<String, MemFile>> durable = new HashMap<>();
  private final Map<Path, MemLock> locks = new HashMap<>();
  private final AtomicLong syncCount = new AtomicLong();
  /** Ended by crash() and killProcess(), and replaced: a handle of an ended generation is dead. */
  private MemHandle.Generation generation = new MemHandle.Generation();

  @Override
  public synchronized WritableFile create(Path path) throws IOException {
    return new MemWritableFile(this, generation, newFile(path), path, 0, syncCount);
  }

  @Override
  public synchronized WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    return new MemWritableFile(this, generation, newFile(path), path, segmentBytes, syncCount);
  }

  /** The content from {@code offset} on is cut off at once, in the current content only (see the crash model). */
  @Override
  public synchronized WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    MemFile file = cutForAppends(path, offset);
    return new MemWritableFile(this, generation, file, path, segmentBytes, syncCount, offset);
  }

  /** A plain file: appends wait in the handle until flush or sync, and a crash loses them. */
  @Override
  public synchronized WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer)
      throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    return create(path);
  }

  /** A plain file continued from {@code offset}, cut there at once, in the current content only. */
  @Override
  public synchronized WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
      throws IOException {
    FileTails.checkSegmentBytes(segmentBytes);
    MemFile file = cutForAppends(path, offset);
    return new MemWritableFile(this, generation, file, path, 0, syncCount, offset);
  }

  /** The existing file {@code path}, cut at {@code offset}, where appends will continue. */
  private MemFile cutForAppends(Path path, long offset) throws IOException {
    MemFile file = file(path);
    if (offset < 0 || offset > file.length()) {
      throw new IllegalArgumentException("cannot append to " + path + " from offset " + offset + ": it holds "
          + file.length() + " bytes");
    }
    file.setLength(offset);
    return file;
  }

  private MemFile newFile(Path path) throws IOException {
    Path p = norm(path);
    Map<String, MemFile> names = parentNames(p);
    if (names.containsKey(name(p)) || current.containsKey(p)) {
      throw new FileAlreadyExistsException(path.toString());
    }
    MemFile file = new MemFile();
    names.put(name(p), file);
    return file;
  }

  @Override
  public synchronized ReadableFile openReadable(Path path) throws IOException {
    return new MemReadableFile(this, generation, file(path), path);
  }

  @Override
  public synchronized void rename(Path from, Path to) throws IOException {
    Path src = norm(from);
    Path dst = norm(to);
    MemFile file = file(from);
    Map<String, MemFile> dstNames = parentNames(dst);
    if (current.containsKey(dst)) {
      throw new IOException("cannot rename " + from + " over the directory " + to);
    }
    current.get(src.getParent()).remove(name(src));
    dstNames.put(name(dst), file);
  }

  @Override
  public synchronized void delete(Path path) throws IOException {
    Path p = norm(path);
    Map<String, MemFile> dir = current.get(p);
    if (dir != null) {
      if (!dir.isEmpty() || !childDirectories(p).isEmpty()) {
        throw new DirectoryNotEmptyException(path.toString());
      }
      current.remove(p);
      durable.remove(p);
      return;
    }
    Map<String, MemFile> names = p.getParent() == null ? null : current.get(p.getParent());
    if (names != null) {
      names.remove(name(p));
    }
  }

  @Override
  public synchronized boolean exists(Path path) {
    Path p = norm(path);
    if (isDirectory(p)) {
      return true;
    }
    Map<String, MemFile> names = current.get(p.getParent());
    return names != null && names.containsKey(name(p));
  }

  @Override
  public synchronized List<String> list(Path dir) {
    Path d = norm(dir);
    Map<String, MemFile> names = current.get(d);
    if (names == null) {
      return List.of();
    }
    List<String> result = new ArrayList<>(names.keySet());
    result.addAll(childDirectories(d));
    Collections.sort(result);
    return result;
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    Path d = norm(dir);
    for (Path p = d; p != null && p.getParent() != null; p = p.getParent()) {
      Map<String, MemFile> names = current.get(p.getParent());
      if (names != null && names.containsKey(name(p))) {
        throw new FileAlreadyExistsException(p + " is a file");
      }
    }
    for (Path p = d; p != null; p = p.getParent()) {
      current.putIfAbsent(p, new HashMap<>());
      durable.putIfAbsent(p, new HashMap<>());
    }
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    Path d = norm(dir);
    Map<String, MemFile> names = current.get(d);
    if (names == null) {
      throw new NoSuchFileException(dir.toString());
    }
    durable.put(d, new HashMap<>(names));
  }

  @Override
  public synchronized FileLock lock(Path lockFile) throws IOException {
    Path p = norm(lockFile);
    if (locks.containsKey(p)) {
      throw DiskFileLock.alreadyLocked(lockFile);
    }
    Map<String, MemFile> names = parentNames(p);
    names.putIfAbsent(name(p), new MemFile());
    MemLock lock = new MemLock(lockFile, p);
    locks.put(p, lock);
    return lock;
  }

  /**
   * Simulates a power loss; see the class comment for what survives. Open handles die and locks
   * are released.
   */
  public synchronized void crash() {
    endGeneration();
    locks.clear();
    Set<MemFile> files = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map<String, MemFile> names : durable.values()) {
      files.addAll(names.values());
    }
    for (MemFile file : files) {
      file.revertToDurable();
    }
    current.clear();
    durable.forEach((dir, names) -> current.put(dir, new HashMap<>(names)));
  }

  /**
   * Simulates the death of the process that used this file system, without touching any content:
   * open handles die (appends buffered in a {@link #create}d file's handle are lost, flushed and
   * mapped appends stay) and locks are released, so a store can be reopened.
   */
  public synchronized void killProcess() {
    endGeneration();
    locks.clear();
  }

  private void endGeneration() {
    generation.over = true;
    generation = new MemHandle.Generation();
  }

  /** How many times {@link WritableFile#sync()} was called on files of this file system. */
  public long syncCount() {
    return syncCount.get();
  }

  /**
   * Corrupts a file for tests: inverts every bit of the byte at {@code offset}, in its current
   * content and, if the durable content reaches that far, in that too (the medium is corrupt).
   *
   * @throws IllegalArgumentException if the offset is outside the file
   */
  public synchronized void flipByte(Path file, long offset) throws IOException {
    file(file).flipByte(offset);
  }

  private MemFile file(Path path) throws IOException {
    Path p = norm(path);
    Map<String, MemFile> names = p.getParent() == null ? null : current.get(p.getParent());
    MemFile file = names == null ? null : names.get(name(p));
    if (file == null) {
      throw new NoSuchFileException(path.toString());
    }
    return file;
  }

  private Map<String, MemFile> parentNames(Path p) throws IOException {
    Map<String, MemFile> names = p.getParent() == null ? null : current.get(p.getParent());
    if (names == null) {
      throw new NoSuchFileException(String.valueOf(p.getParent()), null, "no such directory");
    }
    return names;
  }

  private boolean isDirectory(Path p) {
    return p.getParent() == null || current.containsKey(p);
  }

  private List<String> childDirectories(Path dir) {
    List<String> names = new ArrayList<>();
    for (Path p : current.keySet()) {
      if (dir.equals(p.getParent())) {
        names.add(name(p));
      }
    }
    return names;
  }

  private static Path norm(Path path) {
    return path.toAbsolutePath().normalize();
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private final class MemLock implements FileLock {
    private final Path path;
    private final Path key;

    MemLock(Path path, Path key) {
      this.path = path;
      this.key = key;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public void close() {
      synchronized (InMemoryFileSystem.this) {
        locks.remove(key, this);
      }
    }
  }
}
