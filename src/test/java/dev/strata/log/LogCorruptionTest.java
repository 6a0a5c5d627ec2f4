package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static dev.strata.log.LogTestHarness.concat;
import static dev.strata.log.LogTestHarness.fileHeader;
import static dev.strata.log.LogTestHarness.fragment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.log.LogTestHarness.BytesFile;
import dev.strata.log.LogTestHarness.Outcome;
import dev.strata.log.LogTestHarness.WrittenLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage that a crash cannot explain is reported, never skipped: a CorruptionException naming the
 * file and the offset of the bad fragment, after the records before it.
 */
class LogCorruptionTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;
  private final Random rnd = new Random(13);

  @Test
  void aFlippedByteInTheFirstOfThreeRecordsIsCorruptionNamingTheFileAndOffset() throws IOException {
    WrittenLog log = threeRecords("flipped.log");
    Path damaged = dir.resolve("damaged.log");
    Files.write(damaged, LogTestHarness.flip(log.bytes(), 16 + 7 + 250, 0x10));
    Outcome o = LogTestHarness.read(damaged, LogFormat.KIND_WAL);
    assertEquals(0, o.records().size());
    assertNotNull(o.corruption());
    assertEquals(damaged + ": corrupt log record at offset 16: checksum mismatch", o.corruption().getMessage());
    assertEquals(16, o.position());
  }

  /**
   * Decided: the last record of a file is as complete as any other once all its bytes are there, so
   * a flipped byte in it is corruption even with nothing after it, whether in its checksum, type,
   * payload or length. A length made longer claims bytes past the end of the file, which is what a
   * write cut short looks like; but the checksum still matches the payload at the length that
   * differs from the stored one in the damaged byte, which no cut write does, so it is corruption
   * too.
   */
  @Test
  void aFlippedByteInTheLastRecordIsCorruptionEvenWhenItsLengthNowRunsPastTheEndOfTheFile() throws IOException {
    WrittenLog log = threeRecords("last.log");
    for (long at = log.starts()[2]; at < log.bytes().length; at++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] damaged = LogTestHarness.flip(log.bytes(), at, mask);
        assertLastRecordFlipOutcome(log, damaged, at, LogTestHarness.read(damaged));
      }
    }
  }

  /** As above, and for the same reasons, when the file goes on in zeros as a mapped log does. */
  @Test
  void aFlippedByteInTheLastRecordOfAZeroFilledFileIsCorruptionEvenWhenItsLengthNowRunsIntoTheZeros()
      throws IOException {
    WrittenLog log = threeRecords("last-mapped.log");
    for (long at = log.starts()[2]; at < log.bytes().length; at++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] damaged = LogTestHarness.flip(log.bytes(), at, mask);
        Outcome o = LogTestHarness.read(new BytesFile(damaged, damaged.length, 2L * BLOCK_SIZE));
        assertLastRecordFlipOutcome(log, damaged, at, o);
      }
    }
  }

  @Test
  void aDamagedFragmentInsideAMultiBlockRecordIsCorruptionWhenRecordsFollow() throws IOException {
    List<byte[]> records = List.of(LogTestHarness.payload(rnd, 100), LogTestHarness.payload(rnd, 70_000),
        LogTestHarness.payload(rnd, 100));
    WrittenLog log = LogTestHarness.write(dir.resolve("chain.log"), LogFormat.KIND_WAL, records);
    Outcome o = LogTestHarness.read(LogTestHarness.flip(log.bytes(), BLOCK_SIZE + 1000, 0x04));
    LogTestHarness.assertRecords(records.subList(0, 1), o.records());
    assertNotNull(o.corruption());
    assertTrue(o.corruption().getMessage().contains("at offset " + BLOCK_SIZE + ": checksum mismatch"),
        o.corruption().getMessage());
  }

  @Test
  void aMiddleFragmentWithNoFirstIsCorruption() throws IOException {
    byte[] bytes = concat(fileHeader(1, 1, 0), fragment(LogFormat.MIDDLE, bytes("orphan")),
        fragment(LogFormat.FULL, bytes("next")));
    CorruptionException e = LogTestHarness.read(bytes).corruption();
    assertNotNull(e);
    assertEquals(LogTestHarness.NAME
        + ": corrupt log record at offset 16: MIDDLE fragment with no FIRST fragment before it", e.getMessage());
  }

  @Test
  void aLastFragmentWithNoFirstIsCorruptionEvenAtTheEndOfTheFile() throws IOException {
    byte[] bytes = concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, bytes("one")),
        fragment(LogFormat.LAST, bytes("orphan")));
    Outcome o = LogTestHarness.read(bytes);
    LogTestHarness.assertRecords(List.of(bytes("one")), o.records());
    assertNotNull(o.corruption());
    String message = o.corruption().getMessage();
    assertTrue(message.contains("offset 26: LAST fragment with no FIRST"), message);
  }

  @Test
  void aFirstFragmentFollowedByANewRecordIsCorruptionNamingBoth() throws IOException {
    byte[] bytes = concat(fileHeader(1, 1, 0), fragment(LogFormat.FIRST, bytes("begun")),
        fragment(LogFormat.FULL, bytes("next")));
    CorruptionException e = LogTestHarness.read(bytes).corruption();
    assertNotNull(e);
    assertEquals(LogTestHarness.NAME + ": corrupt log record at offset 28: FULL fragment inside the record that began"
        + " at offset 16, which has no LAST fragment", e.getMessage());
  }

  @Test
  void aLengthRunningPastItsBlockIsCorruptionWhenRecordsFollow() throws IOException {
    WrittenLog log = LogTestHarness.write(dir.resolve("long.log"), LogFormat.KIND_WAL,
        List.of(LogTestHarness.payload(rnd, 20_000), LogTestHarness.payload(rnd, 20_000)));
    byte[] bytes = log.bytes().clone();
    bytes[16 + 4] = (byte) 0xFF;
    bytes[16 + 5] = (byte) 0xFF;
    CorruptionException e = LogTestHarness.read(bytes).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("offset 16: payload length 65535 runs past the end of its block"),
        e.getMessage());
  }

  @Test
  void anInvalidTypeFollowedByRecordsIsCorruption() throws IOException {
    WrittenLog log = threeRecords("type.log");
    byte[] bytes = log.bytes().clone();
    bytes[16 + 6] = 5;
    CorruptionException e = LogTestHarness.read(bytes).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().endsWith("offset 16: invalid fragment type 5"), e.getMessage());
  }

  @Test
  void zerosFollowedByRecordsAreCorruption() throws IOException {
    WrittenLog log = threeRecords("hole.log");
    CorruptionException e = LogTestHarness.read(LogTestHarness.zero(log.bytes(), 16, log.ends()[0])).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().endsWith("offset 16: invalid fragment type 0"), e.getMessage());
  }

  @Test
  void afterCorruptionTheReaderKeepsThrowingAndStaysAtTheBadFragment() throws IOException {
    WrittenLog log = threeRecords("sticky.log");
    byte[] bytes = LogTestHarness.flip(log.bytes(), log.starts()[1] + 20, 0x01);
    LogReader r = new LogReader(new BytesFile(bytes), "x", LogFormat.KIND_WAL);
    assertNotNull(r.next());
    CorruptionException first = assertThrows(CorruptionException.class, r::next);
    assertSame(first, assertThrows(CorruptionException.class, r::next));
    assertEquals(log.starts()[1], r.position());
    assertEquals(log.ends()[0], r.validEnd());
    assertFalse(r.tornTail());
  }

  /** Three records of 500 non-zero bytes, all in block 0. */
  private WrittenLog threeRecords(String name) throws IOException {
    return LogTestHarness.write(dir.resolve(name), LogFormat.KIND_WAL, List.of(LogTestHarness.payload(rnd, 500),
        LogTestHarness.payload(rnd, 500), LogTestHarness.payload(rnd, 500)));
  }

  private static void assertLastRecordFlipOutcome(WrittenLog log, byte[] damaged, long at, Outcome o) {
    long start = log.starts()[2];
    String where = "byte " + (at - start) + " of the last record, flipped to " + (damaged[(int) at] & 0xFF);
    assertEquals(2, o.records().size(), where);
    assertNotNull(o.corruption(), where);
    String message = o.corruption().getMessage();
    assertTrue(message.startsWith(LogTestHarness.NAME + ": corrupt log record at offset " + start + ": "),
        where + ": " + message);
  }

  @Test
  void aMiddleRecordWhoseLengthNowRunsPastTheEndOfTheFileIsCorruption() throws IOException {
    WrittenLog log = threeRecords("longer.log");
    byte[] bytes = log.bytes().clone();
    bytes[(int) log.starts()[1] + 5] ^= 0x10; // 4 KiB longer: past the end of the file, inside the block
    Outcome o = LogTestHarness.read(bytes);
    assertEquals(1, o.records().size());
    assertNotNull(o.corruption(), "the records after it must not be dropped as a torn tail");
    assertTrue(o.corruption().getMessage().endsWith("offset " + log.starts()[1] + ": payload cut off by the end of the file"),
        o.corruption().getMessage());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
