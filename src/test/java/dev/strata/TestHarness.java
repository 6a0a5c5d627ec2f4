package dev.strata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Helpers shared by Strata's tests: byte strings, small stores, directory clean-up. */
public final class TestHarness {
  private TestHarness() {}

  public static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** A fixed-width key, so numeric order and byte order agree. */
  public static byte[] key(int i) {
    return b(String.format("key%08d", i));
  }

  /** Options with a tiny memtable so tests rotate and flush often. */
  public static StrataOptions smallOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(16 * 1024)
        .blockSizeBytes(512)
        .blockCacheBytes(256 * 1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.none())
        .build();
  }

  /** Every (key, value) pair of a full scan, as strings. */
  public static List<String> scanAll(Strata db) {
    return drain(db.scan(Bound.unbounded(), Bound.unbounded()));
  }

  /** Drains and closes an iterator into "key=value" strings. */
  public static List<String> drain(StrataIterator it) {
    List<String> out = new ArrayList<>();
    try (it) {
      for (; it.isValid(); it.next()) {
        out.add(s(it.key()) + "=" + s(it.value()));
      }
    }
    return out;
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A seed from -Dstrata.seed, or a fresh one; printed so a failure can be replayed. */
  public static long seed(String testName) {
    String prop = System.getProperty("strata.seed");
    long seed = prop != null ? Long.parseLong(prop) : System.nanoTime();
    System.out.println(testName + " seed=" + seed + " (rerun with -Dstrata.seed=" + seed + ")");
    return seed;
  }
}
