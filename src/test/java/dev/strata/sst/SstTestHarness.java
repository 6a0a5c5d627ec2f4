package dev.strata.sst;

import dev.strata.cache.BlockCache;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Shared helpers for the SST tests: generated entries, a reference model, table files. */
final class SstTestHarness {
  private SstTestHarness() {}

  /** One internal entry as a test states it. */
  record Entry(byte[] userKey, long sequence, ValueKind kind, byte[] value) {
    String describe() {
      return InternalKey.describe(userKey, sequence, kind);
    }
  }

  static final Comparator<Entry> INTERNAL_ORDER =
      (a, b) -> InternalKey.compare(a.userKey, InternalKey.trailer(a.sequence, a.kind),
          b.userKey, InternalKey.trailer(b.sequence, b.kind));

  /**
   * A seed for a randomized test: {@code -Dstrata.test.seed=N} replays a failure; otherwise a
   * fresh one, printed so that a failing run can be replayed.
   */
  static long seed(String test) {
    long seed = Long.getLong("strata.test.seed", System.nanoTime());
    System.out.println(test + ": seed " + seed + " (rerun with -Dstrata.test.seed=" + seed + ")");
    return seed;
  }

  /** Present keys are even-numbered, so odd numbers name keys that fall between them. */
  static byte[] key(int n) {
    return String.format("key-%09d", n).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code distinctKeys} user keys key(0), key(2), ...; about one in eight has 2 to 6 versions,
   * about one version in ten is a tombstone, about one value in twenty is empty. Sequences are
   * unique, randomly spread over the keys, and descend within a key. Sorted in internal order.
   */
  static List<Entry> generate(Random rnd, int distinctKeys) {
    int[] versions = new int[distinctKeys];
    int total = 0;
    for (int i = 0; i < distinctKeys; i++) {
      versions[i] = rnd.nextInt(8) == 0 ? 2 + rnd.nextInt(5) : 1;
      total += versions[i];
    }
    List<Long> sequences = new ArrayList<>(total);
    for (long s = 1; s <= total; s++) {
      sequences.add(s * 3); // gaps, so "sequence - 1" probes fall between versions
    }
    Collections.shuffle(sequences, rnd);
    List<Entry> entries = new ArrayList<>(total);
    int next = 0;
    for (int i = 0; i < distinctKeys; i++) {
      byte[] userKey = key(2 * i);
      for (int v = 0; v < versions[i]; v++) {
        long seq = sequences.get(next++);
        boolean tombstone = rnd.nextInt(10) == 0;
        byte[] value = tombstone || rnd.nextInt(20) == 0 ? new byte[0] : value(rnd, seq);
        entries.add(new Entry(userKey, seq, tombstone ? ValueKind.DELETE : ValueKind.PUT, value));
      }
    }
    entries.sort(INTERNAL_ORDER);
    return entries;
  }

  static byte[] value(Random rnd, long seq) {
    byte[] v = new byte[1 + rnd.nextInt(100)];
    rnd.nextBytes(v);
    System.arraycopy(bytes("v" + seq), 0, v, 0, Math.min(v.length, bytes("v" + seq).length));
    return v;
  }

  static TableProperties writeTable(Path path, List<Entry> entries, TableOptions options) throws IOException {
    try (WritableFile out = DiskFileSystem.INSTANCE.create(path)) {
      TableBuilder builder = new TableBuilder(out, options);
      for (Entry e : entries) {
        builder.add(e.userKey, e.sequence, e.kind, e.value);
      }
      return builder.finish();
    }
  }

  static TableReader open(Path path, BlockCache cache) throws IOException {
    return TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), 7, path.getFileName().toString(), cache);
  }

  /** As {@link #open}, through a memory mapping, as the engine opens its SSTs: blocks are read where they lie. */
  static TableReader openMapped(Path path, BlockCache cache) throws IOException {
    return TableReader.open(DiskFileSystem.INSTANCE.openImmutable(path), 7, path.getFileName().toString(), cache);
  }

  /** The reference answer for get(userKey, maxSequence) over entries sorted in internal order. */
  static Entry expectedGet(List<Entry> sorted, byte[] userKey, long maxSequence) {
    int i = firstAtOrAfter(sorted, userKey, maxSequence);
    if (i < sorted.size() && Arrays.equals(sorted.get(i).userKey, userKey)) {
      return sorted.get(i);
    }
    return null;
  }

  /** The index of the first entry at or after (userKey, maxSequence): where seek must land. */
  static int firstAtOrAfter(List<Entry> sorted, byte[] userKey, long sequence) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      Entry e = sorted.get(mid);
      int c = InternalKey.compareUserKeys(e.userKey, userKey);
      boolean atOrAfter = c > 0 || (c == 0 && e.sequence <= sequence);
      if (atOrAfter) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static String describe(Lookup l) {
    return l == null ? "absent" : "seq " + l.sequence() + " " + l.kind() + " " + Arrays.toString(l.value());
  }

  static String describe(Entry e) {
    return e == null ? "absent" : "seq " + e.sequence + " " + e.kind + " " + Arrays.toString(e.value);
  }

  static boolean matches(Entry expected, Lookup actual) {
    if (expected == null || actual == null) {
      return expected == null && actual == null;
    }
    return expected.sequence == actual.sequence() && expected.kind == actual.kind()
        && Arrays.equals(expected.value, actual.value());
  }

  static void flipByte(Path path, long position, int mask) throws IOException {
    byte[] data = Files.readAllBytes(path);
    data[(int) position] ^= (byte) mask;
    Files.write(path, data);
  }
}
