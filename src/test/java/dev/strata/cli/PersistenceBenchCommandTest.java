package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata bench persistence}: its options, its result file, its table and a real small run. */
class PersistenceBenchCommandTest {
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @TempDir Path tmp;

  private int run(String... args) {
    return Main.run(args, new ByteArrayInputStream(new byte[0]), out.stream, err.stream);
  }

  @Test
  void theInMemoryJournalRunsEveryPhaseAndChecksEveryEvent() {
    int code = run("bench", "persistence", "--journal", "inmem", "--actors", "3", "--events", "20", "--group", "5",
        "--dir", tmp.resolve("run").toString());
    assertEquals(0, code, err.text());
    String text = out.text();
    assertTrue(text.matches("(?s).*persist\\s+60 events.*"), text);
    assertTrue(text.matches("(?s).*persistAll\\s+60 events.*"), text);
    assertTrue(text.matches("(?s).*recovery\\s+120 events.*"), text);
    assertTrue(text.contains("eventsByTag  skipped: no read journal"), text);
    assertTrue(text.contains("tagScan      skipped: not a Strata store"), text);
  }

  @Test
  void stratasRunReadsEveryEventBackByTagAndByAPlainScanOfTheTagIndex() {
    int code = run("bench", "persistence", "--journal", "strata", "--actors", "3", "--events", "20", "--group", "4",
        "--dir", tmp.resolve("strata").toString());
    assertEquals(0, code, err.text());
    String text = out.text();
    assertTrue(text.matches("(?s).*recovery\\s+120 events.*"), text);
    assertTrue(text.matches("(?s).*eventsByTag\\s+120 events.*"), text);
    assertTrue(text.matches("(?s).*tagScan\\s+120 events.*"), text);
  }

  @Test
  void theFloorWritesTheJournalsBatchShapeWithPlainStoreWrites() {
    int code = run("bench", "persistence", "--floor", "--no-sync", "--actors", "3", "--events", "20", "--group", "4",
        "--dir", tmp.resolve("floor").toString());
    assertEquals(0, code, err.text());
    String text = out.text();
    assertTrue(text.contains("fsync off: 3 ids x 20 events per line, persistAll groups of 4"), text);
    assertTrue(text.matches("(?s).*serialize\\s+60 events.*"), text);
    assertTrue(text.matches("(?s).*store persist\\s+60 events.*"), text);
    assertTrue(text.matches("(?s).*store persistAll\\s+60 events.*us CPU/event.*"), text);
    assertTrue(text.matches("(?s).*store replay\\s+60 events.*"), text);
    UsageException both = assertThrows(UsageException.class,
        () -> PersistenceBenchCommand.parse(List.of("--floor", "--compare")));
    assertTrue(both.getMessage().contains("--floor and --compare"), both.getMessage());
  }

  @Test
  void defaultsAreTheIssuesWorkloadWithSyncOn() throws Exception {
    PersistenceBenchCommand.Config config = PersistenceBenchCommand.parse(List.of());
    assertEquals(new PersistenceWorkload.Settings(100, 1000, 10, 100, true), config.settings());
    assertEquals(PersistenceJournal.STRATA, config.journal());
    assertEquals(List.of(PersistenceJournal.values()), config.journals());
  }

  @Test
  void badOptionsAreUsageErrorsThatNameTheOption() {
    assertEquals(2, run("bench", "persistence", "--actors", "0"));
    assertTrue(err.text().contains("--actors must be between 1 and 100000, got 0"), err.text());
    UsageException unknown = assertThrows(UsageException.class,
        () -> PersistenceBenchCommand.parse(List.of("--journals", "strata,cassandra")));
    assertTrue(unknown.getMessage().contains("unknown journal 'cassandra'"), unknown.getMessage());
    assertThrows(UsageException.class, () -> PersistenceBenchCommand.parse(List.of("--group", "1")));
    assertThrows(UsageException.class, () -> PersistenceBenchCommand.parse(List.of("--fsync")));
  }

  @Test
  void aChildRunsTheSameWorkloadForOneJournal() throws Exception {
    PersistenceBenchCommand.Config config =
        PersistenceBenchCommand.parse(List.of("--compare", "--actors", "7", "--events=9", "--no-sync"));
    List<String> child = PersistenceBenchCommand.childArgs(config, PersistenceJournal.LEVELDB, Path.of("r.txt"),
        Path.of("d"));
    assertEquals(List.of("bench", "persistence", "--actors", "7", "--events", "9", "--group", "10", "--event-bytes",
        "100", "--no-sync", "--journal", "leveldb", "--results-file", "r.txt", "--dir", "d"), child);
    assertEquals(config.settings(), PersistenceBenchCommand.parse(child.subList(2, child.size())).settings());
  }

  @Test
  void resultsSurviveTheirFileAndTheTableGivesStratasRatios() throws Exception {
    PersistenceResult strata = new PersistenceResult("strata", "fsync on", List.of(
        PersistenceResult.Phase.ran("persist", 1000, 100_000_000L),
        PersistenceResult.Phase.ran("persistAll", 1000, 10_000_000L, 7_500_000L),
        PersistenceResult.Phase.skipped("eventsByTag", "no read journal")));
    Path file = tmp.resolve("result.txt");
    strata.writeTo(file);
    assertEquals(strata, PersistenceResult.readFrom(file));
    PersistenceResult other = new PersistenceResult("leveldb", "fsync on", List.of(
        PersistenceResult.Phase.ran("persist", 1000, 400_000_000L),
        PersistenceResult.Phase.ran("persistAll", 1000, 20_000_000L)));
    String table = PersistenceBenchCommand.table(List.of(strata, other));
    assertTrue(table.matches("(?s).*strata\\s+fsync on\\s+10,000\\s+100,000\\s+-\\s+-\\s+-.*"), table);
    assertTrue(table.matches("(?s).*strata / leveldb\\s+4\\.00x\\s+2\\.00x\\s+-\\s+-\\s+-.*"), table);
    String cpu = PersistenceBenchCommand.cpuTable(List.of(strata, other));
    assertTrue(cpu.matches("(?s).*strata\\s+fsync on\\s+-\\s+7\\.50\\s+-\\s+-\\s+-.*"), cpu);
    Files.writeString(file, "nothing=here\n");
    assertThrows(java.io.IOException.class, () -> PersistenceResult.readFrom(file));
  }
}
