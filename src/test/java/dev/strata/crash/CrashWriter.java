package dev.strata.crash;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.WriteBatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child process of {@link CrashRecoveryTest}: opens a store and writes to it from several
 * threads until it is killed, reporting every write on stdout, which the parent sends to a file:
 * that file is the expected state (RocksDB's db_stress keeps one the same way), from which
 * {@link ExpectedState} derives, after the kill, the values each key may hold.
 *
 * <p>Arguments: {@code directory seed threads cycle optionSet} ({@link CrashOptionSet#encode}).
 * The threads share the key space ({@link CrashValues}); each loops forever over: a put (35%), a
 * delete (10%), a batch of 2 to 8 distinct keys each a put or (15%) a delete (25%), or a
 * transaction (30%) that begins, reads a few hot keys (and with {@code serializable}, sometimes
 * scans a hot range), then writes 1 to 6 keys and commits, or (one in seven) rolls back. A
 * transaction's commit may fail with {@link TransactionConflictException}: another thread wrote
 * one of its keys after it began (or, serializable, one it read). A flusher thread calls
 * {@code flush()} every 20 to 150 ms.
 *
 * <p>Each key has a lock. A thread takes the locks of every key of a write (in key order), prints
 * the intent, issues the write, prints its outcome, and only then lets go. So each key has at most
 * one write in flight at any moment, and the order of the intents in the file is the order in
 * which each key was written. A transaction begins before it takes its locks, which is what lets
 * other threads' writes conflict with it.
 *
 * <p>Protocol on stdout, one line per event, each line written whole with one system call (so
 * lines of different threads never interleave) and nothing else on stdout (logging goes to stderr):
 * <pre>
 *   I &lt;thread&gt; &lt;write&gt; &lt;op&gt; [&lt;op&gt;...]   intent of a put, a delete or a batch, before it is issued
 *   T &lt;thread&gt; &lt;write&gt; &lt;op&gt; [&lt;op&gt;...]   intent of a transaction's writes, before they are buffered
 *   A &lt;thread&gt; &lt;write&gt;                   acknowledged: the write or the commit returned
 *   X &lt;thread&gt; &lt;write&gt;                   the commit threw TransactionConflictException: nothing applied
 *   R &lt;thread&gt; &lt;write&gt;                   the transaction was rolled back: nothing applied
 *   F &lt;n&gt;                                flush n is called
 *   D &lt;n&gt;                                flush n returned
 *   E &lt;thread&gt; &lt;message&gt;                 a call failed; the process then exits with status 3
 *   op = +&lt;key&gt; (a put of CrashValues.value(cycle, thread, write, key)) | -&lt;key&gt; (a delete)
 * </pre>
 * {@code write} counts each thread's writes from 0. At a kill, a write whose intent has no
 * outcome line may or may not have been applied (and may even have been acknowledged just before
 * the kill); a write with outcome X or R must have left nothing.
 */
final class CrashWriter {
  private static final int FLUSHER = -1;
  private static final ReentrantLock[] LOCKS = new ReentrantLock[CrashValues.KEYS];

  static {
    for (int i = 0; i < LOCKS.length; i++) {
      LOCKS[i] = new ReentrantLock();
    }
  }

  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    // Stdout is the protocol; anything else that prints (Akka's bootstrap logger, say) must not
    // mix into it. ChildProtocol writes to the real stdout descriptor.
    System.setOut(System.err);
    Path dir = Path.of(args[0]);
    SplittableRandom root = new SplittableRandom(Long.parseLong(args[1]));
    int threads = Integer.parseInt(args[2]);
    int cycle = Integer.parseInt(args[3]);
    CrashOptionSet optionSet = CrashOptionSet.decode(args[4]);
    ChildProtocol.exitWhenParentGoes();

    Strata db = Strata.open(dir, optionSet.options());
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      SplittableRandom rnd = root.split();
      workers.add(new Thread(() -> guarded(thread, () -> writeForever(db, cycle, thread, rnd)), "crash-writer-" + t));
    }
    SplittableRandom flushRnd = root.split();
    workers.add(new Thread(() -> guarded(FLUSHER, () -> flushForever(db, flushRnd)), "crash-flusher"));
    workers.forEach(Thread::start);
    for (Thread w : workers) {
      w.join();
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static void guarded(int thread, Body body) {
    try {
      body.run();
    } catch (Throwable t) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      System.err.println("thread " + thread + " failed:\n" + trace);
      ChildProtocol.emit("E " + thread + " " + String.valueOf(t).replace('\n', ' '));
      Runtime.getRuntime().halt(3);
    }
  }

  private static void flushForever(Strata db, SplittableRandom rnd) throws InterruptedException {
    for (long n = 0; ; n++) {
      Thread.sleep(20 + rnd.nextInt(131));
      ChildProtocol.emit("F " + n);
      db.flush();
      ChildProtocol.emit("D " + n);
    }
  }

  private static void writeForever(Strata db, int cycle, int thread, SplittableRandom rnd) {
    for (long write = 0; ; write++) {
      int r = rnd.nextInt(100);
      if (r < 70) {
        List<String> ops = r < 35 ? List.of("+" + randomKey(rnd))
            : r < 45 ? List.of("-" + randomKey(rnd))
            : randomOps(rnd, 2 + rnd.nextInt(7));
        int[] locked = lock(ops);
        try {
          ChildProtocol.emit("I " + thread + " " + write + " " + String.join(" ", ops));
          apply(db, cycle, thread, write, ops);
          ChildProtocol.emit("A " + thread + " " + write);
        } finally {
          unlock(locked);
        }
      } else {
        transact(db, cycle, thread, write, rnd);
      }
    }
  }

  private static void transact(Strata db, int cycle, int thread, long write, SplittableRandom rnd) {
    List<String> ops = randomOps(rnd, 1 + rnd.nextInt(6));
    boolean rollback = rnd.nextInt(7) == 0;
    try (Transaction txn = db.begin()) {
      // Reads before the locks: a conflict needs another thread's write between begin and commit.
      for (int i = rnd.nextInt(3); i >= 0; i--) {
        txn.get(CrashValues.bytes(CrashValues.key(rnd.nextInt(CrashValues.HOT_KEYS))));
      }
      if (db.options().serializable() && rnd.nextInt(4) == 0) {
        int from = rnd.nextInt(CrashValues.HOT_KEYS);
        try (StrataIterator it = txn.scan(Bound.included(CrashValues.bytes(CrashValues.key(from))),
            Bound.excluded(CrashValues.bytes(CrashValues.key(from + 4))))) {
          for (; it.isValid(); it.next()) {
            it.value();
          }
        }
      }
      int[] locked = lock(ops);
      try {
        ChildProtocol.emit("T " + thread + " " + write + " " + String.join(" ", ops));
        for (String op : ops) {
          String key = op.substring(1);
          if (op.charAt(0) == '+') {
            txn.put(CrashValues.bytes(key), CrashValues.value(cycle, thread, write, key));
          } else {
            txn.delete(CrashValues.bytes(key));
          }
        }
        if (rollback) {
          txn.rollback();
          ChildProtocol.emit("R " + thread + " " + write);
          return;
        }
        try {
          txn.commit();
        } catch (TransactionConflictException e) {
          ChildProtocol.emit("X " + thread + " " + write);
          return;
        }
        ChildProtocol.emit("A " + thread + " " + write);
      } finally {
        unlock(locked);
      }
    }
  }

  /** Takes the locks of the keys of {@code ops} in key order (so no two threads deadlock); returns them. */
  private static int[] lock(List<String> ops) {
    TreeSet<Integer> keys = new TreeSet<>();
    for (String op : ops) {
      keys.add(CrashValues.index(op.substring(1)));
    }
    int[] locked = keys.stream().mapToInt(Integer::intValue).toArray();
    for (int k : locked) {
      LOCKS[k].lock();
    }
    return locked;
  }

  private static void unlock(int[] locked) {
    for (int i = locked.length - 1; i >= 0; i--) {
      LOCKS[locked[i]].unlock();
    }
  }

  /** {@code size} operations on distinct keys, each a put or (15%) a delete. */
  private static List<String> randomOps(SplittableRandom rnd, int size) {
    TreeSet<String> keys = new TreeSet<>();
    while (keys.size() < size) {
      keys.add(randomKey(rnd));
    }
    List<String> ops = new ArrayList<>();
    for (String k : keys) {
      ops.add((rnd.nextInt(100) < 15 ? "-" : "+") + k);
    }
    return ops;
  }

  private static String randomKey(SplittableRandom rnd) {
    return CrashValues.key(rnd.nextInt(100) < CrashValues.HOT_PERCENT ? rnd.nextInt(CrashValues.HOT_KEYS)
        : rnd.nextInt(CrashValues.KEYS));
  }

  private static void apply(Strata db, int cycle, int thread, long write, List<String> ops) {
    if (ops.size() == 1) {
      String op = ops.get(0);
      String key = op.substring(1);
      if (op.charAt(0) == '+') {
        db.put(CrashValues.bytes(key), CrashValues.value(cycle, thread, write, key));
      } else {
        db.delete(CrashValues.bytes(key));
      }
      return;
    }
    WriteBatch batch = new WriteBatch();
    for (String op : ops) {
      String key = op.substring(1);
      if (op.charAt(0) == '+') {
        batch.put(CrashValues.bytes(key), CrashValues.value(cycle, thread, write, key));
      } else {
        batch.delete(CrashValues.bytes(key));
      }
    }
    db.write(batch);
  }
}
