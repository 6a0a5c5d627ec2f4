package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The library artifact (dev.strata:strata, built from src/main/java into target/classes) carries the
 * library and its own dependencies, nothing else: the `strata` command (src/tools/java), its peers'
 * adapters and its logging backend stay out of every application that depends on Strata.
 * The pom's enforcer rule checks the same dependencies transitively, at validate.
 */
class LibraryArtifactTest {
  /** What an application gets at runtime from depending on Strata, bar what these bring themselves. */
  private static final Set<String> LIBRARY_DEPENDENCIES =
      Set.of("com.typesafe.akka:akka-actor-typed_2.13", "org.slf4j:slf4j-api", "at.yawk.lz4:lz4-java");

  private static final Pattern TOOLS_OR_BACKEND_IMPORT =
      Pattern.compile("^import\\s+(static\\s+)?(dev\\.strata\\.cli|ch\\.qos\\.logback)\\.");

  @Test
  void theLibraryDependsOnAkkaActorTypedSlf4jApiAndLz4JavaAlone() throws Exception {
    assertEquals(new TreeSet<>(LIBRARY_DEPENDENCIES), PomDependencies.read(Path.of("pom.xml")).inheritedByApplications(),
        "dependencies of pom.xml that reach an application depending on dev.strata:strata (neither optional, "
            + "test nor provided, in the build or any profile); a tools-only one, such as logback-classic, "
            + "must be <optional>true</optional>");
  }

  @Test
  void theLibraryClassesHoldNoToolAndNoLoggingConfiguration() throws IOException, URISyntaxException {
    Path library = Path.of(Strata.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> offenders = new ArrayList<>();
    try (Entries entries = Entries.of(library)) {
      assertTrue(entries.contains("dev/strata/Strata.class"), library + " does not hold the library");
      for (String entry : entries.names()) {
        if (entry.startsWith("dev/strata/cli/") || entry.startsWith("logback") || entry.contains("/logback")) {
          offenders.add(entry);
        }
      }
    }
    assertEquals(List.of(), offenders, "tools' classes or logging configuration in " + library);
  }

  @Test
  void theToolsAreLoadedFromOutsideTheLibrary() throws URISyntaxException {
    Path library = Path.of(Strata.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path tools = Path.of(dev.strata.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertNotEquals(library, tools);
  }

  @Test
  void noLibrarySourceImportsTheToolsOrALoggingBackend() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("logback")) {
          offenders.add(f.toString());
        }
        if (name.endsWith(".java")) {
          for (String line : Files.readAllLines(f)) {
            if (TOOLS_OR_BACKEND_IMPORT.matcher(line).find()) {
              offenders.add(f + ": " + line);
            }
          }
        }
      }
    }
    assertEquals(false, Files.exists(Path.of("src/main/java/dev/strata/cli")), "the tools live in src/tools/java");
    assertEquals(List.of(), offenders);
  }

  /** The entries of a class directory or a jar, as slash-separated relative names. */
  private static final class Entries implements AutoCloseable {
    private final FileSystem jar;
    private final Path root;

    private Entries(FileSystem jar, Path root) {
      this.jar = jar;
      this.root = root;
    }

    static Entries of(Path location) throws IOException {
      if (Files.isDirectory(location)) {
        return new Entries(null, location);
      }
      FileSystem jar = FileSystems.newFileSystem(location);
      return new Entries(jar, jar.getPath("/"));
    }

    boolean contains(String name) {
      return Files.exists(root.resolve(name));
    }

    List<String> names() throws IOException {
      try (Stream<Path> paths = Files.walk(root)) {
        return paths.filter(p -> !p.equals(root))
            .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
            .toList();
      }
    }

    @Override
    public void close() throws IOException {
      if (jar != null) {
        jar.close();
      }
    }
  }

  /**
   * The dependencies pom.xml declares, read as Maven does for a project that depends on it: only
   * compile, runtime and system scoped ones that are not optional travel on. Scopes that
   * dependencyManagement sets count; ${property} references resolve from the pom's properties.
   */
  private static final class PomDependencies {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");
    private static final Set<String> INHERITED_SCOPES = Set.of("compile", "runtime", "system");

    private final Element project;
    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> managedScopes = new HashMap<>();

    private PomDependencies(Element project) {
      this.project = project;
      for (Element props : children(project, "properties")) {
        for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element e) {
            properties.put(e.getTagName(), e.getTextContent().trim());
          }
        }
      }
      for (Element mgmt : children(project, "dependencyManagement")) {
        for (Element deps : children(mgmt, "dependencies")) {
          for (Element dep : children(deps, "dependency")) {
            String scope = text(dep, "scope");
            if (scope != null) {
              managedScopes.put(coordinates(dep), scope);
            }
          }
        }
      }
    }

    static PomDependencies read(Path pom) throws Exception {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return new PomDependencies(factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement());
    }

    /** groupId:artifactId of every dependency, in the build or in any profile, that travels on. */
    Set<String> inheritedByApplications() {
      List<Element> holders = new ArrayList<>(List.of(project));
      for (Element profiles : children(project, "profiles")) {
        holders.addAll(children(profiles, "profile"));
      }
      Set<String> inherited = new TreeSet<>();
      for (Element holder : holders) {
        for (Element deps : children(holder, "dependencies")) {
          for (Element dep : children(deps, "dependency")) {
            String ga = coordinates(dep);
            String scope = text(dep, "scope") != null ? text(dep, "scope") : managedScopes.getOrDefault(ga, "compile");
            if (INHERITED_SCOPES.contains(scope) && !"true".equals(text(dep, "optional"))) {
              inherited.add(ga);
            }
          }
        }
      }
      return inherited;
    }

    private String coordinates(Element dep) {
      return text(dep, "groupId") + ":" + text(dep, "artifactId");
    }

    private String text(Element parent, String tag) {
      List<Element> found = children(parent, tag);
      return found.isEmpty() ? null : interpolate(found.get(0).getTextContent().trim());
    }

    private String interpolate(String value) {
      Matcher m = PROPERTY.matcher(value);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String resolved = properties.get(m.group(1));
        if (resolved == null) {
          throw new IllegalStateException("pom.xml: no property " + m.group(1) + " for " + value);
        }
        m.appendReplacement(out, Matcher.quoteReplacement(resolved));
      }
      return m.appendTail(out).toString();
    }

    private static List<Element> children(Element parent, String tag) {
      List<Element> found = new ArrayList<>();
      for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e && e.getTagName().equals(tag)) {
          found.add(e);
        }
      }
      return found;
    }
  }
}
