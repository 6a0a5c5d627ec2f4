package dev.strata.readstate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.key.ValueKind;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import dev.strata.sst.TableReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file's seek allowance: spent by wasted lookups, asked for once, renewed when the file moves. */
class SstFileSeeksTest {
  @TempDir Path dir;

  private SstFile smallTable() throws Exception {
    Path path = dir.resolve("1.sst");
    try (WritableFile out = DiskFileSystem.INSTANCE.create(path)) {
      TableBuilder b = new TableBuilder(out, TableOptions.defaults());
      b.add("k".getBytes(), 1, ValueKind.PUT, "v".getBytes());
      b.finish();
    }
    TableReader reader = TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), 1, path.toString(), null);
    return new SstFile(1, reader, f -> {});
  }

  @Test
  void aSmallFileAsksForCompactionOnItsHundredthWastedLookupAndOnlyThen() throws Exception {
    SstFile f = smallTable();
    for (int i = 1; i < SstFile.MIN_ALLOWED_SEEKS; i++) {
      assertFalse(f.chargeSeek(), "lookup " + i);
    }
    assertTrue(f.chargeSeek(), "the allowance is spent");
    for (int i = 0; i < 1_000; i++) {
      assertFalse(f.chargeSeek(), "asked once already");
    }
  }

  @Test
  void aFileMovedToAnotherLevelGetsAFreshAllowance() throws Exception {
    SstFile f = smallTable();
    while (!f.chargeSeek()) {
      // spend it
    }
    f.resetSeeks();
    for (int i = 1; i < SstFile.MIN_ALLOWED_SEEKS; i++) {
      assertFalse(f.chargeSeek(), "lookup " + i + " after the move");
    }
    assertTrue(f.chargeSeek(), "asks again once the new allowance is spent");
  }
}
