package dev.strata.cluster.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import dev.strata.CorruptionException;
import dev.strata.StrataException;
import dev.strata.cluster.transfer.CheckpointFrames.FileEntry;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire format on its own, without nodes: what the sender's chunker frames, the receiver's
 * writer reassembles byte for byte from any split of the stream, and every way the stream can be
 * wrong (damaged, reordered, cut, lying) is refused with a message naming the file and the fault.
 */
class CheckpointFramesTest {
  private static final FileSystem FS = DiskFileSystem.INSTANCE;
  /** Small chunks, so each file spans several. */
  private static final int CHUNK = 1024;

  @TempDir
  Path root;
  private Path checkpoint;
  private Path staging;

  @BeforeEach
  void writeACheckpoint() throws IOException {
    checkpoint = Files.createDirectories(root.resolve("checkpoint"));
    staging = Files.createDirectories(root.resolve("staging"));
    Random random = new Random(42);
    for (String name : List.of("000001.sst", "000002.sst", "000003.wal", "CURRENT", "MANIFEST-000004")) {
      byte[] bytes = new byte[name.equals("CURRENT") ? 16 : 1000 + random.nextInt(5000)];
      random.nextBytes(bytes);
      Files.write(checkpoint.resolve(name), bytes);
    }
    Files.write(checkpoint.resolve("000005.wal"), new byte[0]); // an empty file: no chunk at all
  }

  /** Every frame the sender would emit for {@link #checkpoint}, which it then deletes. */
  private List<ByteString> frames() throws IOException {
    List<ByteString> frames = new ArrayList<>();
    try (CheckpointChunker chunker = CheckpointChunker.open(FS, copyOfCheckpoint(), CHUNK)) {
      for (Optional<ByteString> f = chunker.next(); f.isPresent(); f = chunker.next()) {
        frames.add(f.get());
      }
    }
    return frames;
  }

  private Path copyOfCheckpoint() throws IOException {
    Path copy = Files.createDirectories(root.resolve("sent-" + System.nanoTime()));
    for (String n : TransferHarness.names(checkpoint)) {
      Files.copy(checkpoint.resolve(n), copy.resolve(n));
    }
    return copy;
  }

  private static ByteString concat(List<ByteString> frames) {
    ByteString all = ByteString.emptyByteString();
    for (ByteString f : frames) {
      all = all.concat(f);
    }
    return all;
  }

  /** Feeds {@code frames} to a writer into {@link #staging} and finishes it. */
  private List<FileEntry> receive(List<ByteString> frames) throws IOException {
    try (StagingWriter writer = new StagingWriter(FS, staging)) {
      for (ByteString f : frames) {
        writer.accept(f);
      }
      return writer.finish();
    }
  }

  private Throwable refusal(List<ByteString> frames) {
    return assertThrows(StrataException.class, () -> receive(frames));
  }

  private void assertStagedFilesEqualTheCheckpoint() throws IOException {
    assertEquals(TransferHarness.names(checkpoint), TransferHarness.names(staging));
    for (String n : TransferHarness.names(checkpoint)) {
      assertArrayEquals(Files.readAllBytes(checkpoint.resolve(n)), Files.readAllBytes(staging.resolve(n)), n);
    }
  }

  @Test
  void theChunkerDeletesTheCheckpointItSent() throws IOException {
    Path sent = copyOfCheckpoint();
    try (CheckpointChunker chunker = CheckpointChunker.open(FS, sent, CHUNK)) {
      chunker.next();
    }
    assertFalse(Files.exists(sent));
  }

  @Test
  void everyFileArrivesByteForByteWhateverTheSplitOfTheStream() throws IOException {
    long seed = System.nanoTime();
    System.out.println("everyFileArrivesByteForByteWhateverTheSplitOfTheStream seed=" + seed);
    Random random = new Random(seed);
    ByteString all = concat(frames());
    for (int round = 0; round < 5; round++) {
      List<ByteString> pieces = new ArrayList<>();
      for (int at = 0; at < all.size(); ) {
        int n = Math.min(all.size() - at, 1 + random.nextInt(round == 0 ? 3 : 3000));
        pieces.add(all.slice(at, at + n));
        at += n;
      }
      TransferDirectories.deleteRecursively(FS, staging);
      Files.createDirectories(staging);

      List<FileEntry> received = receive(pieces);

      assertEquals(6, received.size(), "seed " + seed);
      assertStagedFilesEqualTheCheckpoint();
    }
  }

  @Test
  void aDamagedChunkIsRefusedNamingItsFileAndOffset() throws IOException {
    List<ByteString> frames = frames();
    int third = indexOfData(frames, "000002.sst", 2);
    frames.set(third, flip(frames.get(third), CheckpointFrames.DATA_CHUNK_OFFSET + 5));

    Throwable e = refusal(frames);

    assertInstanceOf(CorruptionException.class, e);
    assertTrue(e.getMessage().contains("in file 000002.sst at byte " + 2 * CHUNK)
        && e.getMessage().contains("fails its CRC32C"), e.getMessage());
  }

  @Test
  void aLostChunkIsRefusedNamingTheFileAndTheGap() throws IOException {
    List<ByteString> frames = frames();
    frames.remove(indexOfData(frames, "000001.sst", 1));

    Throwable e = refusal(frames);

    assertTrue(e.getMessage().contains("000001.sst: a chunk for byte " + 2 * CHUNK + " arrived where byte " + CHUNK
        + " was expected"), e.getMessage());
  }

