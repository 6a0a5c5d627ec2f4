package dev.strata.cluster.transfer;

import akka.util.ByteString;
import dev.strata.CorruptionException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Cuts a transfer's bytes into the frames {@link CheckpointFrames} describes, whatever the split of
 * the bytes into stream elements. It checks each frame's length bound and computes its checksum;
 * whether a frame that fails it is fatal, and how to name it, is the caller's to say.
 *
 * <p>Not thread-safe: one receiver feeds it, one element at a time.
 */
final class FrameReader {
  /**
   * One frame: its type, its body, where it began in the stream, the crc it carries and the one
   * its bytes give.
   */
  record Frame(byte type, byte[] body, long streamOffset, int storedCrc, int computedCrc) {
    boolean intact() {
      return storedCrc == computedCrc;
    }

    ByteBuffer reader() {
      return ByteBuffer.wrap(body);
    }
  }

  private ByteString pending = ByteString.emptyByteString();
  /** Stream offset of the first byte of {@link #pending}. */
  private long consumed;

  /** Appends the next bytes of the stream. */
  void feed(ByteString bytes) {
    pending = pending.concat(bytes);
  }

  /**
   * The next whole frame, or empty until more bytes are fed. Throws {@link CorruptionException}
   * when a frame's length is out of bounds (a damaged length would otherwise swallow the stream).
   */
  Optional<Frame> next() {
    if (pending.size() < CheckpointFrames.PREFIX_BYTES) {
      return Optional.empty();
    }
    ByteBuffer prefix = pending.take(CheckpointFrames.PREFIX_BYTES).toByteBuffer();
    byte type = prefix.get();
    int length = prefix.getInt();
    if (length < 0 || length > CheckpointFrames.MAX_BODY_BYTES) {
      throw new CorruptionException("the frame at stream byte " + consumed + " (type 0x"
          + Integer.toHexString(type & 0xff) + ") claims a body of " + Integer.toUnsignedString(length)
          + " bytes; at most " + CheckpointFrames.MAX_BODY_BYTES + " are allowed");
    }
    int total = CheckpointFrames.PREFIX_BYTES + length + CheckpointFrames.CRC_BYTES;
    if (pending.size() < total) {
      return Optional.empty();
    }
    byte[] body = pending.slice(CheckpointFrames.PREFIX_BYTES, CheckpointFrames.PREFIX_BYTES + length).toArray();
    int stored = pending.slice(total - CheckpointFrames.CRC_BYTES, total).toByteBuffer().getInt();
    Frame frame = new Frame(type, body, consumed, stored, CheckpointFrames.crc(type, body, 0, body.length));
    pending = pending.drop(total);
    consumed += total;
    return Optional.of(frame);
  }

  /** Bytes fed that are not part of a whole frame yet. */
  int pendingBytes() {
    return pending.size();
  }

  /** Bytes of whole frames read so far. */
  long consumedBytes() {
    return consumed;
  }
}
