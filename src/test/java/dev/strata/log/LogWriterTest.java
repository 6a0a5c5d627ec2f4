package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static dev.strata.log.LogTestHarness.concat;
import static dev.strata.log.LogTestHarness.fileHeader;
import static dev.strata.log.LogTestHarness.fragment;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.log.LogTestHarness.MemoryFile;
import dev.strata.log.LogTestHarness.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The writer lays records out exactly as the format at the top of LogWriter says. */
class LogWriterTest {
  private final Random rnd = new Random(7);

  @Test
  void aNewLogStartsWithTheDocumentedFileHeader() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_MANIFEST);
    assertArrayEquals(fileHeader(1, 2, 0), f.bytes());
    assertEquals(16, w.size());
  }

  @Test
  void aRecordThatFitsItsBlockIsOneFullFragment() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] p = LogTestHarness.payload(rnd, 300);
    assertEquals(16 + 7 + 300, w.addRecord(p, 0, p.length));
    assertArrayEquals(concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, p)), f.bytes());
  }

  @Test
  void anEmptyRecordIsAFullFragmentOfLengthZero() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    assertEquals(16 + 7, w.addRecord(new byte[0]));
    assertArrayEquals(concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, new byte[0])), f.bytes());
  }

  @Test
  void addRecordWritesOnlyTheGivenSliceOfTheArray() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] p = LogTestHarness.payload(rnd, 100);
    w.addRecord(p, 10, 50);
    assertArrayEquals(concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, Arrays.copyOfRange(p, 10, 60))), f.bytes());
  }

  @Test
  void aRecordLongerThanItsBlockIsCutIntoFirstMiddleAndLastAtBlockBoundaries() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] p = LogTestHarness.payload(rnd, 70_000);
    long end = w.addRecord(p);
    int first = BLOCK_SIZE - 16 - 7;
    int middle = BLOCK_SIZE - 7;
    byte[] expected = concat(fileHeader(1, 1, 0),
        fragment(LogFormat.FIRST, Arrays.copyOfRange(p, 0, first)),
        fragment(LogFormat.MIDDLE, Arrays.copyOfRange(p, first, first + middle)),
        fragment(LogFormat.LAST, Arrays.copyOfRange(p, first + middle, p.length)));
    assertArrayEquals(expected, f.bytes());
    assertEquals(expected.length, end);
  }

  @Test
  void aRecordExactlyFillingTheRestOfItsBlockLeavesNoTrailer() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] fill = LogTestHarness.payload(rnd, BLOCK_SIZE - 16 - 7);
    byte[] next = LogTestHarness.payload(rnd, 10);
    assertEquals(BLOCK_SIZE, w.addRecord(fill));
    w.addRecord(next);
    assertArrayEquals(concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, fill), fragment(LogFormat.FULL, next)),
        f.bytes());
  }

  @Test
  void sixOrFewerBytesLeftInABlockAreZeroFilledAndTheNextRecordStartsTheNextBlock() throws IOException {
    for (int left = 1; left <= 6; left++) {
      MemoryFile f = new MemoryFile();
      LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
      byte[] fill = LogTestHarness.payload(rnd, BLOCK_SIZE - left - 16 - 7);
      byte[] next = LogTestHarness.payload(rnd, 10);
      assertEquals(BLOCK_SIZE - left, w.addRecord(fill));
      assertEquals(BLOCK_SIZE + 7 + 10, w.addRecord(next));
      byte[] expected = concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, fill), new byte[left],
          fragment(LogFormat.FULL, next));
      assertArrayEquals(expected, f.bytes(), left + " bytes left");
      Outcome o = LogTestHarness.read(f.bytes());
      LogTestHarness.assertRecords(List.of(fill, next), o.records());
      assertTrue(o.cleanEnd(), left + " bytes left");
    }
  }

  @Test
  void exactlySevenBytesLeftInABlockTakeAnEmptyFirstFragment() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] fill = LogTestHarness.payload(rnd, BLOCK_SIZE - 7 - 16 - 7);
    byte[] next = LogTestHarness.payload(rnd, 10);
    w.addRecord(fill);
    w.addRecord(next);
    byte[] expected = concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, fill),
        fragment(LogFormat.FIRST, new byte[0]), fragment(LogFormat.LAST, next));
    assertArrayEquals(expected, f.bytes());
    LogTestHarness.assertRecords(List.of(fill, next), LogTestHarness.read(f.bytes()).records());
  }

  @Test
  void exactlySevenBytesLeftInABlockHoldAnEmptyRecord() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    byte[] fill = LogTestHarness.payload(rnd, BLOCK_SIZE - 7 - 16 - 7);
    w.addRecord(fill);
    assertEquals(BLOCK_SIZE, w.addRecord(new byte[0]));
    byte[] expected = concat(fileHeader(1, 1, 0), fragment(LogFormat.FULL, fill),
        fragment(LogFormat.FULL, new byte[0]));
    assertArrayEquals(expected, f.bytes());
  }

  @Test
  void aRecordThatFitsItsBlockReachesTheFileAsOneAppend() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    int before = f.appends;
    w.addRecord(LogTestHarness.payload(rnd, 1000));
    assertEquals(before + 1, f.appends);
  }

  @Test
  void aRecordSpanningBlocksReachesTheFileInBlockSizedAppends() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    int before = f.appends;
    long end = w.addRecord(LogTestHarness.payload(rnd, 1 << 20));
    assertEquals(before + (end - 16 + BLOCK_SIZE - 1) / BLOCK_SIZE, f.appends);
  }

  @Test
  void sizeIsTheOffsetJustPastTheLastRecord() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    for (int i = 0; i < 50; i++) {
      long end = w.addRecord(LogTestHarness.payload(rnd, rnd.nextInt(5000)));
      assertEquals(end, w.size());
      assertEquals(f.size(), w.size());
    }
  }

  @Test
  void aWriterOnANonEmptyFileContinuesItsBlockStructureWithoutANewHeader() throws IOException {
    MemoryFile f = new MemoryFile();
    List<byte[]> records = new ArrayList<>();
    LogWriter first = new LogWriter(f, LogFormat.KIND_WAL);
    for (int i = 0; i < 5; i++) {
      records.add(LogTestHarness.payload(rnd, 9000));
      first.addRecord(records.get(i));
    }
    LogWriter second = new LogWriter(f, LogFormat.KIND_WAL);
    assertEquals(first.size(), second.size());
    for (int i = 0; i < 5; i++) {
      records.add(LogTestHarness.payload(rnd, 9000));
      second.addRecord(records.get(records.size() - 1));
    }
    Outcome o = LogTestHarness.read(f.bytes());
    LogTestHarness.assertRecords(records, o.records());
    assertTrue(o.cleanEnd());
  }

  @Test
  void aWriterRefusesAFileShorterThanAHeader() throws IOException {
    MemoryFile f = new MemoryFile();
    f.append(new byte[5], 0, 5);
    assertThrows(IllegalArgumentException.class, () -> new LogWriter(f, LogFormat.KIND_WAL));
  }

  @Test
  void aFileKindOutsideOneTo255IsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LogWriter(new MemoryFile(), 0));
    assertThrows(IllegalArgumentException.class, () -> new LogWriter(new MemoryFile(), 256));
  }

  @Test
  void afterAFailedAppendTheWriterRefusesMoreRecords() throws IOException {
    MemoryFile f = new MemoryFile();
    LogWriter w = new LogWriter(f, LogFormat.KIND_WAL);
    f.failAppends = true;
    assertThrows(IOException.class, () -> w.addRecord(new byte[10]));
    f.failAppends = false;
    assertThrows(IllegalStateException.class, () -> w.addRecord(new byte[10]));
  }
}
