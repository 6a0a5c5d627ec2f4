package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.GatedFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events beyond completions (see {@link ListenerTest} for those): every flush and compaction
 * is announced before it runs and completes before the next of its kind begins; a stall begins and
 * ends with its cause; and the SSTs and WALs the listener heard created and not deleted are exactly
 * those in the directory. Waits for asynchronous delivery are bounded hang guards, never timing checks.
 */
class ListenerEventsTest {
  private static final long GUARD_SECONDS = 60;
  private static final byte[] VALUE = b("v".repeat(200));

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("listener-events-test");

  @TempDir
  Path dir;

  /** Every event as one line, in the order delivered, and the infos by kind. */
  private static final class Journal implements StrataListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<FlushBeginInfo> flushBegins = new CopyOnWriteArrayList<>();
    final List<FlushInfo> flushes = new CopyOnWriteArrayList<>();
    final List<CompactionBeginInfo> compactionBegins = new CopyOnWriteArrayList<>();
    final List<CompactionInfo> compactions = new CopyOnWriteArrayList<>();
    final List<TableFileInfo> tablesCreated = new CopyOnWriteArrayList<>();
    final List<TableFileInfo> tablesDeleted = new CopyOnWriteArrayList<>();
    final List<WalInfo> walsCreated = new CopyOnWriteArrayList<>();
    final List<WalInfo> walsDeleted = new CopyOnWriteArrayList<>();

    @Override
    public void onFlushBegin(FlushBeginInfo info) {
      flushBegins.add(info);
      lines.add("flush-begin " + info.memtableNumber());
    }

    @Override
    public void onFlushCompleted(FlushInfo info) {
      flushes.add(info);
      lines.add("flush-completed " + info.fileNumber());
    }

    @Override
    public void onCompactionBegin(CompactionBeginInfo info) {
      compactionBegins.add(info);
      lines.add("compaction-begin " + info.inputFileNumbers());
    }

    @Override
    public void onCompactionCompleted(CompactionInfo info) {
      compactions.add(info);
      lines.add("compaction-completed " + info.inputFileNumbers());
    }

    @Override
    public void onWriteStallBegin(WriteStallCause cause) {
      lines.add("stall-begin " + cause);
    }

    @Override
    public void onWriteStallEnd(WriteStallCause cause, Duration duration) {
      assertFalse(duration.isNegative(), "a stall lasts zero or more: " + duration);
      lines.add("stall-end " + cause);
    }

    @Override
    public void onTableFileCreated(TableFileInfo info) {
      tablesCreated.add(info);
      lines.add("sst-created " + info.fileNumber() + " " + info.reason());
    }

    @Override
    public void onTableFileDeleted(TableFileInfo info) {
      tablesDeleted.add(info);
      lines.add("sst-deleted " + info.fileNumber() + " " + info.reason());
    }

    @Override
    public void onWalCreated(WalInfo info) {
      walsCreated.add(info);
      lines.add("wal-created " + info.walNumber());
    }

    @Override
    public void onWalDeleted(WalInfo info) {
      walsDeleted.add(info);
      lines.add("wal-deleted " + info.walNumber());
    }

    Set<Long> liveSsts() {
      Set<Long> live = tablesCreated.stream().map(TableFileInfo::fileNumber).collect(Collectors.toCollection(TreeSet::new));
      tablesDeleted.forEach(t -> live.remove(t.fileNumber()));
      return live;
    }

    Set<Long> liveWals() {
      Set<Long> live = walsCreated.stream().map(WalInfo::walNumber).collect(Collectors.toCollection(TreeSet::new));
      walsDeleted.forEach(w -> live.remove(w.walNumber()));
      return live;
    }

