package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.fs.DeleteRecordingFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.memtable.Memtable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's handle on the engine: handed out once, and the one way obsolete files are deleted,
 * so that a reader letting go of the last reference to a compacted file never deletes it on its
 * own thread. The engine is driven here as the writer actor drives it, step by step.
 */
class WriterControlTest {
  private static final Path DIR = Path.of("/control");

  private final DeleteRecordingFileSystem fs = new DeleteRecordingFileSystem(new InMemoryFileSystem());
  private StoreEngine engine;
  private WriterControl control;

  @BeforeEach
  void open() {
    engine = StoreEngine.open(DIR, StrataOptions.builder().compaction(CompactionOptions.none()).build(), fs);
    control = engine.writerControl();
  }

  @AfterEach
  void close() {
    engine.releaseResources();
  }

  @Test
  void theEngineHandsOutItsWriterControlOnlyOnce() {
    assertNotNull(control);
    IllegalStateException e = assertThrows(IllegalStateException.class, engine::writerControl);
    assertTrue(e.getMessage().contains("already handed out"), e.getMessage());
  }

  @Test
  void aCompactedFileItsLastReaderLetsGoOfIsDeletedByTheWriterNotOnTheReadersThread() throws Exception {
    List<Path> inputs = compactWhileAReaderPinsTheInputs();
    for (Path p : inputs) {
      assertTrue(fs.exists(p), p + " waits for the writer");
    }
    AtomicInteger deleted = new AtomicInteger();
    onThread("writer", () -> deleted.set(control.deleteObsoleteFiles()));
    assertEquals(inputs.size(), deleted.get());
    for (Path p : inputs) {
      assertFalse(fs.exists(p), p + " is deleted");
      assertEquals(Optional.of("writer"), fs.deletedBy(p));
    }
  }

  @Test
  void closingDeletesTheCompactedFilesReleasedBeforeTheWriterGotToThem() throws Exception {
    List<Path> inputs = compactWhileAReaderPinsTheInputs();
    engine.releaseResources();
    for (Path p : inputs) {
      assertFalse(fs.exists(p), p + " is deleted at close");
      assertEquals(Optional.of(Thread.currentThread().getName()), fs.deletedBy(p), "deleted by the closing thread");
    }
  }

  /**
   * Flushes two L0 files, opens an iterator over them, compacts them into one, and closes the
   * iterator on a thread named "reader"; returns the compacted files, which the reader released
   * and must not have deleted.
   */
  private List<Path> compactWhileAReaderPinsTheInputs() throws Exception {
    for (String k : List.of("a", "b")) {
      assertTrue(engine.tryPut(k.getBytes(), k.getBytes()));
      Memtable frozen = control.rotate();
      control.installFlush(frozen, control.writeSst(frozen));
    }
    List<Path> inputs = fs.list(DIR).stream().filter(n -> n.endsWith(FileNames.SST_SUFFIX)).map(DIR::resolve).toList();
    assertEquals(2, inputs.size(), "two flushed SSTs: " + inputs);
    StrataIterator it = engine.scan(Bound.unbounded(), Bound.unbounded());
    CompactionPlan plan = control.planCompaction(true);
    control.installCompaction(plan, control.runCompaction(plan));
    for (Path p : inputs) {
      assertTrue(fs.exists(p), p + " is pinned by the open iterator");
    }
    onThread("reader", it::close);
    for (Path p : inputs) {
      assertEquals(Optional.empty(), fs.deletedBy(p), p + " was not deleted by the reader that released it");
    }
    return inputs;
  }

  private static void onThread(String name, Runnable r) throws InterruptedException {
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        r.run();
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, name);
    t.start();
    t.join();
    if (failure[0] != null) {
      throw new AssertionError(name + " failed", failure[0]);
    }
  }
}
