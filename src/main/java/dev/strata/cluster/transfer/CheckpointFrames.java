package dev.strata.cluster.transfer;

import akka.util.ByteString;
import dev.strata.util.Crc32c;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The wire format of a checkpoint transfer, and its encoder. The sender emits each frame as one
 * stream element; the receiver ({@link FrameReader}) does not rely on that and reassembles frames
 * from any split of the bytes.
 *
 * <p>A transfer is a sequence of frames. Every frame, all integers big-endian:
 * <pre>
 *   type      1 byte    'H' header, 'F' file start, 'D' data chunk, 'E' file end, 'M' manifest
 *   length    4 bytes   of the body, 0 .. MAX_BODY_BYTES (1 MiB + 64 KiB)
 *   body      length bytes, by type below
 *   crc       4 bytes   masked CRC32C (dev.strata.util.Crc32c) of type, length and body
 * </pre>
 * Bodies:
 * <pre>
 *   'H' header       magic "STRATACP" (8 ASCII bytes), version u16 (= 1), file count u32,
 *                    total bytes of all files u64
 *   'F' file start   name length u16, name (UTF-8; a store file name: an SST, a WAL, a
 *                    MANIFEST, OPTIONS or CURRENT, never a path), file size u64
 *   'D' data chunk   offset of the chunk in its file u64, then the chunk's bytes (1 .. chunk size);
 *                    the frame's crc is the chunk's checksum
 *   'E' file end     plain CRC32C of the whole file u32
 *   'M' manifest     file count u32, then per file in the order sent: name length u16, name,
 *                    size u64, plain CRC32C u32; the frame's crc is the manifest's checksum
 * </pre>
 * Order: one 'H'; per file one 'F', its 'D' chunks in offset order covering the file exactly (none
 * for an empty file), one 'E'; one 'M'; then the stream completes. A stream that completes before
 * the 'M' frame is truncated; a frame after it is an error.
 *
 * <p>Why both checksums: the chunk's crc catches a damaged chunk where it arrives, and names the
 * bytes; the whole-file CRC32C (and the chunk offsets) catch a chunk lost, repeated or reordered;
 * the manifest, checked against what arrived, catches a file lost or added whole.
 *
 * <p>Stateless and thread-safe.
 */
final class CheckpointFrames {
  static final byte HEADER = 'H';
  static final byte FILE = 'F';
  static final byte DATA = 'D';
  static final byte FILE_END = 'E';
  static final byte MANIFEST = 'M';

  static final byte[] MAGIC = "STRATACP".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  /** Type and length before the body. */
  static final int PREFIX_BYTES = 5;
  /** The crc after the body. */
  static final int CRC_BYTES = 4;
  /** Where a data frame's chunk starts: after the type, the length and the offset. */
  static final int DATA_CHUNK_OFFSET = PREFIX_BYTES + 8;
  /** No frame body is longer: a chunk is at most 1 MiB, a manifest of thousands of files fits. */
  static final int MAX_BODY_BYTES = (1 << 20) + (64 << 10);
  /** A store file name is short; this bound keeps a damaged length from reading garbage as a name. */
  static final int MAX_NAME_BYTES = 255;

  /** One file of a transfer, as the manifest lists it. {@code crc} is its plain CRC32C. */
  record FileEntry(String name, long size, int crc) {}

  private CheckpointFrames() {}

  static ByteString header(int fileCount, long totalBytes) {
    ByteBuffer body = ByteBuffer.allocate(MAGIC.length + 2 + 4 + 8);
    body.put(MAGIC).putShort((short) VERSION).putInt(fileCount).putLong(totalBytes);
    return frame(HEADER, body.array());
  }

  static ByteString fileStart(String name, long size) {
    byte[] n = name(name);
    ByteBuffer body = ByteBuffer.allocate(2 + n.length + 8);
    body.putShort((short) n.length).put(n).putLong(size);
    return frame(FILE, body.array());
  }

  /**
   * A frame buffer for a chunk of {@code length} bytes: the caller reads the chunk into it at
   * {@link #DATA_CHUNK_OFFSET}, then {@link #sealData} completes it, so the chunk is copied once.
   */
  static byte[] dataBuffer(int length) {
    return new byte[DATA_CHUNK_OFFSET + length + CRC_BYTES];
  }

  /** Completes a {@link #dataBuffer} holding a chunk at {@code offset} of its file. */
  static ByteString sealData(byte[] frame, long offset) {
    int bodyLength = frame.length - PREFIX_BYTES - CRC_BYTES;
    ByteBuffer b = ByteBuffer.wrap(frame);
    b.put(DATA).putInt(bodyLength).putLong(offset);
    b.putInt(frame.length - CRC_BYTES, crc(DATA, frame, PREFIX_BYTES, bodyLength));
    return ByteString.fromArrayUnsafe(frame);
  }

  static ByteString fileEnd(int crc) {
    return frame(FILE_END, ByteBuffer.allocate(4).putInt(crc).array());
  }

  static ByteString manifest(List<FileEntry> files) {
    int size = 4;
    for (FileEntry f : files) {
      size += 2 + name(f.name()).length + 8 + 4;
    }
    ByteBuffer body = ByteBuffer.allocate(size);
    body.putInt(files.size());
    for (FileEntry f : files) {
      byte[] n = name(f.name());
      body.putShort((short) n.length).put(n).putLong(f.size()).putInt(f.crc());
    }
    return frame(MANIFEST, body.array());
  }

  /** The masked CRC32C a frame of {@code type} with {@code body} carries. */
  static int crc(byte type, byte[] body, int offset, int length) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(ByteBuffer.allocate(PREFIX_BYTES).put(type).putInt(length).array());
    crc.update(body, offset, length);
    return Crc32c.mask((int) crc.getValue());
  }

  private static ByteString frame(byte type, byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("a frame body of " + body.length + " bytes is over the limit of "
          + MAX_BODY_BYTES);
    }
    ByteBuffer frame = ByteBuffer.allocate(PREFIX_BYTES + body.length + CRC_BYTES);
    frame.put(type).putInt(body.length).put(body).putInt(crc(type, body, 0, body.length));
    return ByteString.fromArrayUnsafe(frame.array());
  }

  private static byte[] name(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length == 0 || n.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("file name '" + name + "' is " + n.length + " bytes; 1 to "
          + MAX_NAME_BYTES + " fit a frame");
    }
    return n;
  }
}
