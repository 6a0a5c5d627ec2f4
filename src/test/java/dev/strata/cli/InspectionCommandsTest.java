package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * check, lsm, dump-manifest, dump-wal and dump-sst's verify and range options on a real store
 * ({@link InspectionStore}): a healthy store is sound, a flipped byte in each kind of file is a
 * problem naming file and offset, and no command changes a byte of the directory.
 */
class InspectionCommandsTest {
  @TempDir
  static Path built;
  /** The store, closed cleanly: L0 000010.sst over L1 000007.sst and 000008.sst, WAL 000009.wal. */
  private static Path store;
  /** A copy taken while the store was open, after sync(): its WAL has no recorded sync point. */
  private static Path crashImage;

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildStore() throws IOException {
    store = built.resolve("store");
    crashImage = built.resolve("crash");
    InspectionStore.build(store, crashImage);
  }

  /** The result of one command line. */
  record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run strata(Object... args) {
    Capture out = new Capture();
    Capture err = new Capture();
    String[] strings = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      strings[i] = args[i].toString();
    }
    int code = Main.run(strings, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
    return new Run(code, out.text(), err.text());
  }

  /** A private copy of the store to damage. */
  private Path copyOf(Path source) throws IOException {
    Path copy = tmp.resolve("copy");
    InspectionStore.copy(source, copy);
    return copy;
  }

  private static void assertProblem(Run run, String... fragments) {
    assertEquals(1, run.code(), run.all());
    List<String> problems = run.out().lines().filter(l -> l.startsWith("problem: ")).toList();
    assertTrue(problems.stream().anyMatch(p -> List.of(fragments).stream().allMatch(p::contains)),
        "no problem line holds all of " + List.of(fragments) + ":\n" + run.all());
    assertTrue(run.out().contains("verdict: DAMAGED"), run.all());
  }

  @Test
  void theHealthyStoreAndItsCrashImageAreSound() {
    for (Path dir : List.of(store, crashImage)) {
      Run run = strata("check", dir);
      assertEquals(0, run.code(), run.all());
      assertTrue(run.out().contains("checked 6 files"), run.out());
      assertTrue(run.out().contains("410 SST entries, 21 WAL records; 0 problems, 0 notes"), run.out());
      assertTrue(run.out().contains("verdict: sound"), run.out());
    }
  }

