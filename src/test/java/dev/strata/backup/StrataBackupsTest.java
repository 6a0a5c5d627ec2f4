package dev.strata.backup;

import static dev.strata.backup.BackupHarness.bytesIn;
import static dev.strata.backup.BackupHarness.contents;
import static dev.strata.backup.BackupHarness.delete;
import static dev.strata.backup.BackupHarness.fill;
import static dev.strata.backup.BackupHarness.flipByte;
import static dev.strata.backup.BackupHarness.lines;
import static dev.strata.backup.BackupHarness.names;
import static dev.strata.backup.BackupHarness.put;
import static dev.strata.backup.BackupHarness.quietOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.TestHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StrataBackups}: a chain of incremental backups, each restoring to exactly the data it was
 * made with, sharing the SSTs earlier backups hold, checked file by file by verify and restore.
 */
class StrataBackupsTest {
  @TempDir Path tmp;

  private Path store() {
    return tmp.resolve("db");
  }

  private Path backupDir() {
    return tmp.resolve("backups");
  }

  /** Three backups with writes (flushed and only in the WAL) between them, and the model of each. */
  private List<List<String>> threeBackups(StrataBackups backups) {
    List<List<String>> expected = new ArrayList<>();
    Map<String, String> model = new TreeMap<>();
    try (Strata db = Strata.open(store(), quietOptions())) {
      fill(db, model, "a", 100);
      db.flush();
      put(db, model, "wal-a", "only in the WAL at backup 1");
      backups.create(db);
      expected.add(lines(model));

      fill(db, model, "b", 100);
      delete(db, model, "a-0005");
      db.flush();
      put(db, model, "wal-b", "only in the WAL at backup 2");
      backups.create(db);
      expected.add(lines(model));

      fill(db, model, "c", 100);
      put(db, model, "a-0001", "overwritten before backup 3");
      db.flush();
      delete(db, model, "b-0007");
      backups.create(db);
      expected.add(lines(model));
    }
    return expected;
  }

