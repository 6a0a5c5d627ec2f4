package dev.strata.backup;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things are in a backup directory:
 * <pre>
 *   LOCK                          held by the StrataBackups that has the directory open
 *   meta/ID                       backup ID's meta file (see BackupMeta); the backup exists iff it does
 *   meta/ID.tmp                   a meta file being written; never valid after a crash
 *   shared/N_CCCCCCCC_S.sst       an SST shared by the backups that name it: N its number in the store,
 *                                 CCCCCCCC its CRC32C (8 lowercase hex digits), S its size in bytes,
 *                                 so that two different SSTs with one number (from two stores, or from
 *                                 one store before and after a restore) never take the same name
 *   shared/*.tmp                  a shared SST being copied
 *   private/ID/                   backup ID's own files: MANIFEST-N, CURRENT, OPTIONS-N, N.wal
 *   checkpoint.tmp/               the checkpoint a backup is being made from
 * </pre>
 * A private directory without its meta file, and any *.tmp, is what a crash left behind; it is
 * removed when the directory is next opened. Stateless and thread-safe.
 */
final class BackupLayout {
  static final String SHARED = "shared";
  static final String PRIVATE = "private";
  static final String META = "meta";
  static final String LOCK = "LOCK";
  static final String TEMP_SUFFIX = ".tmp";
  static final String CHECKPOINT = "checkpoint" + TEMP_SUFFIX;

  private static final Pattern SHARED_NAME = Pattern.compile("(\\d{1,18})_([0-9a-f]{8})_(\\d{1,18})\\.sst");

  /** What a shared SST's name says of it. */
  record SharedName(long number, int crc, long size) {}

  private final Path root;

  BackupLayout(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path shared() {
    return root.resolve(SHARED);
  }

  Path privateRoot() {
    return root.resolve(PRIVATE);
  }

  Path privateDir(long id) {
    return privateRoot().resolve(Long.toString(id));
  }

  Path metaDir() {
    return root.resolve(META);
  }

  Path meta(long id) {
    return metaDir().resolve(Long.toString(id));
  }

  Path metaTemp(long id) {
    return metaDir().resolve(id + TEMP_SUFFIX);
  }

  Path checkpoint() {
    return root.resolve(CHECKPOINT);
  }

  Path lock() {
    return root.resolve(LOCK);
  }

  /** A path of the meta file's, relative to the backup directory and '/'-separated, as a path here. */
  Path resolve(String relative) {
    Path p = root;
    for (String segment : relative.split("/")) {
      p = p.resolve(segment);
    }
    return p;
  }

  static String sharedName(long number, int crc, long size) {
    return String.format("%06d_%s_%d.sst", number, BackupMeta.hex(crc), size);
  }

  static String sharedPath(String sharedName) {
    return SHARED + "/" + sharedName;
  }

  static String privatePath(long id, String storeName) {
    return PRIVATE + "/" + id + "/" + storeName;
  }

  static Optional<SharedName> parseSharedName(String name) {
    Matcher m = SHARED_NAME.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new SharedName(Long.parseLong(m.group(1)), Integer.parseUnsignedInt(m.group(2), 16),
        Long.parseLong(m.group(3))));
  }

  /** The backup id a meta file or private directory name holds, or empty when it is not one. */
  static Optional<Long> parseId(String name) {
    if (name.isEmpty() || name.length() > 18 || name.startsWith("0")
        || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(name));
  }
}
