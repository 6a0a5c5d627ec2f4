package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a store releases every file descriptor, memory mapping and thread it took, however many
 * flushes, compactions and reopens it went through: the process's open files (from
 * {@code /proc/self/fd}), mappings ({@code /proc/self/maps}) and live threads after {@code close()}
 * are those it had before {@code open}. Linux only; skipped where {@code /proc} is absent.
 *
 * <p>The JVM opens some files and starts some threads once, on first use (jars of classes loaded
 * late, the JDK's shared pools), so every test first runs the same operations once on a scratch
 * store, and snapshots only then. Threads are compared by identity, not count, so that a JVM
 * thread ending meanwhile cannot hide a leaked one.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResourceLeakTest {
  private static final Path PROC_FD = Paths.get("/proc/self/fd");
  private static final Path PROC_MAPS = Paths.get("/proc/self/maps");
  private static final long SETTLE_MILLIS = 10_000;
  private static final int MAX_LEAKS_SHOWN = 30;

  @TempDir Path dir;

  private static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(16 * 1024)
        .targetSstSizeBytes(16 * 1024)
        .blockSizeBytes(1024)
        .blockCacheBytes(64 * 1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().baseLevelBytes(32 * 1024).levelSizeMultiplier(4).maxLevels(4)
            .level0FileTrigger(4))
        .build();
  }

  @BeforeEach
  void warmUp() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(PROC_FD) && Files.isReadable(PROC_MAPS),
        "needs Linux's /proc/self/fd and /proc/self/maps");
    Path scratch = dir.resolve("warm-up");
    try (Strata db = Strata.open(scratch, options())) {
      for (int i = 0; i < 2_000; i++) {
        db.put(key(i % 300), value(i, 60));
      }
      db.flush();
      db.compact();
      try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
        it.isValid();
      }
      db.get(key(1));
    }
  }

  @Test
  void aThousandFlushAndCompactionCyclesLeaveNoFileMappingOrThreadOpen() throws Exception {
    Path store = dir.resolve("store");
    Snapshot before = Snapshot.take(store);
    int compactionsSeen;
    try (Strata db = Strata.open(store, options())) {
      for (int cycle = 0; cycle < 1_000; cycle++) {
        for (int i = 0; i < 5; i++) {
          db.put(key((cycle * 5 + i) % 2_000), value(cycle, 100));
        }
        if (cycle % 3 == 0) {
          db.delete(key((cycle * 7) % 2_000));
        }
        db.flush();
        if (cycle % 25 == 24) {
          db.compact();
        }
        if (cycle % 100 == 50) {
          try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
            for (int i = 0; i < 10 && it.isValid(); i++) {
              it.next();
            }
          }
          assertNoFileOfTheStoreIsOpenOnceDeleted(store, "cycle " + cycle);
        }
      }
      compactionsSeen = (int) db.stats().compactions();
      assertEquals(value(999, 100).length, db.get(key((999 * 5 + 4) % 2_000)).length);
    }
    assertTrue(compactionsSeen > 100, "the cycles ran background and full compactions: " + compactionsSeen);
    Snapshot.take(store).assertNothingLeftSince(before, "after 1,000 flush and compaction cycles");
  }

  @Test
  void fiftyOpenCloseCyclesLeaveNoFileMappingOrThreadOpen() throws Exception {
    Path store = dir.resolve("store");
    Snapshot before = Snapshot.take(store);
    for (int cycle = 0; cycle < 50; cycle++) {
      try (Strata db = Strata.open(store, options())) {
        if (cycle > 0) {
          assertEquals(cycle - 1, ByteBuffer.wrap(db.get(key(-1))).getInt(), "the previous cycle's last write");
        }
        for (int i = 0; i < 400; i++) {
          db.put(key((cycle * 400 + i) % 3_000), value(cycle, 100));
        }
        db.put(key(-1), ByteBuffer.allocate(4).putInt(cycle).array());
        db.flush();
        if (cycle % 10 == 9) {
          db.compact();
        }
        // Half the cycles close with a write only in the memtable and WAL; any cycle may close while a
        // background compaction runs (close cancels it).
        if (cycle % 2 == 0) {
          db.put(key(2), value(cycle, 10));
        }
      }
    }
    Snapshot.take(store).assertNothingLeftSince(before, "after 50 open/close cycles");
  }

  /**
   * While the store is open and no iterator is, a file it deleted (a compaction's input, a flushed
   * memtable's WAL) must not still be open: that would be a reader that was never released.
   */
  private static void assertNoFileOfTheStoreIsOpenOnceDeleted(Path store, String when) throws IOException {
    List<String> deleted = openFiles().values().stream()
        .filter(t -> t.startsWith(store.toAbsolutePath().toString()) && t.endsWith("(deleted)"))
        .sorted().collect(Collectors.toList());
    assertTrue(deleted.isEmpty(), when + ": deleted files of the store are still open: " + deleted);
  }

  /** What the process holds at one moment: open files by target, mappings of the store, live threads. */
  private record Snapshot(Path store, Map<String, Integer> fdTargets, List<String> storeMappings, Set<Thread> threads) {

    static Snapshot take(Path store) throws IOException {
      Map<String, Integer> targets = new HashMap<>();
      for (String target : openFiles().values()) {
        targets.merge(target, 1, Integer::sum);
      }
      String prefix = store.toAbsolutePath().toString();
      List<String> mappings;
      try (Stream<String> lines = Files.lines(PROC_MAPS)) {
        mappings = lines.filter(l -> l.contains(prefix)).collect(Collectors.toList());
      }
      Set<Thread> threads = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      threads.addAll(Thread.getAllStackTraces().keySet());
      return new Snapshot(store, targets, mappings, threads);
    }

    /**
     * Fails, naming each leaked file, mapping and thread, unless everything this snapshot holds
     * beyond {@code before} is gone within SETTLE_MILLIS: an ActorSystem's threads end shortly
     * after its termination is reported.
     */
    void assertNothingLeftSince(Snapshot before, String when) throws Exception {
      long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
      Snapshot now = this;
      while (!now.leaksSince(before).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
        now = take(store);
      }
      String leaks = now.leaksSince(before);
      if (!leaks.isEmpty()) {
        List<String> lines = leaks.lines().collect(Collectors.toList());
        String shown = String.join("\n", lines.subList(0, Math.min(lines.size(), MAX_LEAKS_SHOWN)));
        fail(when + ", close() left behind " + lines.size() + " file descriptor(s), mapping(s) or thread(s):\n" + shown
            + (lines.size() > MAX_LEAKS_SHOWN ? "\n  ..." : ""));
      }
      int fdsBefore = before.fdTargets.values().stream().mapToInt(Integer::intValue).sum();
      int fdsNow = now.fdTargets.values().stream().mapToInt(Integer::intValue).sum();
      assertTrue(fdsNow <= fdsBefore, when + ": open file count " + fdsBefore + " before, " + fdsNow + " after");
    }

    private String leaksSince(Snapshot before) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Integer> e : fdTargets.entrySet()) {
        int extra = e.getValue() - before.fdTargets.getOrDefault(e.getKey(), 0);
        if (extra > 0) {
          sb.append("  file descriptor").append(extra > 1 ? "s (" + extra + ")" : "").append(" to ")
              .append(e.getKey()).append('\n');
        }
      }
      for (String m : storeMappings) {
        if (!before.storeMappings.contains(m)) {
          sb.append("  mapping ").append(m).append('\n');
        }
      }
      for (Thread t : threads) {
        if (!before.threads.contains(t) && t.isAlive() && !isJdkSharedPool(t)) {
          sb.append("  thread \"").append(t.getName()).append("\" (").append(t.getState()).append(") at ")
              .append(Arrays.stream(t.getStackTrace()).limit(4).map(String::valueOf)
                  .collect(Collectors.joining(" < ")))
              .append('\n');
        }
      }
      return sb.toString();
    }
  }

  /**
   * The JDK's common fork/join pool belongs to the JVM: its workers start on demand for anyone
   * and end after a minute idle, so they are not the store's to stop.
   */
  private static boolean isJdkSharedPool(Thread t) {
    return t.getName().startsWith("ForkJoinPool.commonPool-worker-");
  }

  /** Every open file descriptor of this process and what it points at (readlink). */
  private static Map<String, String> openFiles() throws IOException {
    Map<String, String> out = new HashMap<>();
    List<Path> fds;
    try (Stream<Path> list = Files.list(PROC_FD)) {
      fds = list.collect(Collectors.toCollection(ArrayList::new));
    }
    for (Path fd : fds) {
      try {
        out.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
      } catch (NoSuchFileException e) {
        // Closed since the listing (the listing's own descriptor, for one).
      } catch (IOException e) {
        throw new UncheckedIOException("readlink " + fd, e);
      }
    }
    return out;
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(int seed, int length) {
    byte[] v = new byte[length];
    Arrays.fill(v, (byte) ('a' + Math.floorMod(seed, 26)));
    return v;
  }
}
