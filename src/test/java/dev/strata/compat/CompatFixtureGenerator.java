package dev.strata.compat;

import dev.strata.CompactionOptions;
import dev.strata.Compression;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.StrataStats;
import dev.strata.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a format-compatibility fixture: a small store in {@code <out>/store} and the contents it
 * must read back in {@code <out>/expected.txt} (see {@link FormatCompatibilityTest}).
 *
 * <p>Run once per on-disk format version, from the code of that version, and commit the output
 * under {@code src/test/resources/compat/v<N>/}; never regenerate an existing version, since the
 * point is that its bytes were written by the old code:
 * <pre>
 *   mvn -B -q test-compile
 *   java -cp target/test-classes:target/classes:$(cat cp.txt) dev.strata.compat.CompatFixtureGenerator \
 *       src/test/resources/compat/v2
 * </pre>
 * (with {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt} for the class path).
 *
 * <p>The store is built to touch every file kind and path a reader takes: 300 keys written and
 * fully compacted into several SSTs of one level; then overwrites flushed to a level-0 file, and
 * deletes (tombstones over compacted values), an empty value and a batch flushed to another; then a few puts and deletes
 * left unflushed in the WAL, which the store keeps at close. No background compaction runs, so the
 * layout is the same on every run. Deterministic: a fixed seed draws every value.
 */
public final class CompatFixtureGenerator {
  /** Draws the values; fixed so that regenerating a version (into a scratch directory) reproduces it. */
  static final long SEED = 20261206L;

  private CompatFixtureGenerator() {}

  static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(4096)
        .targetSstSizeBytes(4096)
        .blockSizeBytes(512)
        .bloomBitsPerKey(10)
        .compaction(CompactionOptions.none())
        // From SST format version 2 (compat/sst-v2) on: level-0 files raw, compacted ones LZ4, so
        // that the fixture holds both block types.
        .compression(Compression.LZ4)
        .compressionPerLevel(List.of(Compression.NONE))
        .build();
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: CompatFixtureGenerator OUTPUT_DIRECTORY");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path store = out.resolve("store");
    if (Files.exists(store)) {
      throw new IllegalStateException(store + " exists: a fixture version is written once, never overwritten");
    }
    Map<String, String> expected = generate(store);
    List<String> lines = new ArrayList<>();
    lines.add("# Every key the generator wrote, in key order: 'key<TAB>value' for a live key (the value may be");
    lines.add("# empty), the key alone for one that is deleted. Written by CompatFixtureGenerator.");
    expected.forEach((k, v) -> lines.add(v == null ? k : k + "\t" + v));
    Files.write(out.resolve("expected.txt"), lines, StandardCharsets.UTF_8);
    // The lock file is the opener's, not part of the format; the test's copy gets a fresh one.
    Files.deleteIfExists(store.resolve("LOCK"));
    try (Stream<Path> files = Files.list(store)) {
      files.sorted().forEach(p -> {
        try {
          System.out.println(p.getFileName() + " " + Files.size(p));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  /** Builds the store in {@code store}; returns every key it wrote with its value, null when deleted, in key order. */
  static Map<String, String> generate(Path store) {
    SplittableRandom rnd = new SplittableRandom(SEED);
    Map<String, String> model = new TreeMap<>();
    try (Strata db = Strata.open(store, options())) {
      // Phase 1: 300 keys, flushed as the 4 KiB memtables fill, then compacted into the bottom level.
      for (int i = 0; i < 300; i++) {
        put(db, model, key(i), value(rnd, "base", i));
      }
      db.compact();
      // Phase 2: overwrites, then deletes of compacted keys, an empty value and a batch: two L0 files.
      for (int i = 0; i < 300; i += 7) {
        put(db, model, key(i), value(rnd, "over", i));
      }
      db.flush();
      for (int i = 3; i < 300; i += 11) {
        delete(db, model, key(i));
      }
      put(db, model, key(5), "");
      WriteBatch batch = new WriteBatch();
      for (int i = 300; i < 320; i++) {
        String v = value(rnd, "batch", i);
        batch.put(bytes(key(i)), bytes(v));
        model.put(key(i), v);
      }
      batch.delete(bytes(key(10)));
      model.put(key(10), null);
      db.write(batch);
      db.flush();
      // Phase 3: left in the WAL (well under one memtable, so nothing rotates): the close syncs it
      // and keeps it for the next open to replay.
      for (int i = 0; i < 300; i += 37) {
        put(db, model, key(i), value(rnd, "wal", i));
      }
      delete(db, model, key(1));
      delete(db, model, key(299));
      put(db, model, key(320), value(rnd, "wal", 320));
      StrataStats stats = db.stats();
      System.out.println(stats);
    }
    return model;
  }

  private static void put(Strata db, Map<String, String> model, String key, String value) {
    db.put(bytes(key), bytes(value));
    model.put(key, value);
  }

  private static void delete(Strata db, Map<String, String> model, String key) {
    db.delete(bytes(key));
    model.put(key, null);
  }

  static String key(int i) {
    return String.format("key-%05d", i);
  }

  private static String value(SplittableRandom rnd, String phase, int i) {
    StringBuilder sb = new StringBuilder(phase).append('-').append(i).append('-');
    int n = 8 + rnd.nextInt(40);
    StringBuilder letters = new StringBuilder(n);
    for (int j = 0; j < n; j++) {
      letters.append((char) ('a' + rnd.nextInt(26)));
    }
    // From compat/sst-v2 on the letters come three times, so that LZ4 shrinks the blocks.
    return sb.append(letters).append(letters).append(letters).toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
