package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the open files of {@link InMemoryFileSystem} share: the file they reach, and whether they
 * may still be used, which a simulated crash ends for every handle of its {@link Generation}. Not
 * thread-safe by itself: every field is guarded by the file system's monitor, which subclasses
 * hold around each method.
 */
abstract class MemHandle {
  /** The life of the simulated process that opened a handle; a crash ends it. */
  static final class Generation {
    boolean over;
  }

  final Object monitor;
  final Generation generation;
  final MemFile file;
  final Path path;
  private boolean closed;

  MemHandle(Object monitor, Generation generation, MemFile file, Path path) {
    this.monitor = monitor;
    this.generation = generation;
    this.file = file;
    this.path = path;
  }

  /** Marks the handle closed; returns whether close() has work to do (not closed, not crashed). */
  boolean closeIfLive() {
    boolean live = !closed && !generation.over;
    closed = true;
    return live;
  }

  void ensureUsable() throws IOException {
    if (closed) {
      throw new IOException("closed: " + path);
    }
    if (generation.over) {
      throw new IOException(path + ": handle opened before a simulated crash");
    }
  }
}
