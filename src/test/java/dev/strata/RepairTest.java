package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Strata#repair}: what a repaired store holds, and what the repair sets aside. */
class RepairTest {
  @TempDir Path tmp;

  @Test
  void aDamagedSstAndADamagedWalGiveBackEveryKeyWhoseDataWasReadable() throws IOException {
    Path dir = tmp.resolve("db");
    RepairScenario.Damaged damaged = RepairScenario.create(dir);

    RepairReport report = Strata.repair(dir);

    assertEquals(1, report.tablesSalvaged().size(), report.toString());
    RepairReport.SalvagedTable salvaged = report.tablesSalvaged().get(0);
    assertEquals(damaged.sst(), salvaged.file());
    assertEquals(1, salvaged.blocksDropped());
    assertEquals(RepairScenario.SST_KEYS - damaged.sstKeysLost(), salvaged.entriesRecovered());
    assertEquals(1, report.walsReplayed().size(), report.toString());
    RepairReport.ReplayedWal wal = report.walsReplayed().get(0);
    assertEquals(RepairScenario.WAL_KEYS - damaged.walKeysLost(), wal.recordsRecovered());
    assertTrue(wal.damaged(), report.toString());
    assertTrue(report.foundDamage());
    try (Strata db = Strata.open(dir, RepairScenario.options())) {
      assertEquals(damaged.expected(), RepairScenario.contents(db));
      for (Map.Entry<String, String> e : damaged.expected().entrySet()) {
        assertEquals(e.getValue(), s(db.get(b(e.getKey()))), e.getKey());
      }
    }
  }

  @Test
  void theDamagedSstAndTheWalLandInLostUnchanged() throws IOException {
    Path dir = tmp.resolve("db");
    RepairScenario.Damaged damaged = RepairScenario.create(dir);
    byte[] sstBytes = Files.readAllBytes(dir.resolve(damaged.sst()));
    byte[] walBytes = Files.readAllBytes(dir.resolve(damaged.wal()));

    RepairReport report = Strata.repair(dir);

    Path lost = report.lostDirectory();
    assertEquals(dir.resolve("lost"), lost.getParent());
    assertArrayEquals(sstBytes, Files.readAllBytes(lost.resolve(damaged.sst())));
    assertArrayEquals(walBytes, Files.readAllBytes(lost.resolve(damaged.wal())));
    assertFalse(Files.exists(dir.resolve(damaged.sst())), "the damaged original leaves the store");
    assertFalse(Files.exists(dir.resolve(damaged.wal())));
    assertTrue(report.movedToLost().containsAll(List.of(damaged.sst(), damaged.wal())), report.movedToLost().toString());
    for (String name : report.movedToLost()) {
      assertTrue(Files.exists(lost.resolve(name)), name);
    }
  }

  @Test
  void aSoundStoreLosesNothingAndANewerTombstoneStillShadowsAnOlderValue() throws IOException {
    Path dir = tmp.resolve("db");
    StrataOptions options = RepairScenario.options();
    try (Strata db = Strata.open(dir, options)) {
      db.put(b("deleted"), b("old"));
      db.put(b("overwritten"), b("first"));
      db.put(b("kept"), b("1"));
      db.flush();
      db.delete(b("deleted"));
      db.put(b("overwritten"), b("second"));
      db.flush();
      db.put(b("in-wal"), b("2"));
      db.put(b("overwritten"), b("third"));
    }

    RepairReport report = Strata.repair(dir);

    assertFalse(report.foundDamage(), report.toString());
    assertEquals(2, report.tablesKept().size(), report.toString());
    assertTrue(report.tablesSalvaged().isEmpty());
    try (Strata db = Strata.open(dir, options)) {
      assertNull(db.get(b("deleted")));
      assertEquals("third", s(db.get(b("overwritten"))));
      assertEquals("1", s(db.get(b("kept"))));
      assertEquals("2", s(db.get(b("in-wal"))));
      assertEquals(Map.of("in-wal", "2", "kept", "1", "overwritten", "third"), RepairScenario.contents(db));
    }
  }

