package dev.strata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Strata's packages and the references between them, read from Java source text: every
 * {@code dev.strata...} name outside comments and literals, whether an import (static and
 * wildcard ones too) or a fully qualified name in the code, is a reference to the longest package
 * it names. References inside one package are not edges. Each edge keeps the first place seen, so
 * that a broken rule says where to look.
 *
 * <p>It reads text, not bytecode, on purpose: the rules hold for the tools' sources too, which
 * another build step compiles, and a reference written only in a comment is no dependency.
 * Immutable once built; not meant to be shared between threads while it is built.
 */
final class PackageGraph {
  private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;");
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.strata(?:\\.\\w+)*");

  /** from -> (to -> where the reference was seen), both sorted so that messages are stable. */
  private final Map<String, Map<String, String>> edges = new TreeMap<>();

  private PackageGraph() {}

  /** A graph of the given edges, each seen "in the test": for checking the rules themselves. */
  static PackageGraph of(Map<String, Set<String>> dependencies) {
    PackageGraph g = new PackageGraph();
    dependencies.forEach((from, tos) -> {
      g.edges.computeIfAbsent(from, k -> new TreeMap<>());
      tos.forEach(to -> g.add(from, to, "given"));
    });
    return g;
  }

  /**
   * The graph of every {@code .java} file under the roots that exist; a missing root is skipped,
   * so that one test serves a checkout before and after a source tree moves.
   */
  static PackageGraph read(List<Path> roots) throws IOException {
    Map<Path, String> code = new LinkedHashMap<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          code.put(f, code(Files.readString(f)));
        }
      }
    }
    PackageGraph g = new PackageGraph();
    Map<Path, String> packageOf = new HashMap<>();
    for (Map.Entry<Path, String> e : code.entrySet()) {
      Matcher m = PACKAGE.matcher(e.getValue());
      if (!m.find()) {
        throw new IllegalArgumentException(e.getKey() + " has no package declaration");
      }
      packageOf.put(e.getKey(), m.group(1));
      g.edges.computeIfAbsent(m.group(1), k -> new TreeMap<>());
    }
    for (Map.Entry<Path, String> e : code.entrySet()) {
      String from = packageOf.get(e.getKey());
      Matcher m = REFERENCE.matcher(e.getValue());
      while (m.find()) {
        String to = g.packageNamedBy(m.group());
        if (to != null && !to.equals(from)) {
          g.add(from, to, e.getKey() + ": " + m.group());
        }
      }
    }
    return g;
  }

  Set<String> packages() {
    return Collections.unmodifiableSet(edges.keySet());
  }

  Set<String> dependenciesOf(String pkg) {
    return Collections.unmodifiableSet(edges.getOrDefault(pkg, Map.of()).keySet());
  }

  /** Where {@code from} was seen referring to {@code to}. */
  String evidence(String from, String to) {
    return edges.get(from).get(to);
  }

  /**
   * One cycle for each group of packages among {@code among} that depend on one another (each
   * strongly connected component of more than one package), as the packages along it, the first
   * repeated at the end: {@code [a, b, a]}. Empty when the packages form a hierarchy.
   */
  List<List<String>> cycles(Predicate<String> among) {
    List<List<String>> cycles = new ArrayList<>();
    for (Set<String> component : new Components(among).components) {
      if (component.size() > 1) {
        cycles.add(shortestCycleThrough(component.iterator().next(), component));
      }
    }
    return cycles;
  }

  /** A cycle with the place of each reference along it, for a failure message. */
  String describe(List<String> cycle) {
    StringBuilder sb = new StringBuilder(cycle.get(0));
    for (int i = 1; i < cycle.size(); i++) {
      sb.append("\n  -> ").append(cycle.get(i)).append("   (").append(evidence(cycle.get(i - 1), cycle.get(i))).append(')');
    }
    return sb.toString();
  }

  private void add(String from, String to, String where) {
    edges.computeIfAbsent(to, k -> new TreeMap<>());
    edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, where);
  }

  /** The longest known package that {@code name} starts with, or null. */
  private String packageNamedBy(String name) {
    for (String candidate = name; ; candidate = candidate.substring(0, candidate.lastIndexOf('.'))) {
      if (edges.containsKey(candidate)) {
        return candidate;
      }
      if (candidate.indexOf('.') < 0) {
        return null;
      }
    }
  }

  /** Breadth-first from {@code start} back to itself, inside the component. */
  private List<String> shortestCycleThrough(String start, Set<String> component) {
    Map<String, String> cameFrom = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String pkg = queue.poll();
      for (String next : dependenciesOf(pkg)) {
        if (next.equals(start)) {
          List<String> cycle = new ArrayList<>(List.of(start));
          for (String p = pkg; !p.equals(start); p = cameFrom.get(p)) {
            cycle.add(1, p);
          }
          cycle.add(start);
          return cycle;
        }
        if (component.contains(next) && !cameFrom.containsKey(next)) {
          cameFrom.put(next, pkg);
          queue.add(next);
        }
      }
    }
    throw new IllegalStateException(start + " is in a strongly connected component but on no cycle: " + component);
  }

  /** Tarjan's strongly connected components of the subgraph on the packages {@code among} accepts. */
  private final class Components {
    private final Predicate<String> among;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> lowLink = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new HashSet<>();
    private final List<Set<String>> components = new ArrayList<>();

    Components(Predicate<String> among) {
      this.among = among;
      for (String pkg : edges.keySet()) {
        if (among.test(pkg) && !index.containsKey(pkg)) {
          visit(pkg);
        }
      }
    }

    private void visit(String pkg) {
      index.put(pkg, index.size());
      lowLink.put(pkg, index.get(pkg));
      stack.push(pkg);
      onStack.add(pkg);
      for (String next : dependenciesOf(pkg)) {
        if (!among.test(next)) {
          continue;
        }
        if (!index.containsKey(next)) {
          visit(next);
          lowLink.put(pkg, Math.min(lowLink.get(pkg), lowLink.get(next)));
        } else if (onStack.contains(next)) {
          lowLink.put(pkg, Math.min(lowLink.get(pkg), index.get(next)));
        }
      }
      if (lowLink.get(pkg).equals(index.get(pkg))) {
        Set<String> component = new TreeSet<>();
        String member;
        do {
          member = stack.pop();
          onStack.remove(member);
          component.add(member);
        } while (!member.equals(pkg));
        components.add(component);
      }
    }
  }

  /**
   * {@code source} with comments, string and character literals and text blocks blanked out, so
   * that only names the compiler resolves are left. Line breaks are kept.
   */
  static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      int end;
      String blank;
      if (source.startsWith("//", i)) {
        end = source.indexOf('\n', i) < 0 ? source.length() : source.indexOf('\n', i);
        blank = "";
      } else if (source.startsWith("/*", i)) {
        end = source.indexOf("*/", i + 2) < 0 ? source.length() : source.indexOf("*/", i + 2) + 2;
        blank = " ";
      } else if (source.startsWith("\"\"\"", i)) {
        end = skipLiteral(source, i + 3, "\"\"\"");
        blank = "\"\"";
      } else if (c == '"' || c == '\'') {
        end = skipLiteral(source, i + 1, String.valueOf(c));
        blank = "" + c + c;
      } else {
        out.append(c);
        i++;
        continue;
      }
      out.append(blank);
      source.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
      i = end;
    }
    return out.toString();
  }

  /** The index just past the unescaped {@code close} that ends a literal whose text starts at {@code i}. */
  private static int skipLiteral(String source, int i, String close) {
    while (i < source.length()) {
      if (source.charAt(i) == '\\') {
        i += 2;
      } else if (source.startsWith(close, i)) {
        return i + close.length();
      } else {
        i++;
      }
    }
    return i;
  }
}
