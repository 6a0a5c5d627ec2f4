package dev.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the docs under src/site/markdown link only inside the repository: no web links
 * at all, and every relative link reaches a file that exists and, with a {@code #fragment}, a
 * heading in it (anchors as the usual Markdown renderers make them from headings).
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  /** {@code [text](target)} and {@code ![alt](target)}; the target ends at a space or ')'. */
  private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  /** {@code [label]: target} reference definitions. */
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  @Test
  void theReadmeAndEveryDocLinkOnlyToFilesAndHeadingsThatExist() throws IOException {
    List<Path> docs = documents(ROOT);
    assertTrue(docs.contains(ROOT.resolve("README.md")), "no README.md in " + ROOT);
    assertTrue(docs.size() >= 8, "expected README.md and the docs under src/site/markdown, found " + docs);
    List<String> problems = new ArrayList<>();
    for (Path doc : docs) {
      problems.addAll(problems(doc, ROOT));
    }
    assertEquals("", String.join("\n", problems), problems.size() + " bad links");
  }

  @Test
  void theReadmeLinksEveryDoc() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (Path doc : documents(ROOT)) {
      if (!doc.getFileName().toString().equals("README.md")) {
        String link = "(" + ROOT.relativize(doc).toString().replace('\\', '/') + ")";
        assertTrue(readme.contains(link), "README.md does not link " + link);
      }
    }
  }

  @Test
  void aWebLinkAMissingFileAndAMissingHeadingAreEachReported(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/b.md"), "# B title\n\n## What `close()` guarantees\n");
    Path a = root.resolve("docs/a.md");
    Files.writeString(a, String.join("\n",
        "# A",
        "[fine](b.md#what-close-guarantees) and [self](#a) and [dir](../docs/)",
        "see https://example.org for more",
        "[gone](missing.md) [no such heading](b.md#nowhere) [outside](../../elsewhere.md)",
        "[mail](mailto:someone)",
        "```",
        "[in code](not-checked.md) http: is fine in a fence only without the slashes",
        "```",
        "`[in code](also-not-checked.md)`",
        "[ref]: b.md#b-title",
        ""));
    List<String> problems = problems(a, root);
    assertEquals(List.of(
        "docs/a.md:3: a web link (https://): the docs link only inside the repository",
        "docs/a.md:4: missing.md: no such file",
        "docs/a.md:4: b.md#nowhere: no heading with the anchor #nowhere in docs/b.md",
        "docs/a.md:4: ../../elsewhere.md: points outside the repository",
        "docs/a.md:5: mailto:someone: not a relative link"), problems);
  }

  @Test
  void anchorsAreMadeFromHeadingsAsMarkdownRenderersMakeThem() {
    assertEquals("watching-a-strategy-compaction-sim", anchor("Watching a strategy: compaction-sim"));
    assertEquals("what-close-guarantees", anchor("What `close()` guarantees"));
    assertEquals("leveled-the-default-dynamic-level-sizes", anchor("Leveled (the default): dynamic level sizes"));
    assertEquals("mvcc-snapshots-transactions-compaction-filters",
        anchor("MVCC: snapshots, transactions, compaction filters"));
  }

  /** README.md and every Markdown file under src/site/markdown. */
  private static List<Path> documents(Path root) throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    Path site = root.resolve("src/site/markdown");
    if (Files.isDirectory(site)) {
      try (Stream<Path> files = Files.walk(site)) {
        files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
      }
    }
    return docs;
  }

  /** What is wrong with the links of {@code doc}, one line each, as {@code file:line: problem}. */
  static List<String> problems(Path doc, Path root) throws IOException {
    List<String> problems = new ArrayList<>();
    String name = root.relativize(doc).toString().replace('\\', '/');
    List<String> lines = Files.readAllLines(doc);
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String where = name + ":" + (i + 1) + ": ";
      if (line.contains("http://") || line.contains("https://")) {
        problems.add(where + "a web link (" + (line.contains("https://") ? "https" : "http")
            + "://): the docs link only inside the repository");
      }
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      String prose = line.replaceAll("`[^`]*`", "``");
      List<String> targets = new ArrayList<>();
      Matcher m = INLINE_LINK.matcher(prose);
      while (m.find()) {
        targets.add(m.group(1));
      }
      Matcher ref = REFERENCE.matcher(prose);
      if (ref.matches()) {
        targets.add(ref.group(1));
      }
      for (String target : targets) {
        String problem = check(doc, root, target);
        if (problem != null) {
          problems.add(where + target + ": " + problem);
        }
      }
    }
    return problems;
  }

  private static String check(Path doc, Path root, String target) throws IOException {
    if (target.isEmpty()) {
      return "an empty link";
    }
    if (SCHEME.matcher(target).find() || target.startsWith("//")) {
      return target.startsWith("http") ? null : "not a relative link"; // web links are reported per line
    }
    if (target.startsWith("/")) {
      return "an absolute path: link relative to the document";
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String fragment = hash < 0 ? null : target.substring(hash + 1);
    Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
    if (!file.startsWith(root.normalize())) {
      return "points outside the repository";
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (fragment != null) {
      if (!file.toString().endsWith(".md")) {
        return "an anchor into a file that is not Markdown";
      }
      if (!anchors(file).contains(fragment)) {
        return "no heading with the anchor #" + fragment + " in " + root.relativize(file).toString().replace('\\', '/');
      }
    }
    return null;
  }

  /** The anchors of a Markdown file's headings (outside code blocks); repeats get -1, -2, ... */
  private static Set<String> anchors(Path file) throws IOException {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(file)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (!fenced && m.matches()) {
        String a = anchor(m.group(1));
        int n = seen.merge(a, 1, Integer::sum);
        anchors.add(n == 1 ? a : a + "-" + (n - 1));
      }
    }
    return anchors;
  }

  /** Lower case; letters, digits, spaces, hyphens and underscores kept, the rest dropped; spaces become hyphens. */
  static String anchor(String heading) {
    StringBuilder sb = new StringBuilder();
    for (char c : heading.toLowerCase(Locale.ROOT).toCharArray()) {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        sb.append(c);
      } else if (c == ' ') {
        sb.append('-');
      }
    }
    return sb.toString();
  }
}
