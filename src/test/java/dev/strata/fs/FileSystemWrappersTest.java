package dev.strata.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine stacks file systems (error translation over the mapping budget over the real one). A
 * wrapper that inherits one of FileSystem's default methods instead of forwarding it silently skips
 * the layers beneath it for that call, so each wrapper forwards every method itself.
 */
class FileSystemWrappersTest {
  @ParameterizedTest
  @ValueSource(classes = {BudgetedFileSystem.class, TranslatingFileSystem.class})
  void everyFileSystemMethodIsForwardedExplicitly(Class<?> wrapper) throws Exception {
    List<String> inherited = new ArrayList<>();
    for (Method m : FileSystem.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method impl = wrapper.getMethod(m.getName(), m.getParameterTypes());
      if (impl.getDeclaringClass() != wrapper) {
        inherited.add(m.toString());
      }
    }
    assertEquals(List.of(), inherited, "FileSystem methods " + wrapper.getSimpleName() + " does not forward");
  }
}
