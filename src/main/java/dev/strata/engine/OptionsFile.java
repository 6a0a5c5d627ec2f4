package dev.strata.engine;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.strata.CompactionOptions;
import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.WalRecoveryMode;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code OPTIONS-NNNNNN} file: the options a store was last opened with, so that a person or a
 * tool can see how a store was tuned without the application's config (RocksDB and Pebble keep the
 * same file). Written at each successful open, after CURRENT; Strata never reads it back to open a
 * store, so it informs and never overrides. It takes the number of the manifest that open started,
 * so a later open's file has a higher number, and the store's file numbers are not disturbed.
 *
 * <p>Format, ASCII text, every line ended by one {@code \n} (0x0a):
 * <pre>
 *   strata-options 1\n                       header: magic word, one space, format version (decimal)
 *   memtable-size = 33554432\n               one line per option: a key of the strata config block
 *   compaction.strategy = leveled\n          (reference.conf), " = ", its value as fromConfig reads
 *   ...                                      it: sizes as decimal bytes, booleans true/false, names
 *                                            as in reference.conf; keys in a fixed order
 *   crc32c = 1a2b3c4d\n                      masked CRC32C (dev.strata.util.Crc32c) of every byte
 *                                            before this line, header included, as 8 lowercase hex digits
 * </pre>
 * Of the compaction ratios only the one the strategy reads is written ({@code tiered-size-ratio-percent}
 * for tiered, {@code size-ratio-percent} otherwise). Listeners and other objects that are not config
 * keys are not persisted.
 *
 * <p>Replaced like CURRENT: written to {@code OPTIONS-NNNNNN.tmp}, synced, renamed, the directory
 * synced; only then are older OPTIONS files deleted, so a crash leaves at least one whole file
 * (the reader takes the highest number). Stateless and thread-safe.
 */
public final class OptionsFile {
  private static final String MAGIC = "strata-options";
  private static final int VERSION = 1;
  private static final String CRC_PREFIX = "crc32c = ";
  private static final int MAX_BYTES = 64 * 1024;
  private static final Set<String> KNOWN_KEYS = knownKeys();

  private OptionsFile() {}

