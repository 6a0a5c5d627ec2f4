package dev.strata.iterator;

import dev.strata.Bound;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.testing.DataDriven;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands of the iterator case files ({@code src/test/resources/iterator/}, run by
 * {@link DataDriven}). An entry is written {@code key.PUT.seq:value} or {@code key.DEL.seq}.
 *
 * <ul>
 *   <li>{@code define}: one input line per source, newest source first, its entries in any
 *       order ({@code empty} for a source without entries). Prints nothing. The sources stay
 *       defined for the cases that follow.
 *   <li>{@code iter [kind=merge|concat]}: a {@link MergingIterator} over the sources, or a
 *       {@link ConcatIterator} that takes them as the files of one level, in order; then one
 *       operation per input line, each printing one line: {@code first}, {@code seek-ge KEY [SEQ]}
 *       (SEQ defaults to the largest) and {@code next} print the entry they land on, or {@code .}
 *       past the end; {@code rest} prints the entries from here to the end, then {@code .};
 *       {@code opened} (concat only) prints which files were opened so far. An operation that
 *       throws prints {@code error: } and the exception.
 *   <li>{@code scan seq=N [from=K | after=K] [to=K | before=K]}: the user's view, a
 *       {@link UserIterator} at read sequence N over a merge of the sources, with an included
 *       ({@code from}, {@code to}) or excluded ({@code after}, {@code before}) bound on each side;
 *       prints {@code key=value} per entry, then {@code .}.
 * </ul>
 */
final class IteratorCases implements DataDriven.Handler {
  private List<List<ListIterator.Entry>> sources = List.of();

  /** Runs every case of {@code iterator/<file>}, with the sources one case defines kept for the next. */
  static void run(String file) {
    DataDriven.run("iterator/" + file, new IteratorCases());
  }

  @Override
  public String run(DataDriven.TestCase c) {
    return switch (c.command()) {
      case "define" -> define(c);
      case "iter" -> iter(c);
      case "scan" -> scan(c);
      default -> throw c.error("unknown command '" + c.command() + "' (known: define, iter, scan)");
    };
  }

  private String define(DataDriven.TestCase c) {
    List<List<ListIterator.Entry>> defined = new ArrayList<>();
    for (String line : c.inputLines()) {
      List<ListIterator.Entry> source = new ArrayList<>();
      if (!line.strip().equals("empty")) {
        for (String token : line.strip().split("\\s+")) {
          source.add(entry(token, c));
        }
      }
      defined.add(source);
    }
    sources = defined;
    return "";
  }

  private static ListIterator.Entry entry(String token, DataDriven.TestCase c) {
    String[] parts = token.split("\\.", 3);
    if (parts.length != 3) {
      throw c.error("entry '" + token + "' is not key.PUT.seq:value or key.DEL.seq");
    }
    if (parts[1].equals("DEL")) {
      return ListIterator.del(parts[0], Long.parseLong(parts[2]));
    }
    int colon = parts[2].indexOf(':');
    if (!parts[1].equals("PUT") || colon < 0) {
      throw c.error("entry '" + token + "' is not key.PUT.seq:value or key.DEL.seq");
    }
    return ListIterator.put(parts[0], Long.parseLong(parts[2].substring(0, colon)), parts[2].substring(colon + 1));
  }

  private List<InternalIterator> children() {
    List<InternalIterator> children = new ArrayList<>();
    for (List<ListIterator.Entry> source : sources) {
      children.add(new ListIterator(source));
    }
    return children;
  }

  private String iter(DataDriven.TestCase c) {
    String kind = c.arg("kind").orElse("merge");
    List<Integer> opened = new ArrayList<>();
    InternalIterator it = switch (kind) {
      case "merge" -> new MergingIterator(children());
      case "concat" -> concat(opened, c);
      default -> throw c.error("kind must be merge or concat, got " + kind);
    };
    StringBuilder out = new StringBuilder();
    for (String op : c.inputLines()) {
      String[] words = op.strip().split("\\s+");
      try {
        switch (words[0]) {
          case "first" -> {
            it.seekToFirst();
            out.append(current(it));
          }
          case "seek-ge" -> {
            if (words.length < 2 || words.length > 3) {
              throw c.error("seek-ge takes KEY [SEQ], got '" + op + "'");
            }
            it.seek(bytes(words[1]), words.length == 3 ? Long.parseLong(words[2]) : InternalKey.MAX_SEQUENCE);
            out.append(current(it));
          }
          case "next" -> {
            it.next();
            out.append(current(it));
          }
          case "rest" -> {
            for (; it.isValid(); it.next()) {
              out.append(current(it)).append(' ');
            }
            out.append('.');
          }
          case "opened" -> {
            if (!kind.equals("concat")) {
              throw c.error("opened is for kind=concat only");
            }
            out.append("opened ").append(opened);
          }
          default -> throw c.error("unknown operation '" + op + "' (known: first, seek-ge, next, rest, opened)");
        }
      } catch (IllegalStateException e) {
        out.append("error: ").append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
      }
      out.append('\n');
    }
    it.close();
    return out.toString();
  }

  /** The sources as the files of one level: each must be non-empty, and they must not overlap. */
  private ConcatIterator concat(List<Integer> opened, DataDriven.TestCase c) {
    List<byte[]> largest = new ArrayList<>();
    for (List<ListIterator.Entry> source : sources) {
      if (source.isEmpty()) {
        throw c.error("a file of a level holds at least one entry");
      }
      ListIterator probe = new ListIterator(source);
      byte[] last = null;
      for (probe.seekToFirst(); probe.isValid(); probe.next()) {
        last = probe.userKey();
      }
      largest.add(last);
    }
    return ConcatIterator.of(largest, i -> {
      opened.add(i);
      return new ListIterator(sources.get(i));
    });
  }

  private String scan(DataDriven.TestCase c) {
    Map<String, String> args = c.keyValues();
    for (String key : args.keySet()) {
      if (!Set.of("seq", "from", "after", "to", "before").contains(key)) {
        throw c.error("unknown scan argument " + key + " (known: seq, from, after, to, before)");
      }
    }
    if (!args.containsKey("seq") || (args.containsKey("from") && args.containsKey("after"))
        || (args.containsKey("to") && args.containsKey("before"))) {
      throw c.error("scan takes seq=N and at most one bound on each side");
    }
    Bound lower = args.containsKey("from") ? Bound.included(bytes(args.get("from")))
        : args.containsKey("after") ? Bound.excluded(bytes(args.get("after"))) : Bound.unbounded();
    Bound upper = args.containsKey("to") ? Bound.included(bytes(args.get("to")))
        : args.containsKey("before") ? Bound.excluded(bytes(args.get("before"))) : Bound.unbounded();
    StringBuilder out = new StringBuilder();
    try (UserIterator it = new UserIterator(new MergingIterator(children()), Long.parseLong(args.get("seq")), lower,
        upper, () -> { })) {
      for (; it.isValid(); it.next()) {
        out.append(string(it.key())).append('=').append(string(it.value())).append('\n');
      }
    }
    return out.append('.').toString();
  }

  private static String current(InternalIterator it) {
    if (!it.isValid()) {
      return ".";
    }
    boolean delete = it.kind() == ValueKind.DELETE;
    String head = string(it.userKey()) + (delete ? ".DEL." : ".PUT.") + it.sequence();
    return delete ? head : head + ":" + string(it.value());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
