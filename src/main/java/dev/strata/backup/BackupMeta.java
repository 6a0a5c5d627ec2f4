package dev.strata.backup;

import dev.strata.CorruptionException;
import dev.strata.engine.FileNames;
import dev.strata.util.Crc32c;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A backup's own manifest, the file {@code meta/<id>} of a backup directory: which files make up
 * the backup, where each is kept, and its size and checksum. A backup exists exactly when its
 * meta file does; it is written to {@code meta/<id>.tmp} and renamed once every file it names is
 * durably in place.
 *
 * <p>Format, ASCII text, every line ended by one {@code \n} (0x0a), fields separated by one space:
 * <pre>
 *   strata-backup 1\n                     header: magic word, format version (decimal)
 *   id 7\n                                the backup's id (decimal, &gt;= 1), equal to the file's name
 *   timestamp 1765051200123\n             when it was made: milliseconds since 1970-01-01T00:00Z
 *   last-sequence 4711\n                  the sequence of the newest write it holds
 *   new-bytes 123456\n                    the bytes it added to the backup directory
 *   file 000012.sst shared/000012_1a2b3c4d_4096.sst 4096 1a2b3c4d\n
 *   file CURRENT private/7/CURRENT 52 0badf00d\n
 *   ...                                   one line per file, in restore order: the file's name in
 *                                         the store, its path relative to the backup directory
 *                                         ('/'-separated: shared/NAME or private/ID/NAME, ID this
 *                                         backup's id, NAME the store name), its size
 *                                         in bytes (decimal), its CRC32C (plain, unmasked; the one
 *                                         a shared name carries) as 8 lowercase hex digits
 *   crc32c 89abcdef\n                     masked CRC32C (dev.strata.util.Crc32c) of every byte
 *                                         before this line, as 8 lowercase hex digits
 * </pre>
 * Store names are those {@link FileNames} parses (SST, WAL, MANIFEST, CURRENT, OPTIONS), so none
 * holds a space or a '/'. Stateless and thread-safe.
 */
final class BackupMeta {
  private static final String MAGIC = "strata-backup";
  static final int VERSION = 1;
  private static final int MAX_BYTES = 16 * 1024 * 1024;
  private static final Pattern HEX8 = Pattern.compile("[0-9a-f]{8}");

  /** One file of a backup. {@code crc} is its plain CRC32C. */
  record Entry(String storeName, String path, long size, int crc) {}

  /** A backup's meta file's contents. */
  record Contents(BackupInfo info, List<Entry> files) {}

  private BackupMeta() {}

  static byte[] encode(long id, Instant timestamp, long lastSequence, long newBytes, List<Entry> files) {
    StringBuilder text = new StringBuilder();
    text.append(MAGIC).append(' ').append(VERSION).append('\n');
    text.append("id ").append(id).append('\n');
    text.append("timestamp ").append(timestamp.toEpochMilli()).append('\n');
    text.append("last-sequence ").append(lastSequence).append('\n');
    text.append("new-bytes ").append(newBytes).append('\n');
    for (Entry e : files) {
      text.append("file ").append(e.storeName()).append(' ').append(e.path()).append(' ').append(e.size())
          .append(' ').append(hex(e.crc())).append('\n');
    }
    byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
    text.append("crc32c ").append(hex(Crc32c.maskedOf(body, 0, body.length))).append('\n');
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The contents of meta file {@code name} (for messages, e.g. "meta/7"), which must describe
   * backup {@code id}.
   *
   * @throws CorruptionException naming the file when it fails its checksum or any format check
   */
  static Contents decode(String name, long id, byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new CorruptionException(name + " is " + bytes.length + " bytes, too long to be a backup meta file");
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int headerEnd = text.indexOf('\n');
    if (headerEnd < 0 || !text.startsWith(MAGIC + " ")) {
      throw new CorruptionException(name + " is not a Strata backup meta file (no '" + MAGIC + "' header)");
    }
    String version = text.substring(MAGIC.length() + 1, headerEnd);
    if (!version.equals(String.valueOf(VERSION))) {
      throw new CorruptionException(name + " has backup meta format version '" + version + "'; this Strata reads "
          + VERSION);
    }
    if (!text.endsWith("\n")) {
      throw new CorruptionException(name + " is cut short: it does not end with a line break");
    }
    int crcLine = text.lastIndexOf('\n', text.length() - 2) + 1;
    String[] crc = text.substring(crcLine, text.length() - 1).split(" ", -1);
    if (crcLine <= headerEnd || crc.length != 2 || !crc[0].equals("crc32c")) {
      throw new CorruptionException(name + " is cut short: its last line is not the 'crc32c' line");
    }
    if (!crc[1].equals(hex(Crc32c.maskedOf(bytes, 0, crcLine)))) {
      throw new CorruptionException(name + " fails its checksum");
    }
    String[] lines = crcLine == headerEnd + 1
        ? new String[0] : text.substring(headerEnd + 1, crcLine - 1).split("\n", -1);
    if (lines.length < 4) {
      throw new CorruptionException(name + " lacks the id, timestamp, last-sequence and new-bytes lines");
    }
    long storedId = number(name, lines[0], "id");
    if (storedId != id) {
      throw new CorruptionException(name + " describes backup " + storedId + ", not " + id);
    }
    Instant timestamp = Instant.ofEpochMilli(number(name, lines[1], "timestamp"));
    long lastSequence = number(name, lines[2], "last-sequence");
    long newBytes = number(name, lines[3], "new-bytes");
    List<Entry> files = new ArrayList<>();
    long total = 0;
    Set<String> names = new HashSet<>();
    for (int i = 4; i < lines.length; i++) {
      Entry e = entry(name, id, lines[i]);
      if (!names.add(e.storeName())) {
        throw new CorruptionException(name + " names " + e.storeName() + " twice");
      }
      files.add(e);
      total += e.size();
    }
    if (files.stream().noneMatch(e -> e.storeName().equals(FileNames.CURRENT))) {
      throw new CorruptionException(name + " names no CURRENT file: a restore would not open");
    }
    return new Contents(new BackupInfo(id, timestamp, files.size(), total, newBytes, lastSequence), files);
  }

  private static long number(String name, String line, String key) {
    String[] parts = line.split(" ", -1);
    if (parts.length != 2 || !parts[0].equals(key)) {
      throw new CorruptionException(name + " has '" + line + "' where its '" + key + "' line belongs");
    }
    return decimal(name, parts[1], key);
  }

  private static Entry entry(String name, long id, String line) {
    String[] parts = line.split(" ", -1);
    if (parts.length != 5 || !parts[0].equals("file")) {
      throw new CorruptionException(name + " has a line that is not 'file NAME PATH SIZE CRC32C': '" + line + "'");
    }
    String storeName = parts[1];
    Optional<FileNames.Parsed> parsed = FileNames.parse(storeName);
    if (parsed.isEmpty() || parsed.get().kind() == FileNames.Kind.TEMP || parsed.get().kind() == FileNames.Kind.LOCK) {
      throw new CorruptionException(name + " names '" + storeName + "', which is not a file of a store");
    }
    String path = parts[2];
    String[] segments = path.split("/", -1);
    boolean shared = segments.length == 2 && segments[0].equals(BackupLayout.SHARED)
        && BackupLayout.parseSharedName(segments[1]).isPresent();
    boolean own = segments.length == 3 && segments[0].equals(BackupLayout.PRIVATE)
        && segments[1].equals(Long.toString(id)) && segments[2].equals(storeName);
    if (!shared && !own) {
      throw new CorruptionException(name + " keeps " + storeName + " at '" + path
          + "', which is neither shared/NUMBER_CRC_SIZE.sst nor private/" + id + "/" + storeName);
    }
    long size = decimal(name, parts[3], "size of " + storeName);
    if (!HEX8.matcher(parts[4]).matches()) {
      throw new CorruptionException(name + " gives " + storeName + " the CRC32C '" + parts[4]
          + "', not 8 lowercase hex digits");
    }
    return new Entry(storeName, path, size, Integer.parseUnsignedInt(parts[4], 16));
  }

  private static long decimal(String name, String digits, String what) {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new CorruptionException(name + " gives '" + digits + "' as its " + what + ", not a decimal number");
    }
    return Long.parseLong(digits);
  }

  static String hex(int crc) {
    return String.format("%08x", crc);
  }
}
