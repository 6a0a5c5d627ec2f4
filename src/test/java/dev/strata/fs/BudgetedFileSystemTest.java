package dev.strata.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's file system forwards every call to the one it wraps and opens immutable files
 * within its budget. Every method is forwarded explicitly: a default method added to FileSystem
 * later and overridden by the disk or a test file system would otherwise silently skip the
 * override, so this test fails until the wrapper forwards it too.
 */
class BudgetedFileSystemTest {
  @TempDir Path dir;

  @Test
  void everyFileSystemMethodIsForwardedExplicitly() throws Exception {
    List<String> inherited = new ArrayList<>();
    for (Method m : FileSystem.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method impl = BudgetedFileSystem.class.getMethod(m.getName(), m.getParameterTypes());
      if (impl.getDeclaringClass() != BudgetedFileSystem.class) {
        inherited.add(m.toString());
      }
    }
    assertEquals(List.of(), inherited, "FileSystem methods BudgetedFileSystem does not forward");
  }

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
