package dev.strata.backup;

import static dev.strata.backup.BackupHarness.contents;
import static dev.strata.backup.BackupHarness.fill;
import static dev.strata.backup.BackupHarness.flipByte;
import static dev.strata.backup.BackupHarness.lines;
import static dev.strata.backup.BackupHarness.names;
import static dev.strata.backup.BackupHarness.quietOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup directory across crashes and damage: what an interrupted backup leaves is invisible
 * and removed at the next open, and a damaged meta file is a clear error that keeps the shared
 * SSTs it may name.
 */
class BackupDirectoryTest {
  @TempDir Path tmp;

  private Path backupDir() {
    return tmp.resolve("backups");
  }

  private Map<String, String> oneBackup() {
    Map<String, String> model = new TreeMap<>();
    try (StrataBackups backups = StrataBackups.open(backupDir());
        Strata db = Strata.open(tmp.resolve("db"), quietOptions())) {
      fill(db, model, "a", 50);
      db.flush();
      fill(db, model, "b", 10);
      backups.create(db);
    }
    return model;
  }

  @Test
  void whatAnInterruptedBackupLeftIsInvisibleAndRemovedAtOpen() throws Exception {
    Map<String, String> model = oneBackup();
    // A crash during backup 2: its checkpoint, an SST half copied and one whole, its private files,
    // its meta file not yet renamed.
    Files.createDirectories(backupDir().resolve("checkpoint.tmp"));
    Files.writeString(backupDir().resolve("checkpoint.tmp").resolve("000009.sst"), "x");
    Files.writeString(backupDir().resolve("shared").resolve("000009_00000000_1.sst.tmp"), "x");
    Files.writeString(backupDir().resolve("shared").resolve("000010_0badf00d_1.sst"), "x");
    Files.createDirectories(backupDir().resolve("private").resolve("2"));
    Files.writeString(backupDir().resolve("private").resolve("2").resolve("CURRENT"), "x");
    Files.writeString(backupDir().resolve("meta").resolve("2.tmp"), "strata-backup 1\nid 2\n");
    List<String> sharedBefore = names(backupDir().resolve("shared"));

    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      assertEquals(List.of(1L), backups.ids());
      assertFalse(Files.exists(backupDir().resolve("checkpoint.tmp")));
      assertEquals(List.of("1"), names(backupDir().resolve("private")));
      assertEquals(List.of("1"), names(backupDir().resolve("meta")));
      assertEquals(sharedBefore.size() - 2, names(backupDir().resolve("shared")).size());
      assertTrue(backups.verify(1).ok());
      backups.restore(1, tmp.resolve("restored"));
    }
    assertEquals(lines(model), contents(tmp.resolve("restored")));
  }

  @Test
  void aBackupThatFailsRemovesWhatItWroteAndTheOthersStay() throws Exception {
    Map<String, String> model = oneBackup();
    List<String> shared = names(backupDir().resolve("shared"));
    try (StrataBackups backups = StrataBackups.open(backupDir());
        Strata db = Strata.open(tmp.resolve("db"), quietOptions())) {
      fill(db, model, "c", 50);
      db.flush();
      // A directory where backup 2's meta file is to be written: the last step fails.
      Files.createDirectories(backupDir().resolve("meta").resolve("2.tmp").resolve("in-the-way"));
      StrataException e = assertThrows(StrataException.class, () -> backups.create(db));
      assertTrue(e.getMessage().startsWith("backup of " + tmp.resolve("db") + " into " + backupDir() + " failed"),
          e.getMessage());
      assertEquals(List.of(1L), backups.ids());
      assertEquals(shared, names(backupDir().resolve("shared")), "the SST it copied is removed");
      assertEquals(List.of("1"), names(backupDir().resolve("private")));
      assertFalse(Files.exists(backupDir().resolve("checkpoint.tmp")));
    }
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      assertEquals(List.of("1"), names(backupDir().resolve("meta")), "only backup 1 is there");
      try (Strata db = Strata.open(tmp.resolve("db"), quietOptions())) {
        assertEquals(2, backups.create(db).id());
      }
      backups.restore(2, tmp.resolve("restored"));
    }
    assertEquals(lines(model), contents(tmp.resolve("restored")));
  }

  @Test
  void aMetaFileWithABadChecksumIsAnErrorNamingItAndKeepsTheSharedSsts() throws Exception {
    oneBackup();
    Path meta = backupDir().resolve("meta").resolve("1");
    flipByte(meta, 20);
    List<String> shared = names(backupDir().resolve("shared"));
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      CorruptionException e = assertThrows(CorruptionException.class, backups::list);
      assertEquals(meta + " fails its checksum", e.getMessage());
      assertEquals(List.of(meta + " fails its checksum"), backups.verify(1).problems());
      assertThrows(CorruptionException.class, () -> backups.restore(1, tmp.resolve("restored")));
      assertFalse(Files.exists(tmp.resolve("restored")));
      assertEquals(shared, names(backupDir().resolve("shared")), "what the damaged meta names is unknown: kept");
      backups.delete(1);
      assertEquals(List.of(), names(backupDir().resolve("shared")));
    }
  }

  @Test
  void aMetaFileOfAnUnknownVersionIsAnErrorSayingSo() throws Exception {
    oneBackup();
    Path meta = backupDir().resolve("meta").resolve("1");
    String text = Files.readString(meta, StandardCharsets.US_ASCII);
    Files.writeString(meta, text.replace("strata-backup 1\n", "strata-backup 3\n"), StandardCharsets.US_ASCII);
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      CorruptionException e = assertThrows(CorruptionException.class, backups::list);
      assertEquals(meta + " has backup meta format version '3'; this Strata reads 1", e.getMessage());
    }
  }
}
