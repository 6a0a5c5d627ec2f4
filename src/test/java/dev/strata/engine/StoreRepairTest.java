package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.RepairReport;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.key.ValueKind;
import dev.strata.sst.SstDataBlocks;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link StoreRepair} places tables and what it sets aside: level 0 stays right for point
 * reads without a manifest, orphans are not taken when the manifest reads whole, a table keeps its
 * level, and unusable files go to lost/.
 */
class StoreRepairTest {
  private static final StrataOptions OPTIONS = StrataOptions.builder().memtableSizeBytes(8 << 20).blockSizeBytes(512)
      .compaction(CompactionOptions.none()).build();

  @TempDir Path dir;

  private record Put(String key, long sequence, String value) {}

  /** Writes an SST by hand; a null value is a tombstone. Entries in internal-key order. */
  private void writeSst(long number, Put... puts) throws IOException {
    try (WritableFile out = DiskFileSystem.INSTANCE.create(FileNames.sst(dir, number))) {
      TableBuilder builder = new TableBuilder(out, new TableOptions(512, 10));
      for (Put p : puts) {
        builder.add(b(p.key()), p.sequence(), p.value() == null ? ValueKind.DELETE : ValueKind.PUT,
            p.value() == null ? null : b(p.value()));
      }
      builder.finish();
    }
  }

