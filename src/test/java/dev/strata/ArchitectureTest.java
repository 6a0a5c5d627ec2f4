package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dependencies point one way: the storage core knows nothing of Akka, the internal packages form a
 * hierarchy, the API calls no integration built on it, and the integrations and tools use the API
 * rather than the internal key package; only the writer actor holds the writer's control of the
 * store. The rules run on Strata's own sources, and each is also
 * shown failing on a small tree that breaks it, so that none can pass by reading nothing.
 */
class ArchitectureTest {
  private static final List<String> CORE = List.of("key", "util", "fs", "memtable", "log", "wal", "sst", "cache",
      "iterator", "manifest", "readstate", "compaction", "mvcc", "engine");
  /** The library, the tools (command line, benchmarks) and the benchmark's adapters of other engines. */
  private static final List<Path> SOURCE_ROOTS =
      List.of(Path.of("src/main/java"), Path.of("src/tools/java"), Path.of("src/peers/java"));
  private static final String API = "dev.strata";

  private static PackageGraph sources;

  @BeforeAll
  static void readSources() throws IOException {
    sources = PackageGraph.read(SOURCE_ROOTS);
  }

  // ---------------------------------------------------------------- the rules

  /**
   * The internal packages (every {@code dev.strata.*} but the API) depend on one another without
   * a cycle. The API is left out: it is the facade over them all, and they may use its types
   * (options, exceptions, write batches).
   */
  static List<String> cyclesAmongInternalPackages(PackageGraph graph) {
    return graph.cycles(pkg -> pkg.startsWith(API + ".")).stream().map(graph::describe).toList();
  }

  /** The API package refers to nothing in {@code dev.strata.akka} or below it. */
  static List<String> apiReferencesToTheAkkaIntegration(PackageGraph graph) {
    return references(graph, pkg -> pkg.equals(API), pkg -> inTree(pkg, "dev.strata.akka"));
  }

  /** {@code dev.strata.akka}, {@code dev.strata.cli} and the packages below them refer to nothing in {@code dev.strata.key}. */
  static List<String> integrationReferencesToTheKeyPackage(PackageGraph graph) {
    return references(graph, pkg -> inTree(pkg, "dev.strata.akka") || inTree(pkg, "dev.strata.cli"),
        pkg -> inTree(pkg, "dev.strata.key"));
  }

  private static List<String> references(PackageGraph graph, Predicate<String> from, Predicate<String> to) {
    List<String> found = new ArrayList<>();
    for (String pkg : graph.packages()) {
      if (from.test(pkg)) {
        for (String dep : graph.dependenciesOf(pkg)) {
          if (to.test(dep)) {
            found.add(pkg + " -> " + dep + "   (" + graph.evidence(pkg, dep) + ")");
          }
        }
      }
    }
    return found;
  }

  private static boolean inTree(String pkg, String root) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  /** The writer's handle on the store, and the one class outside the engine package that may name it. */
  private static final Pattern WRITER_CONTROL = Pattern.compile("\\bWriterControl\\b");
  /** Asking the engine for that handle: a call of, or a method reference to, writerControl. */
  private static final Pattern ASKS_FOR_WRITER_CONTROL = Pattern.compile("(\\.|::)\\s*writerControl\\b");
  private static final Path ENGINE = Path.of("dev/strata/engine");
  private static final Path WRITER = Path.of("dev/strata/actor/WriterActor.java");
  /** Spawns the writer, and asks the engine for the handle only to pass it to the writer's create. */
  private static final Path WIRING = Path.of("dev/strata/Strata.java");

