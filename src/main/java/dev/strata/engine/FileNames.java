package dev.strata.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Names of the files in a store directory. Every numbered file but OPTIONS takes its number from
 * one counter, so numbers never repeat within a store:
 * <pre>
 *   NNNNNN.sst        an SST
 *   NNNNNN.wal        the write-ahead log of one memtable
 *   MANIFEST-NNNNNN   the edit log of the store's shape
 *   CURRENT           which manifest is current (see CurrentFile)
 *   OPTIONS-NNNNNN    the options of the last successful open (see OptionsFile), numbered after the
 *                     manifest that open started (not from the counter); only the newest is kept
 *   LOCK              held by the process that has the store open
 *   *.tmp             a file being written; never valid after a crash
 *   lost/NNNNNN.wal   a WAL recovery did not replay to its end, kept for a person or a tool;
 *                     Strata neither reads nor deletes what is in lost/ (see WalRecoveryMode)
 *   lost/repair-N/    the files a repair set aside (see StoreRepair), N its manifest's number
 * </pre>
 */
public final class FileNames {
  public static final String SST_SUFFIX = ".sst";
  public static final String WAL_SUFFIX = ".wal";
  public static final String MANIFEST_PREFIX = "MANIFEST-";
  public static final String CURRENT = "CURRENT";
  public static final String OPTIONS_PREFIX = "OPTIONS-";
  public static final String LOCK = "LOCK";
  public static final String TEMP_SUFFIX = ".tmp";
  /** The directory inside a store's where WALs recovery could not replay whole are kept. */
  public static final String LOST_DIR = "lost";

  /** What a file in the store directory is. */
  public enum Kind { SST, WAL, MANIFEST, CURRENT, LOCK, TEMP, OPTIONS }

  /** A parsed store file name: its kind and, for numbered files, its number (else 0). */
  public record Parsed(Kind kind, long number) {}

  private FileNames() {}

  public static Path sst(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, SST_SUFFIX));
  }

  public static Path wal(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, WAL_SUFFIX));
  }

  public static String manifestName(long number) {
    return String.format("%s%06d", MANIFEST_PREFIX, number);
  }

  public static Path manifest(Path dir, long number) {
    return dir.resolve(manifestName(number));
  }

  public static String optionsName(long number) {
    return String.format("%s%06d", OPTIONS_PREFIX, number);
  }

  public static Path options(Path dir, long number) {
    return dir.resolve(optionsName(number));
  }

  public static Path temp(Path file) {
    return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
  }

  /** The kind and number of a file name, or empty when it is not a name Strata writes. */
  public static Optional<Parsed> parse(String name) {
    if (name.endsWith(TEMP_SUFFIX)) {
      return Optional.of(new Parsed(Kind.TEMP, 0));
    }
    if (name.equals(CURRENT)) {
      return Optional.of(new Parsed(Kind.CURRENT, 0));
    }
    if (name.equals(LOCK)) {
      return Optional.of(new Parsed(Kind.LOCK, 0));
    }
    if (name.startsWith(MANIFEST_PREFIX)) {
      return number(name.substring(MANIFEST_PREFIX.length())).map(n -> new Parsed(Kind.MANIFEST, n));
    }
    if (name.startsWith(OPTIONS_PREFIX)) {
      return number(name.substring(OPTIONS_PREFIX.length())).map(n -> new Parsed(Kind.OPTIONS, n));
    }
    if (name.endsWith(SST_SUFFIX)) {
      return number(name.substring(0, name.length() - SST_SUFFIX.length())).map(n -> new Parsed(Kind.SST, n));
    }
    if (name.endsWith(WAL_SUFFIX)) {
      return number(name.substring(0, name.length() - WAL_SUFFIX.length())).map(n -> new Parsed(Kind.WAL, n));
    }
    return Optional.empty();
  }

  private static Optional<Long> number(String digits) {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(digits));
  }
}
