package dev.strata.durability;

import akka.actor.typed.ActorSystem;
import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.fs.FileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the durability suites share (each class runs in an ActorSystem of its own, from
 * {@link dev.strata.testing.ActorSystemPerClass}): small options that make rotations,
 * flushes and manifest records happen, a model of acknowledged and in-doubt writes that checks a
 * reopened store against them, and byte-level access to the files a store leaves behind.
 */
final class DurabilityHarness {
  /** Where stores live on the in-memory file systems. */
  static final Path DIR = Path.of("/strata-durability/db");
  /** Longest a close, a writer thread or a reopen may take before the test calls it stuck. */
  static final Duration STUCK = Duration.ofSeconds(15);

  /** Longest one call to a store may take in the I/O-error probes before it counts as hanging. */
  static final Duration CALL_LIMIT = Duration.ofSeconds(3);
  /** Runs store calls under {@link #within}; daemon threads, so a call that hangs cannot keep the JVM. */
  private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "durability-call");
    t.setDaemon(true);
    return t;
  });

  private static final int LOG_BLOCK = 32 * 1024;
  private static final int LOG_FILE_HEADER = 16;
  private static final int LOG_FRAGMENT_HEADER = 7;

  private DurabilityHarness() {}

  /** 32 KiB memtables, two frozen at most, 1 KiB blocks, bloom filters, no automatic compaction. */
  static StrataOptions.Builder smallOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .maxImmutableMemtables(2)
        .blockSizeBytes(1024)
        .blockCacheBytes(256 * 1024)
        .bloomBitsPerKey(10)
        .compaction(CompactionOptions.none());
  }

  static Strata open(ActorSystem<?> system, FileSystem fs, StrataOptions options) {
    return DurabilityAccess.open(system, DIR, options, fs);
  }

  /**
   * Closes a store whose file system may have crashed or failed under it: errors are expected and
   * ignored, but a close that does not return is a stuck store, and fails the test.
   */
  static void closeIgnoringErrors(Strata db) {
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
      try {
        db.close();
      } catch (RuntimeException expected) {
        // The store was crashed or failed on purpose; only returning matters here.
      }
    });
    try {
      closing.get(STUCK.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("close() of " + db + " did not return within " + STUCK, e);
    } catch (Exception e) {
      throw new AssertionError("close() of " + db + " failed unexpectedly", e);
    }
  }

  /**
   * Runs {@code call} and returns or throws as it does, unless it does not return within
   * {@link #CALL_LIMIT}: then the test fails saying {@code what} hangs (the call is left parked).
   */
  static void within(String what, Runnable call) {
    Future<?> f = CALLS.submit(call);
    try {
      f.get(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not return within " + CALL_LIMIT + ": it hangs");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(what + " failed", e.getCause());
    }
  }

  /** Whether {@code t} or one of its causes is a {@code type}. */
  static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** The messages of {@code t} and all its causes, for assertions on what an error names. */
  static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  /**
   * Writes {@code ops} (a null value is a delete): one op alone as a plain put or delete when
   * {@code singleAsPlainCall}, anything else as one batch.
   */
  static void writeOps(Strata db, java.util.Map<String, String> ops, boolean singleAsPlainCall) {
    if (ops.size() == 1 && singleAsPlainCall) {
      java.util.Map.Entry<String, String> e = ops.entrySet().iterator().next();
      if (e.getValue() == null) {
        db.delete(b(e.getKey()));
      } else {
        db.put(b(e.getKey()), b(e.getValue()));
      }
    } else {
      dev.strata.WriteBatch batch = new dev.strata.WriteBatch();
      ops.forEach((k, v) -> {
        if (v == null) {
          batch.delete(b(k));
        } else {
          batch.put(b(k), b(v));
        }
      });
      db.write(batch);
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** Every live key of the store and its value, by a full scan. */
  static TreeMap<String, String> scanAll(Strata db) {
    TreeMap<String, String> out = new TreeMap<>();
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        out.put(s(it.key()), s(it.value()));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- files

  /** The names in the store directory that end with {@code suffix}, sorted. */
  static List<Path> files(FileSystem fs, String suffix) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.endsWith(suffix)) {
        out.add(DIR.resolve(name));
      }
    }
    out.sort(null);
    return out;
  }

  /** The one file of the store directory whose name ends with {@code suffix}. */
  static Path onlyFile(FileSystem fs, String suffix) throws IOException {
    List<Path> found = files(fs, suffix);
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one *" + suffix + " in " + DIR + ", found " + found);
    }
    return found.get(0);
  }

  /** The one file whose name starts with {@code prefix}. */
  static Path onlyFileStartingWith(FileSystem fs, String prefix) throws IOException {
    List<Path> found = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.startsWith(prefix)) {
        found.add(DIR.resolve(name));
      }
    }
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one " + prefix + "* in " + DIR + ", found " + found);
    }
    return found.get(0);
  }

  static byte[] read(FileSystem fs, Path file) throws IOException {
    try (ReadableFile in = fs.openReadable(file)) {
      byte[] out = new byte[(int) in.size()];
      in.readFully(0, out, 0, out.length);
      return out;
    }
  }

  /** Replaces a file's content, durably: as if the medium held {@code content} all along. */
  static void rewrite(InMemoryFileSystem fs, Path file, byte[] content) throws IOException {
    fs.delete(file);
    try (WritableFile out = fs.create(file)) {
      out.append(content, 0, content.length);
      out.sync();
    }
    fs.syncDirectory(file.getParent());
  }

  /**
   * One FULL log fragment holding {@code payload}, built by hand from the format in
   * dev.strata.log.LogWriter: what a value must not be mistaken for when it sits inside a record.
   */
  static byte[] logFragment(byte[] payload) {
    byte[] f = new byte[LOG_FRAGMENT_HEADER + payload.length];
    f[4] = (byte) payload.length;
    f[5] = (byte) (payload.length >>> 8);
    f[6] = 1; // FULL
    System.arraycopy(payload, 0, f, LOG_FRAGMENT_HEADER, payload.length);
    dev.strata.util.Bytes.putIntLE(f, 0, dev.strata.util.Crc32c.maskedOf(f, 6, 1 + payload.length));
    return f;
  }

  /**
   * A whole WAL record, as the log holds it, of one put at {@code sequence} (payload format in
   * dev.strata.wal.WalBatchCodec; key and value shorter than 128 bytes).
   */
  static byte[] encodedWalRecord(long sequence, byte[] key, byte[] value) {
    java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
    p.write(1); // version
    for (long v = sequence; ; v >>>= 7) {
      if (v < 0x80) {
        p.write((int) v);
        break;
      }
      p.write((int) (v & 0x7F) | 0x80);
    }
    p.write(1); // count
    p.write(1); // put
    p.write(key.length);
    p.writeBytes(key);
    p.write(value.length);
    p.writeBytes(value);
    return logFragment(p.toByteArray());
  }

  /** The first offset of {@code needle} in {@code haystack}, or -1. */
  static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  /** One record of a record log (WAL or manifest) that fits in one FULL fragment. */
  record LogRecord(long offset, int payloadLength) {
    long payloadOffset() {
      return offset + LOG_FRAGMENT_HEADER;
    }

    long end() {
      return payloadOffset() + payloadLength;
    }
  }

  /**
   * The records of a log file (format in dev.strata.log.LogWriter), by walking its fragment
   * headers. Only logs of FULL fragments are supported: the tests keep their records small.
   */
  static List<LogRecord> logRecords(byte[] log) {
    List<LogRecord> out = new ArrayList<>();
    int pos = LOG_FILE_HEADER;
    while (pos + LOG_FRAGMENT_HEADER <= log.length) {
      int left = LOG_BLOCK - pos % LOG_BLOCK;
      if (left < LOG_FRAGMENT_HEADER) {
        pos += left;
        continue;
      }
      int length = (log[pos + 4] & 0xFF) | (log[pos + 5] & 0xFF) << 8;
      int type = log[pos + 6] & 0xFF;
      if (type == 0) {
        break;
      }
      if (type != 1) {
        throw new AssertionError("the test expects FULL fragments only; found type " + type + " at " + pos);
      }
      out.add(new LogRecord(pos, length));
      pos += LOG_FRAGMENT_HEADER + length;
    }
    return out;
  }

  /** Where the blocks of an SST are, from its 64-byte footer (format in dev.strata.sst.Footer). */
  record SstLayout(long fileSize, long indexOffset, long indexSize, long filterOffset, long filterSize,
      long propertiesOffset, long propertiesSize) {
    static final int FOOTER_BYTES = 64;

    static SstLayout of(byte[] sst) {
      int f = sst.length - FOOTER_BYTES;
      return new SstLayout(sst.length, le64(sst, f), le64(sst, f + 8), le64(sst, f + 16), le64(sst, f + 24),
          le64(sst, f + 32), le64(sst, f + 40));
    }

    long footerOffset() {
      return fileSize - FOOTER_BYTES;
    }

    /** The data blocks fill the file from 0 to the first metadata block. */
    long dataEnd() {
      return filterSize > 0 ? filterOffset : propertiesOffset;
    }

    private static long le64(byte[] b, int at) {
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = v << 8 | (b[at + i] & 0xFF);
      }
      return v;
    }
  }

  // ---------------------------------------------------------------- the model

  /**
   * What a store must hold after a crash or an error: every acknowledged write, and for each write
   * that was in flight when things went wrong (in doubt) all of it or none of it. A key never
   * written must never appear. Values are unique per write, so a value names the write it came
   * from. A write's operations map keys to values, null for a delete. Thread-safe.
   */
  static final class WriteModel {
    /** Key to its value after the last acknowledged write to it; null when that write deleted it. */
    private final Map<String, String> committed = new HashMap<>();
    private final List<Map<String, String>> inDoubt = new ArrayList<>();
    private long acknowledged;

    synchronized void acknowledged(Map<String, String> ops) {
      committed.putAll(ops);
      acknowledged++;
    }

    synchronized void inDoubt(Map<String, String> ops) {
      inDoubt.add(new LinkedHashMap<>(ops));
    }

    synchronized long acknowledgedCount() {
      return acknowledged;
    }

    /** The acknowledged value of {@code key}, null when absent or deleted. */
    synchronized String committedValue(String key) {
      return committed.get(key);
    }

    /** What a read may return for {@code key} now: the committed value, or that of an in-doubt write to it. */
    synchronized Set<String> readable(String key) {
      Set<String> out = new HashSet<>();
      out.add(committed.get(key));
      for (Map<String, String> w : inDoubt) {
        if (w.containsKey(key)) {
          out.add(w.get(key));
        }
      }
      return out;
    }

    synchronized List<String> committedKeys() {
      return new ArrayList<>(committed.keySet());
    }

    /**
     * Checks {@code db} against the model (a full scan, and a point read of every key the model
     * knows), then takes what it found as the new committed state: the in-doubt writes are
     * decided.
     */
    synchronized void verifyAndSettle(Strata db, String context) {
      TreeMap<String, String> actual = scanAll(db);
      List<String> problems = new ArrayList<>();
      Set<String> known = new HashSet<>(committed.keySet());
      inDoubt.forEach(w -> known.addAll(w.keySet()));
      for (String key : known) {
        String got = s(db.get(b(key)));
        if (!Objects.equals(got, actual.get(key))) {
          problems.add("get(" + key + ") = " + got + " but a scan shows " + actual.get(key));
        }
      }
      Set<String> decided = new HashSet<>();
      for (Map<String, String> w : inDoubt) {
        boolean all = w.entrySet().stream().allMatch(e -> Objects.equals(actual.get(e.getKey()), e.getValue()));
        boolean none = w.keySet().stream().allMatch(k -> Objects.equals(actual.get(k), committed.get(k)));
        if (!all && !none) {
          problems.add("an in-doubt write is partly there: " + describe(w, actual));
        }
        decided.addAll(w.keySet());
      }
      for (Map.Entry<String, String> e : committed.entrySet()) {
        if (!decided.contains(e.getKey()) && !Objects.equals(actual.get(e.getKey()), e.getValue())) {
          problems.add(e.getValue() == null
              ? "deleted key " + e.getKey() + " is back with " + actual.get(e.getKey())
              : actual.get(e.getKey()) == null
                  ? "acknowledged key " + e.getKey() + " is lost (expected " + e.getValue() + ")"
                  : "key " + e.getKey() + " = " + actual.get(e.getKey()) + ", expected " + e.getValue());
        }
      }
      for (String key : actual.keySet()) {
        if (!known.contains(key)) {
          problems.add("never-written key " + key + " appeared with " + actual.get(key));
        }
      }
      if (!problems.isEmpty()) {
        throw new AssertionError(context + ": " + problems.size() + " problems, first ones: "
            + problems.subList(0, Math.min(10, problems.size())));
      }
      for (String key : known) {
        committed.put(key, actual.get(key));
      }
      inDoubt.clear();
    }

    private static String describe(Map<String, String> w, Map<String, String> actual) {
      StringBuilder sb = new StringBuilder();
      w.forEach((k, v) -> sb.append(k).append(" wrote ").append(v).append(", found ").append(actual.get(k))
          .append("; "));
      return sb.toString();
    }
  }
}
