package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static dev.strata.log.LogFormat.FILE_HEADER_SIZE;
import static dev.strata.log.LogFormat.FIRST;
import static dev.strata.log.LogFormat.FRAGMENT_HEADER_SIZE;
import static dev.strata.log.LogFormat.FULL;
import static dev.strata.log.LogFormat.LAST;

import dev.strata.CorruptionException;
import dev.strata.fs.ReadableFile;
import dev.strata.util.ByteBuilder;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads the records of a record log (format in {@link LogWriter}) in order, and says how the log
 * ended. Reads the file as it was when the reader was opened, one 32 KiB block at a time. Does not
 * close the file. Not thread-safe.
 *
 * <p>A crash can leave the part of a log written since its last sync in any state the file system
 * allows: cut short, extended with zeros (a memory-mapped log is zero-filled to the end of its
 * mapping), or with its last write half done. Such a torn tail is what a crash leaves of writes
 * nobody synced, so it is dropped silently and reported by {@link #tornTail()}; anything else that
 * is not a well-formed record is damage, and {@link #next()} throws {@link CorruptionException}
 * naming the file and the offset of the bad fragment. The reader decides at each fragment, knowing
 * whether it stands between records or inside one (after a FIRST or MIDDLE); trailers it skips
 * without looking at them:
 *
 * <pre>
 * what the reader finds                                        between records  inside a record
 * end of file                                                  end              torn
 * only zero bytes up to the end of file                        end              torn
 * a fragment that is not valid (see below) and is incomplete   torn             torn
 * a fragment that is not valid and is complete                 corrupt          corrupt
 * a valid FULL or FIRST                                        a record starts  corrupt
 * a valid MIDDLE or LAST                                       corrupt          the record goes on
 * </pre>
 *
 * <p>A fragment at offset {@code p} is not valid if its header is cut off by the end of the file,
 * its payload is cut off by the end of the file, its type is 0 or above 4, its length runs past
 * its block, or its checksum does not match. Its extent is {@code [p, e)}, where {@code e} is
 * {@code p + 7 + length} but at most the end of its block ({@code p + 7} when the header is cut
 * off). It is <em>incomplete</em> when the write that was to produce it evidently stopped inside
 * it: {@code e} lies past the end of the file, or its last byte and every byte after it up to the
 * end of the file are zero; and its checksum does not match a shorter length that differs from the
 * stored one in one of its two bytes, which would show that the fragment was written whole and a
 * byte of its length is what is damaged (a damaged length that merely makes a fragment look
 * unfinished must not hide the records after it). It is <em>complete</em> otherwise: its last
 * byte is not zero, or something other than zeros follows it. A complete fragment with a bad
 * checksum is damage even when it is the last thing in the file: every byte of it was written,
 * and some are wrong.
 *
 * <p>What decides "torn or damage" is thus only the fragment itself and what lies after its
 * extent, which by the definition above is nothing but zeros: the reader never looks for
 * fragments inside the payload a torn fragment claims, where a value that happens to hold an
 * encoded log record (a WAL record stored as a value, say) would look like a record written after
 * the tear.
 *
 * <p>Two consequences to know. The rule cannot tell a damaged last record whose payload truly ends
 * in zero bytes from a torn one, and calls it torn. And a crash that persisted an unsynced tail's
 * pages out of order (zeros, then later data) reads as corruption, although no synced record is
 * touched: the reader cannot know where the last sync was, so it will not silently drop data that
 * looks written; its caller, which may know (the WAL's synced length in the manifest), decides
 * (see dev.strata.WalRecoveryMode). A caller that salvages calls {@link #skipDamage()} after the
 * exception and reads on from the next block.
 *
 * <p>The file header is checked on opening: bad magic (also a file that starts with 16 zero bytes
 * and is not all zeros), then its checksum, version, reserved bytes and kind, each with its own
 * message. An empty file, or one of only zero bytes, is an empty log of any kind (a crash right
 * after the file was created); any other file shorter than a header is "not a Strata log".
 */
public final class LogReader {
  private static final byte[] ZEROS = new byte[BLOCK_SIZE];

  private final ReadableFile in;
  private final String fileName;
  private final long fileSize;
  private final byte[] block = new byte[BLOCK_SIZE];
  private final CRC32C crc = new CRC32C();
  private final ByteBuilder record = new ByteBuilder(1024);
  /** File offset of the block held in {@code block}, or -1. */
  private long blockStart = -1;
  private long position;
  private long lastRecordStart = -1;
  private long validEnd;
  private boolean ended;
  private boolean tornTail;
  private CorruptionException failure;
  /** After {@link #skipDamage()}: MIDDLE and LAST fragments are skipped until a record starts. */
  private boolean resyncing;

  /**
   * Opens the log in {@code in} and checks its file header.
   *
   * @param fileName names the file in exception messages
   * @param expectedKind the file kind the log must have, {@link LogFormat#KIND_WAL} for example
   * @throws CorruptionException if the file is not a log of {@code expectedKind} this code reads
   */
  public LogReader(ReadableFile in, String fileName, int expectedKind) throws IOException {
    this.in = Objects.requireNonNull(in, "in");
    this.fileName = Objects.requireNonNull(fileName, "fileName");
    LogFormat.checkKind(expectedKind);
    this.fileSize = in.size();
    boolean headerIsZeros = true;
    if (fileSize >= FILE_HEADER_SIZE) {
      load(0);
      headerIsZeros = Arrays.mismatch(block, 0, FILE_HEADER_SIZE, ZEROS, 0, FILE_HEADER_SIZE) < 0;
    }
    if (headerIsZeros && allZeroFrom(0)) {
      ended = true;
      position = fileSize;
      return;
    }
    if (fileSize < FILE_HEADER_SIZE) {
      throw new CorruptionException(fileName + ": not a Strata log: " + fileSize
          + " bytes, fewer than the " + FILE_HEADER_SIZE + "-byte file header, and not all zeros");
    }
    checkFileHeader(expectedKind);
    position = FILE_HEADER_SIZE;
    validEnd = FILE_HEADER_SIZE;
  }

  /**
   * The next record, or null at the end of the log (a clean end or a torn tail, which
   * {@link #tornTail()} tells apart). Once it has returned null it always does; once it has thrown
   * CorruptionException it always throws that exception.
   */
  public byte[] next() throws IOException {
    lastRecordStart = -1;
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return null;
    }
    record.reset();
    long recordStart = -1; // offset of the open record's FIRST fragment, -1 between records
    while (true) {
      int leftInBlock = BLOCK_SIZE - (int) (position % BLOCK_SIZE);
      if (leftInBlock < FRAGMENT_HEADER_SIZE) {
        position = Math.min(position + leftInBlock, fileSize); // skip the trailer, unread
      }
      if (position == fileSize) {
        return end(recordStart >= 0);
      }
      long fragment = position;
      if (fileSize - fragment < FRAGMENT_HEADER_SIZE) {
        return invalid(fragment, fragment + FRAGMENT_HEADER_SIZE, recordStart,
            "fragment header cut off by the end of the file");
      }
      int at = load(fragment);
      int length = (block[at + 4] & 0xFF) | (block[at + 5] & 0xFF) << 8;
      int type = block[at + 6] & 0xFF;
      long blockEnd = blockStart + BLOCK_SIZE;
      long fragmentEnd = fragment + FRAGMENT_HEADER_SIZE + length;
      long extentEnd = Math.min(fragmentEnd, blockEnd);
      if (type < FULL || type > LAST) {
        return invalid(fragment, extentEnd, recordStart, LogFormat.typeName(type));
      }
      if (fragmentEnd > blockEnd) {
        // The writer never lets a fragment cross a block, and an interrupted write leaves zeros,
        // which only shorten a length: a length past the block is damage, never a torn tail.
        throw corrupt(fragment, "payload length " + length + " runs past the end of its block at offset " + blockEnd);
      }
      if (fragmentEnd > fileSize) {
        return invalid(fragment, extentEnd, recordStart, "payload cut off by the end of the file");
      }
      crc.reset();
      crc.update(block, at + 6, 1 + length);
      if (Crc32c.unmask(Bytes.getIntLE(block, at)) != (int) crc.getValue()) {
        return invalid(fragment, extentEnd, recordStart, "checksum mismatch");
      }
      int payload = at + FRAGMENT_HEADER_SIZE;
      boolean starts = type == FULL || type == FIRST;
      if (starts && recordStart >= 0) {
        throw corrupt(fragment, LogFormat.typeName(type) + " fragment inside the record that began at offset "
            + recordStart + ", which has no LAST fragment");
      }
      if (!starts && recordStart < 0) {
        if (resyncing) {
          position = fragmentEnd; // the rest of a record whose start was in the skipped damage
          continue;
        }
        throw corrupt(fragment, LogFormat.typeName(type) + " fragment with no FIRST fragment before it");
      }
      resyncing = false;
      position = fragmentEnd;
      if (type == FULL) {
        validEnd = position;
        lastRecordStart = fragment;
        return Arrays.copyOfRange(block, payload, payload + length);
      }
      if (type == FIRST) {
        recordStart = fragment;
      }
      record.putBytes(block, payload, length);
      if (type == LAST) {
        validEnd = position;
        lastRecordStart = recordStart;
        return record.toByteArray();
      }
    }
  }

  /** The offset of the first fragment of the record {@link #next()} last returned; -1 before any. */
  public long lastRecordStart() {
    return lastRecordStart;
  }

  /** Whether the log ended in a torn tail, which was dropped; false until it has ended. */
  public boolean tornTail() {
    return tornTail;
  }

  /**
   * The offset just past the last record returned: the end of the file header if none was (0 for
   * an empty file with no header). Everything before it is valid log; a log continued from here
   * loses nothing the reader returned.
   */
  public long validEnd() {
    return validEnd;
  }

  /**
   * The offset of the next unread byte: between records, where the next fragment or trailer
   * starts; after {@link #next()} returned null, the file size; after it threw, the bad fragment.
   */
  public long position() {
    return position;
  }

  /**
   * For salvage only: after {@link #next()} threw, gives up the rest of the bad fragment's block and
   * resumes reading at the next block, where the writer always starts a fragment, skipping
   * fragments of any record that began before it (LevelDB's reader does the same: a damaged length
   * makes every offset inside its block untrustworthy, and a scan for the next valid fragment inside
   * it could take bytes inside a payload for a record). Returns the offset reading resumes from (the
   * file size when nothing is left).
   *
   * @throws IllegalStateException if {@link #next()} has not thrown
   */
  public long skipDamage() {
    if (failure == null) {
      throw new IllegalStateException("skipDamage() is only for after next() threw CorruptionException");
    }
    failure = null;
    resyncing = true;
    position = Math.min(position - position % BLOCK_SIZE + BLOCK_SIZE, fileSize);
    return position;
  }

  /**
   * The offset just past the last byte of {@code in} that is not zero (0 if none): where a log's
   * content ends, whatever zero-filled tail a mapped file has. For reports of what was dropped.
   */
  public static long dataEnd(ReadableFile in) throws IOException {
    long fileSize = in.size();
    byte[] chunk = new byte[BLOCK_SIZE];
    for (long end = fileSize; end > 0; ) {
      int n = (int) Math.min(BLOCK_SIZE, end);
      in.readFully(end - n, chunk, 0, n);
      for (int i = n - 1; i >= 0; i--) {
        if (chunk[i] != 0) {
          return end - n + i + 1;
        }
      }
      end -= n;
    }
    return 0;
  }

  private void checkFileHeader(int expectedKind) throws IOException {
    int h = load(0);
    if (!Arrays.equals(block, h, h + LogFormat.MAGIC.length, LogFormat.MAGIC, 0, LogFormat.MAGIC.length)) {
      throw new CorruptionException(fileName + ": not a Strata log (bad magic number in the first 8 bytes)");
    }
    int stored = Crc32c.unmask(Bytes.getIntLE(block, h + LogFormat.HEADER_CRC_OFFSET));
    if (stored != Crc32c.compute(block, h, LogFormat.HEADER_CRC_OFFSET)) {
      throw new CorruptionException(fileName + ": log file header checksum mismatch");
    }
    int version = block[h + LogFormat.VERSION_OFFSET] & 0xFF;
    if (version != LogFormat.VERSION) {
      throw new CorruptionException(fileName + ": log format version " + version
          + " is not supported (this build reads version " + LogFormat.VERSION + ")");
    }
    if (block[h + LogFormat.RESERVED_OFFSET] != 0 || block[h + LogFormat.RESERVED_OFFSET + 1] != 0) {
      throw new CorruptionException(fileName + ": reserved bytes 10 and 11 of the log file header are not zero");
    }
    int kind = block[h + LogFormat.KIND_OFFSET] & 0xFF;
    if (kind != expectedKind) {
      throw new CorruptionException(fileName + ": is a " + LogFormat.kindName(kind) + ", expected a "
          + LogFormat.kindName(expectedKind));
    }
  }

  /**
   * Decides what a fragment that is not valid means: zeros from here on are nothing at all, an
   * incomplete fragment is a torn tail, a complete one is damage (see the class comment). Past an
   * incomplete fragment's extent there is nothing but zeros, by definition, so nothing after it can
   * say "damage"; inside its extent lies its own payload, where a value may hold anything, so
   * nothing there may: only its own checksum can show that it is whole under a damaged length.
   */
  private byte[] invalid(long fragment, long extentEnd, long recordStart, String problem) throws IOException {
    if (allZeroFrom(fragment)) {
      return end(recordStart >= 0);
    }
    if ((extentEnd > fileSize || allZeroFrom(extentEnd - 1)) && !wholeUnderADamagedLength(fragment)) {
      return end(true);
    }
    throw corrupt(fragment, problem);
  }

  /**
   * Whether the fragment at {@code fragment}, whose stored length runs past the end of the file or
   * into the zeros after it, matches its checksum at a shorter length that differs from the stored
   * one in one byte: then it was written whole, and one byte of its length is damaged. One pass of
   * the checksum over the payload; at most 511 lengths are tried, so a torn fragment passes for a
   * whole one with a probability of about 511 / 2^32.
   */
  private boolean wholeUnderADamagedLength(long fragment) throws IOException {
    if (fileSize - fragment < FRAGMENT_HEADER_SIZE) {
      return false;
    }
    int at = load(fragment);
    int stored = (block[at + 4] & 0xFF) | (block[at + 5] & 0xFF) << 8;
    int type = block[at + 6] & 0xFF;
    if (type < FULL || type > LAST) {
      return false;
    }
    long room = Math.min(fileSize, blockStart + BLOCK_SIZE) - fragment - FRAGMENT_HEADER_SIZE;
    int longest = (int) Math.min(stored - 1L, room);
    int expected = Crc32c.unmask(Bytes.getIntLE(block, at));
    crc.reset();
    crc.update(type);
    int payload = at + FRAGMENT_HEADER_SIZE;
    for (int n = 0; n <= longest; n++) {
      boolean oneByteOff = (n & 0xFF00) == (stored & 0xFF00) || (n & 0xFF) == (stored & 0xFF);
      if (oneByteOff && (int) crc.getValue() == expected) {
        return true;
      }
      if (n < longest) {
        crc.update(block[payload + n]);
      }
    }
    return false;
  }

  private byte[] end(boolean torn) {
    ended = true;
    tornTail = torn;
    position = fileSize;
    return null;
  }

  private CorruptionException corrupt(long fragment, String problem) {
    position = fragment;
    failure = new CorruptionException(fileName + ": corrupt log record at offset " + fragment + ": " + problem);
    return failure;
  }

  /** Loads the block holding {@code offset}, as much of it as the file has; returns its index there. */
  private int load(long offset) throws IOException {
    long start = offset - offset % BLOCK_SIZE;
    if (start != blockStart) {
      blockStart = -1; // stays unset if the read throws
      in.readFully(start, block, 0, (int) Math.min(BLOCK_SIZE, fileSize - start));
      blockStart = start;
    }
    return (int) (offset - start);
  }

  private boolean allZeroFrom(long from) throws IOException {
    byte[] chunk = new byte[(int) Math.min(BLOCK_SIZE, Math.max(0, fileSize - from))];
    for (long pos = from; pos < fileSize; pos += chunk.length) {
      int n = (int) Math.min(chunk.length, fileSize - pos);
      in.readFully(pos, chunk, 0, n);
      if (Arrays.mismatch(chunk, 0, n, ZEROS, 0, n) >= 0) {
        return false;
      }
    }
    return true;
  }
}
