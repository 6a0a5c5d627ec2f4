package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.fs.FileLock;
import dev.strata.fs.FileSystem;
import dev.strata.fs.GatedFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Closing a store releases what it holds (WALs, files, manifest, directory lock) through its
 * writer actor, as the writer's last act, so that the store's files are let go by the thread that
 * owns them; the closing thread does it only when the writer is gone. Which thread let go is read
 * off the directory lock, released last.
 */
class CloseReleaseTest {
  private static final ActorSystem<Void> system =
      ActorSystem.create(Behaviors.empty(), "close-release", ConfigFactory.load());
  private static final long HANG_SECONDS = 30;

  @AfterAll
  static void shutdown() {
    system.terminate();
  }

  /** Records the thread that releases the directory lock; optionally holds SST creation at a gate. */
  private static final class RecordingFileSystem extends GatedFileSystem {
    final AtomicReference<String> lockReleasedBy = new AtomicReference<>();

    RecordingFileSystem(FileSystem delegate, boolean holdSsts) {
      super(delegate, path -> holdSsts && path.getFileName().toString().contains(".sst"));
    }

    @Override
    public FileLock lock(Path lockFile) throws IOException {
      FileLock lock = delegate.lock(lockFile);
      return new FileLock() {
        @Override
        public Path path() {
          return lock.path();
        }

        @Override
        public void close() throws IOException {
          lockReleasedBy.compareAndSet(null, Thread.currentThread().getName());
          lock.close();
        }
      };
    }
  }

  private static StrataOptions options() {
    return StrataOptions.builder().memtableSizeBytes(4096).compaction(CompactionOptions.none()).build();
  }

  @Test
  void anOrderlyCloseReleasesTheStoreOnTheWritersThread() {
    Path dir = Path.of("/orderly");
    InMemoryFileSystem disk = new InMemoryFileSystem();
    RecordingFileSystem fs = new RecordingFileSystem(disk, false);
    Strata db = Strata.open(system, dir, options(), fs);
    db.put(b("k"), b("v"));
    db.close();
    String releasedBy = fs.lockReleasedBy.get();
    assertTrue(releasedBy != null && releasedBy.contains(Strata.WRITER_DISPATCHER),
        "the writer released the store, not " + releasedBy);
    disk.crash(); // a power loss keeps what the release synced
    try (Strata reopened = Strata.open(system, dir, options(), disk)) {
      assertArrayEquals(b("v"), reopened.get(b("k")));
    }
  }

  @Test
  void aCloseThatRunsOutOfTimeHasTheStoppedWriterReleaseTheStore() throws Exception {
    Path dir = Path.of("/timed-out");
    InMemoryFileSystem disk = new InMemoryFileSystem();
    RecordingFileSystem fs = new RecordingFileSystem(disk, true);
    Strata db = Strata.open(system, dir, options(), fs);
    try {
      int i = 0;
      while (!fs.isReached()) { // until a flush is held at the gate
        db.putAsync(b("k" + i), b("v" + i));
        i++;
      }
      db.close(Duration.ofMillis(100));
      String releasedBy = fs.lockReleasedBy.get();
      assertTrue(releasedBy != null && releasedBy.contains(Strata.WRITER_DISPATCHER),
          "the writer, stopped where it was, released the store as its last act, not " + releasedBy);
    } finally {
      fs.open();
    }
  }

  @Test
  void whenTheWriterIsGoneTheClosingThreadReleasesTheStore() throws Exception {
    Path dir = Path.of("/writer-gone");
    InMemoryFileSystem disk = new InMemoryFileSystem();
    RecordingFileSystem fs = new RecordingFileSystem(disk, false);
    Strata db = Strata.open(system, dir, options(), fs);
    db.put(b("k"), b("v"));
    CountDownLatch stopped = new CountDownLatch(1);
    system.systemActorOf(Behaviors.<Void>setup(ctx -> {
      ctx.watch(db.writer());
      return Behaviors.receive(Void.class).onSignal(Terminated.class, t -> {
        stopped.countDown();
        return Behaviors.stopped();
      }).build();
    }), "writer-watcher", Props.empty());
    system.classicSystem().stop(Adapter.toClassic(db.writer())); // not a close: the writer stops unasked
    assertTrue(stopped.await(HANG_SECONDS, TimeUnit.SECONDS), "the writer stopped");
    assertTrue(db.errorState().isPresent(), "a store whose writer stopped unasked is read-only");
    assertArrayEquals(b("v"), db.get(b("k")), "and still readable");

    db.close();
    assertEquals(Thread.currentThread().getName(), fs.lockReleasedBy.get(), "the closing thread released the store");
    disk.crash(); // a power loss keeps what the release synced
    try (Strata reopened = Strata.open(system, dir, options(), disk)) {
      assertArrayEquals(b("v"), reopened.get(b("k")), "the WAL was synced and closed by the closing thread");
    }
  }
}
