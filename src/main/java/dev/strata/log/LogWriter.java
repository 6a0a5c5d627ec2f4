package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static dev.strata.log.LogFormat.FILE_HEADER_SIZE;
import static dev.strata.log.LogFormat.FIRST;
import static dev.strata.log.LogFormat.FRAGMENT_HEADER_SIZE;
import static dev.strata.log.LogFormat.FULL;
import static dev.strata.log.LogFormat.LAST;
import static dev.strata.log.LogFormat.MIDDLE;

import dev.strata.fs.WritableFile;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
import java.io.IOException;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Appends records to a record log, format version 1: the one format behind both the write-ahead
 * log and the manifest, after LevelDB's log format. Integers are little-endian.
 *
 * <pre>
 * file      = block*            32 KiB blocks (LogFormat.BLOCK_SIZE); the last one ends where the
 *                               file ends
 * block 0   = file header | fragment* | trailer?
 * block n   = fragment* | trailer?
 *
 * file header, 16 bytes at offset 0:
 * offset  size
 *  0      8    magic "STRATLOG"     ASCII, in file order
 *  8      1    format version       uint8 (= 1)
 *  9      1    file kind            uint8, from the caller: 1 = write-ahead log, 2 = manifest
 *                                   (LogFormat.KIND_*); the reader refuses any other than it expects
 * 10      2    reserved             zero
 * 12      4    masked CRC32C of bytes [0, 12)
 *
 * fragment, 7 + length bytes, never crossing a block boundary:
 * offset  size
 *  0      4    masked CRC32C of bytes [6, 7 + length): the type byte and the payload
 *  4      2    length               uint16, payload bytes that follow the header
 *  6      1    type                 1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST; 0 is never written
 *  7      length  payload
 *
 * trailer   = 1 to 6 zero bytes: what is left of a block too small for a fragment header; the
 *             next fragment starts at the next block
 * </pre>
 *
 * <p>A record is either one FULL fragment or a FIRST fragment, zero or more MIDDLEs and a LAST,
 * written back to back (with trailers between blocks): a record longer than the room left in its
 * block is cut at the block's end and continues at the start of the next. Fragments may be empty:
 * an empty record is a FULL fragment of length 0, and a record meeting a block with exactly 7
 * bytes left starts there with an empty FIRST. Checksums are masked as {@link Crc32c} explains.
 *
 * <p>Why type 0 is never written and trailers are zeros: a crash can leave zeros where a write was
 * meant to land (a file system that extended the file but never wrote the data; a memory-mapped
 * log zero-filled past its last append), and the reader must be able to read zeros as "nothing
 * here" rather than as a record. Why blocks: a reader holds one block at a time, and a damaged
 * length shows itself by running past its block. {@link LogReader} describes how a log ends.
 *
 * <p>The writer neither flushes nor syncs; callers call {@code out.flush()} or {@code out.sync()}
 * when their durability contract asks for it. It writes the file header if {@code out} is empty;
 * otherwise it trusts that {@code out} already holds a log of the same kind ending at a record
 * boundary ({@link LogReader#validEnd()}) and continues its block structure. Each record costs no
 * allocation: its headers, payload and any trailer are assembled in one reusable 32 KiB buffer, so
 * a record of up to 32 KiB in all reaches {@code out} as a single append (appends may be system
 * calls or copies into a mapping), a larger one as one append per 32 KiB. Not thread-safe: one
 * thread writes one log.
 */
public final class LogWriter {
  private static final byte[] TRAILER_ZEROS = new byte[FRAGMENT_HEADER_SIZE - 1];

  private final WritableFile out;
  private final CRC32C crc = new CRC32C();
  private final byte[] header = new byte[FRAGMENT_HEADER_SIZE];
  /** Bytes of the record being added that are not yet handed to {@code out}. */
  private final byte[] staged = new byte[BLOCK_SIZE];
  private int stagedLength;
  /** File offset of the next byte this writer produces (staged or appended). */
  private long size;
  /** Set while a record is being added; still set afterwards only if an append threw. */
  private boolean failed;

  /**
   * Starts a log in {@code out}, writing the file header if {@code out} is empty.
   *
   * @throws IllegalArgumentException if {@code fileKind} is not in [1, 255], or {@code out} holds
   *     fewer bytes than a file header
   */
  public LogWriter(WritableFile out, int fileKind) throws IOException {
    this.out = Objects.requireNonNull(out, "out");
    LogFormat.checkKind(fileKind);
    long existing = out.size();
    if (existing == 0) {
      byte[] fileHeader = encodeFileHeader(fileKind);
      out.append(fileHeader, 0, fileHeader.length);
      size = fileHeader.length;
    } else if (existing < FILE_HEADER_SIZE) {
      throw new IllegalArgumentException("cannot continue a log of " + existing
          + " bytes: it is shorter than the " + FILE_HEADER_SIZE + "-byte file header");
    } else {
      size = existing;
    }
  }

  /**
   * Appends {@code payload[off, off + len)} as one record and returns the file offset just past it.
   * After an append to {@code out} throws, the tail of the log is unknown and every later call
   * throws IllegalStateException.
   */
  public long addRecord(byte[] payload, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, Objects.requireNonNull(payload, "payload").length);
    if (failed) {
      throw new IllegalStateException("an earlier append to this log failed; its tail is unknown");
    }
    failed = true;
    boolean begin = true;
    int pos = off;
    int remaining = len;
    do {
      int left = BLOCK_SIZE - (int) (size % BLOCK_SIZE);
      if (left < FRAGMENT_HEADER_SIZE) {
        stage(TRAILER_ZEROS, 0, left);
        left = BLOCK_SIZE;
      }
      int n = Math.min(remaining, left - FRAGMENT_HEADER_SIZE);
      boolean end = n == remaining;
      int type = begin ? (end ? FULL : FIRST) : (end ? LAST : MIDDLE);
      stageFragment(type, payload, pos, n);
      pos += n;
      remaining -= n;
      begin = false;
    } while (remaining > 0);
    appendStaged();
    failed = false;
    return size;
  }

  public long addRecord(byte[] payload) throws IOException {
    return addRecord(payload, 0, payload.length);
  }

  /** Bytes in the log so far, file header included: the offset the next record starts from. */
  public long size() {
    return size;
  }

  static byte[] encodeFileHeader(int fileKind) {
    byte[] h = new byte[FILE_HEADER_SIZE];
    System.arraycopy(LogFormat.MAGIC, 0, h, 0, LogFormat.MAGIC.length);
    h[LogFormat.VERSION_OFFSET] = (byte) LogFormat.VERSION;
    h[LogFormat.KIND_OFFSET] = (byte) fileKind;
    Bytes.putIntLE(h, LogFormat.HEADER_CRC_OFFSET, Crc32c.maskedOf(h, 0, LogFormat.HEADER_CRC_OFFSET));
    return h;
  }

  private void stageFragment(int type, byte[] payload, int off, int len) throws IOException {
    crc.reset();
    crc.update(type);
    crc.update(payload, off, len);
    Bytes.putIntLE(header, 0, Crc32c.mask((int) crc.getValue()));
    header[4] = (byte) len;
    header[5] = (byte) (len >>> 8);
    header[6] = (byte) type;
    stage(header, 0, FRAGMENT_HEADER_SIZE);
    stage(payload, off, len);
  }

  private void stage(byte[] src, int off, int len) throws IOException {
    size += len;
    while (len > 0) {
      if (stagedLength == staged.length) {
        appendStaged();
      }
      int n = Math.min(len, staged.length - stagedLength);
      System.arraycopy(src, off, staged, stagedLength, n);
      stagedLength += n;
      off += n;
      len -= n;
    }
  }

  private void appendStaged() throws IOException {
    if (stagedLength > 0) {
      out.append(staged, 0, stagedLength);
      stagedLength = 0;
    }
  }
}