  @Test
  void withoutAManifestAnOlderTableWhoseRangesOverlapANewerOnesIsMergedWithIt() throws IOException {
    // Ordered newest-first by highest sequence, 1 would come before 2, and its k@1 hide 2's k@5.
    writeSst(1, new Put("k", 1, "old"), new Put("m", 10, "m"));
    writeSst(2, new Put("k", 5, "new"));
    writeSst(3, new Put("z", 20, "z"));

    RepairReport report = StoreRepair.repair(dir);

    assertEquals(1, report.tablesMerged().size(), report.toString());
    assertEquals(List.of("000001.sst", "000002.sst"), report.tablesMerged().get(0).inputs());
    assertEquals(3, report.tablesMerged().get(0).entries());
    assertEquals(List.of("000003.sst"), report.tablesKept());
    assertTrue(report.movedToLost().containsAll(List.of("000001.sst", "000002.sst")), report.toString());
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("new", s(db.get(b("k"))));
      assertEquals("m", s(db.get(b("m"))));
      assertEquals("z", s(db.get(b("z"))));
      db.put(b("k"), b("newest"));
      assertEquals("newest", s(db.get(b("k"))));
    }
  }

  @Test
  void withoutAManifestTheSameVersionInTwoTablesIsWrittenOnce() throws IOException {
    // An SST and the output of a compaction a crash left before its manifest record.
    writeSst(4, new Put("a", 1, "1"), new Put("b", 2, null), new Put("b", 1, "gone"));
    writeSst(7, new Put("a", 1, "1"), new Put("b", 2, null), new Put("b", 1, "gone"));

    RepairReport report = StoreRepair.repair(dir);

    assertEquals(3, report.tablesMerged().get(0).entries(), report.toString());
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("1", s(db.get(b("a"))));
      assertNull(db.get(b("b")));
    }
  }

  @Test
  void withAReadableManifestOrphansAndTemporaryFilesAreSetAsideNotTaken() throws IOException {
    try (Strata db = Strata.open(dir, OPTIONS)) {
      db.put(b("live"), b("1"));
      db.flush();
    }
    writeSst(900, new Put("ghost", 1, "boo"));
    Files.write(dir.resolve("000901.sst.tmp"), b("half written"));

    RepairReport report = StoreRepair.repair(dir);

    assertTrue(report.movedToLost().containsAll(List.of("000900.sst", "000901.sst.tmp")), report.toString());
    assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("000900.sst: an orphan")), report.toString());
    assertTrue(Files.exists(report.lostDirectory().resolve("000900.sst")));
    assertEquals(FileNames.manifestName(901), report.manifest(), "numbered after every SST present, orphans too");
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("1", s(db.get(b("live"))));
      assertNull(db.get(b("ghost")));
    }
  }

  @Test
  void aTableThatCannotBeOpenedGoesToLostAndTheOthersStay() throws IOException {
    try (Strata db = Strata.open(dir, OPTIONS)) {
      db.put(b("first"), b("1"));
      db.flush();
      db.put(b("second"), b("2"));
      db.flush();
    }
    List<Path> ssts = files(".sst");
    Path broken = ssts.get(1);
    byte[] bytes = Files.readAllBytes(broken);
    bytes[bytes.length - 3] ^= 0x7f; // in the footer: the file no longer says where anything is
    Files.write(broken, bytes);

    RepairReport report = StoreRepair.repair(dir);

    RepairReport.SalvagedTable salvaged = report.tablesSalvaged().get(0);
    assertEquals(broken.getFileName().toString(), salvaged.file());
    assertNull(salvaged.replacement());
    assertEquals(-1, salvaged.blocksDropped());
    assertArrayEquals(bytes, Files.readAllBytes(report.lostDirectory().resolve(salvaged.file())));
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("1", s(db.get(b("first"))));
      assertNull(db.get(b("second")));
    }
  }

  @Test
  void aDamagedTableBelowLevel0IsSalvagedAtItsLevel() throws IOException {
    int[] shape;
    try (Strata db = Strata.open(dir, OPTIONS)) {
      for (int i = 0; i < 300; i++) {
        db.put(b(String.format("key%05d", i)), b("value-" + i + "-" + "x".repeat(30)));
      }
      db.compact();
      db.put(b("key00000"), b("newer"));
      db.flush();
      shape = db.stats().levelFileCounts();
    }
    Path bottom = files(".sst").get(0);
    SstDataBlocks.Span block = SstDataBlocks.of(bottom).get(2);
    byte[] bytes = Files.readAllBytes(bottom);
    bytes[(int) block.offset() + 1] ^= 0x11;
    Files.write(bottom, bytes);

    RepairReport report = StoreRepair.repair(dir);

    assertEquals(1, report.tablesSalvaged().size(), report.toString());
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertArrayEquals(shape, db.stats().levelFileCounts());
      assertEquals("newer", s(db.get(b("key00000"))));
      assertNull(db.get(block.userKeys().get(0)));
      assertEquals("value-299-" + "x".repeat(30), s(db.get(b("key00299"))));
    }
  }

  @Test
  void anUnreadableOptionsFileIsSetAsideAndTheStoreStillOpens() throws IOException {
    try (Strata db = Strata.open(dir, OPTIONS)) {
      db.put(b("k"), b("v"));
    }
    Path options = files("").stream().filter(p -> p.getFileName().toString().startsWith("OPTIONS-")).findFirst()
        .orElseThrow();
    Files.write(options, b("not options"));

    RepairReport report = StoreRepair.repair(dir);

    assertTrue(report.movedToLost().contains(options.getFileName().toString()), report.toString());
    assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("the OPTIONS file is unreadable")), report.toString());
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("v", s(db.get(b("k"))));
    }
  }

  @Test
  void aSecondRepairKeepsEverythingTheFirstBuilt() throws IOException {
    try (Strata db = Strata.open(dir, OPTIONS)) {
      db.put(b("a"), b("1"));
      db.flush();
      db.put(b("b"), b("2"));
    }
    RepairReport first = StoreRepair.repair(dir);
    RepairReport second = StoreRepair.repair(dir);

    assertEquals(2, second.tablesKept().size(), second.toString());
    assertFalse(second.foundDamage());
    assertTrue(second.walsReplayed().isEmpty());
    assertFalse(first.lostDirectory().equals(second.lostDirectory()), "each run sets its files aside on its own");
    try (Strata db = Strata.open(dir, OPTIONS)) {
      assertEquals("1", s(db.get(b("a"))));
      assertEquals("2", s(db.get(b("b"))));
    }
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
