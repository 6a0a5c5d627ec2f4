package dev.strata.sst;

import static dev.strata.sst.SstTestHarness.Entry;
import static dev.strata.sst.SstTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.cache.BlockCache;
import dev.strata.key.ValueKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

class TableDumpTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private Path writeSmallTable() throws IOException {
    Path path = dir.resolve("000042.sst");
    SstTestHarness.writeTable(path, List.of(
        new Entry(bytes("apple"), 9, ValueKind.PUT, bytes("red")),
        new Entry(bytes("apple"), 4, ValueKind.DELETE, new byte[0]),
        new Entry(bytes("bin\u0001"), 5, ValueKind.PUT, bytes("x".repeat(100))),
        new Entry(bytes("cherry"), 7, ValueKind.PUT, new byte[0])), new TableOptions(40, 10));
    return path;
  }

  private static String dump(TableReader reader, boolean withEntries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      TableDump.dump(reader, out, withEntries);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theDumpShowsFooterPropertiesIndexAndEntries() throws IOException {
    try (TableReader r = SstTestHarness.open(writeSmallTable(), null)) {
      String text = dump(r, true);
      assertTrue(text.contains("format version  2"), text);
      assertTrue(text.contains("entries         4"), text);
      assertTrue(text.contains("tombstones      1"), text);
      assertTrue(text.contains("smallest key    apple@9:PUT"), text);
      assertTrue(text.contains("block 0: offset 0, size "), text);
      assertTrue(text.contains("apple@4:DELETE value 0 bytes \"\""), text);
      assertTrue(text.contains("bin\\x01@5:PUT value 100 bytes \"" + "x".repeat(32) + "\"..."), text);
      assertTrue(text.contains("verified: "), text);
    }
  }

  @Test
  void withoutEntriesTheDumpStillVerifiesEveryBlock() throws IOException {
    try (TableReader r = SstTestHarness.open(writeSmallTable(), null)) {
      String text = dump(r, false);
      assertFalse(text.contains("apple@4:DELETE value"), text);
      assertTrue(text.contains("4 entries, all checksums match"), text);
    }
  }

  @Test
  void aDamagedDataBlockFailsTheDumpEvenWhenItIsCached() throws IOException {
    Path path = writeSmallTable();
    BlockCache cache = new BlockCache(1 << 20);
    try (TableReader r = SstTestHarness.open(path, cache)) {
      r.get(bytes("apple"), 100);
      SstTestHarness.flipByte(path, 3, 0x01);
      assertThrows(CorruptionException.class, () -> dump(r, false));
    }
  }
}
