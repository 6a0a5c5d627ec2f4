package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.log.LogTestHarness.BytesFile;
import dev.strata.log.LogTestHarness.Outcome;
import dev.strata.log.LogTestHarness.WrittenLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a log ends after a crash: cut short or zero-filled, it yields exactly the records written
 * whole before the damage and says whether a torn record was dropped; it never throws and never
 * returns part of a record.
 */
class LogTornTailTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;
  private List<byte[]> records;
  private WrittenLog log;

  /**
   * Four records: a small one; one of 70,000 bytes cut into FIRST, MIDDLE and LAST across blocks
   * 0 to 2; one that leaves a 3-byte trailer at the end of block 2; a small one in block 3.
   */
  @BeforeEach
  void writeLog() throws IOException {
    Random rnd = new Random(5);
    records = List.of(LogTestHarness.payload(rnd, 100), LogTestHarness.payload(rnd, 70_000),
        LogTestHarness.payload(rnd, 3 * BLOCK_SIZE - 3 - 70_144 - 7), LogTestHarness.payload(rnd, 50));
    log = LogTestHarness.write(dir.resolve("small.log"), LogFormat.KIND_WAL, records);
    assertEquals(70_144, log.ends()[1]);
    assertEquals(3 * BLOCK_SIZE - 3, log.ends()[2]);
    assertEquals(3 * BLOCK_SIZE, log.starts()[3]);
  }

  @Test
  void cuttingTheLogAtAnyOffsetPastTheHeaderYieldsTheRecordsWhollyBeforeTheCut() throws IOException {
    byte[] bytes = log.bytes();
    for (int cut = LogFormat.FILE_HEADER_SIZE; cut <= bytes.length; cut++) {
      assertCutOutcome(cut, LogTestHarness.read(new BytesFile(bytes, cut, cut)));
    }
  }

  @Test
  void cuttingTheLogAtAnyOffsetAndZeroFillingTheRestYieldsTheSameAsCuttingIt() throws IOException {
    byte[] bytes = log.bytes();
    for (int cut = LogFormat.FILE_HEADER_SIZE; cut <= bytes.length; cut++) {
      long size = (cut / BLOCK_SIZE + 2L) * BLOCK_SIZE;
      assertCutOutcome(cut, LogTestHarness.read(new BytesFile(bytes, cut, size)));
    }
  }

  /**
   * The header is written whole before any record, and a sector is not torn in practice, so a
   * header cut short is not a crash the format expects: it is "not a Strata log", unless nothing
   * at all is left of it.
   */
  @Test
  void cuttingTheLogInsideItsFileHeaderIsCorruptionUnlessNothingIsLeft() throws IOException {
    assertTrue(LogTestHarness.read(Arrays.copyOf(log.bytes(), 0)).cleanEnd());
    for (int cut = 1; cut < LogFormat.FILE_HEADER_SIZE; cut++) {
      CorruptionException e = LogTestHarness.read(Arrays.copyOf(log.bytes(), cut)).corruption();
      assertNotNull(e, "cut at " + cut);
      assertTrue(e.getMessage().contains("not a Strata log"), e.getMessage());
    }
  }

  @Test
  void aZeroFilledTailAfterTheLastRecordIsACleanEnd() throws IOException {
    Files.write(log.path(), new byte[2 * BLOCK_SIZE + 11], StandardOpenOption.APPEND);
    Outcome o = LogTestHarness.read(log.path(), LogFormat.KIND_WAL);
    LogTestHarness.assertRecords(records, o.records());
    assertTrue(o.cleanEnd());
    assertEquals(log.bytes().length, o.validEnd());
    assertEquals(Files.size(log.path()), o.position());
  }

  @Test
  void aZeroFilledTailStartingInsideATrailerIsACleanEnd() throws IOException {
    byte[] threeRecords = Arrays.copyOf(log.bytes(), (int) log.ends()[2]);
    Outcome o = LogTestHarness.read(new BytesFile(threeRecords, threeRecords.length, 5L * BLOCK_SIZE));
    LogTestHarness.assertRecords(records.subList(0, 3), o.records());
    assertTrue(o.cleanEnd());
    assertEquals(log.ends()[2], o.validEnd());
  }

  @Test
  void aLastRecordWhoseHeaderWasWrittenButNotItsPayloadIsATornTail() throws IOException {
    Outcome o = LogTestHarness.read(LogTestHarness.zero(log.bytes(), log.starts()[3] + 7, log.bytes().length));
    assertTorn(o, 3);
  }

  @Test
  void aLastRecordWhosePayloadWasHalfWrittenIsATornTail() throws IOException {
    Outcome o = LogTestHarness.read(LogTestHarness.zero(log.bytes(), log.starts()[3] + 7 + 25, log.bytes().length));
    assertTorn(o, 3);
  }

  @Test
  void aLastFragmentOfWhichOnlyTheChecksumWasWrittenIsATornTail() throws IOException {
    Outcome o = LogTestHarness.read(LogTestHarness.zero(log.bytes(), log.starts()[3] + 4, log.bytes().length));
    assertTorn(o, 3);
  }

  @Test
  void aLastFragmentWithAnInvalidTypeFollowedOnlyByZerosIsATornTail() throws IOException {
    byte[] bytes = LogTestHarness.zero(log.bytes(), log.starts()[3] + 7, log.bytes().length);
    bytes[(int) log.starts()[3] + 6] = 9;
    assertTorn(LogTestHarness.read(bytes), 3);
  }

  @Test
  void aFragmentHeaderCutOffByTheEndOfTheFileIsATornTail() throws IOException {
    assertTorn(LogTestHarness.read(Arrays.copyOf(log.bytes(), (int) log.starts()[3] + 5)), 3);
  }

  @Test
  void aRecordCutAtTheBlockBoundaryAfterItsFirstFragmentIsATornTail() throws IOException {
    assertTorn(LogTestHarness.read(Arrays.copyOf(log.bytes(), BLOCK_SIZE)), 1);
  }

  @Test
  void aRecordWhoseLastFragmentIsAllZerosIsATornTail() throws IOException {
    assertTorn(LogTestHarness.read(LogTestHarness.zero(log.bytes(), 2 * BLOCK_SIZE, log.bytes().length)), 1);
  }

  @Test
  void afterATornTailTheReaderKeepsReturningNull() throws IOException {
    byte[] bytes = Arrays.copyOf(log.bytes(), BLOCK_SIZE);
    LogReader r = new LogReader(new BytesFile(bytes), "x", LogFormat.KIND_WAL);
    assertNotNull(r.next());
    assertNull(r.next());
    assertNull(r.next());
    assertTrue(r.tornTail());
    assertEquals(BLOCK_SIZE, r.position());
  }

  /**
   * A torn record whose payload holds whole encoded log fragments (a value that is itself a WAL
   * record) is torn wherever the cut falls after them: the fragments inside its payload are not
   * records after the tear.
   */
  @Test
  void aTornRecordWhosePayloadHoldsEncodedFragmentsIsATornTailWhereverItIsCut() throws IOException {
    byte[] inner = LogTestHarness.fragment(LogFormat.FULL, LogTestHarness.payload(new Random(9), 40));
    byte[] lastPayload = concat(LogTestHarness.payload(new Random(10), 30), inner, inner,
        LogTestHarness.payload(new Random(11), 60));
    List<byte[]> withLookalikes = List.of(records.get(0), lastPayload);
    WrittenLog l = LogTestHarness.write(dir.resolve("lookalike.log"), LogFormat.KIND_WAL, withLookalikes);
    for (long c = l.starts()[1] + 1; c < l.ends()[1]; c++) {
      long cut = c;
      for (long size : new long[] {cut, 2L * BLOCK_SIZE}) {
        Outcome o = LogTestHarness.read(new BytesFile(l.bytes(), (int) cut, size));
        assertNull(o.corruption(), () -> "cut at " + cut + ": " + o.corruption());
        LogTestHarness.assertRecords(withLookalikes.subList(0, 1), o.records());
        assertTrue(o.tornTail(), "cut at " + cut);
      }
    }
  }

  private static byte[] concat(byte[]... parts) {
    return LogTestHarness.concat(parts);
  }

  private void assertTorn(Outcome o, int wholeRecords) {
    assertNull(o.corruption(), () -> "unexpected " + o.corruption());
    LogTestHarness.assertRecords(records.subList(0, wholeRecords), o.records());
    assertTrue(o.tornTail());
    assertEquals(log.ends()[wholeRecords - 1], o.validEnd());
  }

  /**
   * A cut yields the records that end at or before it, and is a torn tail exactly when it falls
   * inside a record (after its first fragment's start, before its end) and leaves some non-zero
   * byte of it: a cut that leaves only zero bytes of a record leaves nothing a reader can tell from
   * a zero-filled tail, so it is a clean end.
   */
  private void assertCutOutcome(int cut, Outcome o) {
    String at = "cut at " + cut;
    assertNull(o.corruption(), () -> at + ": " + o.corruption());
    List<byte[]> whole = new ArrayList<>();
    boolean torn = false;
    long validEnd = LogFormat.FILE_HEADER_SIZE;
    for (int i = 0; i < records.size(); i++) {
      if (log.ends()[i] <= cut) {
        whole.add(records.get(i));
        validEnd = log.ends()[i];
      } else if (log.starts()[i] < cut && !allZero(log.bytes(), log.starts()[i], cut)) {
        torn = true;
      }
    }
    assertEquals(whole.size(), o.records().size(), at);
    LogTestHarness.assertRecords(whole, o.records());
    assertEquals(torn, o.tornTail(), at);
    assertEquals(validEnd, o.validEnd(), at);
  }

  private static boolean allZero(byte[] b, long from, long to) {
    for (long i = from; i < to; i++) {
      if (b[(int) i] != 0) {
        return false;
      }
    }
    return true;
  }
}
