package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank: {@value #ACCOUNTS} accounts, {@value #THREADS} threads moving money between them in
 * serializable transactions for {@link #RUN}, retrying on conflict, while another thread flushes
 * and compacts and another checks, in snapshot after snapshot, that no money was made or lost.
 *
 * <p>A transfer reads two balances and, if the source has the funds, writes both and a record
 * {@code xfer/<id>} of itself; every attempt has its own id. The test keeps the transfers whose
 * commit returned. At the end each account must hold its initial balance plus the effect of those
 * transfers, each counted exactly once, and the store's transfer records must be exactly theirs:
 * a refused commit that left a trace, or an acknowledged one that did not stick, shows. Each
 * snapshot must show the initial total and, every few snapshots, balances that agree with the
 * transfer records the same snapshot holds (no half-applied transfer is visible).
 *
 * <p>Seeded: the seed is printed (rerun with {@code -Dstrata.seed=...}; thread timing still
 * differs). The store directory is kept when the test fails.
 */
@Timeout(90)
class BankTest {
  private static final Duration RUN = Duration.ofSeconds(10);
  private static final int ACCOUNTS = 20;
  private static final int THREADS = 6;
  private static final long INITIAL = 1_000;
  private static final long TOTAL = ACCOUNTS * INITIAL;
  /** Pads transfer records, so that the 64 KiB memtable fills every few hundred transfers. */
  private static final String PAD = "p".repeat(100);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private record Transfer(long id, int from, int to, long amount) {}

  private static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .targetSstSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .blockCacheBytes(1 << 20)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().baseLevelBytes(512 * 1024).levelSizeMultiplier(4).maxLevels(4)
            .level0FileTrigger(2))
        .serializable(true)
        .build();
  }

  private static byte[] account(int i) {
    return b(String.format("acct/%02d", i));
  }

  private static byte[] transferKey(long id) {
    return b(String.format("xfer/%012d", id));
  }

  private static final Bound ACCOUNTS_LOW = Bound.included(b("acct/"));
  private static final Bound ACCOUNTS_HIGH = Bound.excluded(b("acct0"));
  private static final Bound TRANSFERS_LOW = Bound.included(b("xfer/"));
  private static final Bound TRANSFERS_HIGH = Bound.excluded(b("xfer0"));

  private static long balance(byte[] value) {
    if (value == null) {
      throw new AssertionError("an account is missing");
    }
    return Long.parseLong(s(value));
  }

  /** Shared state of one run. */
  private static final class Run {
    final Strata db;
    final AtomicBoolean stop = new AtomicBoolean();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    final Queue<Transfer> committed = new ConcurrentLinkedQueue<>();
    final AtomicLong nextId = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong insufficient = new AtomicLong();
    final AtomicLong snapshotsChecked = new AtomicLong();
    final AtomicLong reconciliations = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();
    final AtomicLong compacts = new AtomicLong();

    Run(Strata db) {
      this.db = db;
    }

    void problem(String what, Throwable t) {
      problems.add(what + ": " + t);
      t.printStackTrace();
      stop.set(true);
    }

    void problem(String what) {
      problems.add(what);
      stop.set(true);
    }
  }

  @Test
  void concurrentSerializableTransfersKeepEveryBalanceExact() throws Exception {
    long seed = TestHarness.seed("BankTest");
    SplittableRandom root = new SplittableRandom(seed);
    Path store = dir.resolve("store");
    List<Transfer> transfers;
    try (Strata db = Strata.open(store, options())) {
      try (Transaction t = db.begin()) {
        for (int i = 0; i < ACCOUNTS; i++) {
          t.put(account(i), b(String.valueOf(INITIAL)));
        }
        t.commit();
      }
      Run run = new Run(db);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        SplittableRandom rnd = root.split();
        threads.add(new Thread(() -> transferUntilStopped(run, rnd), "transfer-" + i));
      }
      threads.add(new Thread(() -> maintainUntilStopped(run), "maintenance"));
      threads.add(new Thread(() -> auditUntilStopped(run), "auditor"));
      threads.forEach(Thread::start);
      long deadline = System.nanoTime() + RUN.toNanos();
      while (System.nanoTime() < deadline && !run.stop.get()) {
        Thread.sleep(50);
      }
      run.stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
        if (t.isAlive()) {
          run.problem(t.getName() + " did not stop within 30 s");
        }
      }
      transfers = new ArrayList<>(run.committed);
      System.out.println("BankTest: " + transfers.size() + " transfers committed, " + run.conflicts + " conflicts "
          + "retried, " + run.insufficient + " refused for funds, " + run.snapshotsChecked + " snapshots audited ("
          + run.reconciliations + " reconciled with their transfer records), " + run.flushes + " flushes, "
          + run.compacts + " compact() calls; " + db.stats());
      if (!run.problems.isEmpty()) {
        fail(run.problems.size() + " problems, first: " + run.problems.peek() + "; seed " + seed + ", directory "
            + store);
      }
      assertTrue(transfers.size() > 100, "too few transfers to mean anything: " + transfers.size());
      assertTrue(run.snapshotsChecked.get() > 10, "too few snapshots audited: " + run.snapshotsChecked);
      assertTrue(db.stats().compactions() > 0, "no compaction ran: " + db.stats());
      assertTrue(db.stats().flushBytesWritten() > 0, "no flush ran: " + db.stats());
      verifyLedger("at the end", db, transfers);
    }
    try (Strata db = Strata.open(store, options())) {
      verifyLedger("after a reopen", db, transfers);
    }
  }

  private static void transferUntilStopped(Run run, SplittableRandom rnd) {
    try {
      while (!run.stop.get()) {
        int from = rnd.nextInt(ACCOUNTS);
        int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + rnd.nextInt(200);
        transfer(run, from, to, amount);
      }
    } catch (Throwable t) {
      run.problem("a transfer failed", t);
    }
  }

  /** One transfer, retried in a new transaction (with a new id) until it commits or is refused for funds. */
  private static void transfer(Run run, int from, int to, long amount) {
    while (!run.stop.get()) {
      long id = run.nextId.incrementAndGet();
      try (Transaction t = run.db.begin()) {
        long fromBalance = balance(t.get(account(from)));
        long toBalance = balance(t.get(account(to)));
        if (fromBalance < amount) {
          t.commit(); // read-only: always commits
          run.insufficient.incrementAndGet();
          return;
        }
        t.put(account(from), b(String.valueOf(fromBalance - amount)));
        t.put(account(to), b(String.valueOf(toBalance + amount)));
        t.put(transferKey(id), b(from + "," + to + "," + amount + "," + PAD));
        t.commit();
        run.committed.add(new Transfer(id, from, to, amount));
        return;
      } catch (TransactionConflictException e) {
        run.conflicts.incrementAndGet();
      }
    }
  }

  private static void maintainUntilStopped(Run run) {
    try {
      for (long round = 1; !run.stop.get(); round++) {
        Thread.sleep(100);
        if (round % 10 == 0) {
          run.db.compact();
          run.compacts.incrementAndGet();
        } else {
          run.db.flush();
          run.flushes.incrementAndGet();
        }
      }
    } catch (Throwable t) {
      run.problem("flush or compact failed", t);
    }
  }

  private static void auditUntilStopped(Run run) {
    try {
      while (!run.stop.get()) {
        try (Snapshot snap = run.db.snapshot()) {
          long[] balances = balances(snap.scan(ACCOUNTS_LOW, ACCOUNTS_HIGH));
          long total = 0;
          for (long v : balances) {
            total += v;
          }
          if (total != TOTAL) {
            run.problem("snapshot at " + snap.sequence() + " holds " + total + " instead of " + TOTAL);
            return;
          }
          if (run.snapshotsChecked.incrementAndGet() % 10 == 0) {
            long[] fromRecords = replay(snap.scan(TRANSFERS_LOW, TRANSFERS_HIGH));
            for (int i = 0; i < ACCOUNTS; i++) {
              if (fromRecords[i] != balances[i]) {
                run.problem("snapshot at " + snap.sequence() + ": account " + i + " holds " + balances[i]
                    + " but its transfer records in the same snapshot make " + fromRecords[i]);
                return;
              }
            }
            run.reconciliations.incrementAndGet();
          }
        }
      }
    } catch (Throwable t) {
      run.problem("a snapshot audit failed", t);
    }
  }

  /** The balances an accounts scan returns, checking that every account is there once. */
  private static long[] balances(StrataIterator it) {
    long[] out = new long[ACCOUNTS];
    int n = 0;
    try (it) {
      for (; it.isValid(); it.next(), n++) {
        if (n >= ACCOUNTS) {
          throw new AssertionError("more than " + ACCOUNTS + " accounts: " + s(it.key()));
        }
        String expected = s(account(n));
        if (!expected.equals(s(it.key()))) {
          throw new AssertionError("account " + expected + " expected, scan returned " + s(it.key()));
        }
        out[n] = balance(it.value());
      }
    }
    if (n != ACCOUNTS) {
      throw new AssertionError(n + " accounts instead of " + ACCOUNTS);
    }
    return out;
  }

  /** The balances the transfer records of a scan produce from the initial ones. */
  private static long[] replay(StrataIterator it) {
    long[] out = new long[ACCOUNTS];
    Arrays.fill(out, INITIAL);
    try (it) {
      for (; it.isValid(); it.next()) {
        String[] f = s(it.value()).split(",");
        long amount = Long.parseLong(f[2]);
        out[Integer.parseInt(f[0])] -= amount;
        out[Integer.parseInt(f[1])] += amount;
      }
    }
    return out;
  }

  /**
   * Every account holds its initial balance plus the committed transfers' effects; the store's
   * transfer records are exactly the committed transfers, each once, with their amounts.
   */
  private static void verifyLedger(String when, Strata db, List<Transfer> transfers) {
    long[] expected = new long[ACCOUNTS];
    Arrays.fill(expected, INITIAL);
    Map<Long, Transfer> byId = new TreeMap<>();
    for (Transfer t : transfers) {
      expected[t.from()] -= t.amount();
      expected[t.to()] += t.amount();
      if (byId.put(t.id(), t) != null) {
        fail(when + ": transfer id " + t.id() + " recorded twice");
      }
    }
    long[] actual = balances(db.scan(ACCOUNTS_LOW, ACCOUNTS_HIGH));
    long total = 0;
    for (int i = 0; i < ACCOUNTS; i++) {
      total += actual[i];
      assertEquals(expected[i], actual[i], when + ": balance of account " + i);
      assertEquals(expected[i], balance(db.get(account(i))), when + ": get of account " + i);
    }
    assertEquals(TOTAL, total, when + ": total");

    List<Long> recordIds = new ArrayList<>();
    try (StrataIterator it = db.scan(TRANSFERS_LOW, TRANSFERS_HIGH)) {
      for (; it.isValid(); it.next()) {
        long id = Long.parseLong(s(it.key()).substring("xfer/".length()));
        recordIds.add(id);
        Transfer t = byId.get(id);
        if (t == null) {
          fail(when + ": the store holds transfer " + id + " (" + s(it.value()) + "), whose commit did not return");
        }
        String[] f = s(it.value()).split(",");
        assertEquals(t.from() + "," + t.to() + "," + t.amount(), f[0] + "," + f[1] + "," + f[2],
            when + ": record of transfer " + id);
      }
    }
    List<Long> committedIds = new ArrayList<>(byId.keySet());
    Collections.sort(recordIds);
    assertEquals(committedIds.size(), recordIds.size(), when + ": transfer records vs committed transfers");
    assertEquals(committedIds, recordIds, when + ": transfer records vs committed transfers");
  }
}
