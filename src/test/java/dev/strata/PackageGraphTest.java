package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package graph the architecture rules read: what counts as a reference, and which cycles it finds. */
class PackageGraphTest {
  @Test
  void aCycleIsGivenAsThePackagesAlongItWithTheFirstRepeated() {
    PackageGraph g = PackageGraph.of(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
    assertEquals(List.of(List.of("a", "b", "c", "a")), g.cycles(pkg -> true));
  }

  @Test
  void aHierarchyHasNoCycle() {
    PackageGraph g = PackageGraph.of(Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of()));
    assertEquals(List.of(), g.cycles(pkg -> true));
  }

  @Test
  void eachTangleIsReportedOnceByOneOfItsShortestCycles() {
    PackageGraph g = PackageGraph.of(Map.of(
        "a", Set.of("b"), "b", Set.of("a", "c"), "c", Set.of("d"), "d", Set.of("c", "e"), "e", Set.of("c")));
    List<List<String>> cycles = g.cycles(pkg -> true);
    assertEquals(2, cycles.size(), cycles.toString());
    assertTrue(cycles.contains(List.of("a", "b", "a")), cycles.toString());
    assertTrue(cycles.contains(List.of("c", "d", "c")), cycles.toString());
  }

  @Test
  void aCycleThroughAPackageLeftOutIsNoCycle() {
    PackageGraph g = PackageGraph.of(Map.of("api", Set.of("a"), "a", Set.of("api")));
    assertEquals(List.of(), g.cycles(pkg -> !pkg.equals("api")));
    assertEquals(List.of(List.of("a", "api", "a")), g.cycles(pkg -> true));
  }

  @Test
  void aDescribedCycleSaysWhereEachReferenceIs() {
    PackageGraph g = PackageGraph.of(Map.of("a", Set.of("b"), "b", Set.of("a")));
    assertEquals("a\n  -> b   (given)\n  -> a   (given)", g.describe(List.of("a", "b", "a")));
  }

  @Test
  void commentsAndLiteralsAreBlankedAndCodeIsKept() {
    String source = "package p; // dev.strata.a\n"
        + "/* dev.strata.b\n"
        + "   dev.strata.c */ import dev.strata.d.D;\n"
        + "class X { String s = \"dev.strata.e \\\" dev.strata.f\"; char q = '\"'; char e = '\\''; dev.strata.g.G g;\n"
        + "  String t = \"\"\"\n"
        + "    dev.strata.h \\\"\"\" dev.strata.i\n"
        + "    \"\"\"; }\n";
    String code = PackageGraph.code(source);
    for (String gone : List.of("strata.a", "strata.b", "strata.c", "strata.e", "strata.f", "strata.h", "strata.i")) {
      assertTrue(!code.contains(gone), gone + " left in:\n" + code);
    }
    assertTrue(code.contains("import dev.strata.d.D;"), code);
    assertTrue(code.contains("dev.strata.g.G g;"), code);
    assertEquals(source.lines().count(), code.lines().count(), "line breaks are kept");
  }

  @Test
  void aReferenceIsToTheLongestPackageItNamesAndNotToItsOwnPackage(@TempDir Path root) throws IOException {
    write(root, "dev/strata/akka/StrataExtension.java", "package dev.strata.akka;\n"
        + "import dev.strata.akka.stream.KeyValue;\nimport dev.strata.akka.StrataCommand;\n"
        + "class StrataExtension { dev.strata.Strata store; }\n");
    write(root, "dev/strata/akka/stream/KeyValue.java", "package dev.strata.akka.stream;\n");
    write(root, "dev/strata/Strata.java", "package dev.strata;\n");
    PackageGraph g = PackageGraph.read(List.of(root));
    assertEquals(Set.of("dev.strata", "dev.strata.akka", "dev.strata.akka.stream"), g.packages());
    assertEquals(Set.of("dev.strata.akka.stream", "dev.strata"), g.dependenciesOf("dev.strata.akka"));
  }

  @Test
  void aFileWithoutAPackageDeclarationIsAnErrorNamingIt(@TempDir Path root) throws IOException {
    write(root, "Orphan.java", "class Orphan {}\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PackageGraph.read(List.of(root)));
    assertEquals(root.resolve("Orphan.java") + " has no package declaration", e.getMessage());
  }

  private static void write(Path root, String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
