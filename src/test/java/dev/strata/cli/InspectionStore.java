package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.fs.DiskFileSystem;
import dev.strata.manifest.FileMeta;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The store the inspection commands' tests look at, built through the public API and always the
 * same: compaction only when asked (so no background work decides file numbers), small SSTs so
 * that one compaction writes several.
 *
 * <pre>
 *   key0000..key0199 put, flushed                    -> L0
 *   key0100..key0299 put again, flushed              -> L0
 *   compact()                                        -> every key in L1, several SSTs
 *   key0050..key0149 put again, key0000..key0009 deleted, flushed   -> one L0 SST over L1
 *   then, never flushed (in the WAL only): a batch of 3 (puts of a binary key and a 100-byte
 *   value, and a delete) and key0500..key0519
 * </pre>
 * {@link #build} closes the store cleanly, so its WAL has a sync point in the manifest covering
 * all of it; {@code crashImage} is a copy of the directory taken while the store was still open,
 * after sync(): what a crash of the process then leaves, its WAL with no recorded sync point.
 */
final class InspectionStore {
  static final byte[] BINARY_KEY = {0x00, (byte) 0xff, 'k'};
  static final byte[] LONG_VALUE = "0123456789".repeat(10).getBytes(StandardCharsets.US_ASCII);

  private InspectionStore() {}

  static StrataOptions options() {
    return StrataOptions.builder().compaction(CompactionOptions.none()).targetSstSizeBytes(4096).blockSizeBytes(1024)
        .memtableSizeBytes(4 << 20).build();
  }

  static void build(Path dir, Path crashImage) throws IOException {
    try (Strata store = Strata.open(dir, options())) {
      for (int i = 0; i < 200; i++) {
        store.put(key(i), value("a", i));
      }
      store.flush();
      for (int i = 100; i < 300; i++) {
        store.put(key(i), value("b", i));
      }
      store.flush();
      store.compact();
      for (int i = 50; i < 150; i++) {
        store.put(key(i), value("c", i));
      }
      for (int i = 0; i < 10; i++) {
        store.delete(key(i));
      }
      store.flush();
      WriteBatch batch = new WriteBatch();
      batch.put(BINARY_KEY, "binary".getBytes(StandardCharsets.US_ASCII));
      batch.put(key(400), LONG_VALUE);
      batch.delete(key(20));
      store.write(batch);
      for (int i = 500; i < 520; i++) {
        store.put(key(i), value("d", i));
      }
      store.sync();
      if (crashImage != null) {
        copy(dir, crashImage);
      }
    }
  }

  /**
   * Writes {@code dir/MANIFEST-000007} through the manifest package's writer: one record of every
   * kind (the engine writes NextFileNumber only into memory today, so no store has one on disk).
   */
  static Path everyKindManifest(Path dir) throws IOException {
    Path path = dir.resolve("MANIFEST-000007");
    FileMeta a = new FileMeta(0, 4, 1000, ascii("a"), ascii("m"), 1, 50);
    FileMeta b = new FileMeta(1, 5, 2000, new byte[] {0, 1}, ascii("z"), 51, 90);
    try (ManifestLog log = ManifestLog.create(DiskFileSystem.INSTANCE, path,
        new ManifestRecord.Snapshot(4, 0, List.of(3L), List.of()), List.of())) {
      log.append(new ManifestRecord.WalRetired(3, 50));
      log.append(new ManifestRecord.WalSynced(3, 4096));
      log.append(new ManifestRecord.FlushCompleted(3, a, 50));
      log.append(new ManifestRecord.WalCreated(6));
      log.append(new ManifestRecord.NextFileNumber(9));
      log.append(new ManifestRecord.CompactionCompleted(List.of(a), List.of(b)));
      log.append(new ManifestRecord.WalCreated(10));
    }
    return path;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] key(int i) {
    return String.format("key%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(String round, int i) {
    return (round + "-value-" + i).getBytes(StandardCharsets.US_ASCII);
  }

  /** Copies the files of {@code from} (not LOCK) into {@code to}, created. */
  static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    }
  }

  /** Every file under {@code dir} with its size and CRC32: equal listings mean not a byte changed. */
  static Map<String, String> listing(Path dir) {
    Map<String, String> listing = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.toList()) {
        if (Files.isRegularFile(p)) {
          byte[] bytes = Files.readAllBytes(p);
          CRC32 crc = new CRC32();
          crc.update(bytes);
          listing.put(dir.relativize(p).toString(), bytes.length + " bytes crc " + Long.toHexString(crc.getValue()));
        } else {
          listing.put(dir.relativize(p) + "/", "directory");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return listing;
  }

  /** Flips bit 6 of the byte at {@code offset} of {@code file}. */
  static void flip(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[Math.toIntExact(offset)] ^= 0x40;
    Files.write(file, bytes);
  }

  /** The one file of {@code dir} whose name ends with {@code suffix} and sorts {@code index}th. */
  static Path file(Path dir, String suffix, int index) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList().get(index);
    }
  }
}