  /**
   * Only the writer actor names {@code dev.strata.engine.WriterControl}, through which alone the
   * store's shape changes (the engine package, which defines it, aside), and only {@code Strata},
   * which spawns the writer, asks the engine for it (the engine hands it out once). Comments and
   * literals do not count. Returns each other reference as "file:line: code".
   */
  static List<String> writerControlReferencesOutsideTheWriter(List<Path> roots) throws IOException {
    List<String> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          Path relative = root.relativize(f);
          if (relative.startsWith(ENGINE) || relative.equals(WRITER)) {
            continue;
          }
          String[] lines = PackageGraph.code(Files.readString(f)).split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            if (WRITER_CONTROL.matcher(lines[i]).find()
                || (!relative.equals(WIRING) && ASKS_FOR_WRITER_CONTROL.matcher(lines[i]).find())) {
              found.add(f + ":" + (i + 1) + ": " + lines[i].strip());
            }
          }
        }
      }
    }
    return found;
  }

  /** Micrometer, an optional dependency, and the one package that may refer to it. */
  private static final Pattern MICROMETER = Pattern.compile("\\bio\\.micrometer\\b");
  private static final Path METRICS = Path.of("dev/strata/metrics");

  /**
   * Every reference to Micrometer ({@code io.micrometer}, in an import or a qualified name; comments
   * and literals do not count) outside {@code dev.strata.metrics}, as "file:line: code": Micrometer
   * is optional, so nothing an application loads without it may refer to it.
   */
  static List<String> micrometerReferencesOutsideTheMetricsPackage(List<Path> roots) throws IOException {
    List<String> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          if (root.relativize(f).startsWith(METRICS)) {
            continue;
          }
          String[] lines = PackageGraph.code(Files.readString(f)).split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            if (MICROMETER.matcher(lines[i]).find()) {
              found.add(f + ":" + (i + 1) + ": " + lines[i].strip());
            }
          }
        }
      }
    }
    return found;
  }

  // ---------------------------------------------------------------- Strata's sources

  @Test
  void theSourcesReadHoldTheLibraryTheIntegrationsAndTheToolsWhereverTheyLive() {
    for (String pkg : List.of(API, "dev.strata.sst", "dev.strata.cache", "dev.strata.key", "dev.strata.akka",
        "dev.strata.akka.stream", "dev.strata.cli")) {
      assertTrue(sources.packages().contains(pkg), pkg + " not found in " + SOURCE_ROOTS + ": " + sources.packages());
    }
  }

  @Test
  void internalPackagesDependOnOneAnotherWithoutCycles() {
    assertEquals(List.of(), cyclesAmongInternalPackages(sources));
  }

  @Test
  void theApiDoesNotCallIntoTheAkkaIntegration() {
    assertEquals(List.of(), apiReferencesToTheAkkaIntegration(sources));
  }

  @Test
  void integrationsAndToolsDoNotUseTheInternalKeyPackage() {
    assertEquals(List.of(), integrationReferencesToTheKeyPackage(sources));
  }

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
  void onlyTheWriterActorHoldsTheWriterControl() throws IOException {
    assertEquals(List.of(), writerControlReferencesOutsideTheWriter(SOURCE_ROOTS));
  }

  @Test
  void onlyTheMetricsPackageRefersToMicrometer() throws IOException {
    assertEquals(List.of(), micrometerReferencesOutsideTheMetricsPackage(SOURCE_ROOTS));
  }

  @Test
  void everyPackageSaysWhatItIs() {
    for (String pkg : CORE) {
      assertEquals(true, Files.exists(Path.of("src/main/java/dev/strata", pkg, "package-info.java")), pkg);
    }
  }

  // ---------------------------------------------------------------- each rule can fail

  @Test
  void theCycleRuleFailsOnTwoInternalPackagesThatUseEachOtherAndPrintsTheCycle(@TempDir Path root)
      throws IOException {
    write(root, "dev/strata/cache/BlockCache.java", "package dev.strata.cache;\nimport dev.strata.sst.Block;\n");
    write(root, "dev/strata/sst/Block.java", "package dev.strata.sst;\nclass Block { dev.strata.cache.BlockCache c; }\n");
    assertEquals(List.of("dev.strata.cache"
            + "\n  -> dev.strata.sst   (" + root.resolve("dev/strata/cache/BlockCache.java") + ": dev.strata.sst.Block)"
            + "\n  -> dev.strata.cache   (" + root.resolve("dev/strata/sst/Block.java") + ": dev.strata.cache.BlockCache)"),
        cyclesAmongInternalPackages(PackageGraph.read(List.of(root))));
  }

  @Test
  void theCycleRuleAcceptsInternalPackagesThatUseTheApiWhichUsesThem(@TempDir Path root) throws IOException {
    write(root, "dev/strata/Strata.java", "package dev.strata;\nimport dev.strata.engine.StoreEngine;\n");
    write(root, "dev/strata/engine/StoreEngine.java",
        "package dev.strata.engine;\nimport dev.strata.StrataOptions;\nimport dev.strata.sst.TableReader;\n");
    write(root, "dev/strata/sst/TableReader.java", "package dev.strata.sst;\nimport dev.strata.StrataException;\n");
    assertEquals(List.of(), cyclesAmongInternalPackages(PackageGraph.read(List.of(root))));
  }

  @Test
  void theApiRuleFailsOnAnApiClassThatUsesTheAkkaIntegrationOrBelowIt(@TempDir Path root) throws IOException {
    write(root, "dev/strata/Strata.java", "package dev.strata;\nimport dev.strata.akka.StrataExtension;\n");
    write(root, "dev/strata/Snapshot.java", "package dev.strata;\nimport static dev.strata.akka.stream.StrataSink.create;\n");
    write(root, "dev/strata/akka/StrataExtension.java", "package dev.strata.akka;\n");
    write(root, "dev/strata/akka/stream/StrataSink.java", "package dev.strata.akka.stream;\n");
    assertEquals(List.of(
            "dev.strata -> dev.strata.akka   (" + root.resolve("dev/strata/Strata.java") + ": dev.strata.akka.StrataExtension)",
            "dev.strata -> dev.strata.akka.stream   (" + root.resolve("dev/strata/Snapshot.java")
                + ": dev.strata.akka.stream.StrataSink.create)"),
        apiReferencesToTheAkkaIntegration(PackageGraph.read(List.of(root))));
  }

  @Test
  void theKeyRuleFailsOnIntegrationsAndToolsThatUseTheKeyPackageInAnySourceRoot(@TempDir Path root)
      throws IOException {
    Path main = root.resolve("main");
    Path tools = root.resolve("tools");
    write(main, "dev/strata/key/KeyLimits.java", "package dev.strata.key;\n");
    write(main, "dev/strata/akka/persistence/Keys.java", "package dev.strata.akka.persistence;\n"
        + "class Keys { int max = dev.strata.key.KeyLimits.MAX_KEY_BYTES; }\n");
    write(tools, "dev/strata/cli/Dump.java", "package dev.strata.cli;\nimport dev.strata.key.*;\n");
    assertEquals(List.of(
            "dev.strata.akka.persistence -> dev.strata.key   (" + main.resolve("dev/strata/akka/persistence/Keys.java")
                + ": dev.strata.key.KeyLimits.MAX_KEY_BYTES)",
            "dev.strata.cli -> dev.strata.key   (" + tools.resolve("dev/strata/cli/Dump.java") + ": dev.strata.key)"),
        integrationReferencesToTheKeyPackage(PackageGraph.read(List.of(main, tools, root.resolve("absent")))));
  }

  @Test
  void theWriterControlRuleFailsOnAnyOtherClassThatNamesTheControlOrAsksTheEngineForIt(@TempDir Path root)
      throws IOException {
    Path main = root.resolve("main");
    Path tools = root.resolve("tools");
    // Allowed: the engine that defines it, the writer that holds it, Strata handing it to the writer.
    write(main, "dev/strata/engine/StoreEngine.java", "package dev.strata.engine;\n"
        + "public final class StoreEngine { public WriterControl writerControl() { return null; } }\n");
    write(main, "dev/strata/actor/WriterActor.java", "package dev.strata.actor;\n"
        + "import dev.strata.engine.WriterControl;\nclass WriterActor { WriterControl engine; }\n");
    write(main, "dev/strata/Strata.java", "package dev.strata;\n"
        + "class Strata { Object w(dev.strata.engine.StoreEngine e) { return create(e.writerControl()); } }\n");
    write(main, "dev/strata/Snapshot.java", "package dev.strata;\n"
        + "/** Reads, never through the {@link WriterControl}. */\nclass Snapshot { String s = \"WriterControl\"; }\n");
    // Not allowed: an import, a fully qualified name, a call or a method reference elsewhere.
    write(main, "dev/strata/akka/Sneaky.java", "package dev.strata.akka;\nimport dev.strata.engine.WriterControl;\n");
    write(main, "dev/strata/Transaction.java", "package dev.strata;\nclass Transaction {\n"
        + "  void f(dev.strata.engine.StoreEngine e) { var c = e.writerControl(); }\n"
        + "  Object g(dev.strata.engine.StoreEngine e) { return (java.util.function.Supplier<?>) e::writerControl; }\n}\n");
    write(tools, "dev/strata/cli/Dump.java", "package dev.strata.cli;\nclass Dump { dev.strata.engine.WriterControl c; }\n");
    assertEquals(List.of(
            main.resolve("dev/strata/Transaction.java") + ":3: void f(dev.strata.engine.StoreEngine e) { var c = e.writerControl(); }",
            main.resolve("dev/strata/Transaction.java") + ":4: Object g(dev.strata.engine.StoreEngine e) { "
                + "return (java.util.function.Supplier<?>) e::writerControl; }",
            main.resolve("dev/strata/akka/Sneaky.java") + ":2: import dev.strata.engine.WriterControl;",
            tools.resolve("dev/strata/cli/Dump.java") + ":2: class Dump { dev.strata.engine.WriterControl c; }"),
        writerControlReferencesOutsideTheWriter(List.of(main, tools, root.resolve("absent"))));
  }

  @Test
  void theMicrometerRuleFailsOnAnyOtherPackageThatRefersToIt(@TempDir Path root) throws IOException {
    write(root, "dev/strata/metrics/StrataMetrics.java", "package dev.strata.metrics;\n"
        + "import io.micrometer.core.instrument.binder.MeterBinder;\n");
    write(root, "dev/strata/Strata.java", "package dev.strata;\n/** Not {@code io.micrometer}: a comment. */\n"
        + "class Strata { String s = \"io.micrometer\"; }\n");
    write(root, "dev/strata/engine/EngineStats.java", "package dev.strata.engine;\n"
        + "class EngineStats { io.micrometer.core.instrument.Gauge g; }\n");
    write(root, "dev/strata/akka/Meters.java", "package dev.strata.akka;\nimport static io.micrometer.core.instrument.Metrics.globalRegistry;\n");
    assertEquals(List.of(
            root.resolve("dev/strata/akka/Meters.java") + ":2: import static io.micrometer.core.instrument.Metrics.globalRegistry;",
            root.resolve("dev/strata/engine/EngineStats.java") + ":2: class EngineStats { io.micrometer.core.instrument.Gauge g; }"),
        micrometerReferencesOutsideTheMetricsPackage(List.of(root, root.resolve("absent"))));
  }

  private static void write(Path root, String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
