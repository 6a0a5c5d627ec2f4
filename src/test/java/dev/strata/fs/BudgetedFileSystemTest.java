package dev.strata.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's file system opens immutable files within its budget (that it forwards every call is
 * FileSystemWrappersTest's).
 */
class BudgetedFileSystemTest {
  @TempDir Path dir;

  @Test
  void immutableFilesOpenWithinTheBudget() throws Exception {
    MappingBudget budget = new MappingBudget(1);
    FileSystem fs = new BudgetedFileSystem(DiskFileSystem.INSTANCE, budget);
    Path a = Files.write(dir.resolve("a.sst"), new byte[] {1, 2, 3});
    Path b = Files.write(dir.resolve("b.sst"), new byte[] {4, 5, 6});
    try (ReadableFile fa = fs.openImmutable(a); ReadableFile fb = fs.openImmutable(b)) {
      assertEquals(1, budget.mappedFiles());
      byte[] got = new byte[3];
      fa.readFully(0, got, 0, 3);
      assertEquals(1, got[0]);
      fb.readFully(0, got, 0, 3);
      assertEquals(4, got[0]);
      assertEquals(1, budget.mappedFiles());
    }
    assertTrue(budget.mappedFiles() == 0);
  }
}
