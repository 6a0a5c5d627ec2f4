package dev.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Another file system, except that creating a file the test chose waits at a gate until {@link
 * #open()}: the test decides when a flush or compaction may write its output, and so when the store
 * stalls or a close finds work still running. Subclasses may record other calls.
 */
public class GatedFileSystem extends ForwardingFileSystem {
  private final Predicate<Path> held;
  private final CountDownLatch gate = new CountDownLatch(1);
  private final CountDownLatch reached = new CountDownLatch(1);

  public GatedFileSystem(FileSystem delegate, Predicate<Path> held) {
    super(delegate);
    this.held = held;
  }

  /** Holds the creation of every SST: the first step of every flush and compaction output. */
  public static GatedFileSystem holdingSsts(FileSystem delegate) {
    return new GatedFileSystem(delegate, GatedFileSystem::isSst);
  }

  /** Holds only the SSTs a compaction writes (flushes go through), told apart by the calling job. */
  public static GatedFileSystem holdingCompactionOutputs(FileSystem delegate) {
    return new GatedFileSystem(delegate, path -> isSst(path) && StackWalker.getInstance().walk(frames ->
        frames.anyMatch(f -> f.getClassName().equals("dev.strata.engine.CompactionJob"))));
  }

  private static boolean isSst(Path path) {
    return path.getFileName().toString().contains(".sst");
  }

  @Override
  public WritableFile create(Path path) throws IOException {
    if (held.test(path)) {
      reached.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted at the gate", e);
      }
    }
    return delegate.create(path);
  }

  /** Waits until a held creation reached the gate; an AssertionError after {@code bound}. */
  public void awaitReached(Duration bound) throws InterruptedException {
    if (!reached.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("no held file creation reached the gate within " + bound);
    }
  }

  public boolean isReached() {
    return reached.getCount() == 0;
  }

  /** Lets every held creation, and every later one, go on. */
  public void open() {
    gate.countDown();
  }
}
