package dev.strata.cluster.transfer;

import akka.util.ByteString;
import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.cluster.transfer.CheckpointFrames.FileEntry;
import dev.strata.cluster.transfer.FrameReader.Frame;
import dev.strata.engine.FileNames;
import dev.strata.fs.FileSystem;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The receiving side's writer: checks each frame of a transfer as it arrives (its checksum, its
 * place in the order {@link CheckpointFrames} prescribes, each file's name, offsets, size and
 * CRC32C) and writes the files into the staging directory, each synced when it ends. Every
 * failure is a {@link CorruptionException} (bytes damaged) or a {@link StrataException} (the
 * stream broke the format) naming the file, and where in it, and what was expected against what
 * arrived. {@link #finish()} then checks the manifest against what arrived and syncs the
 * directory; installing it is {@link StagedInstall}'s job.
 *
 * <p>Not thread-safe: the stream feeds it one element at a time (from the blocking dispatcher's
 * threads, one after the other, each call ordered after the last by the stream).
 */
final class StagingWriter implements AutoCloseable {
  private final FileSystem fs;
  private final Path staging;
  private final FrameReader reader = new FrameReader();
  private final List<FileEntry> received = new ArrayList<>();
  private final Set<String> names = new HashSet<>();

  private boolean headerSeen;
  private int announcedFiles;
  private long announcedBytes;
  private boolean manifestSeen;
  /** The file being received, or null between files. */
  private String fileName;
  private long fileSize;
  private WritableFile file;
  private long written;
  private CRC32C crc;
  private long totalWritten;

  StagingWriter(FileSystem fs, Path staging) {
    this.fs = fs;
    this.staging = staging;
  }

  /** Takes the next bytes of the stream, writing whatever whole frames they complete. */
  void accept(ByteString bytes) throws IOException {
    reader.feed(bytes);
    while (true) {
      Optional<Frame> next;
      try {
        next = reader.next();
      } catch (CorruptionException e) {
        throw new CorruptionException(where() + ": " + e.getMessage(), e);
      }
      if (next.isEmpty()) {
        return;
      }
      handle(next.get());
    }
  }

  private void handle(Frame frame) throws IOException {
    if (!frame.intact()) {
      throw new CorruptionException(where() + ": the " + describe(frame.type()) + " frame at stream byte "
          + frame.streamOffset() + " fails its CRC32C: the frame says " + hex(frame.storedCrc())
          + ", its bytes give " + hex(frame.computedCrc()));
    }
    if (manifestSeen) {
      throw new StrataException("a " + describe(frame.type()) + " frame arrived after the manifest, at stream byte "
          + frame.streamOffset());
    }
    if (!headerSeen && frame.type() != CheckpointFrames.HEADER) {
      throw new StrataException("the stream starts with a " + describe(frame.type())
          + " frame; a checkpoint transfer starts with its header");
    }
    ByteBuffer body = frame.reader();
    try {
      switch (frame.type()) {
        case CheckpointFrames.HEADER -> header(body);
        case CheckpointFrames.FILE -> fileStart(body);
        case CheckpointFrames.DATA -> data(body);
        case CheckpointFrames.FILE_END -> fileEnd(body);
        case CheckpointFrames.MANIFEST -> manifest(body);
        default -> throw new StrataException("unknown frame type 0x" + Integer.toHexString(frame.type() & 0xff)
            + " at stream byte " + frame.streamOffset());
      }
    } catch (BufferUnderflowException e) {
      // The checksum held, so the sender wrote a short body: a different format, not damage.
      throw new StrataException(where() + ": the " + describe(frame.type()) + " frame at stream byte "
          + frame.streamOffset() + " has a body of " + frame.body().length + " bytes, too short for its fields", e);
    }
  }

  private void header(ByteBuffer body) {
    if (headerSeen) {
      throw new StrataException("a second header arrived, " + where());
    }
    byte[] magic = new byte[CheckpointFrames.MAGIC.length];
    body.get(magic);
    if (!Arrays.equals(magic, CheckpointFrames.MAGIC)) {
      throw new StrataException("the stream is not a Strata checkpoint transfer: its magic is '"
          + new String(magic, StandardCharsets.ISO_8859_1) + "', expected 'STRATACP'");
    }
    int version = Short.toUnsignedInt(body.getShort());
    if (version != CheckpointFrames.VERSION) {
      throw new StrataException("the sender speaks checkpoint transfer format version " + version
          + "; this node reads version " + CheckpointFrames.VERSION);
    }
    announcedFiles = body.getInt();
    announcedBytes = body.getLong();
    headerSeen = true;
  }

  private void fileStart(ByteBuffer body) throws IOException {
    if (fileName != null) {
      throw new StrataException("a new file started while " + fileName + " was at " + written + " of "
          + fileSize + " bytes, without its end frame");
    }
    String name = name(body);
    long size = body.getLong();
    if (FileNames.parse(name).map(p -> p.kind() == FileNames.Kind.TEMP || p.kind() == FileNames.Kind.LOCK)
        .orElse(true)) {
      throw new StrataException("the sender announced a file named '" + name
          + "', which is not a store file (an SST, a WAL, a MANIFEST, OPTIONS or CURRENT)");
    }
    if (!names.add(name)) {
      throw new StrataException("the sender announced " + name + " twice");
    }
    if (size < 0) {
      throw new StrataException("the sender announced " + name + " with a size of " + size + " bytes");
    }
    fileName = name;
    fileSize = size;
    written = 0;
    crc = new CRC32C();
    file = fs.create(staging.resolve(name));
  }

  private void data(ByteBuffer body) throws IOException {
    if (fileName == null) {
      throw new StrataException("a data chunk arrived outside any file, after " + received.size() + " files");
    }
    long offset = body.getLong();
    int n = body.remaining();
    if (offset != written) {
      throw new StrataException(fileName + ": a chunk for byte " + offset + " arrived where byte " + written
          + " was expected (a chunk lost, repeated or out of order)");
    }
    if (n == 0 || written + n > fileSize) {
      throw new StrataException(fileName + ": a chunk of " + n + " bytes at byte " + offset
          + " does not fit the announced size of " + fileSize + " bytes");
    }
    file.append(body.array(), body.position(), n);
    crc.update(body.array(), body.position(), n);
    written += n;
    totalWritten += n;
  }

  private void fileEnd(ByteBuffer body) throws IOException {
    if (fileName == null) {
      throw new StrataException("a file end arrived outside any file, after " + received.size() + " files");
    }
    if (written != fileSize) {
      throw new StrataException(fileName + " ended after " + written + " bytes; the sender announced " + fileSize);
    }
    int expected = body.getInt();
    int actual = (int) crc.getValue();
    if (expected != actual) {
      throw new CorruptionException(fileName + " fails its whole-file CRC32C: the sender computed "
          + hex(expected) + ", the " + written + " bytes received give " + hex(actual));
    }
    file.sync();
    file.close();
    file = null;
    received.add(new FileEntry(fileName, fileSize, actual));
    fileName = null;
  }

  private void manifest(ByteBuffer body) {
    if (fileName != null) {
      throw new StrataException("the manifest arrived while " + fileName + " was at " + written + " of "
          + fileSize + " bytes");
    }
    int count = body.getInt();
    List<FileEntry> listed = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      listed.add(new FileEntry(name(body), body.getLong(), body.getInt()));
    }
    for (int i = 0; i < Math.max(listed.size(), received.size()); i++) {
      FileEntry l = i < listed.size() ? listed.get(i) : null;
      FileEntry r = i < received.size() ? received.get(i) : null;
      if (!java.util.Objects.equals(l, r)) {
        throw new CorruptionException("the manifest disagrees with what arrived at file #" + (i + 1)
            + ": it lists " + describe(l) + ", received " + describe(r));
      }
    }
    if (count != announcedFiles || totalWritten != announcedBytes) {
      throw new CorruptionException("the header announced " + announcedFiles + " files of " + announcedBytes
          + " bytes; " + count + " files of " + totalWritten + " bytes arrived");
    }
    manifestSeen = true;
  }

  /**
   * Checks that the whole transfer arrived (the stream completed after the manifest) and syncs the
   * staging directory. Returns the files received.
   */
  List<FileEntry> finish() throws IOException {
    if (!manifestSeen) {
      throw new StrataException("the stream ended early (truncated): " + where() + ", after "
          + reader.consumedBytes() + " bytes of whole frames and " + reader.pendingBytes()
          + " bytes of a partial one; no manifest arrived");
    }
    if (reader.pendingBytes() > 0) {
      throw new StrataException(reader.pendingBytes() + " stray bytes followed the manifest");
    }
    fs.syncDirectory(staging);
    return List.copyOf(received);
  }

  /** The directory the files are written into. */
  Path staging() {
    return staging;
  }

  /** Bytes of file data received so far. */
  long bytesReceived() {
    return totalWritten;
  }

  /** Where the transfer stands, for error messages. */
  String where() {
    if (!headerSeen) {
      return "before the header";
    }
    if (fileName != null) {
      return "in file " + fileName + " at byte " + written + " of " + fileSize;
    }
    return received.isEmpty() ? "before the first file"
        : "after file " + received.get(received.size() - 1).name() + " (" + received.size() + " of "
            + announcedFiles + " files)";
  }

  /** Closes the file being written, if any; the caller deletes the staging directory. Idempotent. */
  @Override
  public void close() throws IOException {
    if (file != null) {
      WritableFile f = file;
      file = null;
      f.close();
    }
  }

  private static String name(ByteBuffer body) {
    int length = Short.toUnsignedInt(body.getShort());
    if (length == 0 || length > CheckpointFrames.MAX_NAME_BYTES || length > body.remaining()) {
      throw new StrataException("a file name of " + length + " bytes does not fit its frame");
    }
    byte[] n = new byte[length];
    body.get(n);
    return new String(n, StandardCharsets.UTF_8);
  }

  private static String describe(FileEntry f) {
    return f == null ? "nothing" : f.name() + " (" + f.size() + " bytes, CRC32C " + hex(f.crc()) + ")";
  }

  private static String describe(byte type) {
    return switch (type) {
      case CheckpointFrames.HEADER -> "header";
      case CheckpointFrames.FILE -> "file start";
      case CheckpointFrames.DATA -> "data chunk";
      case CheckpointFrames.FILE_END -> "file end";
      case CheckpointFrames.MANIFEST -> "manifest";
      default -> "type 0x" + Integer.toHexString(type & 0xff);
    };
  }

  static String hex(int crc) {
    return String.format("%08x", crc);
  }
}