    long count(String prefix) {
      return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }
  }

  private static StrataOptions.Builder busyOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(8 * 1024)
        .targetSstSizeBytes(8 * 1024)
        .blockSizeBytes(512)
        .maxImmutableMemtables(3)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).baseLevelBytes(32 * 1024));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + GUARD_SECONDS + "s: " + what);
      }
      Thread.sleep(10);
    }
  }

  /** The numbers of the files in {@code dir} with {@code suffix}. */
  private static Set<Long> filesIn(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
          .map(n -> Long.parseLong(n.substring(0, n.length() - suffix.length())))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Writes asynchronously until {@code heard} hears of a stall; returns the last write's stage,
   * which the stall holds. (A write not acknowledged at once is not proof of a stall: any write
   * that went through the writer completes on the callback dispatcher, a moment later.)
   */
  private static CompletionStage<Done> writeUntilStallHeard(Strata db, Journal heard, long stallsBefore)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
    CompletionStage<Done> last = null;
    for (int i = 0; heard.count("stall-begin") == stallsBefore; i++) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no stall heard within " + GUARD_SECONDS + "s of writes");
      }
      last = db.putAsync(key(i), VALUE);
      if (!last.toCompletableFuture().isDone()) {
        Thread.sleep(1); // queued at the writer: give the stall's event time to arrive
      }
    }
    return last;
  }

  /** Runs a store through many flushes and compactions; returns what its listener heard, once it all arrived. */
  private Journal busyStore() throws Exception {
    Journal heard = new Journal();
    try (Strata db = Strata.open(SYSTEM.get(), dir, busyOptions().listener(heard).build())) {
      for (int i = 0; i < 6000; i++) {
        db.put(key((i * 7919) % 2000), b("value-" + i + "-".repeat(40)));
      }
      db.flush();
      db.compact();
      db.waitForCompactions();
    }
    // The close deletes the obsolete files no reader holds, and tells the listener from its own thread.
    await("the listener's live SSTs and WALs match the directory", () -> {
      try {
        return heard.liveSsts().equals(filesIn(dir, ".sst")) && heard.liveWals().equals(filesIn(dir, ".wal"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    return heard;
  }

  @Test
  void everyFlushBeginsThenCreatesItsSstDeletesItsWalsAndCompletesBeforeTheNextBegins() throws Exception {
    Journal heard = busyStore();
    assertTrue(heard.flushBegins.size() > 3, "a busy store flushes many times: " + heard.flushBegins.size());
    assertEquals(heard.flushBegins.size(), heard.flushes.size(), "every flush begun completed");
    List<String> flushLines = heard.lines.stream()
        .filter(l -> l.startsWith("flush-") || l.endsWith(" FLUSH") || l.startsWith("wal-deleted")).toList();
    // Up to two memtables a flush (maxImmutableMemtables 3 here), each with its WAL, the named one first.
    List<String> expected = new ArrayList<>();
    int line = 0;
    boolean merged = false;
    for (int i = 0; i < heard.flushes.size(); i++) {
      long sst = heard.flushes.get(i).fileNumber();
      long memtable = heard.flushBegins.get(i).memtableNumber();
      expected.addAll(List.of("flush-begin " + memtable, "sst-created " + sst + " FLUSH", "wal-deleted " + memtable));
      line += 3;
      if (line < flushLines.size() && flushLines.get(line).startsWith("wal-deleted ")) {
        long second = Long.parseLong(flushLines.get(line).substring("wal-deleted ".length()));
        assertTrue(second > memtable, "the second memtable of a flush is the newer: " + flushLines.get(line));
        expected.add(flushLines.get(line));
        line++;
        merged = true;
      }
      expected.add("flush-completed " + sst);
      line++;
      assertTrue(heard.flushBegins.get(i).entries() > 0 && heard.flushBegins.get(i).memtableBytes() > 0,
          heard.flushBegins.get(i).toString());
    }
    assertEquals(expected, flushLines);
    assertTrue(merged, "with the default memtablesPerFlush, flushes wrote two memtables into one SST");
  }

  @Test
  void everyCompactionBeginsWithTheInputsItCompletesWithAndCompletesBeforeTheNextBegins() throws Exception {
    Journal heard = busyStore();
    assertTrue(heard.compactions.size() > 1, "a busy store compacts several times: " + heard.compactions.size());
    assertEquals(heard.compactionBegins.size(), heard.compactions.size(), "every compaction begun completed");
    List<String> compactionLines = heard.lines.stream().filter(l -> l.startsWith("compaction-")).toList();
    for (int i = 0; i < heard.compactions.size(); i++) {
      CompactionBeginInfo begin = heard.compactionBegins.get(i);
      CompactionInfo done = heard.compactions.get(i);
      assertEquals("compaction-begin " + done.inputFileNumbers(), compactionLines.get(2 * i));
      assertEquals("compaction-completed " + done.inputFileNumbers(), compactionLines.get(2 * i + 1));
      assertEquals(done.inputLevels(), begin.inputLevels());
      assertEquals(done.outputLevel(), begin.outputLevel());
      assertEquals(done.trivialMove(), begin.trivialMove());
      assertFalse(begin.reason().isBlank(), begin.toString());
      if (!done.trivialMove()) {
        assertEquals(done.bytesRead(), begin.inputBytes(), begin.toString());
      }
    }
    assertTrue(heard.compactionBegins.stream().anyMatch(c -> c.reason().equals("full compaction")),
        "compact() is announced as a full compaction");
  }

  @Test
  void theSstsAndWalsHeardCreatedAndNotDeletedAreTheDirectorysFiles() throws Exception {
    Journal heard = busyStore(); // returns once they match: the rest says they are not trivially so
    assertFalse(heard.tablesDeleted.isEmpty(), "compactions made SSTs obsolete and they were deleted");
    assertTrue(heard.tablesDeleted.stream().allMatch(t -> t.reason() == TableFileInfo.Reason.OBSOLETE));
    assertTrue(heard.tablesCreated.stream().anyMatch(t -> t.reason() == TableFileInfo.Reason.COMPACTION));
    assertTrue(heard.tablesCreated.stream().allMatch(t -> t.sizeBytes() > 0));
    assertFalse(heard.walsDeleted.isEmpty(), "flushes deleted the WALs they made redundant");
    assertTrue(heard.walsDeleted.stream().allMatch(w -> w.bytesWritten() > 0), "a flushed memtable's WAL held its writes");
    assertEquals(1, heard.liveWals().size(), "the current WAL is closed, not deleted: " + heard.liveWals());
    for (TableFileInfo deleted : heard.tablesDeleted) {
      assertTrue(heard.lines.indexOf("sst-created " + deleted.fileNumber() + " FLUSH") >= 0
          || heard.lines.indexOf("sst-created " + deleted.fileNumber() + " COMPACTION") >= 0,
          "every SST deleted was heard created first: " + deleted);
    }
  }

  /** The stall events heard: for each cause, begin and end alternate, and every begin has its end. */
  private static List<String> assertStallsPaired(Journal heard) {
    List<String> stalls = heard.lines.stream().filter(l -> l.startsWith("stall-")).toList();
    for (WriteStallCause cause : WriteStallCause.values()) {
      List<String> ofCause = stalls.stream().filter(l -> l.endsWith(" " + cause)).toList();
      for (int i = 0; i < ofCause.size(); i++) {
        assertEquals((i % 2 == 0 ? "stall-begin " : "stall-end ") + cause, ofCause.get(i), stalls.toString());
      }
      assertEquals(0, ofCause.size() % 2, "every " + cause + " stall ended: " + stalls);
    }
    return stalls;
  }

  @Test
  void aStallOnFrozenMemtablesBeginsAndEndsWithItsCause() throws Exception {
    Journal heard = new Journal();
    GatedFileSystem fs = GatedFileSystem.holdingSsts(DiskFileSystem.INSTANCE);
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(4096).maxImmutableMemtables(1)
        .compaction(CompactionOptions.none()).listener(heard).build();
    try (Strata db = Strata.open(SYSTEM.get(), dir, options, fs)) {
      CompletionStage<Done> held = writeUntilStallHeard(db, heard, 0);
      assertFalse(held.toCompletableFuture().isDone(), "the stall holds the last write");
      assertEquals(List.of("stall-begin TOO_MANY_IMMUTABLE_MEMTABLES"),
          heard.lines.stream().filter(l -> l.startsWith("stall-")).toList());
      fs.open();
      held.toCompletableFuture().get(GUARD_SECONDS, TimeUnit.SECONDS);
      db.flush();
      assertTrue(db.stats().writeStallNanos() > 0, "the stall shows in stats too");
    } finally {
      fs.open();
    }
    await("every stall's end is heard", () -> heard.count("stall-end") == heard.count("stall-begin"));
    List<String> stalls = assertStallsPaired(heard);
    assertTrue(stalls.stream().allMatch(l -> l.endsWith(" TOO_MANY_IMMUTABLE_MEMTABLES")), stalls.toString());
  }

  @Test
  void aStallOnL0AtTheStopTriggerBeginsAndEndsWithItsCauseInsideTheSlowdown() throws Exception {
    Journal heard = new Journal();
    GatedFileSystem fs = GatedFileSystem.holdingCompactionOutputs(DiskFileSystem.INSTANCE);
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(4096).maxImmutableMemtables(1)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2).level0SlowdownWritesTrigger(2)
            .level0StopWritesTrigger(2))
        .listener(heard).build();
    try (Strata db = Strata.open(SYSTEM.get(), dir, options, fs)) {
      for (int i = 0; i < 2; i++) { // two overlapping L0 files: a compaction that rewrites them
        db.put(b("a"), VALUE);
        db.put(b("b"), VALUE);
        db.flush();
      }
      // L0 holds 2: the slowdown begins, and a compaction starts, held at the gate.
      fs.awaitReached(Duration.ofSeconds(GUARD_SECONDS));
      await("the slowdown is heard", () -> heard.count("stall-begin") == 1);
      CompletionStage<Done> held = writeUntilStallHeard(db, heard, 1); // flushes wait for the held compaction
      assertFalse(held.toCompletableFuture().isDone(), "the stall holds the last write");
      assertEquals(List.of("stall-begin L0_SLOWDOWN", "stall-begin TOO_MANY_L0_FILES"),
          heard.lines.stream().filter(l -> l.startsWith("stall-")).toList());
      fs.open();
      held.toCompletableFuture().get(GUARD_SECONDS, TimeUnit.SECONDS);
      db.flush();
      db.waitForCompactions();
    } finally {
      fs.open();
    }
    // A slowdown still on at close ends with it.
    await("every stall's end is heard", () -> heard.count("stall-end") == heard.count("stall-begin"));
    List<String> stalls = assertStallsPaired(heard);
    assertTrue(stalls.contains("stall-end TOO_MANY_L0_FILES"), stalls.toString());
  }
}
