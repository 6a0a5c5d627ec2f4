package dev.strata.cli;

import static dev.strata.cli.CliTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.engine.OptionsFile;
import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata backup}, {@code restore}, {@code verify}, {@code backups} and {@code purge-backups}: a round trip, damage found, exit codes. */
class BackupCommandsTest {
  private Capture out = new Capture();
  private Capture err = new Capture();

  @TempDir Path tmp;

  private int run(String... args) {
    out = new Capture();
    err = new Capture();
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  private Path store() {
    return tmp.resolve("db");
  }

  private Path backups() {
    return tmp.resolve("backups");
  }

  /** A store with one flushed key and one only in its WAL, and then {@code count} backups of it, each after one more put. */
  private void storeWithBackups(int count) {
    try (Strata db = Strata.open(store())) {
      db.put(bytes("flushed"), bytes("1"));
      db.flush();
      db.put(bytes("in-wal"), bytes("2"));
    }
    for (int i = 1; i <= count; i++) {
      try (Strata db = Strata.open(store())) {
        db.put(bytes("backup"), bytes(Integer.toString(i)));
      }
      assertEquals(0, run("backup", store().toString(), backups().toString()), err.text());
      assertTrue(out.text().startsWith("backup " + i + ": "), out.text());
    }
  }

  @Test
  void aBackupVerifiesListsAndRestoresToAStoreThatOpens() {
    storeWithBackups(2);
    assertEquals(0, run("backups", backups().toString()), err.text());
    assertEquals(3, out.text().lines().count(), out.text());
    assertTrue(out.text().endsWith("2 backups\n"), out.text());

    assertEquals(0, run("verify", backups().toString()), err.text());
    assertTrue(out.text().contains("backup 1: ok"), out.text());
    assertTrue(out.text().contains("backup 2: ok"), out.text());
    assertTrue(out.text().endsWith("2 backups verified, 0 damaged\n"), out.text());

    Path target = tmp.resolve("restored");
    assertEquals(0, run("restore", backups().toString(), "1", target.toString()), err.text());
    assertEquals("backup 1 restored to " + target + "\n", out.text());
    try (Strata db = Strata.open(target)) {
      assertArrayEquals(bytes("1"), db.get(bytes("flushed")));
      assertArrayEquals(bytes("2"), db.get(bytes("in-wal")));
      assertArrayEquals(bytes("1"), db.get(bytes("backup")), "backup 1's value, not backup 2's");
    }
  }

  @Test
  void theStoreIsOpenedWithTheOptionsItWasLastOpenedWith() {
    try (Strata db = Strata.open(store(), StrataOptions.builder().compaction(CompactionOptions.tiered()).build())) {
      db.put(bytes("k"), bytes("v"));
    }
    assertEquals(0, run("backup", store().toString(), backups().toString()), err.text());
    assertEquals(CompactionOptions.Strategy.TIERED,
        OptionsFile.read(store()).orElseThrow().compaction().strategy(), "the backup's open kept the store's options");
  }

  @Test
  void verifyFailsOnADamagedFileAndNamesIt() throws Exception {
    storeWithBackups(1);
    Path sst;
    try (Stream<Path> s = Files.list(backups().resolve("shared"))) {
      sst = s.findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
      f.seek(5);
      int v = f.read();
      f.seek(5);
      f.write(v ^ 0x40);
    }
    assertEquals(1, run("verify", backups().toString(), "1"));
    assertTrue(out.text().contains("  problem: shared/" + sst.getFileName() + ": fails its checksum"), out.text());
    assertTrue(out.text().endsWith("1 backup verified, 1 damaged\n"), out.text());

    Path target = tmp.resolve("restored");
    assertEquals(1, run("restore", backups().toString(), "1", target.toString()));
    assertTrue(err.text().startsWith("strata restore: shared/" + sst.getFileName() + " fails its checksum"),
        err.text());
    assertFalse(Files.exists(target));
  }

  @Test
  void purgeKeepsTheNewestBackups() {
    storeWithBackups(3);
    assertEquals(0, run("purge-backups", backups().toString(), "--keep", "2"), err.text());
    assertEquals("deleted backups 1; kept 2, 3\n", out.text());
    assertEquals(0, run("purge-backups", backups().toString(), "--keep=2"), err.text());
    assertEquals("deleted no backup; kept 2, 3\n", out.text());
    assertEquals(0, run("verify", backups().toString()), out.text());
  }

  @Test
  void aDirectoryWithoutAStoreIsNotBackedUpAndNotMadeAStore() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertEquals(1, run("backup", empty.toString(), backups().toString()));
    assertTrue(err.text().contains("holds no Strata store"), err.text());
    assertEquals(List.of(), list(empty));
  }

  @Test
  void commandsOtherThanBackupNeedAnExistingBackupDirectory() {
    for (String[] args : List.of(new String[] {"verify", backups().toString()},
        new String[] {"backups", backups().toString()},
        new String[] {"restore", backups().toString(), "1", tmp.resolve("r").toString()},
        new String[] {"purge-backups", backups().toString(), "--keep", "1"})) {
      assertEquals(1, run(args), args[0]);
      assertEquals("strata " + args[0] + ": " + backups() + " is not a backup directory (no meta/ in it)\n", err.text());
      assertFalse(Files.exists(backups()), args[0] + " does not create it");
    }
  }

  @Test
  void aMissingBackupIsAFailure() {
    storeWithBackups(1);
    assertEquals(1, run("verify", backups().toString(), "7"));
    assertEquals("strata verify: there is no backup 7 in " + backups() + "\n", err.text());
    assertEquals(1, run("restore", backups().toString(), "7", tmp.resolve("r").toString()));
    assertFalse(Files.exists(tmp.resolve("r")));
  }

  @Test
  void wrongArgumentsAreBadUsage() {
    assertEquals(2, run("backup", "a"));
    assertTrue(err.text().startsWith("strata backup: expects a store directory and a backup directory, got 1"),
        err.text());
    assertTrue(err.text().contains("Usage: strata backup DIR BACKUPDIR"), err.text());
    assertEquals(2, run("restore", "b", "x", "t"));
    assertTrue(err.text().startsWith("strata restore: 'x' is not a backup id"), err.text());
    assertEquals(2, run("verify", "b", "0"));
    assertEquals(2, run("verify"));
    assertEquals(2, run("backups", "--frob", "b"));
    assertEquals(2, run("purge-backups", "b"));
    assertTrue(err.text().startsWith("strata purge-backups: --keep N is required"), err.text());
    assertEquals(2, run("purge-backups", "b", "--keep", "0"));
  }

  @Test
  void eachCommandHasHelp() {
    for (String command : List.of("backup", "restore", "verify", "backups", "purge-backups")) {
      assertEquals(0, run(command, "--help"), command);
      assertTrue(out.text().startsWith("Usage: strata " + command + " "), out.text());
      assertEquals(0, run("help", command), command);
      assertTrue(out.text().startsWith("Usage: strata " + command + " "), out.text());
    }
  }

  private static List<String> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
