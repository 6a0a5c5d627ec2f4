package dev.strata.mvcc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.KilledChild;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.crash.ChildProtocol;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions and process crashes: a child JVM ({@link Child}) runs transactions against a store
 * with {@code syncWrites(true)} and is killed with SIGKILL ({@code destroyForcibly}) at a random
 * moment, cycle after cycle on the same directory. After each kill the store is reopened here and
 * checked against what the child reported:
 * <ul>
 *   <li>every transaction whose {@code commit()} returned is there, every key of it;
 *   <li>a transaction whose commit was in flight at the kill is there whole or not at all;
 *   <li>no key of a transaction that was rolled back, closed, left open, or refused with a conflict
 *       is there, in this cycle or any later one;
 *   <li>no key appears that no transaction wrote.
 * </ul>
 * The child's transactions each write 2 to 6 keys {@code t/<id>/<j>} and half of them also one
 * of four shared keys {@code hot/<k>}, so concurrent commits conflict now and then. Small
 * memtables make flushes and compactions run while the child is killed.
 *
 * <p>Cycles: {@code -Dstrata.txncrash.cycles} (default 4). Seeded (the seed is printed; rerun with
 * {@code -Dstrata.seed=...}); on failure the directory is kept, with the child's output.
 */
@Timeout(120)
class TransactionRecoveryTest {
  private static final int THREADS = 3;
  private static final String PAD = "v".repeat(150);

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("txn-recovery-test");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .targetSstSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().baseLevelBytes(256 * 1024).levelSizeMultiplier(4).maxLevels(4)
            .level0FileTrigger(2))
        .syncWrites(true)
        .build();
  }

  static String txnKey(long id, int j) {
    return String.format("t/%012d/%d", id, j);
  }

  static String txnValue(long id, int j) {
    return id + "/" + j + "/" + PAD;
  }

  /** What the child said about one transaction. */
  private static final class Reported {
    final long id;
    final int keys;
    final String hot;
    boolean committing;
    boolean acknowledged;
    boolean discarded;
    boolean refused;

    Reported(long id, int keys, String hot) {
      this.id = id;
      this.keys = keys;
      this.hot = hot;
    }
  }

  @Test
  void acknowledgedTransactionsSurviveKillsAndUncommittedOnesNeverAppear() throws Exception {
    long seed = TestHarness.seed("TransactionRecoveryTest");
    SplittableRandom rnd = new SplittableRandom(seed);
    int cycles = Integer.getInteger("strata.txncrash.cycles", 4);
    Path store = dir.resolve("store");
    Map<Long, Reported> mustExist = new TreeMap<>();
    Set<Long> mustNotExist = new HashSet<>();
    long totalAcknowledged = 0;
    long totalDiscarded = 0;
    long totalRefused = 0;
    long inFlightApplied = 0;
    long inFlightLost = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      long killAfterMs = 200 + rnd.nextInt(500);
      long childSeed = rnd.nextLong();
      String at = "seed=" + seed + " cycle=" + cycle + " (killed " + killAfterMs + " ms after the first report); "
          + "directory kept: " + dir;
      Path out = dir.resolve("cycle-" + cycle + ".out");
      Path err = dir.resolve("cycle-" + cycle + ".err");
      KilledChild.run(Child.class, List.of(store.toString(), Long.toString(childSeed), Integer.toString(cycle)),
          out, err, o -> !o.isEmpty(), "a report", killAfterMs, at);

      Map<Long, Reported> reported = parse(Files.readString(out, StandardCharsets.US_ASCII), at, err);
      List<Reported> inFlight = new ArrayList<>();
      for (Reported r : reported.values()) {
        if (r.acknowledged) {
          mustExist.put(r.id, r);
          totalAcknowledged++;
        } else if (r.committing) {
          inFlight.add(r);
        } else if (r.discarded) {
          mustNotExist.add(r.id);
          totalDiscarded++;
          totalRefused += r.refused ? 1 : 0;
        } else {
          mustNotExist.add(r.id); // begun and written to, never committed
          totalDiscarded++;
        }
      }

      try (Strata db = Strata.open(SYSTEM.get(), store, options())) {
        Map<Long, Set<Integer>> found = scanTransactions(db, at);
        for (Reported r : inFlight) {
          Set<Integer> keys = found.getOrDefault(r.id, Set.of());
          if (keys.size() == r.keys) {
            mustExist.put(r.id, r);
            inFlightApplied++;
          } else if (keys.isEmpty()) {
            mustNotExist.add(r.id);
            inFlightLost++;
          } else {
            fail("transaction " + r.id + ", in flight at the kill, is partly there: keys " + keys + " of " + r.keys
                + " at " + at);
          }
        }
        for (Reported r : mustExist.values()) {
          Set<Integer> keys = found.getOrDefault(r.id, Set.of());
          if (keys.size() != r.keys) {
            fail("acknowledged transaction " + r.id + " has keys " + keys + " of " + r.keys + " at " + at);
          }
        }
        for (Long id : found.keySet()) {
          if (mustNotExist.contains(id)) {
            fail("transaction " + id + " never committed, yet its keys " + found.get(id) + " are there at " + at);
          }
          if (!mustExist.containsKey(id)) {
            fail("keys " + found.get(id) + " of transaction " + id + ", which the child never reported, at " + at);
          }
        }
        checkHotKeys(db, mustExist, at);
      }
      Files.delete(out);
      Files.delete(err);
    }
    System.out.println("TransactionRecoveryTest: " + cycles + " kills, " + totalAcknowledged
        + " acknowledged transactions, " + totalDiscarded + " never committed (" + totalRefused
        + " of them refused for a conflict), in flight at a kill: "
        + inFlightApplied + " applied, " + inFlightLost + " not");
    assertTrue(totalAcknowledged > 0, "the children committed nothing");
    assertTrue(totalDiscarded > 0, "the children left nothing uncommitted");
  }

  /** Every {@code t/} key, grouped by transaction, its value checked. */
  private static Map<Long, Set<Integer>> scanTransactions(Strata db, String at) {
    Map<Long, Set<Integer>> found = new HashMap<>();
    try (StrataIterator it = db.scan(Bound.included(TestHarness.b("t/")), Bound.excluded(TestHarness.b("t0")))) {
      for (; it.isValid(); it.next()) {
        String k = TestHarness.s(it.key());
        String[] parts = k.split("/");
        long id = Long.parseLong(parts[1]);
        int j = Integer.parseInt(parts[2]);
        String v = TestHarness.s(it.value());
        if (!txnValue(id, j).equals(v)) {
          fail("key " + k + " holds " + v + " at " + at);
        }
        found.computeIfAbsent(id, x -> new HashSet<>()).add(j);
      }
    }
    for (Map.Entry<Long, Set<Integer>> e : found.entrySet()) {
      for (int j : e.getValue()) {
        String k = txnKey(e.getKey(), j);
        if (!txnValue(e.getKey(), j).equals(TestHarness.s(db.get(TestHarness.b(k))))) {
          fail("get(" + k + ") disagrees with the scan at " + at);
        }
      }
    }
    return found;
  }

  /** A shared key holds the id of a committed transaction that wrote it, never one that did not commit. */
  private static void checkHotKeys(Strata db, Map<Long, Reported> committed, String at) {
    for (int k = 0; k < 4; k++) {
      String hot = "hot/" + k;
      byte[] v = db.get(TestHarness.b(hot));
      if (v != null) {
        long id = Long.parseLong(TestHarness.s(v));
        Reported r = committed.get(id);
        if (r == null) {
          fail(hot + " holds the write of transaction " + id + ", which did not commit, at " + at);
        }
        if (!hot.equals(r.hot)) {
          fail(hot + " holds the id of transaction " + id + ", which wrote " + r.hot + ", at " + at);
        }
      }
    }
  }

  /**
   * The child's protocol: {@code B id keys hot} as commit is called, {@code C id} once it returned,
   * {@code X id} when it was refused, {@code D id keys} for a transaction rolled back or closed,
   * {@code U id keys} for one left open, {@code E message} for an unexpected failure. A last line
   * the kill cut short is ignored.
   */
  private static Map<Long, Reported> parse(String text, String at, Path err) throws IOException {
    Map<Long, Reported> out = new HashMap<>();
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return out;
    }
    for (String line : text.substring(0, end).split("\n")) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "B" -> out.put(Long.parseLong(f[1]), committing(Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3]));
        case "C" -> out.get(Long.parseLong(f[1])).acknowledged = true;
        case "X" -> {
          Reported r = out.get(Long.parseLong(f[1]));
          r.committing = false;
          r.discarded = true;
          r.refused = true;
        }
        case "D", "U" -> {
          Reported r = new Reported(Long.parseLong(f[1]), Integer.parseInt(f[2]), "-");
          r.discarded = true;
          out.put(r.id, r);
        }
        case "E" -> fail("the child failed: " + line + " at " + at + "; its stderr: " + Files.readString(err));
        default -> fail("unexpected line from the child: " + line + " at " + at);
      }
    }
    return out;
  }

  private static Reported committing(long id, int keys, String hot) {
    Reported r = new Reported(id, keys, hot);
    r.committing = true;
    return r;
  }

  /**
   * The child process: {@code directory seed cycle}. Opens the store with {@link #options()} and
   * runs transactions from {@value #THREADS} threads until killed, reporting on stdout, one whole
   * line per write system call (see {@link #parse}). Of its transactions 80% commit, 10% roll back
   * or close, and 10% are left open, with their writes, until the kill.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      System.setOut(System.err); // stdout is the protocol
      Path store = Path.of(args[0]);
      SplittableRandom root = new SplittableRandom(Long.parseLong(args[1]));
      int cycle = Integer.parseInt(args[2]);
      ChildProtocol.exitWhenParentGoes();
      Strata db = Strata.open(store, options());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom rnd = root.split();
        long firstId = (long) cycle * 1_000_000_000L + (long) t * 100_000_000L;
        threads.add(new Thread(() -> runForever(db, rnd, firstId), "txn-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
    }

    private static void runForever(Strata db, SplittableRandom rnd, long firstId) {
      List<Transaction> leftOpen = new ArrayList<>();
      try {
        for (long id = firstId; ; id++) {
          Transaction t = db.begin();
          int keys = 2 + rnd.nextInt(5);
          for (int j = 0; j < keys; j++) {
            t.put(TestHarness.b(txnKey(id, j)), TestHarness.b(txnValue(id, j)));
          }
          String hot = "-";
          if (rnd.nextBoolean()) {
            hot = "hot/" + rnd.nextInt(4);
            t.get(TestHarness.b(hot));
            t.put(TestHarness.b(hot), TestHarness.b(Long.toString(id)));
          }
          int r = rnd.nextInt(100);
          if (r < 10) {
            ChildProtocol.emit("U " + id + " " + keys);
            leftOpen.add(t);
          } else if (r < 20) {
            ChildProtocol.emit("D " + id + " " + keys);
            if (r < 15) {
              t.rollback();
            } else {
              t.close();
            }
          } else {
            ChildProtocol.emit("B " + id + " " + keys + " " + hot);
            try {
              t.commit();
              ChildProtocol.emit("C " + id);
            } catch (TransactionConflictException e) {
              ChildProtocol.emit("X " + id);
            }
          }
        }
      } catch (Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        System.err.println(trace);
        ChildProtocol.emit("E " + String.valueOf(e).replace('\n', ' '));
        Runtime.getRuntime().halt(3);
      }
    }
  }
}
