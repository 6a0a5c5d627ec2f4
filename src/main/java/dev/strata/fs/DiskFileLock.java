package dev.strata.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A directory lock held by this JVM: an OS lock ({@link FileChannel#tryLock()}) on the lock file,
 * against other processes, plus a registry of the lock files this JVM holds, against itself.
 *
 * <p>The registry is not optional. OS file locks belong to the process, and on POSIX systems
 * closing <em>any</em> descriptor of the file releases them: a second instance that merely opened
 * the lock file, found it locked and closed its channel would silently unlock the first. (Within
 * one JVM, {@code tryLock} would also throw {@link OverlappingFileLockException} rather than
 * return null.) So a path is claimed in the registry before any channel is opened on it, and only
 * the registered owner ever opens one. Paths are compared in canonical form (symbolic links
 * resolved); a lock taken on the same file outside Strata, through another channel, is not
 * protected against.
 *
 * <p>Thread-safe.
 */
final class DiskFileLock implements FileLock {
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final Path canonical;
  private final FileChannel channel;
  private final java.nio.channels.FileLock osLock;
  private final AtomicBoolean released = new AtomicBoolean();

  private DiskFileLock(Path path, Path canonical, FileChannel channel, java.nio.channels.FileLock osLock) {
    this.path = path;
    this.canonical = canonical;
    this.channel = channel;
    this.osLock = osLock;
  }

  static FileLock acquire(Path lockFile) throws IOException {
    Path canonical = canonical(lockFile);
    if (!HELD_IN_THIS_JVM.add(canonical)) {
      throw alreadyLocked(lockFile);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      java.nio.channels.FileLock osLock;
      try {
        osLock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        osLock = null;
      }
      if (osLock == null) {
        throw alreadyLocked(lockFile);
      }
      return new DiskFileLock(lockFile, canonical, channel, osLock);
    } catch (Throwable t) {
      // Safe to close: the registry guarantees no other channel of this JVM holds the OS lock.
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          t.addSuppressed(suppressed);
        }
      }
      HELD_IN_THIS_JVM.remove(canonical);
      throw t;
    }
  }

  /** The error every FileSystem reports when a lock is taken twice. */
  static IOException alreadyLocked(Path lockFile) {
    Path dir = lockFile.toAbsolutePath().getParent();
    return new IOException("directory " + (dir == null ? lockFile : dir)
        + " is locked by another Strata instance (lock file " + lockFile + ")");
  }

  private static Path canonical(Path lockFile) throws IOException {
    Path absolute = lockFile.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      return absolute.toRealPath();
    }
    Path parent = absolute.getParent();
    return parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      osLock.release();
    } finally {
      try {
        channel.close();
      } finally {
        // Only now may another instance of this JVM open a channel on the file.
        HELD_IN_THIS_JVM.remove(canonical);
      }
    }
  }
}