  /**
   * The options the store in {@code storeDir} was last opened with, read from its newest OPTIONS
   * file; empty when it has none (never opened by a Strata that writes them). Never writes.
   *
   * @throws CorruptionException when the file fails its checksum or format checks
   * @throws StrataException when the file cannot be read
   */
  public static Optional<StrataOptions> read(Path storeDir) {
    try {
      return read(DiskFileSystem.INSTANCE, storeDir);
    } catch (IOException e) {
      throw new StrataException("cannot read the OPTIONS file of " + storeDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The options one OPTIONS file holds, newest or not (for {@code strata check}, which verifies
   * every file).
   *
   * @throws CorruptionException when the file fails its checksum or format checks
   * @throws StrataException when the file cannot be read
   */
  public static StrataOptions readFile(Path file) {
    try {
      return readFile(DiskFileSystem.INSTANCE, file);
    } catch (IOException e) {
      throw new StrataException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static Optional<StrataOptions> read(FileSystem fs, Path dir) throws IOException {
    Optional<Long> newest = newest(fs, dir);
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(readFile(fs, FileNames.options(dir, newest.get())));
  }

  private static StrataOptions readFile(FileSystem fs, Path path) throws IOException {
    byte[] bytes;
    try (ReadableFile in = fs.openReadable(path)) {
      long size = in.size();
      if (size > MAX_BYTES) {
        throw new CorruptionException(path + " is " + size + " bytes, too long to be an OPTIONS file");
      }
      bytes = new byte[(int) size];
      in.readFully(0, bytes, 0, bytes.length);
    }
    return decode(path.toString(), bytes);
  }

  /**
   * Writes {@code options} as {@code OPTIONS-number} durably, then deletes every older OPTIONS
   * file. {@code number} is that of the manifest this open started.
   */
  static void write(FileSystem fs, Path dir, long number, StrataOptions options) throws IOException {
    Path path = FileNames.options(dir, number);
    Path tmp = FileNames.temp(path);
    fs.delete(tmp);
    try (WritableFile out = fs.create(tmp)) {
      out.append(encode(options));
      out.sync();
    }
    fs.rename(tmp, path);
    fs.syncDirectory(dir);
    boolean deleted = false;
    for (String name : fs.list(dir)) {
      Optional<FileNames.Parsed> p = FileNames.parse(name);
      if (p.isPresent() && p.get().kind() == FileNames.Kind.OPTIONS && p.get().number() < number) {
        fs.delete(dir.resolve(name));
        deleted = true;
      }
    }
    if (deleted) {
      fs.syncDirectory(dir);
    }
  }

  /** The bytes of an OPTIONS file holding {@code options}. */
  static byte[] encode(StrataOptions options) {
    StringBuilder text = new StringBuilder(MAGIC).append(' ').append(VERSION).append('\n');
    values(options).forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
    text.append(CRC_PREFIX).append(String.format("%08x", Crc32c.maskedOf(body, 0, body.length))).append('\n');
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The options an OPTIONS file's bytes hold; {@code name} is for messages. */
  static StrataOptions decode(String name, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int headerEnd = text.indexOf('\n');
    if (headerEnd < 0 || !text.startsWith(MAGIC + " ")) {
      throw new CorruptionException(name + " is not a Strata OPTIONS file (no '" + MAGIC + "' header)");
    }
    String version = text.substring(MAGIC.length() + 1, headerEnd);
    if (!version.equals(String.valueOf(VERSION))) {
      throw new CorruptionException(name + " has OPTIONS format version '" + version + "'; this Strata reads "
          + VERSION);
    }
    if (!text.endsWith("\n")) {
      throw new CorruptionException(name + " is cut short: it does not end with a line break");
    }
    int crcLine = text.lastIndexOf('\n', text.length() - 2) + 1;
    String crc = text.substring(crcLine, text.length() - 1);
    if (crcLine <= headerEnd || !crc.startsWith(CRC_PREFIX)) {
      throw new CorruptionException(name + " is cut short: its last line is not the '" + CRC_PREFIX.strip() + "' line");
    }
    if (!crc.substring(CRC_PREFIX.length()).equals(String.format("%08x", Crc32c.maskedOf(bytes, 0, crcLine)))) {
      throw new CorruptionException(name + " fails its checksum");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : text.substring(headerEnd + 1, crcLine).split("\n", -1)) {
      if (line.isEmpty()) {
        continue; // the split leaves one empty piece after the last line break
      }
      int eq = line.indexOf(" = ");
      if (eq <= 0) {
        throw new CorruptionException(name + " has a line that is not 'key = value': '" + line + "'");
      }
      String key = line.substring(0, eq);
      if (!KNOWN_KEYS.contains(key)) {
        throw new CorruptionException(name + " names an option this Strata does not know: '" + key + "'");
      }
      if (values.put(key, line.substring(eq + 3)) != null) {
        throw new CorruptionException(name + " names option '" + key + "' twice");
      }
    }
    try {
      return StrataOptions.fromConfig(ConfigFactory.parseMap(values));
    } catch (ConfigException | IllegalArgumentException e) {
      throw new CorruptionException(name + " holds an invalid option: " + e.getMessage(), e);
    }
  }

  private static Optional<Long> newest(FileSystem fs, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    return fs.list(dir).stream().map(FileNames::parse).flatMap(Optional::stream)
        .filter(p -> p.kind() == FileNames.Kind.OPTIONS).map(FileNames.Parsed::number).max(Long::compare);
  }

  /** The config keys and values of {@code o}, in the order of reference.conf. */
  private static Map<String, String> values(StrataOptions o) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("memtable-size", String.valueOf(o.memtableSizeBytes()));
    v.put("target-sst-size", String.valueOf(o.targetSstSizeBytes()));
    v.put("block-size", String.valueOf(o.blockSizeBytes()));
    v.put("max-immutable-memtables", String.valueOf(o.maxImmutableMemtables()));
    v.put("memtables-per-flush", String.valueOf(o.memtablesPerFlush()));
    v.put("block-cache-size", String.valueOf(o.blockCacheBytes()));
    v.put("bloom-bits-per-key", String.valueOf(o.bloomBitsPerKey()));
    v.put("wal-enabled", String.valueOf(o.walEnabled()));
    v.put("sync-writes", String.valueOf(o.syncWrites()));
    v.put("serializable", String.valueOf(o.serializable()));
    v.put("max-mapped-files", String.valueOf(o.maxMappedFiles()));
    v.put("wal-recovery-mode", walRecoveryModeName(o.walRecoveryMode()));
    v.put("create-if-missing", String.valueOf(o.createIfMissing()));
    v.put("error-if-exists", String.valueOf(o.errorIfExists()));
    v.put("stats-log-interval", o.statsLogInterval().toMillis() + " ms");
    v.put("jmx-enabled", String.valueOf(o.jmxEnabled()));
    v.put("compression", o.compression().configName());
    v.put("compression-per-level", String.join(",",
        o.compressionPerLevel().stream().map(dev.strata.Compression::configName).toList()));
    v.put("max-subcompactions", String.valueOf(o.maxSubcompactions()));
    v.put("avoid-flush-during-recovery", String.valueOf(o.avoidFlushDuringRecovery()));
    v.put("wal-compression", o.walCompression().configName());
    CompactionOptions c = o.compaction();
    v.put("compaction.strategy", strategyName(c.strategy()));
    v.put("compaction.level0-file-trigger", String.valueOf(c.level0FileTrigger()));
    v.put("compaction.max-levels", String.valueOf(c.maxLevels()));
    v.put(c.strategy() == CompactionOptions.Strategy.TIERED
        ? "compaction.tiered-size-ratio-percent" : "compaction.size-ratio-percent", String.valueOf(c.sizeRatioPercent()));
    v.put("compaction.level-size-multiplier", String.valueOf(c.levelSizeMultiplier()));
    v.put("compaction.base-level-size", String.valueOf(c.baseLevelBytes()));
    v.put("compaction.num-tiers", String.valueOf(c.numTiers()));
    v.put("compaction.max-size-amplification-percent", String.valueOf(c.maxSizeAmplificationPercent()));
    v.put("compaction.min-merge-width", String.valueOf(c.minMergeWidth()));
    v.put("compaction.max-merge-width", String.valueOf(c.maxMergeWidth()));
    v.put("compaction.level0-slowdown-writes-trigger", String.valueOf(c.level0SlowdownWritesTrigger()));
    v.put("compaction.level0-stop-writes-trigger", String.valueOf(c.level0StopWritesTrigger()));
    return v;
  }

  private static Set<String> knownKeys() {
    StrataOptions leveled = StrataOptions.builder().build();
    StrataOptions tiered = StrataOptions.builder().compaction(CompactionOptions.tiered()).build();
    Set<String> keys = new java.util.HashSet<>(values(leveled).keySet());
    keys.addAll(values(tiered).keySet());
    return Set.copyOf(keys);
  }

  private static String strategyName(CompactionOptions.Strategy s) {
    return switch (s) {
      case LEVELED -> "leveled";
      case TIERED -> "tiered";
      case SIMPLE_LEVELED -> "simple-leveled";
      case NONE -> "none";
    };
  }

  private static String walRecoveryModeName(WalRecoveryMode m) {
    return switch (m) {
      case POINT_IN_TIME -> "point-in-time";
      case ABSOLUTE_CONSISTENCY -> "absolute-consistency";
      case SKIP_ANY_CORRUPTED_RECORDS -> "skip-any-corrupted-records";
    };
  }
}
