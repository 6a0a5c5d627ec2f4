package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for each file deleted through it, the name of the thread that deleted it: for tests
 * of who does the work of deleting files. Thread-safe.
 */
public final class DeleteRecordingFileSystem extends ForwardingFileSystem {
  private final Map<Path, String> deletedBy = new ConcurrentHashMap<>();

  public DeleteRecordingFileSystem(FileSystem delegate) {
    super(delegate);
  }

  /** The name of the thread that deleted {@code path}, if it was deleted. */
  public Optional<String> deletedBy(Path path) {
    return Optional.ofNullable(deletedBy.get(path));
  }

  @Override
  public void delete(Path path) throws IOException {
    delegate.delete(path);
    deletedBy.put(path, Thread.currentThread().getName());
  }
}
