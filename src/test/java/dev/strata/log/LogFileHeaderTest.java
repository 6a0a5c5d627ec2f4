package dev.strata.log;

import static dev.strata.log.LogTestHarness.concat;
import static dev.strata.log.LogTestHarness.fileHeader;
import static dev.strata.log.LogTestHarness.fragment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The file header: a log is only read as the kind and version it claims to be. */
class LogFileHeaderTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private static final byte[] RECORD = fragment(LogFormat.FULL, "a record".getBytes(StandardCharsets.UTF_8));

  @Test
  void aWriteAheadLogOpenedAsAManifestIsCorruptionNamingBothKinds() throws IOException {
    WrittenLog log = LogTestHarness.write(dir.resolve("000007.log"), LogFormat.KIND_WAL, List.of(new byte[10]));
    CorruptionException e = LogTestHarness.read(log.path(), LogFormat.KIND_MANIFEST).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("000007.log"), e.getMessage());
    assertTrue(e.getMessage().contains("is a write-ahead log (kind 1), expected a manifest (kind 2)"), e.getMessage());
  }

  @Test
  void aFileWithAnotherMagicIsNotAStrataLog() throws IOException {
    byte[] header = fileHeader(1, 1, 0);
    header[0] = 'X';
    CorruptionException e = LogTestHarness.read(concat(header, RECORD)).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().startsWith(LogTestHarness.NAME + ": not a Strata log"), e.getMessage());
  }

  @Test
  void anotherFormatVersionIsCorruptionNamingIt() throws IOException {
    CorruptionException e = LogTestHarness.read(concat(fileHeader(2, 1, 0), RECORD)).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("version 2 is not supported"), e.getMessage());
  }

  @Test
  void aDamagedHeaderIsAChecksumMismatch() throws IOException {
    byte[] header = fileHeader(1, 1, 0);
    header[9] = 2; // the kind: a damaged WAL header must not pass for a manifest
    CorruptionException e = LogTestHarness.read(new BytesFile(concat(header, RECORD)), "x", LogFormat.KIND_MANIFEST)
        .corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("header checksum mismatch"), e.getMessage());
  }

  @Test
  void nonZeroReservedBytesAreCorruption() throws IOException {
    CorruptionException e = LogTestHarness.read(concat(fileHeader(1, 1, 0x0100), RECORD)).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("reserved"), e.getMessage());
  }

  @Test
  void anEmptyFileIsAnEmptyLog() throws IOException {
    Path p = dir.resolve("empty.log");
    Files.write(p, new byte[0]);
    Outcome o = LogTestHarness.read(p, LogFormat.KIND_WAL);
    assertEquals(0, o.records().size());
    assertTrue(o.cleanEnd());
    assertEquals(0, o.validEnd());
  }

  @Test
  void aFileOfFewerZerosThanAHeaderIsAnEmptyLog() throws IOException {
    Outcome o = LogTestHarness.read(new byte[10]);
    assertEquals(0, o.records().size());
    assertTrue(o.cleanEnd());
  }

  @Test
  void aPreallocatedFileOfOnlyZerosIsAnEmptyLog() throws IOException {
    Outcome o = LogTestHarness.read(new byte[3 * LogFormat.BLOCK_SIZE + 5]);
    assertEquals(0, o.records().size());
    assertTrue(o.cleanEnd());
    assertEquals(0, o.validEnd());
    assertEquals(3 * LogFormat.BLOCK_SIZE + 5, o.position());
  }

  @Test
  void aFileShorterThanAHeaderThatIsNotAllZerosIsNotAStrataLog() throws IOException {
    CorruptionException e = LogTestHarness.read(new byte[] {0, 0, 1}).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("not a Strata log"), e.getMessage());
  }

  @Test
  void aFileWhoseHeaderIsZerosButNotTheRestIsNotAStrataLog() throws IOException {
    CorruptionException e = LogTestHarness.read(concat(new byte[16], RECORD)).corruption();
    assertNotNull(e);
    assertTrue(e.getMessage().contains("not a Strata log"), e.getMessage());
  }

  @Test
  void anEmptyLogReadsAsEndedWhateverKindIsExpected() throws IOException {
    LogReader r = new LogReader(new BytesFile(new byte[0]), "x", LogFormat.KIND_MANIFEST);
    assertNull(r.next());
    assertEquals(0, r.position());
  }

  @Test
  void aReaderRefusesAnExpectedKindOutsideOneTo255() {
    assertThrows(IllegalArgumentException.class, () -> new LogReader(new BytesFile(new byte[0]), "x", 0));
  }
}