  @Test
  void aFlippedByteInTheOptionsFileIsAProblem() throws IOException {
    Path dir = copyOf(store);
    String options;
    try (java.util.stream.Stream<Path> list = Files.list(dir)) {
      options = list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("OPTIONS-")).findFirst().orElseThrow();
    }
    InspectionStore.flip(dir.resolve(options), 30);
    assertProblem(strata("check", dir), options, "checksum");
  }

  @Test
  void aFlippedByteInCurrentIsAProblemAtItsOffset() throws IOException {
    Path dir = copyOf(store);
    InspectionStore.flip(dir.resolve("CURRENT"), 30); // inside the manifest's name: the checksum fails
    assertProblem(strata("check", dir), "CURRENT at offset 33", "checksum");
  }

  @Test
  void aFlippedByteInAManifestRecordIsAProblemAtThatRecord() throws IOException {
    Path dir = copyOf(store);
    Path manifest = dir.resolve("MANIFEST-000001");
    long record = StoreFiles.readManifest(manifest).entries().get(4).offset(); // the first FlushCompleted
    InspectionStore.flip(manifest, record + 12);
    assertProblem(strata("check", dir), "MANIFEST-000001", "offset " + record, "checksum mismatch");
  }

  @Test
  void aFlippedByteInAnSstDataBlockIsAProblemAtThatBlock() throws IOException {
    Path dir = copyOf(store);
    InspectionStore.flip(dir.resolve("000007.sst"), 10);
    assertProblem(strata("check", dir), "000007.sst: data block at offset 0", "checksum");
  }

  @Test
  void aFlippedByteInAnSstIndexBlockOrFooterIsAProblemAtIt() throws IOException {
    Path dir = copyOf(store);
    Path sst = dir.resolve("000008.sst");
    long size = Files.size(sst);
    InspectionStore.flip(sst, size - 64 - 12); // the index block sits right before the 64-byte footer
    assertProblem(strata("check", dir), "000008.sst: index block at offset", "checksum");

    dir = tmp.resolve("footer");
    InspectionStore.copy(store, dir);
    InspectionStore.flip(dir.resolve("000010.sst"), Files.size(dir.resolve("000010.sst")) - 20);
    assertProblem(strata("check", dir), "000010.sst: footer at offset " + (Files.size(dir.resolve("000010.sst")) - 64));
  }

  @Test
  void damageBeforeTheWalsSyncPointLosesSyncedWrites() throws IOException {
    Path dir = copyOf(store);
    InspectionStore.flip(dir.resolve("000009.wal"), 16 + 12);
    assertProblem(strata("check", dir), "000009.wal", "at offset 16", "before the sync point", "synced through byte 798");
  }

  @Test
  void damagePastTheSyncPointIsAProblemToo() throws IOException {
    Path dir = copyOf(crashImage);
    InspectionStore.flip(dir.resolve("000009.wal"), 190 + 12);
    assertProblem(strata("check", dir), "000009.wal", "at offset 190", "past the sync point", "no sync point is recorded");
  }

  @Test
  void aTornWalTailIsANoteUnlessItCutsIntoTheSyncedBytes() throws IOException {
    Path dir = copyOf(crashImage);
    truncate(dir.resolve("000009.wal"), 798 - 5);
    Run run = strata("check", dir);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().contains("note: 000009.wal: torn tail at offset 766"), run.out());

    Path closed = tmp.resolve("closed");
    InspectionStore.copy(store, closed);
    truncate(closed.resolve("000009.wal"), 798 - 5);
    assertProblem(strata("check", closed), "000009.wal at offset 766", "before its sync point");
  }

  @Test
  void aMissingSstIsAProblemAndAnOrphanANote() throws IOException {
    Path dir = copyOf(store);
    Files.move(dir.resolve("000007.sst"), dir.resolve("000099.sst"));
    Run run = strata("check", dir);
    assertProblem(run, "000007.sst: listed in L1 by the record at offset", "but missing");
    assertTrue(run.out().contains("note: 000099.sst: orphan"), run.out());

    Path orphanOnly = tmp.resolve("orphan");
    InspectionStore.copy(store, orphanOnly);
    Files.copy(orphanOnly.resolve("000009.wal"), orphanOnly.resolve("000042.wal"));
    Files.createDirectories(orphanOnly.resolve("lost"));
    Files.copy(orphanOnly.resolve("000009.wal"), orphanOnly.resolve("lost").resolve("000003.wal"));
    run = strata("check", orphanOnly);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().contains("note: 000042.wal: orphan"), run.out());
    assertTrue(run.out().contains("note: lost/000003.wal: kept by a recovery"), run.out());
    assertTrue(run.out().contains("0 problems, 2 notes"), run.out());
  }

  @Test
  void noInspectionCommandChangesAByteOfTheDirectory() throws IOException {
    Path damaged = copyOf(crashImage);
    InspectionStore.flip(damaged.resolve("000008.sst"), 10);
    InspectionStore.flip(damaged.resolve("000009.wal"), 40);
    for (Path dir : List.of(store, crashImage, damaged)) {
      Map<String, String> before = InspectionStore.listing(dir);
      List<Run> runs = new ArrayList<>();
      runs.add(strata("check", dir));
      runs.add(strata("lsm", dir));
      runs.add(strata("dump-manifest", dir));
      runs.add(strata("dump-manifest", dir.resolve("MANIFEST-000001")));
      runs.add(strata("dump-wal", dir.resolve("000009.wal")));
      for (String sst : List.of("000007.sst", "000008.sst", "000010.sst")) {
        runs.add(strata("dump-sst", dir.resolve(sst)));
        runs.add(strata("dump-sst", "--verify-only", dir.resolve(sst)));
      }
      assertEquals(before, InspectionStore.listing(dir), "a command changed " + dir);
      assertTrue(runs.stream().allMatch(r -> r.code() == 0 || r.code() == 1), runs.toString());
    }
  }

  @Test
  void dumpWalPrintsEveryOperationSafelyAndHowTheLogEnds() throws IOException {
    Run run = strata("dump-wal", store.resolve("000009.wal"));
    assertEquals(0, run.code(), run.all());
    List<String> lines = run.out().lines().toList();
    assertEquals("offset 16 seq 511..513 ops 3", lines.get(1));
    assertEquals("  511 put 0x00ff6b = \"binary\"", lines.get(2));
    assertEquals("  512 put \"key0400\" = \"01234567890123456789012345678901\"...(100 bytes)", lines.get(3));
    assertEquals("  513 delete \"key0020\"", lines.get(4));
    assertEquals("end: clean end at offset 798", lines.get(lines.size() - 1));

    run = strata("dump-wal", "--values", store.resolve("000009.wal"));
    assertTrue(run.out().contains("  512 put \"key0400\" = \"" + "0123456789".repeat(10) + "\"\n"), run.out());

    assertTrue(strata("dump-wal", crashImage.resolve("000009.wal")).out()
        .contains("end: zero tail: records end at offset 798, zeros from there to the end of the file at "));

    Path torn = tmp.resolve("torn.wal");
    Files.copy(store.resolve("000009.wal"), torn);
    truncate(torn, 798 - 5);
    run = strata("dump-wal", torn);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().contains("records 20, operations 22\nend: torn tail at offset 766"), run.out());

    Path damaged = tmp.resolve("damaged.wal");
    Files.copy(store.resolve("000009.wal"), damaged);
    InspectionStore.flip(damaged, 190 + 12);
    run = strata("dump-wal", damaged);
    assertEquals(1, run.code(), run.all());
    assertTrue(run.out().contains("damage at offset 190: damaged.wal: corrupt log record at offset 190: checksum"),
        run.out());
    assertTrue(run.out().contains("end: 1 damaged region(s), first: damage at offset 190"), run.out());
  }

  @Test
  void dumpSstVerifyOnlyGivesAOneLineVerdict() throws IOException {
    Run run = strata("dump-sst", "--verify-only", store.resolve("000007.sst"));
    assertEquals(0, run.code(), run.all());
    assertEquals(List.of("000007.sst: ok: 4 data blocks, 159 entries, checksums, key order and properties verified"),
        run.out().lines().toList());

    Path damaged = tmp.resolve("000007.sst");
    Files.copy(store.resolve("000007.sst"), damaged);
    InspectionStore.flip(damaged, 10);
    run = strata("dump-sst", "--verify-only", damaged);
    assertEquals(1, run.code(), run.all());
    assertEquals(1, run.out().lines().count(), run.out());
    assertTrue(run.out().startsWith("000007.sst: DAMAGED: 1 problem(s), first: 000007.sst: data block at offset 0"),
        run.out());
    assertTrue(run.err().contains("data block at offset 0"), run.err());
  }

  @Test
  void dumpSstFromIsInclusiveAndToExclusive() {
    Run run = strata("dump-sst", "--from", "key0010", "--to=key0013", store.resolve("000007.sst"));
    assertEquals(0, run.code(), run.all());
    List<String> entries = run.out().lines().dropWhile(l -> !l.equals("entries:")).skip(1)
        .takeWhile(l -> l.startsWith("  ")).toList();
    assertEquals(3, entries.size(), run.out());
    // L1 is the bottommost data of this store: compaction wrote every entry with sequence 0.
    assertTrue(entries.get(0).startsWith("  key0010@0:PUT"), entries.toString());
    assertTrue(entries.get(2).startsWith("  key0012@0:PUT"), entries.toString());
    assertTrue(run.out().contains("verified: 4 data blocks, 159 entries"), run.out());

    Run hex = strata("dump-sst", "--from", "0x6b657930303130", "--to", "0x6b657930303133", store.resolve("000007.sst"));
    assertEquals(run.out(), hex.out());

    assertEquals(2, strata("dump-sst", "--from", "0xabc", store.resolve("000007.sst")).code());
    assertEquals(2, strata("dump-sst", "--verify-only", "--to", "k", store.resolve("000007.sst")).code());
  }

  @Test
  void dumpManifestOfTheStoreShowsItsRecordsAndState() {
    Run run = strata("dump-manifest", store);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().startsWith("CURRENT names MANIFEST-000001\n"), run.out());
    assertTrue(run.out().contains("offset 314 WalSynced wal=9 syncedBytes=798"), run.out());
    assertTrue(run.out().contains("end: clean end at offset 326\nstate: next file number 11, last sequence 510\n"
        + "  wal 000009.wal live, synced through byte 798\n"), run.out());
  }

  /** Every record kind's line is data, in cli/inspection.txt; here, how the log ends. */
  @Test
  void dumpManifestTellsATornTailFromDamage() throws IOException {
    Path path = InspectionStore.everyKindManifest(tmp);
    Run run = strata("dump-manifest", path);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().contains("records 8\nend: clean end at offset 136"), run.out());

    truncate(path, Files.size(path) - 2);
    run = strata("dump-manifest", path);
    assertEquals(0, run.code(), run.all());
    assertTrue(run.out().contains("records 7\nend: torn tail at offset 126"), run.out());

    InspectionStore.flip(path, 93); // the last byte of NextFileNumber's record: damage, not a tear
    run = strata("dump-manifest", path);
    assertEquals(1, run.code(), run.all());
    assertTrue(run.out().contains("records 5\nend: damage at offset 84: MANIFEST-000007: corrupt log record at offset 84"),
        run.out());
  }

  @Test
  void everyCommandHasItsHelp() {
    for (String command : List.of("check", "lsm", "dump-manifest", "dump-wal", "dump-sst")) {
      Run help = strata("help", command);
      assertEquals(0, help.code(), command);
      assertTrue(help.out().startsWith("Usage: strata " + command), help.out());
      assertEquals(help.out(), strata(command, "--help").out(), command);
      assertTrue(strata("help").out().contains("  " + command + " "), command);
      assertEquals(2, strata(command).code(), command + " without its argument is bad usage");
      assertEquals(2, strata(command, "--bogus", store).code(), command + " --bogus");
    }
    assertFalse(strata("lsm", "--max-levels", "0", store).code() == 0);
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }
}
