package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication protocol ({@code dev.strata.cluster.replication}) is pure Java: it refers to
 * nothing of Akka (nor Scala) and to nothing of the cluster packages above it (the facade, the
 * sharding wiring, the checkpoint transfer), so that it can be driven by any transport and tested
 * without one. Like the rules of {@link ArchitectureTest}, this one is also shown failing on a
 * small tree that breaks it.
 */
class ReplicationPurityTest {
  private static final Path REPLICATION = Path.of("dev/strata/cluster/replication");
  private static final Pattern FORBIDDEN =
      Pattern.compile("\\b(akka|scala)\\.\\w|\\bdev\\.strata\\.cluster\\b(?!\\.replication\\b)");

  /** Each forbidden reference in the replication package under {@code root}, as "file:line: code". */
  static List<String> impureReferences(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    Path pkg = root.resolve(REPLICATION);
    if (!Files.isDirectory(pkg)) {
      return found;
    }
    try (Stream<Path> files = Files.walk(pkg)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String[] lines = PackageGraph.code(Files.readString(f)).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
          if (FORBIDDEN.matcher(lines[i]).find()) {
            found.add(f + ":" + (i + 1) + ": " + lines[i].strip());
          }
        }
      }
    }
    return found;
  }

  @Test
  void theReplicationPackageRefersToNeitherAkkaNorTheClusterPackagesAboveIt() throws IOException {
    assertTrue(Files.isDirectory(Path.of("src/main/java").resolve(REPLICATION)), "the package exists");
    assertEquals(List.of(), impureReferences(Path.of("src/main/java")));
  }

  @Test
  void theRuleFindsAkkaAndClusterReferencesButNotCommentsOrItsOwnPackage(@TempDir Path tmp) throws IOException {
    Path pkg = Files.createDirectories(tmp.resolve(REPLICATION));
    Files.writeString(pkg.resolve("Bad.java"), String.join("\n",
        "package dev.strata.cluster.replication;",
        "import akka.actor.typed.ActorRef;",
        "import dev.strata.cluster.StrataCluster;",
        "import dev.strata.cluster.replication.Replica;",
        "// akka.Done in a comment is fine, and so is \"dev.strata.cluster.Keyspace\" in a literal",
        "class Bad { String s = \"akka.Done\"; dev.strata.cluster.sharding.Wiring w; }"));
    List<String> found = impureReferences(tmp);
    assertEquals(3, found.size(), found.toString());
    assertTrue(found.get(0).endsWith(":2: import akka.actor.typed.ActorRef;"), found.get(0));
    assertTrue(found.get(1).endsWith(":3: import dev.strata.cluster.StrataCluster;"), found.get(1));
    assertTrue(found.get(2).contains(":6: "), found.get(2));
  }
}
