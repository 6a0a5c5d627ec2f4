package dev.strata.crash;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashRecoveryTest}: opens a store and writes to it from several
 * threads until it is killed, reporting every write on stdout.
 *
 * <p>Arguments: {@code directory seed threads cycle syncWrites}. Each thread owns its keys
 * ({@link CrashValues}) and loops forever: a single put (45%), a single delete (10%), or a batch of
 * 2 to 10 distinct keys, each a put or (15%) a delete. The values it writes name the cycle, the
 * thread and the write.
 *
 * <p>Protocol on stdout, one line per event, each line written whole with one system call (so
 * lines of different threads never interleave) and nothing else on stdout (logging goes to stderr):
 * <pre>
 *   I &lt;thread&gt; &lt;write&gt; &lt;op&gt; [&lt;op&gt;...]   intent: printed before the write is issued
 *   A &lt;thread&gt; &lt;write&gt;                   acknowledged: printed after the write returned
 *   E &lt;thread&gt; &lt;message&gt;                 a write failed; the process then exits with status 3
 *   op = +&lt;key&gt; (a put of CrashValues.value(cycle, thread, write, key)) | -&lt;key&gt; (a delete)
 * </pre>
 * One op is a {@code put} or {@code delete} call, several are one {@code write(WriteBatch)}.
 * {@code write} counts each thread's writes from 0. A thread prints the intent of its next write
 * only after the acknowledgement of the previous one, so at a kill each thread has at most one
 * write in flight: its last intent without an acknowledgement (which may or may not have been
 * applied, and may even have been acknowledged just before the kill).
 */
final class CrashWriter {
  /** A small memtable, so that rotations, flushes and stalls happen within a cycle of a few hundred ms. */
  static final long MEMTABLE_BYTES = 64 * 1024;

  private CrashWriter() {}

  /** The options of the child's store; the checker reopens it with the same. */
  static StrataOptions options(boolean syncWrites) {
    return StrataOptions.builder()
        .memtableSizeBytes(MEMTABLE_BYTES)
        .maxImmutableMemtables(2)
        .blockSizeBytes(1024)
        .blockCacheBytes(1 << 20)
        .compaction(CompactionOptions.none())
        .syncWrites(syncWrites)
        .build();
  }

  public static void main(String[] args) throws Exception {
    // Stdout is the protocol; anything else that prints (Akka's bootstrap logger, say) must not
    // mix into it. ChildProtocol writes to the real stdout descriptor.
    System.setOut(System.err);
    Path dir = Path.of(args[0]);
    SplittableRandom root = new SplittableRandom(Long.parseLong(args[1]));
    int threads = Integer.parseInt(args[2]);
    int cycle = Integer.parseInt(args[3]);
    boolean syncWrites = Boolean.parseBoolean(args[4]);
    ChildProtocol.exitWhenParentGoes();

    Strata db = Strata.open(dir, options(syncWrites));
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      SplittableRandom rnd = root.split();
      writers.add(new Thread(() -> writeForever(db, cycle, thread, rnd), "crash-writer-" + t));
    }
    writers.forEach(Thread::start);
    for (Thread w : writers) {
      w.join();
    }
  }

  private static void writeForever(Strata db, int cycle, int thread, SplittableRandom rnd) {
    for (long write = 0; ; write++) {
      List<String> ops = nextOps(thread, rnd);
      ChildProtocol.emit("I " + thread + " " + write + " " + String.join(" ", ops));
      try {
        apply(db, cycle, thread, write, ops);
      } catch (Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        System.err.println("write " + write + " of thread " + thread + " failed:\n" + trace);
        ChildProtocol.emit("E " + thread + " " + String.valueOf(t).replace('\n', ' '));
        Runtime.getRuntime().halt(3);
      }
      ChildProtocol.emit("A " + thread + " " + write);
    }
  }

  private static List<String> nextOps(int thread, SplittableRandom rnd) {
    int r = rnd.nextInt(100);
    if (r < 45) {
      return List.of("+" + randomKey(thread, rnd));
    }
    if (r < 55) {
      return List.of("-" + randomKey(thread, rnd));
    }
    int size = 2 + rnd.nextInt(9);
    Set<String> keys = new LinkedHashSet<>();
    while (keys.size() < size) {
      keys.add(randomKey(thread, rnd));
    }
    List<String> ops = new ArrayList<>();
    for (String k : keys) {
      ops.add((rnd.nextInt(100) < 15 ? "-" : "+") + k);
    }
    return ops;
  }

  private static String randomKey(int thread, SplittableRandom rnd) {
    return CrashValues.key(thread, rnd.nextInt(CrashValues.KEYS_PER_THREAD));
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
