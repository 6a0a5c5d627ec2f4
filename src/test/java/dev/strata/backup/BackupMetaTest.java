package dev.strata.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.CorruptionException;
import dev.strata.util.Crc32c;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The meta file format: what it writes reads back, and every malformed file is an error naming it and the fault. */
class BackupMetaTest {
  private static final List<BackupMeta.Entry> FILES = List.of(
      new BackupMeta.Entry("000012.sst", "shared/000012_1a2b3c4d_4096.sst", 4096, 0x1a2b3c4d),
      new BackupMeta.Entry("000014.wal", "private/7/000014.wal", 300, 0xfedcba98),
      new BackupMeta.Entry("MANIFEST-000013", "private/7/MANIFEST-000013", 120, 7),
      new BackupMeta.Entry("CURRENT", "private/7/CURRENT", 52, 0));

  private static String encoded() {
    return new String(BackupMeta.encode(7, Instant.ofEpochMilli(1765051200123L), 4711, 4568, FILES),
        StandardCharsets.US_ASCII);
  }

  /** {@code body} (the lines before the checksum) with a correct checksum line after it. */
  private static byte[] sealed(String body) {
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    return (body + "crc32c " + BackupMeta.hex(Crc32c.maskedOf(b, 0, b.length)) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static String body() {
    String text = encoded();
    return text.substring(0, text.lastIndexOf("crc32c "));
  }

  private static String failure(long id, byte[] bytes) {
    return assertThrows(CorruptionException.class, () -> BackupMeta.decode("meta/7", id, bytes)).getMessage();
  }

  @Test
  void theFormatIsTheDocumentedText() {
    String text = encoded();
    assertEquals("""
        strata-backup 1
        id 7
        timestamp 1765051200123
        last-sequence 4711
        new-bytes 4568
        file 000012.sst shared/000012_1a2b3c4d_4096.sst 4096 1a2b3c4d
        file 000014.wal private/7/000014.wal 300 fedcba98
        file MANIFEST-000013 private/7/MANIFEST-000013 120 00000007
        file CURRENT private/7/CURRENT 52 00000000
        """, body());
    assertEquals(new String(sealed(body()), StandardCharsets.US_ASCII), text);
  }

  @Test
  void whatIsWrittenReadsBack() {
    BackupMeta.Contents c = BackupMeta.decode("meta/7", 7, encoded().getBytes(StandardCharsets.US_ASCII));
    assertEquals(FILES, c.files());
    assertEquals(new BackupInfo(7, Instant.ofEpochMilli(1765051200123L), 4, 4096 + 300 + 120 + 52, 4568, 4711),
        c.info());
  }

  @Test
  void aFlippedByteFailsTheChecksum() {
    byte[] bytes = encoded().getBytes(StandardCharsets.US_ASCII);
    bytes[40] ^= 1;
    assertEquals("meta/7 fails its checksum", failure(7, bytes));
  }

  @Test
  void anUnknownVersionIsNamed() {
    byte[] bytes = sealed(body().replace("strata-backup 1\n", "strata-backup 2\n"));
    assertEquals("meta/7 has backup meta format version '2'; this Strata reads 1", failure(7, bytes));
  }

  @Test
  void anotherFileIsNotAMetaFile() {
    assertEquals("meta/7 is not a Strata backup meta file (no 'strata-backup' header)",
        failure(7, "strata-options 1\n".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("meta/7 is not a Strata backup meta file (no 'strata-backup' header)", failure(7, new byte[0]));
  }

  @Test
  void aCutFileIsNamedAsCut() {
    String text = encoded();
    assertEquals("meta/7 is cut short: it does not end with a line break",
        failure(7, text.substring(0, text.length() - 3).getBytes(StandardCharsets.US_ASCII)));
    assertEquals("meta/7 is cut short: its last line is not the 'crc32c' line",
        failure(7, body().getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void aMetaFileOfAnotherBackupIsRefused() {
    assertEquals("meta/7 describes backup 7, not 8", failure(8, encoded().getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void pathsOutsideTheBackupDirectoryAreRefused() {
    byte[] bytes = sealed(body().replace("private/7/000014.wal", "../../etc/000014.wal"));
    assertEquals("meta/7 keeps 000014.wal at '../../etc/000014.wal', which is neither shared/NUMBER_CRC_SIZE.sst "
        + "nor private/7/000014.wal", failure(7, bytes));
  }

  @Test
  void aBackupNamesOnlyItsOwnPrivateFilesAndEachFileOnce() {
    assertEquals("meta/7 keeps 000014.wal at 'private/6/000014.wal', which is neither shared/NUMBER_CRC_SIZE.sst "
        + "nor private/7/000014.wal", failure(7, sealed(body().replace("private/7/000014.wal", "private/6/000014.wal"))));
    assertEquals("meta/7 names 000014.wal twice", failure(7, sealed(body()
        + "file 000014.wal private/7/000014.wal 300 fedcba98\n")));
  }

  @Test
  void malformedLinesAreQuoted() {
    assertEquals("meta/7 has a line that is not 'file NAME PATH SIZE CRC32C': 'file CURRENT'",
        failure(7, sealed(body().replace("file CURRENT private/7/CURRENT 52 00000000", "file CURRENT"))));
    assertEquals("meta/7 names 'LOCK', which is not a file of a store",
        failure(7, sealed(body().replace("file CURRENT private/7/CURRENT", "file LOCK private/7/LOCK"))));
    assertEquals("meta/7 gives 'x' as its size of CURRENT, not a decimal number",
        failure(7, sealed(body().replace("CURRENT 52", "CURRENT x"))));
    assertEquals("meta/7 gives CURRENT the CRC32C 'ABCDEF01', not 8 lowercase hex digits",
        failure(7, sealed(body().replace("52 00000000", "52 ABCDEF01"))));
    assertEquals("meta/7 has 'id: 7' where its 'id' line belongs",
        failure(7, sealed(body().replace("id 7", "id: 7"))));
    assertEquals("meta/7 names no CURRENT file: a restore would not open",
        failure(7, sealed(body().replace("file CURRENT private/7/CURRENT 52 00000000\n", ""))));
  }
}
