package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.DIR;
import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.files;
import static dev.strata.durability.DurabilityHarness.onlyFile;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.read;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.RepairReport;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.engine.FileNames;
import dev.strata.engine.StoreRepair;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import dev.strata.log.LogReader;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A power loss at any step of a repair loses no file and no data: the damaged originals are, at
 * every moment, in the store or in {@code lost/}, and running the repair again gives the store an
 * uninterrupted repair gives.
 */
class RepairCrashTest {
  private static final StrataOptions OPTIONS = smallOptions().memtableSizeBytes(1 << 20).blockSizeBytes(2048).build();

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  @Test
  void aPowerLossAtAnyStepOfRepairingAStoreWithItsManifestLosesNothing() throws IOException {
    crashAtEveryStep(false);
  }

  @Test
  void aPowerLossAtAnyStepOfRepairingAStoreWithoutItsManifestLosesNothing() throws IOException {
    crashAtEveryStep(true);
  }

  private void crashAtEveryStep(boolean dropManifest) throws IOException {
    InMemoryFileSystem template = damagedStore(dropManifest);
    Path sst = onlyFile(template, ".sst");
    byte[] damagedSst = read(template, sst);

    InMemoryFileSystem reference = copy(template);
    CrashingFileSystem counting = new CrashingFileSystem(reference, Integer.MAX_VALUE);
    RepairReport uninterrupted = StoreRepair.repair(DIR, counting);
    assertTrue(uninterrupted.foundDamage(), uninterrupted.toString());
    int steps = counting.steps();
    TreeMap<String, String> expected = contents(reference);
    assertFalse(expected.isEmpty());

    // Step steps + 1: the power goes just after the repair returned.
    for (int n = 1; n <= steps + 1; n++) {
      InMemoryFileSystem mem = copy(template);
      CrashingFileSystem fs = new CrashingFileSystem(mem, n);
      try {
        StoreRepair.repair(DIR, fs);
      } catch (StrataException expectedFailure) {
        // The power went at step n.
      }
      if (n > steps) {
        mem.crash();
      }
      assertTrue(fs.crashed() || n > steps, "step " + n + " of " + steps + " was reached");
      String where = "after a power loss at step " + n + " of " + steps + " ("
          + (n > steps ? "once the repair returned" : fs.crashedAt()) + ")";
      assertTrue(holds(mem, DIR, sst.getFileName().toString(), damagedSst) || inLost(mem, sst, damagedSst),
          "the damaged SST is in the store or in lost/ " + where);

      StoreRepair.repair(DIR, mem);
      assertTrue(inLost(mem, sst, damagedSst), "the damaged SST is in lost/ after the repair is run again " + where);
      assertEquals(expected, contents(mem), where);
    }
    System.out.printf("a power loss at each of the %d steps of a repair (%s) lost nothing%n", steps,
        dropManifest ? "no manifest" : "with its manifest");
  }

  /** A store with a flushed SST and a WAL of unflushed writes, a data block of each damaged. */
  private static InMemoryFileSystem damagedStore(boolean dropManifest) throws IOException {
    InMemoryFileSystem mem = new InMemoryFileSystem();
    try (Strata db = open(SYSTEM.get(), mem, OPTIONS)) {
      for (int i = 0; i < 200; i++) {
        db.put(b(String.format("a%05d", i)), b("flushed-" + i + "-" + "x".repeat(40)));
      }
      db.flush();
      for (int i = 0; i < 400; i++) {
        db.put(b(String.format("b%05d", i)), b("logged-" + i + "-" + "y".repeat(90)));
      }
    }
    Path sst = onlyFile(mem, ".sst");
    mem.flipByte(sst, read(mem, sst).length / 3);
    Path wal = onlyFile(mem, ".wal");
    try (ReadableFile in = mem.openReadable(wal)) {
      mem.flipByte(wal, LogReader.dataEnd(in) / 2);
    }
    if (dropManifest) {
      for (Path manifest : files(mem, "")) {
        if (manifest.getFileName().toString().startsWith(FileNames.MANIFEST_PREFIX)) {
          mem.delete(manifest);
        }
      }
      mem.syncDirectory(DIR);
    }
    return mem;
  }

  private static TreeMap<String, String> contents(InMemoryFileSystem mem) {
    try (Strata db = open(SYSTEM.get(), mem, OPTIONS)) {
      return scanAll(db);
    }
  }

  /** A durable copy of every file of the store directory and of its lost/ directories. */
  private static InMemoryFileSystem copy(InMemoryFileSystem from) throws IOException {
    InMemoryFileSystem to = new InMemoryFileSystem();
    copyDir(from, to, DIR);
    return to;
  }

  private static void copyDir(InMemoryFileSystem from, InMemoryFileSystem to, Path dir) throws IOException {
    to.createDirectories(dir);
    for (String name : from.list(dir)) {
      Path p = dir.resolve(name);
      if (!from.list(p).isEmpty() || name.equals(FileNames.LOST_DIR)) {
        copyDir(from, to, p);
        continue;
      }
      byte[] bytes = read(from, p);
      try (WritableFile out = to.create(p)) {
        out.append(bytes, 0, bytes.length);
        out.sync();
      }
    }
    to.syncDirectory(dir);
  }

  private static boolean holds(InMemoryFileSystem mem, Path dir, String name, byte[] content) throws IOException {
    return mem.exists(dir.resolve(name)) && Arrays.equals(content, read(mem, dir.resolve(name)));
  }

  private static boolean inLost(InMemoryFileSystem mem, Path sst, byte[] content) throws IOException {
    Path lost = DIR.resolve(FileNames.LOST_DIR);
    List<String> runs = mem.list(lost);
    for (String run : runs) {
      if (holds(mem, lost.resolve(run), sst.getFileName().toString(), content)) {
        return true;
      }
    }
    return false;
  }
}
