package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.key.ValueKind;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dump-sst on tables written by the SST package's builder (the one internal API the CLI uses). */
class DumpSstCommandTest {
  @TempDir
  Path dir;
  private Path table;
  private final Capture out = new Capture();
  private final Capture err = new Capture();

  @BeforeEach
  void writeTable() throws Exception {
    table = dir.resolve("000042.sst");
    try (WritableFile file = DiskFileSystem.INSTANCE.create(table)) {
      TableBuilder builder = new TableBuilder(file, TableOptions.defaults());
      for (int i = 0; i < 300; i++) {
        byte[] key = String.format("key%04d", i).getBytes(StandardCharsets.UTF_8);
        builder.add(key, 1000 + i, ValueKind.PUT, ("value" + i).getBytes(StandardCharsets.UTF_8));
      }
      builder.finish();
    }
  }

  private int dump(String... args) {
    return DumpSstCommand.run(List.of(args), out.stream, err.stream);
  }

  @Test
  void aGoodTablePrintsFooterIndexAndEntries() {
    assertEquals(0, dump(table.toString()), err.text());
    String text = out.text();
    assertTrue(text.contains("footer"), text);
    assertTrue(text.contains("index"), text);
    assertTrue(text.contains("key0299"), text);
    assertTrue(text.contains("file number 42"), text);
  }

  @Test
  void noEntriesLeavesTheEntriesOut() {
    assertEquals(0, dump("--no-entries", table.toString()), err.text());
    assertFalse(out.text().contains("key0150"), out.text());
  }

  @Test
  void aCorruptTableFailsWithTheProblem() throws Exception {
    byte[] bytes = Files.readAllBytes(table);
    bytes[10] ^= 0x40;
    Files.write(table, bytes);
    assertEquals(1, dump(table.toString()));
    assertTrue(err.text().startsWith("strata dump-sst: corrupt: "), err.text());
  }

  @Test
  void aMissingFileFails() {
    assertEquals(1, dump(dir.resolve("nope.sst").toString()));
    assertTrue(err.text().startsWith("strata dump-sst: no such file"), err.text());
  }

  @Test
  void unknownOptionsAreBadUsage() {
    assertEquals(2, dump("--verbose", table.toString()));
    assertTrue(err.text().startsWith("strata dump-sst: unknown option --verbose"), err.text());
  }

  @Test
  void theFileNumberComesFromTheName() {
    assertEquals(42, DumpSstCommand.fileNumber("000042.sst"));
    assertEquals(0, DumpSstCommand.fileNumber("table.sst"));
  }
}
