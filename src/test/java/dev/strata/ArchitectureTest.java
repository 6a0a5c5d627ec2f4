package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Dependencies point one way: the storage core knows nothing of Akka. */
class ArchitectureTest {
  private static final List<String> CORE = List.of("key", "util", "fs", "memtable", "log", "wal", "sst", "cache",
      "iterator", "manifest", "readstate", "compaction", "mvcc", "engine");

  @Test
  void storageCorePackagesImportNothingFromAkka() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (String pkg : CORE) {
      Path dir = Path.of("src/main/java/dev/strata", pkg);
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          for (String line : Files.readAllLines(f)) {
            if (line.startsWith("import akka.") || line.startsWith("import static akka.")) {
              offenders.add(f + ": " + line);
            }
          }
        }
      }
    }
    assertEquals(List.of(), offenders);
  }

  @Test
  void everyPackageSaysWhatItIs() {
    for (String pkg : CORE) {
      assertEquals(true, Files.exists(Path.of("src/main/java/dev/strata", pkg, "package-info.java")), pkg);
    }
  }
}
