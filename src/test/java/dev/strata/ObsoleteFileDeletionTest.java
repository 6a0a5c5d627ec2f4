package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.strata.engine.FileNames;
import dev.strata.fs.DeleteRecordingFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A file compaction replaced is deleted once its last reader lets go, and by the writer, never on
 * the reader's thread: closing an iterator costs the reader no file-system work.
 */
class ObsoleteFileDeletionTest {
  private static final ActorSystem<Void> system =
      ActorSystem.create(Behaviors.empty(), "obsolete-files", ConfigFactory.load());
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  @AfterAll
  static void shutdown() {
    system.terminate();
  }

  @Test
  void aReaderClosingTheLastIteratorOverCompactedFilesLeavesTheirDeletionToTheWriter() throws Exception {
    Path dir = Path.of("/obsolete");
    DeleteRecordingFileSystem fs = new DeleteRecordingFileSystem(new InMemoryFileSystem());
    StrataOptions options = StrataOptions.builder().compaction(CompactionOptions.none()).build();
    try (Strata db = Strata.open(system, dir, options, fs)) {
      db.put(b("a"), b("1"));
      db.flush();
      db.put(b("b"), b("2"));
      db.flush();
      List<Path> inputs = fs.list(dir).stream().filter(n -> n.endsWith(FileNames.SST_SUFFIX)).map(dir::resolve)
          .toList();
      assertEquals(2, inputs.size(), "two flushed SSTs: " + inputs);

      StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded());
      db.compact();
      for (Path p : inputs) {
        assertTrue(fs.exists(p), p + " is pinned by the open iterator");
      }
      String reader = Thread.currentThread().getName();
      it.close(); // the last reference to the compacted files

      for (Path p : inputs) {
        Optional<String> deleter = awaitDeletion(fs, p);
        assertTrue(deleter.isPresent(), p + " is deleted once its last reader let go");
        assertTrue(!deleter.get().equals(reader), p + " was deleted on the reader's thread " + reader);
        assertTrue(deleter.get().contains(Strata.WRITER_DISPATCHER), p + " is deleted by the writer, on "
            + deleter.get());
        assertTrue(!fs.exists(p), p + " is gone");
      }
      assertEquals(List.of("a=1", "b=2"), TestHarness.scanAll(db), "the compacted run holds both keys");
    }
  }

  /** The deleting thread's name once {@code p} is deleted, or empty if it is not within the wait. */
  private static Optional<String> awaitDeletion(DeleteRecordingFileSystem fs, Path p) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (fs.deletedBy(p).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return fs.deletedBy(p);
  }
}
