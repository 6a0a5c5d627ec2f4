package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.s;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.WriteBatch;
import dev.strata.durability.DurabilityHarness.WriteModel;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Power loss, simulated by {@link InMemoryFileSystem#crash()}: unsynced file data and unsynced
 * directory changes vanish. With {@code syncWrites(true)} nothing acknowledged may be lost; with
 * {@code syncWrites(false)} what survives is a prefix of the acknowledged writes, and everything
 * before a {@code sync()}.
 */
class PowerLossTest {
  private static final int ROUNDS = 5;
  private static final int WRITER_THREADS = 4;
  private static final int TORN_WAL_WRITES = 10;
  private static final int WRITES_AFTER_RECOVERY = 5;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  private HoldingFileSystem holding;

  @Test
  void syncedWritesFromManyThreadsSurvivePowerLossWholeAndNothingElseAppears() throws Exception {
    long seed = TestHarness.seed("syncedWritesFromManyThreadsSurvivePowerLossWholeAndNothingElseAppears");
    Random random = new Random(seed);
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = smallOptions().syncWrites(true).build();
    WriteModel model = new WriteModel();
    List<List<String>> ownKeys = new ArrayList<>();
    long[] nextKey = new long[WRITER_THREADS];
    for (int t = 0; t < WRITER_THREADS; t++) {
      ownKeys.add(new ArrayList<>());
    }
    for (int round = 0; round < ROUNDS; round++) {
      Strata db = open(SYSTEM.get(), fs, options);
      model.verifyAndSettle(db, "round " + round + " after reopening");
      long ackedBefore = model.acknowledgedCount();
      long crashAfter = 100 + random.nextInt(3000);
      AtomicBoolean crashed = new AtomicBoolean();
      AtomicLong acked = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      CountDownLatch done = new CountDownLatch(WRITER_THREADS);
      for (int t = 0; t < WRITER_THREADS; t++) {
        int thread = t;
        long threadSeed = random.nextLong();
        int r = round;
        Thread writer = new Thread(() -> {
          try {
            writeUntilCrash(db, new Random(threadSeed), r, thread, ownKeys.get(thread), nextKey, model, acked,
                crashed, unexpected);
          } finally {
            done.countDown();
          }
        }, "power-loss-writer-" + t);
        writer.setDaemon(true);
        writer.start();
      }
      while (acked.get() < crashAfter && done.getCount() > 0) {
        Thread.sleep(1);
      }
      crashed.set(true);
      fs.crash();
      assertTrue(done.await(DurabilityHarness.STUCK.toSeconds(), TimeUnit.SECONDS),
          "writer threads still stuck in the store " + DurabilityHarness.STUCK + " after the crash (seed " + seed + ")");
      closeIgnoringErrors(db);
      assertTrue(unexpected.isEmpty(), "writes failed before the crash (seed " + seed + "): " + unexpected);
      System.out.printf("round %d: crashed after %d acknowledged writes%n", round,
          model.acknowledgedCount() - ackedBefore);
    }
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(db, "after the last crash (seed " + seed + ")");
    }
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      model.verifyAndSettle(db, "after a clean close (seed " + seed + ")");
    }
  }

  /**
   * One writer's loop: puts of new keys, overwrites and deletes of its own keys, and batches of
   * them, each recorded in the model once acknowledged; stops at the first failure, which after
   * the crash leaves its write in doubt.
   */
  private static void writeUntilCrash(Strata db, Random random, int round, int thread, List<String> keys,
      long[] nextKey, WriteModel model, AtomicLong acked, AtomicBoolean crashed, ConcurrentLinkedQueue<Throwable> unexpected) {
    for (long op = 0; op < 100_000; op++) {
      Map<String, String> ops = new LinkedHashMap<>();
      int n = random.nextInt(100) < 20 ? 2 + random.nextInt(5) : 1;
      for (int i = 0; i < n; i++) {
        String key;
        int pick = random.nextInt(100);
        if (keys.isEmpty() || pick < 60) {
          key = String.format("t%d-%07d", thread, nextKey[thread]++);
          keys.add(key);
        } else {
          key = keys.get(random.nextInt(keys.size()));
        }
        if (ops.containsKey(key)) {
          continue;
        }
        boolean delete = pick >= 90 && !keys.isEmpty();
        ops.put(key, delete ? null : "r" + round + "-t" + thread + "-op" + op + "-" + i + "-" + "x".repeat(random.nextInt(200)));
      }
      try {
        DurabilityHarness.writeOps(db, ops, random.nextBoolean());
      } catch (RuntimeException e) {
        model.inDoubt(ops);
        if (!crashed.get()) {
          unexpected.add(e);
        }
        return;
      }
      model.acknowledged(ops);
      acked.incrementAndGet();
    }
  }

  @Test
  void unsyncedWritesSurvivePowerLossAsAPrefixWithoutHoles() throws Exception {
    long seed = TestHarness.seed("unsyncedWritesSurvivePowerLossAsAPrefixWithoutHoles");
    Random random = new Random(seed);
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = smallOptions().memtableSizeBytes(16 * 1024).syncWrites(false).build();
    TreeMap<String, String> survivors = new TreeMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      Strata db = open(SYSTEM.get(), fs, options);
      assertEquals(survivors, scanAll(db), "round " + round + ": earlier rounds' survivors changed (seed " + seed + ")");
      int crashAfter = random.nextInt(6000);
      int syncEvery = 100 + random.nextInt(900);
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong synced = new AtomicLong();
      AtomicLong inFlightEnd = new AtomicLong();
      AtomicBoolean crashed = new AtomicBoolean();
      List<Long> batchEnds = new ArrayList<>();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      int r = round;
      long writerSeed = random.nextLong();
      Thread writer = new Thread(() -> {
        Random w = new Random(writerSeed);
        long i = 0;
        while (i < 20_000) {
          int n = w.nextInt(10) == 0 ? 2 + w.nextInt(4) : 1;
          inFlightEnd.set(i + n);
          try {
            if (n == 1) {
              db.put(b(prefixKey(r, i)), b(prefixValue(r, i)));
            } else {
              WriteBatch batch = new WriteBatch();
              for (long j = i; j < i + n; j++) {
                batch.put(b(prefixKey(r, j)), b(prefixValue(r, j)));
              }
              db.write(batch);
            }
            i += n;
            synchronized (batchEnds) {
              batchEnds.add(i);
            }
            acknowledged.set(i);
            if (i / syncEvery != (i - n) / syncEvery) {
              db.sync();
              synced.set(i);
            }
          } catch (RuntimeException e) {
            if (!crashed.get()) {
              unexpected.add(e);
            }
            return;
          }
        }
      }, "prefix-writer");
      writer.setDaemon(true);
      writer.start();
      while (acknowledged.get() < crashAfter && writer.isAlive()) {
        Thread.onSpinWait();
      }
      crashed.set(true);
      fs.crash();
      writer.join(DurabilityHarness.STUCK.toMillis());
      assertTrue(!writer.isAlive(), "the writer is stuck in the store after the crash (seed " + seed + ")");
      closeIgnoringErrors(db);
      assertTrue(unexpected.isEmpty(), "writes failed before the crash (seed " + seed + "): " + unexpected);

      try (Strata reopened = open(SYSTEM.get(), fs, options)) {
        TreeMap<String, String> all = scanAll(reopened);
        TreeMap<String, String> thisRound = new TreeMap<>(all.tailMap(prefixKey(r, 0), true));
        TreeMap<String, String> older = new TreeMap<>(all.headMap(prefixKey(r, 0), false));
        assertEquals(survivors, older, "round " + round + ": a crash changed earlier rounds (seed " + seed + ")");
        long k = thisRound.size();
        for (long i = 0; i < k; i++) {
          String v = thisRound.get(prefixKey(r, i));
          assertEquals(prefixValue(r, i), v, "round " + round + ": " + k + " keys survived but key " + i
              + " is not there as written: not a prefix (seed " + seed + ")");
        }
        long acked = acknowledged.get();
        long maxPossible = Math.max(acked, inFlightEnd.get());
        synchronized (batchEnds) {
          assertTrue(k == 0 || k == inFlightEnd.get() || batchEnds.contains(k), "round " + round + ": " + k
              + " keys survived, which cuts a batch (seed " + seed + ")");
        }
        assertTrue(k >= synced.get(), "round " + round + ": only " + k + " keys survived but " + synced.get()
            + " were synced (seed " + seed + ")");
        assertTrue(k <= maxPossible, "round " + round + ": " + k + " keys survived, more than were written ("
            + acked + " acknowledged) (seed " + seed + ")");
        System.out.printf("round %d: %d acknowledged, %d synced, %d survived%n", round, acked, synced.get(), k);
        survivors.putAll(thisRound);
      }
    }
  }

  private static String prefixKey(int round, long i) {
    return String.format("r%d-%08d", round, i);
  }

  private static String prefixValue(int round, long i) {
    return "value-" + round + "-" + i + "-" + "v".repeat((int) (i % 37));
  }

  @Test
  void syncMakesEveryEarlierWriteSurvivePowerLoss() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = smallOptions().memtableSizeBytes(16 * 1024).syncWrites(false).build();
    int synced = 2_500;
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      for (int i = 0; i < synced; i++) {
        db.put(b(prefixKey(0, i)), b(prefixValue(0, i)));
      }
      db.sync();
      fs.crash();
      closeIgnoringErrors(db);
    }
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      TreeMap<String, String> all = scanAll(db);
      assertEquals(synced, all.size(), "keys after the crash");
      for (int i = 0; i < synced; i++) {
        assertEquals(prefixValue(0, i), s(db.get(b(prefixKey(0, i)))), "key " + i);
      }
    }
  }

  @Test
  void syncMakesWritesInWalsRetiredByRotationSurvivePowerLoss() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    StrataOptions options = smallOptions().syncWrites(false).build();
    Strata db = openHoldingFlushes(mem, options);
    int written = writeUntilWals(db, mem, 0, 2);
    db.sync();
    powerLoss(mem, db);
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      assertEquals(written, scanAll(reopened).size(), "keys after the crash");
      for (int i = 0; i < written; i++) {
        assertEquals(prefixValue(0, i), s(reopened.get(b(prefixKey(0, i)))), "key " + i);
      }
    }
  }

  @Test
  void aNewerWalThatReachedTheDiskBeforeAnOlderOneIsDroppedSoThatAPrefixSurvives() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    StrataOptions options = smallOptions().syncWrites(false).build();
    Strata db = openHoldingFlushes(mem, options);
    putPrefixKeys(db, 0, 20);
    db.sync(); // the first 20 writes of the first WAL are durable, the rest of it will not be
    int written = writeUntilWals(db, mem, 20, 2);
    putPrefixKeys(db, written, written + 5);
    // The kernel may write back the newer WAL's pages before the older one's: as if it had.
    holding.mappedFile(DurabilityHarness.files(mem, ".wal").get(1)).sync();
    powerLoss(mem, db);
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      TreeMap<String, String> expected = new TreeMap<>();
      for (int i = 0; i < 20; i++) {
        expected.put(prefixKey(0, i), prefixValue(0, i));
      }
      assertEquals(expected, scanAll(reopened), "only the synced prefix survives, not the newer WAL after the hole");
    }
  }

  @Test
  void aNewerWalThatReachedTheDiskWhileAnOlderOneLostEveryWriteIsDropped() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    StrataOptions options = smallOptions().syncWrites(false).build();
    Strata db = openHoldingFlushes(mem, options);
    int written = writeUntilWals(db, mem, 0, 2); // nothing of the first WAL is synced
    putPrefixKeys(db, written, written + 5);
    // Only the manifest's record of the retirement tells recovery that the first WAL was longer.
    holding.mappedFile(DurabilityHarness.files(mem, ".wal").get(1)).sync();
    powerLoss(mem, db);
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      assertEquals(new TreeMap<String, String>(), scanAll(reopened), "nothing before the newer WAL survived, so "
          + "nothing of it may");
    }
  }

  /**
   * Opens a store on {@code mem} whose flushes are held (until {@link #powerLoss}): the frozen
   * memtables' WALs stay live, retired and unsynced.
   */
  private Strata openHoldingFlushes(InMemoryFileSystem mem, StrataOptions options) {
    holding = new HoldingFileSystem(mem);
    holding.holdFlushesOffThisThread();
    return open(SYSTEM.get(), holding, options);
  }

  /** Drops every unsynced byte, then lets the held flushes go and closes what is left of the store. */
  private void powerLoss(InMemoryFileSystem mem, Strata db) {
    mem.crash();
    holding.releaseFlushes();
    closeIgnoringErrors(db);
  }

  private static void putPrefixKeys(Strata db, int from, int to) {
    for (int i = from; i < to; i++) {
      db.put(b(prefixKey(0, i)), b(prefixValue(0, i)));
    }
  }

  /**
   * Puts keys {@code from}, {@code from + 1}, ... until the store has {@code wals} WAL files;
   * returns the index after the last key written.
   */
  private static int writeUntilWals(Strata db, InMemoryFileSystem mem, int from, int wals)
      throws IOException {
    int i = from;
    while (DurabilityHarness.files(mem, ".wal").size() < wals) {
      db.put(b(prefixKey(0, i)), b(prefixValue(0, i)));
      i++;
      assertTrue(i < from + 100_000, "no rotation after " + (i - from) + " puts");
    }
    return i;
  }

  @Test
  void writesSyncedAfterRecoveringATornWalSurviveTheNextPowerLoss() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    Strata db = openRightAfterRecoveringATornWal(mem, smallOptions().syncWrites(true).build());
    mem.crash();
    assertWritesAfterTheTornWalRecovered(mem, db, smallOptions().syncWrites(true).build());
  }

  @Test
  void writesAcknowledgedAfterRecoveringATornWalSurviveTheNextProcessCrash() throws Exception {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    Strata db = openRightAfterRecoveringATornWal(mem, smallOptions().syncWrites(false).build());
    mem.killProcess();
    assertWritesAfterTheTornWalRecovered(mem, db, smallOptions().syncWrites(false).build());
  }

  /**
   * Leaves a WAL whose last record is torn (what a power loss in the middle of an append leaves),
   * reopens the store while holding background flushes (a crash can come at any moment, so also
   * before the flush of the memtable recovered from that WAL is done, if it runs in the
   * background), and writes more.
   */
  private Strata openRightAfterRecoveringATornWal(InMemoryFileSystem mem, StrataOptions options) throws Exception {
    holding = new HoldingFileSystem(mem);
    Strata first = open(SYSTEM.get(), holding, options);
    for (int i = 0; i < TORN_WAL_WRITES; i++) {
      first.put(b("before-" + i), b("value-" + i));
    }
    // The process dies (a clean close would record the WAL as synced, and a cut then be damage).
    mem.killProcess();
    closeIgnoringErrors(first);
    Path wal = onlyFile(mem, ".wal");
    List<DurabilityHarness.LogRecord> records = DurabilityHarness.logRecords(read(mem, wal));
    byte[] whole = read(mem, wal);
    DurabilityHarness.rewrite(mem, wal, Arrays.copyOf(whole, (int) records.get(records.size() - 1).end() - 3));
    holding.holdFlushesOffThisThread();
    Strata db = open(SYSTEM.get(), holding, options);
    for (int i = 0; i < TORN_WAL_WRITES - 1; i++) {
      assertEquals("value-" + i, s(db.get(b("before-" + i))), "recovered before-" + i);
    }
    for (int i = 0; i < WRITES_AFTER_RECOVERY; i++) {
      db.put(b("after-" + i), b("value-" + i));
    }
    return db;
  }

  private void assertWritesAfterTheTornWalRecovered(InMemoryFileSystem mem, Strata db, StrataOptions options) {
    holding.releaseFlushes();
    closeIgnoringErrors(db);
    try (Strata reopened = open(SYSTEM.get(), mem, options)) {
      TreeMap<String, String> expected = new TreeMap<>();
      for (int i = 0; i < TORN_WAL_WRITES - 1; i++) {
        expected.put("before-" + i, "value-" + i);
      }
      for (int i = 0; i < WRITES_AFTER_RECOVERY; i++) {
        expected.put("after-" + i, "value-" + i);
      }
      assertEquals(expected, scanAll(reopened), "the store after the second crash");
    }
  }

  /**
   * Holds background flushes at the creation of their SST (the {@code .sst.tmp} file) until
   * released, to crash a store while a flush has not finished. A flush on the thread that armed
   * the hold (one that recovery runs inside {@code open}) passes.
   */
  private static final class HoldingFileSystem extends ForwardingFileSystem {
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<Path, WritableFile> mapped = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Thread exempt;
    private volatile boolean holding;

    HoldingFileSystem(FileSystem delegate) {
      super(delegate);
    }

    void holdFlushesOffThisThread() {
      exempt = Thread.currentThread();
      holding = true;
    }

    void releaseFlushes() {
      release.countDown();
    }

    /** The file {@link #createMapped} or {@link #openMapped} returned for {@code path}. */
    WritableFile mappedFile(Path path) {
      WritableFile file = mapped.get(path);
      if (file == null) {
        throw new AssertionError("no mapped file was created at " + path + ": " + mapped.keySet());
      }
      return file;
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      WritableFile file = delegate.createMapped(path, segmentBytes, preparer);
      mapped.put(path, file);
      return file;
    }

    @Override
    public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
      WritableFile file = delegate.openMapped(path, offset, segmentBytes, preparer);
      mapped.put(path, file);
      return file;
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (holding && Thread.currentThread() != exempt && path.getFileName().toString().endsWith(".sst.tmp")) {
        try {
          release.await(DurabilityHarness.STUCK.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while held", e);
        }
      }
      return delegate.create(path);
    }
  }
}