  @Test
  void aStoreWhoseManifestIsGoneIsRebuiltWithAllItsDataFromItsTablesAndWal() throws IOException {
    Path dir = tmp.resolve("db");
    TreeMap<String, String> model = writeLayeredStore(dir, seed("manifest-gone"));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).toList()) {
        Files.delete(p);
      }
    }

    RepairReport report = Strata.repair(dir);

    assertTrue(report.placement().contains("level 0"), report.toString());
    assertReadsAndWritesAsModel(dir, model);
  }

  @Test
  void aStoreWhoseCurrentIsGoneIsRebuiltFromItsNewestManifest() throws IOException {
    Path dir = tmp.resolve("db");
    TreeMap<String, String> model = writeLayeredStore(dir, seed("current-gone"));
    Files.delete(dir.resolve("CURRENT"));

    RepairReport report = Strata.repair(dir);

    assertTrue(report.placement().contains("manifest"), report.toString());
    assertReadsAndWritesAsModel(dir, model);
  }

  @Test
  void aStoreOpenElsewhereIsRefusedAndLeftAlone() {
    Path dir = tmp.resolve("db");
    try (Strata db = Strata.open(dir)) {
      db.put(b("k"), b("v"));
      StrataException e = assertThrows(StrataException.class, () -> Strata.repair(dir));
      assertTrue(e.getMessage().contains("locked") && e.getMessage().contains("close the store"), e.getMessage());
      assertEquals("v", s(db.get(b("k"))));
    }
    assertFalse(Files.exists(dir.resolve("lost")));
  }

  @Test
  void aDirectoryWithoutAStoreIsRefused() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    StrataException e = assertThrows(StrataException.class, () -> Strata.repair(empty));
    assertTrue(e.getMessage().contains("holds no Strata store"), e.getMessage());
    assertEquals(List.of("LOCK"), Arrays.stream(empty.toFile().list()).toList());
    e = assertThrows(StrataException.class, () -> Strata.repair(tmp.resolve("missing")));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  private static long seed(String test) {
    long seed = Long.getLong("strata.test.seed", System.nanoTime());
    System.out.println("RepairTest " + test + " seed=" + seed + " (replay with -Dstrata.test.seed=" + seed + ")");
    return seed;
  }

  /**
   * Random puts, overwrites and deletes over a small key space, with flushes and full compactions
   * in between, so that the store has data in several levels, newer versions of a key above older
   * ones, tombstones over values, and writes left in the WAL; returns what it must hold.
   */
  private static TreeMap<String, String> writeLayeredStore(Path dir, long seed) {
    Random random = new Random(seed);
    TreeMap<String, String> model = new TreeMap<>();
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(8 << 10).blockSizeBytes(512)
        .compaction(CompactionOptions.leveled()).build();
    try (Strata db = Strata.open(dir, options)) {
      for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 400; i++) {
          String key = String.format("k%04d", random.nextInt(500));
          if (random.nextInt(5) == 0) {
            db.delete(b(key));
            model.remove(key);
          } else {
            RepairScenario.put(db, model, key, "r" + round + "-" + i + "-" + "v".repeat(random.nextInt(40)));
          }
        }
        if (round == 2) {
          db.compact();
        } else if (round < 5) {
          db.flush();
        }
      }
    }
    return model;
  }

  /** Every key reads as the model says, by get and by scan, and a new write is newer than all. */
  private static void assertReadsAndWritesAsModel(Path dir, TreeMap<String, String> model) {
    try (Strata db = Strata.open(dir)) {
      assertEquals(model, RepairScenario.contents(db));
      for (int i = 0; i < 500; i++) {
        String key = String.format("k%04d", i);
        assertEquals(model.get(key), s(db.get(b(key))), key);
      }
      db.put(b("k0001"), b("after-repair"));
      db.delete(b("k0002"));
    }
    try (Strata db = Strata.open(dir)) {
      assertEquals("after-repair", s(db.get(b("k0001"))));
      assertNull(db.get(b("k0002")));
    }
  }
}