  @Test
  void aChunkRewrittenWithAValidFrameChecksumFailsTheWholeFileChecksum() throws IOException {
    List<ByteString> frames = frames();
    int i = indexOfData(frames, "000003.wal", 0);
    ByteBuffer body = ByteBuffer.wrap(frames.get(i).toArray(), CheckpointFrames.PREFIX_BYTES, 8);
    byte[] chunk = frames.get(i).slice(CheckpointFrames.DATA_CHUNK_OFFSET, frames.get(i).size() - 4).toArray();
    chunk[0] ^= 1; // damage upstream of the framing: the frame is sound, the file is not
    byte[] rewritten = CheckpointFrames.dataBuffer(chunk.length);
    System.arraycopy(chunk, 0, rewritten, CheckpointFrames.DATA_CHUNK_OFFSET, chunk.length);
    frames.set(i, CheckpointFrames.sealData(rewritten, body.getLong()));

    Throwable e = refusal(frames);

    assertInstanceOf(CorruptionException.class, e);
    assertTrue(e.getMessage().startsWith("000003.wal fails its whole-file CRC32C: the sender computed "), e.getMessage());
  }

  @Test
  void aStreamCutShortIsRefusedAsTruncatedNamingTheFile() throws IOException {
    List<ByteString> frames = frames();
    int cut = indexOfData(frames, "CURRENT", 0);
    ByteString all = concat(frames.subList(0, cut));
    List<ByteString> truncated = List.of(all, frames.get(cut).take(10)); // and a piece of the next

    Throwable e = refusal(truncated);

    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("in file CURRENT at byte 0 of 16")
        && e.getMessage().contains("10 bytes of a partial one"), e.getMessage());
  }

  @Test
  void aManifestThatDisagreesWithWhatArrivedIsRefused() throws IOException {
    List<ByteString> frames = frames();
    List<FileEntry> lying = new ArrayList<>();
    lying.add(new FileEntry("000001.sst", 1, 2));
    frames.set(frames.size() - 1, CheckpointFrames.manifest(lying));

    Throwable e = refusal(frames);

    assertInstanceOf(CorruptionException.class, e);
    assertTrue(e.getMessage().contains("the manifest disagrees with what arrived at file #1: it lists 000001.sst (1 bytes"),
        e.getMessage());
  }

  @Test
  void aFileLostWholeIsCaughtByTheManifest() throws IOException {
    List<ByteString> frames = frames();
    int start = indexOfFile(frames, "000002.sst");
    int end = start;
    while (frames.get(end).apply(0) != CheckpointFrames.FILE_END) {
      end++;
    }
    frames.subList(start, end + 1).clear();

    Throwable e = refusal(frames);

    assertTrue(e.getMessage().contains("it lists 000002.sst") && e.getMessage().contains("received 000003.wal"),
        e.getMessage());
  }

  @Test
  void aFileNamedOutsideTheStoreIsRefusedBeforeAnythingIsWritten() throws IOException {
    List<ByteString> frames = frames();
    frames.set(1, CheckpointFrames.fileStart("../escape.sst", 10));

    Throwable e = refusal(frames);

    assertTrue(e.getMessage().contains("'../escape.sst', which is not a store file"), e.getMessage());
    assertFalse(Files.exists(root.resolve("escape.sst")));
  }

  @Test
  void anotherFormatVersionIsRefusedSayingWhichOne() throws IOException {
    List<ByteString> frames = frames();
    byte[] header = frames.get(0).toArray();
    ByteBuffer body = ByteBuffer.wrap(header, CheckpointFrames.PREFIX_BYTES, header.length - CheckpointFrames.PREFIX_BYTES);
    body.position(body.position() + CheckpointFrames.MAGIC.length);
    body.putShort((short) 2);
    frames.set(0, reseal(header));

    Throwable e = refusal(frames);

    assertEquals("the sender speaks checkpoint transfer format version 2; this node reads version 1", e.getMessage());
  }

  @Test
  void aDamagedLengthIsRefusedInsteadOfBufferingTheStream() throws IOException {
    List<ByteString> frames = frames();
    byte[] second = frames.get(1).toArray();
    second[1] = 0x7f; // the length's high byte: some 2 GB
    frames.set(1, ByteString.fromArrayUnsafe(second));

    Throwable e = refusal(frames);

    assertInstanceOf(CorruptionException.class, e);
    assertTrue(e.getMessage().contains("claims a body of"), e.getMessage());
  }

  @Test
  void framesAfterTheManifestAreRefused() throws IOException {
    List<ByteString> frames = frames();
    frames.add(frames.get(1));

    Throwable e = refusal(frames);

    assertTrue(e.getMessage().contains("a file start frame arrived after the manifest"), e.getMessage());
  }

  // ---------------------------------------------------------------- frame surgery

  private static int indexOfFile(List<ByteString> frames, String name) {
    for (int i = 0; i < frames.size(); i++) {
      ByteString f = frames.get(i);
      if (f.apply(0) == CheckpointFrames.FILE && f.slice(7, 7 + name.length()).utf8String().equals(name)
          && f.size() == 7 + name.length() + 8 + 4) {
        return i;
      }
    }
    throw new AssertionError("no file start of " + name);
  }

  /** The index of the {@code k}-th (from 0) data frame of {@code name}. */
  private static int indexOfData(List<ByteString> frames, String name, int k) {
    return indexOfFile(frames, name) + 1 + k;
  }

  private static ByteString flip(ByteString frame, int at) {
    byte[] bytes = frame.toArray();
    bytes[at] ^= 0x01;
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** Recomputes the crc of a frame whose body was edited. */
  private static ByteString reseal(byte[] frame) {
    int length = frame.length - CheckpointFrames.PREFIX_BYTES - CheckpointFrames.CRC_BYTES;
    ByteBuffer.wrap(frame).putInt(frame.length - 4, CheckpointFrames.crc(frame[0], frame, CheckpointFrames.PREFIX_BYTES, length));
    return ByteString.fromArrayUnsafe(frame);
  }
}
