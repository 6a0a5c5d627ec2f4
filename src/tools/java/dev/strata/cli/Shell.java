package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shell's read-eval-print loop over one store: one command per line, one answer (or an
 * {@code error:} line) per command; a bad line never ends the session. Keys and values follow
 * {@link ShellSyntax}. Not thread-safe: one loop on one thread.
 */
final class Shell {
  static final String PROMPT = "strata> ";
  static final int DEFAULT_SCAN_LIMIT = 100;

  static final String HELP = """
      Commands:
        put KEY VALUE                    store VALUE under KEY
        get KEY                          print the value of KEY, or (not found)
        delete KEY                       remove KEY (removing an absent key is fine)
        scan [FROM [TO]] [--limit N]     keys from FROM (included) to TO (excluded), at most
                                         N lines (default 100; --limit 0 prints them all)
        flush                            write the memtables to disk
        stats                            the store's statistics
        help                             this text
        quit, exit                       close the store and leave (so does end of input)
      Keys and values are UTF-8 text; "double quotes" keep spaces and "" is the empty string;
      escapes: \\xNN (a byte in hex), \\\\, \\", \\n, \\t, \\r, \\0. Lines starting with # are ignored.
      """;

  private final KeyValueStore store;
  private final BufferedReader in;
  private final PrintStream out;
  private final boolean prompt;

  /** With {@code prompt}, prints {@link #PROMPT} before reading each line. */
  Shell(KeyValueStore store, BufferedReader in, PrintStream out, boolean prompt) {
    this.store = store;
    this.in = in;
    this.out = out;
    this.prompt = prompt;
  }

  /** Runs commands until quit, exit or the end of input. The caller closes the store. */
  void run() throws IOException {
    while (true) {
      if (prompt) {
        out.print(PROMPT);
        out.flush();
      }
      String line = in.readLine();
      if (line == null) {
        if (prompt) {
          out.println();
        }
        return;
      }
      if (!execute(line)) {
        return;
      }
      out.flush();
    }
  }

  /** Runs one line; returns false when it asks to leave. */
  boolean execute(String line) {
    if (line.isBlank() || line.strip().startsWith("#")) {
      return true;
    }
    try {
      List<ShellSyntax.Token> tokens = ShellSyntax.tokenize(line);
      String command = tokens.get(0).text().toLowerCase(Locale.ROOT);
      List<ShellSyntax.Token> args = tokens.subList(1, tokens.size());
      switch (command) {
        case "put" -> {
          expect(args, 2, "put KEY VALUE");
          store.put(args.get(0).bytes(), args.get(1).bytes());
          out.println("OK");
        }
        case "get" -> {
          expect(args, 1, "get KEY");
          byte[] value = store.get(args.get(0).bytes());
          out.println(value == null ? "(not found)" : ShellSyntax.format(value));
        }
        case "delete" -> {
          expect(args, 1, "delete KEY");
          store.delete(args.get(0).bytes());
          out.println("OK");
        }
        case "scan" -> scan(args);
        case "flush" -> {
          expect(args, 0, "flush");
          store.flush();
          out.println("OK");
        }
        case "stats" -> {
          expect(args, 0, "stats");
          out.println(store.statsReport());
        }
        case "help" -> out.print(HELP);
        case "quit", "exit" -> {
          return false;
        }
        default -> out.println("error: unknown command '" + tokens.get(0).text() + "' (type help)");
      }
    } catch (ShellSyntax.SyntaxError | UsageException e) {
      out.println("error: " + e.getMessage());
    } catch (RuntimeException e) {
      out.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
    return true;
  }

  private static void expect(List<ShellSyntax.Token> args, int count, String usage) throws UsageException {
    if (args.size() != count) {
      throw new UsageException("usage: " + usage);
    }
  }

  private void scan(List<ShellSyntax.Token> args) throws UsageException {
    String usage = "usage: scan [FROM [TO]] [--limit N]";
    long limit = DEFAULT_SCAN_LIMIT;
    List<byte[]> bounds = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      ShellSyntax.Token token = args.get(i);
      if (token.plain() && token.text().equals("--limit")) {
        if (i + 1 == args.size()) {
          throw new UsageException(usage);
        }
        limit = ArgParsing.parseLong("--limit", args.get(++i).text(), 0, Long.MAX_VALUE);
      } else {
        bounds.add(token.bytes());
      }
    }
    if (bounds.size() > 2) {
      throw new UsageException(usage);
    }
    Bound lower = bounds.isEmpty() ? Bound.unbounded() : Bound.included(bounds.get(0));
    Bound upper = bounds.size() < 2 ? Bound.unbounded() : Bound.excluded(bounds.get(1));
    long shown = 0;
    try (StrataIterator it = store.scan(lower, upper)) {
      while (it.isValid() && (limit == 0 || shown < limit)) {
        out.println(ShellSyntax.format(it.key()) + " -> " + ShellSyntax.format(it.value()));
        shown++;
        it.next();
      }
      if (it.isValid()) {
        out.println("(" + shown + " shown; more remain: raise --limit, or --limit 0 for all)");
      } else {
        out.println("(" + shown + (shown == 1 ? " entry)" : " entries)"));
      }
    }
  }
}
