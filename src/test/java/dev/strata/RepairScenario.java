package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;

import dev.strata.fs.DiskFileSystem;
import dev.strata.sst.SstDataBlocks;
import dev.strata.wal.WalReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A store with one damaged SST and one damaged WAL, and the exact contents a repair must give
 * back: every key of the SST's sound blocks and of the WAL's sound records, and nothing else.
 * Shared by the library's repair tests and the CLI's.
 */
public final class RepairScenario {
  /** Keys a..: flushed into one SST of many small blocks; keys b..: left in the WAL. */
  static final int SST_KEYS = 300;
  static final int WAL_KEYS = 1000;

  /** What was damaged and what a repair must find. */
  public record Damaged(String sst, String wal, long sstOffset, long walOffset, TreeMap<String, String> expected,
      int sstKeysLost, int walKeysLost) {}

  private RepairScenario() {}

  public static StrataOptions options() {
    return StrataOptions.builder().memtableSizeBytes(8 << 20).blockSizeBytes(512).bloomBitsPerKey(10)
        .compaction(CompactionOptions.none()).build();
  }

  /** Writes the store, closes it, damages block 1 of the SST and the middle of the WAL. */
  public static Damaged create(Path dir) throws IOException {
    TreeMap<String, String> written = new TreeMap<>();
    try (Strata db = Strata.open(dir, options())) {
      for (int i = 0; i < SST_KEYS; i++) {
        put(db, written, String.format("a%05d", i), "sst-value-" + i + "-" + "x".repeat(20));
      }
      db.flush();
      for (int i = 0; i < WAL_KEYS; i++) {
        put(db, written, String.format("b%05d", i), "wal-value-" + i + "-" + "y".repeat(90));
      }
    }
    Path sst = only(dir, ".sst");
    Path wal = only(dir, ".wal");

    List<SstDataBlocks.Span> blocks = SstDataBlocks.of(sst);
    if (blocks.size() < 3) {
      throw new IllegalStateException("expected an SST of at least 3 blocks, got " + blocks.size());
    }
    SstDataBlocks.Span damaged = blocks.get(1);
    long sstOffset = damaged.offset() + damaged.size() / 2;
    flipByte(sst, sstOffset);
    TreeMap<String, String> expected = new TreeMap<>(written);
    expected.keySet().removeIf(k -> k.startsWith("b"));
    damaged.userKeys().forEach(k -> expected.remove(s(k)));

    long walOffset = dataEnd(wal) / 2;
    flipByte(wal, walOffset);
    TreeSet<String> readable = new TreeSet<>();
    WalReplay.replay(DiskFileSystem.INSTANCE, wal, true, (key, sequence, kind, value) -> readable.add(s(key)));
    int walKeysLost = WAL_KEYS - readable.size();
    if (walKeysLost == 0 || readable.isEmpty()) {
      throw new IllegalStateException("the damage to the WAL should lose some records and keep others: " + readable.size());
    }
    readable.forEach(k -> expected.put(k, written.get(k)));
    return new Damaged(sst.getFileName().toString(), wal.getFileName().toString(), sstOffset, walOffset, expected,
        damaged.userKeys().size(), walKeysLost);
  }

  /** Every key and value of a full scan. */
  public static TreeMap<String, String> contents(Strata db) {
    TreeMap<String, String> found = new TreeMap<>();
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        found.put(s(it.key()), s(it.value()));
      }
    }
    return found;
  }

  static void put(Strata db, TreeMap<String, String> model, String key, String value) {
    db.put(b(key), b(value));
    model.put(key, value);
  }

  static Path only(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> matching = files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
      if (matching.size() != 1) {
        throw new IllegalStateException("expected one " + suffix + " file in " + dir + ", found " + matching);
      }
      return matching.get(0);
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x5a;
    Files.write(file, bytes);
  }

  /** Past the last byte that is not zero (a mapped WAL has a zero tail). */
  static long dataEnd(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    return end;
  }
}
