package dev.strata.backup;

import static dev.strata.TestHarness.b;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the backup tests share: stores whose SSTs come only from explicit flushes, and ways to look at and damage a backup directory. */
final class BackupHarness {
  private BackupHarness() {}

  /** A memtable big enough that only flush() writes SSTs, and no compaction to merge them. */
  static StrataOptions quietOptions() {
    return StrataOptions.builder().memtableSizeBytes(4 << 20).compaction(CompactionOptions.none()).build();
  }

  /** Puts {@code count} keys "PREFIX-NNNN" with 100-byte values into the store and into {@code model}. */
  static void fill(Strata db, Map<String, String> model, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      String key = String.format("%s-%04d", prefix, i);
      String value = (key + ":").repeat(20).substring(0, 100);
      db.put(b(key), b(value));
      model.put(key, value);
    }
  }

  static void put(Strata db, Map<String, String> model, String key, String value) {
    db.put(b(key), b(value));
    model.put(key, value);
  }

  static void delete(Strata db, Map<String, String> model, String key) {
    db.delete(b(key));
    model.remove(key);
  }

  /** The model as TestHarness.scanAll prints a store. */
  static List<String> lines(Map<String, String> model) {
    List<String> out = new ArrayList<>();
    new TreeMap<>(model).forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** Opens an existing store (never creating one) and scans it whole. */
  static List<String> contents(Path dir) {
    try (Strata db = Strata.open(dir, StrataOptions.builder().createIfMissing(false).build())) {
      return TestHarness.scanAll(db);
    }
  }

  /** The names in {@code dir}, sorted; empty when it does not exist. */
  static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static long bytesIn(Path dir, List<String> names) throws IOException {
    long total = 0;
    for (String name : names) {
      total += Files.size(dir.resolve(name));
    }
    return total;
  }

  /** Inverts every bit of the byte at {@code offset} (from the end when negative). */
  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = offset >= 0 ? offset : f.length() + offset;
      f.seek(at);
      int v = f.read();
      f.seek(at);
      f.write(v ^ 0xff);
    }
  }
}