  @Test
  void eachBackupOfAChainRestoresToExactlyItsData() {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      List<List<String>> expected = threeBackups(backups);
      List<BackupInfo> infos = backups.list();
      assertEquals(List.of(1L, 2L, 3L), infos.stream().map(BackupInfo::id).toList());
      for (int i = 0; i < 3; i++) {
        Path target = tmp.resolve("restored-" + (i + 1));
        backups.restore(infos.get(i).id(), target);
        assertEquals(expected.get(i), contents(target), "backup " + (i + 1));
        try (Strata restored = Strata.open(target, StrataOptions.builder().createIfMissing(false).build())) {
          assertEquals(infos.get(i).lastSequence(), restored.stats().lastSequence(), "backup " + (i + 1));
        }
      }
      assertTrue(infos.get(0).lastSequence() < infos.get(1).lastSequence());
      assertTrue(infos.get(1).lastSequence() < infos.get(2).lastSequence());
    }
  }

  @Test
  void laterBackupsCopyOnlyTheSstsWrittenSinceAndTheirOwnFiles() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      Map<String, String> model = new TreeMap<>();
      Set<String> sharedBefore = new HashSet<>();
      try (Strata db = Strata.open(store(), quietOptions())) {
        for (int round = 1; round <= 3; round++) {
          fill(db, model, "r" + round, 200);
          db.flush();
          BackupInfo info = backups.create(db);

          List<String> shared = names(backupDir().resolve("shared"));
          assertEquals(round, shared.size(), "one SST per flush, each stored once: " + shared);
          List<String> added = shared.stream().filter(n -> !sharedBefore.contains(n)).toList();
          assertEquals(1, added.size(), "round " + round + " adds only the new flush's SST: " + added);
          Path own = backupDir().resolve("private").resolve(Long.toString(info.id()));
          long newBytes = bytesIn(backupDir().resolve("shared"), added) + bytesIn(own, names(own));
          assertEquals(newBytes, info.newBytes(), "round " + round);
          assertEquals(bytesIn(backupDir().resolve("shared"), shared) + bytesIn(own, names(own)), info.totalBytes());
          assertEquals(shared.size() + names(own).size(), info.fileCount());
          assertTrue(info.newBytes() < info.totalBytes() || round == 1, info.toString());
          sharedBefore.addAll(shared);
        }
      }
    }
  }

  @Test
  void theChainSurvivesTheLossOfTheStoreItWasTakenFrom() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      List<List<String>> expected = threeBackups(backups);
      TestHarness.deleteRecursively(store());
      for (long id = 1; id <= 3; id++) {
        assertTrue(backups.verify(id).ok(), backups.verify(id).problems().toString());
        backups.restore(id, tmp.resolve("restored-" + id));
        assertEquals(expected.get((int) id - 1), contents(tmp.resolve("restored-" + id)));
      }
    }
  }

  @Test
  void verifyNamesASharedSstWithAFlippedByte() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      String sst = names(backupDir().resolve("shared")).get(0);
      flipByte(backupDir().resolve("shared").resolve(sst), 100);
      VerifyReport report = backups.verify(3);
      assertFalse(report.ok());
      assertEquals(1, report.problems().size(), report.problems().toString());
      assertTrue(report.problems().get(0).startsWith("shared/" + sst + ": fails its checksum"),
          report.problems().toString());
      assertFalse(backups.verify(1).ok(), "backup 1 shares the SST");
    }
  }

  @Test
  void verifyNamesAPrivateFileWithAFlippedByteAndOnlyItsBackupFails() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      Path own = backupDir().resolve("private").resolve("2");
      String manifest = names(own).stream().filter(n -> n.startsWith("MANIFEST-")).findFirst().orElseThrow();
      flipByte(own.resolve(manifest), -3);
      VerifyReport report = backups.verify(2);
      assertEquals(List.of("private/2/" + manifest), report.problems().stream().map(p -> p.split(":")[0]).toList());
      assertTrue(backups.verify(1).ok());
      assertTrue(backups.verify(3).ok());
    }
  }

  @Test
  void verifyNamesAMissingFileAndATruncatedOne() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      Path own = backupDir().resolve("private").resolve("3");
      Files.delete(own.resolve("CURRENT"));
      String wal = names(own).stream().filter(n -> n.endsWith(".wal")).findFirst().orElseThrow();
      Files.write(own.resolve(wal), new byte[3]);
      List<String> problems = backups.verify(3).problems();
      assertTrue(problems.contains("private/3/CURRENT: is missing"), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.startsWith("private/3/" + wal + ": is 3 bytes")), problems.toString());
    }
  }

  @Test
  void aCorruptBackupFailsToRestoreAndLeavesNoStoreBehind() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      List<String> shared = names(backupDir().resolve("shared"));
      String last = shared.get(shared.size() - 1);
      flipByte(backupDir().resolve("shared").resolve(last), 10);
      Path target = tmp.resolve("restored");
      CorruptionException e = assertThrows(CorruptionException.class, () -> backups.restore(3, target));
      assertTrue(e.getMessage().startsWith("shared/" + last + " fails its checksum"), e.getMessage());
      assertFalse(Files.exists(target), "the restore removes the directory it made");
      assertThrows(StrataException.class,
          () -> Strata.open(target, StrataOptions.builder().createIfMissing(false).build()).close());

      Path empty = Files.createDirectory(tmp.resolve("empty"));
      assertThrows(CorruptionException.class, () -> backups.restore(3, empty));
      assertEquals(List.of(), names(empty), "a given empty directory is left empty");
    }
  }

  @Test
  void aRestoreNeedsANewOrEmptyTargetAndAnExistingBackup() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      Path full = Files.createDirectories(tmp.resolve("full"));
      Files.writeString(full.resolve("something"), "x");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backups.restore(1, full));
      assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> backups.restore(9, tmp.resolve("new")));
      assertEquals("there is no backup 9 in " + backupDir(), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> backups.verify(9));
      assertThrows(IllegalArgumentException.class, () -> backups.delete(9));
    }
  }

  @Test
  void deletingABackupKeepsTheSharedSstsOthersNeed() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      List<List<String>> expected = threeBackups(backups);
      backups.delete(1);
      assertEquals(3, names(backupDir().resolve("shared")).size(), "backups 2 and 3 name every SST of backup 1");
      assertFalse(Files.exists(backupDir().resolve("private").resolve("1")));
      backups.delete(3);
      assertEquals(2, names(backupDir().resolve("shared")).size(), "the SST only backup 3 named is gone");
      assertEquals(List.of(2L), backups.ids());
      backups.restore(2, tmp.resolve("restored"));
      assertEquals(expected.get(1), contents(tmp.resolve("restored")));
    }
  }

  @Test
  void purgeKeepsTheNewestBackupsAndTheSharedSstsTheyNeed() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      Map<String, String> model = new TreeMap<>();
      try (Strata db = Strata.open(store(), quietOptions())) {
        fill(db, model, "a", 100);
        db.flush();
        backups.create(db);
        fill(db, model, "b", 100);
        db.flush();
        backups.create(db);
        db.compact(); // two SSTs become one: backup 3 shares nothing with 1 and 2
        delete(db, model, "a-0000");
        fill(db, model, "c", 100);
        db.flush();
        backups.create(db);
        fill(db, model, "d", 100);
        db.flush();
        backups.create(db);
      }
      assertEquals(List.of(1L, 2L), backups.purgeOldBackups(2));
      assertEquals(List.of(3L, 4L), backups.ids());
      assertEquals(3, names(backupDir().resolve("shared")).size(), "the compacted SST, c's and d's");
      assertTrue(backups.verify(3).ok());
      assertTrue(backups.verify(4).ok());
      backups.restore(4, tmp.resolve("restored"));
      assertEquals(lines(model), contents(tmp.resolve("restored")));
      assertEquals(List.of(), backups.purgeOldBackups(2));
      assertThrows(IllegalArgumentException.class, () -> backups.purgeOldBackups(0));
    }
  }

  @Test
  void sstsWithOneNumberFromTwoStoresDoNotClash() throws Exception {
    Map<String, String> first = new TreeMap<>();
    Map<String, String> second = new TreeMap<>();
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      for (Map<String, String> model : List.of(first, second)) {
        Path dir = tmp.resolve("store-" + (model == first ? 1 : 2));
        try (Strata db = Strata.open(dir, quietOptions())) {
          fill(db, model, model == first ? "first" : "second", 50);
          db.flush();
          backups.create(db);
        }
      }
      List<String> shared = names(backupDir().resolve("shared"));
      assertEquals(2, shared.size(), shared.toString());
      assertEquals(shared.get(0).split("_")[0], shared.get(1).split("_")[0], "both stores' first SST has one number");
      backups.restore(1, tmp.resolve("r1"));
      backups.restore(2, tmp.resolve("r2"));
      assertEquals(lines(first), contents(tmp.resolve("r1")));
      assertEquals(lines(second), contents(tmp.resolve("r2")));
    }
  }

  @Test
  void noFileOfABackupIsALinkOfTheStoresOrOfARestoredStores() throws Exception {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      threeBackups(backups);
      backups.restore(3, tmp.resolve("restored"));
      Set<Object> storeInodes = inodes(store());
      Set<Object> restoredInodes = inodes(tmp.resolve("restored"));
      for (Object inode : inodes(backupDir())) {
        assertFalse(storeInodes.contains(inode), "a backup file is a link of a store file");
        assertFalse(restoredInodes.contains(inode), "a restored file is a link of a backup file");
      }
    }
  }

  @Test
  void aBackupOnAnotherFileSystemLeavesNoCheckpointBehind() throws Exception {
    Path shm = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
        && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)), "needs a second file system at /dev/shm");
    Path elsewhere = Files.createTempDirectory(shm, "strata-backups-");
    try (StrataBackups backups = StrataBackups.open(elsewhere.resolve("backups"))) {
      Map<String, String> model = new TreeMap<>();
      try (Strata db = Strata.open(store(), quietOptions())) {
        fill(db, model, "a", 100);
        db.flush();
        put(db, model, "wal", "in the WAL");
        backups.create(db);
      }
      assertEquals(List.of("db"), names(tmp), "the checkpoint beside the store is gone");
      backups.restore(1, tmp.resolve("restored"));
      assertEquals(lines(model), contents(tmp.resolve("restored")));
    } finally {
      TestHarness.deleteRecursively(elsewhere);
    }
  }

  private static Set<Object> inodes(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      Set<Object> inodes = new HashSet<>();
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        inodes.add(Files.getAttribute(f, "unix:ino"));
      }
      return inodes;
    }
  }

  @Test
  void aBackupDirectoryIsOpenOnceAtATime() {
    try (StrataBackups backups = StrataBackups.open(backupDir())) {
      StrataException e = assertThrows(StrataException.class, () -> StrataBackups.open(backupDir()));
      assertTrue(e.getMessage().startsWith("cannot open backup directory " + backupDir()), e.getMessage());
    }
    StrataBackups.open(backupDir()).close();
  }

  @Test
  void aClosedBackupDirectoryRefusesCalls() {
    StrataBackups backups = StrataBackups.open(backupDir());
    backups.close();
    backups.close();
    assertThrows(IllegalStateException.class, backups::list);
  }
}
