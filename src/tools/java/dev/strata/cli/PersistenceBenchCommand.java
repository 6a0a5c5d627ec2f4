package dev.strata.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code strata bench persistence}: the Akka Persistence workload of {@link PersistenceWorkload}
 * against one journal in this JVM, or with {@code --compare} against each journal in a JVM of its
 * own (this JVM's java binary, flags and classpath), with one table of events/s and Strata's ratio
 * to each other journal at the end. Not thread-safe: one run at a time.
 */
final class PersistenceBenchCommand {
  static final String NAME = "persistence";

  /** The parsed command line. {@code dir} and {@code resultsFile} may be null. */
  record Config(PersistenceWorkload.Settings settings, PersistenceJournal journal, List<PersistenceJournal> journals,
      boolean compare, boolean floor, Path dir, Path resultsFile) {}

  private PersistenceBenchCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(Usage.BENCH_PERSISTENCE);
      return Main.EXIT_OK;
    }
    Config config;
    try {
      config = parse(args);
    } catch (UsageException e) {
      err.println("strata bench persistence: " + e.getMessage());
      err.println();
      err.print(Usage.BENCH_PERSISTENCE);
      return Main.EXIT_USAGE;
    }
    Path dir = null;
    boolean temporary = config.dir() == null;
    try {
      dir = BenchCommand.prepareDirectory(config.dir());
      if (config.floor()) {
        return floor(config, dir, out);
      }
      return config.compare() ? compare(config, dir, out, err) : single(config, dir, out, err);
    } catch (UsageException e) {
      err.println("strata bench persistence: " + e.getMessage());
      return Main.EXIT_USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("strata bench persistence: interrupted");
      return Main.EXIT_FAILURE;
    } catch (Exception e) {
      err.println("strata bench persistence: failed: " + e);
      e.printStackTrace(err);
      return Main.EXIT_FAILURE;
    } finally {
      out.flush();
      if (temporary && dir != null) {
        BenchCommand.deleteTemporary(dir, err);
      }
    }
  }

  private static int single(Config config, Path dir, PrintStream out, PrintStream err) throws Exception {
    PersistenceJournal journal = config.journal();
    if (journal.unavailable().isPresent()) {
      err.println("strata bench persistence: " + journal.unavailable().get());
      return Main.EXIT_FAILURE;
    }
    PersistenceWorkload.Settings s = config.settings();
    out.printf(Locale.ROOT, "%s, %s: %d actors x %,d events per phase, persistAll groups of %d, %d-byte events%n",
        journal.description(), journal.syncLabel(s.sync()), s.actors(), s.events(), s.groupSize(), s.eventBytes());
    PersistenceResult result = new PersistenceWorkload(journal, s, dir, out).run();
    if (config.resultsFile() != null) {
      result.writeTo(config.resultsFile());
    }
    return Main.EXIT_OK;
  }

  private static int floor(Config config, Path dir, PrintStream out) throws Exception {
    PersistenceWorkload.Settings s = config.settings();
    out.printf(Locale.ROOT, "Strata's journal write path without Akka Persistence (one thread, plain Strata.write), "
        + "fsync %s: %d ids x %,d events per line, persistAll groups of %d, %d-byte events%n", s.sync() ? "on" : "off",
        s.actors(), s.events(), s.groupSize(), s.eventBytes());
    new PersistenceFloor(s, dir, out).run();
    return Main.EXIT_OK;
  }

  private static int compare(Config config, Path dir, PrintStream out, PrintStream err) throws Exception {
    List<PersistenceResult> results = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (PersistenceJournal journal : config.journals()) {
      out.println();
      out.println("== " + journal.cliName() + ": " + journal.description());
      out.flush();
      if (journal.unavailable().isPresent()) {
        out.println("== " + journal.cliName() + " skipped: " + journal.unavailable().get());
        continue;
      }
      Path resultsFile = Files.createTempFile("strata-persistence-" + journal.cliName() + "-", ".txt");
      try {
        List<String> command = new ArrayList<>(CompareRunner.javaCommand());
        command.addAll(childArgs(config, journal, resultsFile, dir.resolve(journal.cliName())));
        int code = CompareRunner.runChild(command, line -> {
          out.println(line);
          out.flush();
        });
        if (code != 0) {
          out.println("== " + journal.cliName() + " failed: its JVM exited with code " + code);
          failed.add(journal.cliName());
        } else {
          results.add(PersistenceResult.readFrom(resultsFile));
        }
      } finally {
        Files.deleteIfExists(resultsFile);
      }
    }
    PersistenceWorkload.Settings s = config.settings();
    out.println();
    out.printf(Locale.ROOT, "== Akka Persistence: %d actors x %,d events per phase (persist one at a time, then "
        + "persistAll groups of %d), %d-byte events; events/s, each journal in its own JVM%n", s.actors(), s.events(),
        s.groupSize(), s.eventBytes());
    out.print(table(results));
    out.println();
    out.println("== CPU time of each journal's process per event, in microseconds (all its threads; on a shared "
        + "machine this moves less than the rate)");
    out.print(cpuTable(results));
    if (!failed.isEmpty()) {
      err.println("strata bench persistence: the run of " + failed + " failed; see its output above");
      return Main.EXIT_FAILURE;
    }
    return Main.EXIT_OK;
  }

  /** The results as a table, one line per journal, then Strata's ratio to each other journal. */
  static String table(List<PersistenceResult> results) {
    StringBuilder text = phaseRows(results, phase -> phase == null || phase.skipped() != null
        ? "-" : String.format(Locale.ROOT, "%,.0f", phase.eventsPerSecond()));
    PersistenceResult strata = results.stream()
        .filter(r -> r.journal().equals(PersistenceJournal.STRATA.cliName())).findFirst().orElse(null);
    if (strata != null) {
      for (PersistenceResult other : results) {
        if (other == strata) {
          continue;
        }
        text.append(String.format(Locale.ROOT, "%-22s %-13s", "strata / " + other.journal(), ""));
        Map<String, PersistenceResult.Phase> ours = strata.byName();
        Map<String, PersistenceResult.Phase> theirs = other.byName();
        for (String name : PersistenceResult.PHASES) {
          PersistenceResult.Phase a = ours.get(name);
          PersistenceResult.Phase b = theirs.get(name);
          boolean both = a != null && b != null && a.skipped() == null && b.skipped() == null && b.eventsPerSecond() > 0;
          text.append(String.format(Locale.ROOT, " %12s",
              both ? String.format(Locale.ROOT, "%.2fx", a.eventsPerSecond() / b.eventsPerSecond()) : "-"));
        }
        text.append('\n');
      }
    }
    return text.toString();
  }

  /** Per journal and phase, the microseconds of CPU time its process spent per event; "-" where unknown. */
  static String cpuTable(List<PersistenceResult> results) {
    return phaseRows(results, phase -> phase != null && phase.skipped() == null && phase.cpuMicrosPerEvent() >= 0
        ? String.format(Locale.ROOT, "%.2f", phase.cpuMicrosPerEvent()) : "-").toString();
  }

  /**
   * A header of the phases, then one line per journal with {@code cell} of each phase (given null
   * where the journal has no such phase).
   */
  private static StringBuilder phaseRows(List<PersistenceResult> results,
      Function<PersistenceResult.Phase, String> cell) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "%-22s %-13s", "journal", "sync"));
    for (String phase : PersistenceResult.PHASES) {
      text.append(String.format(Locale.ROOT, " %12s", phase));
    }
    text.append('\n');
    for (PersistenceResult result : results) {
      text.append(String.format(Locale.ROOT, "%-22s %-13s", result.journal(), result.sync()));
      Map<String, PersistenceResult.Phase> phases = result.byName();
      for (String name : PersistenceResult.PHASES) {
        text.append(String.format(Locale.ROOT, " %12s", cell.apply(phases.get(name))));
      }
      text.append('\n');
    }
    return text;
  }

  static Config parse(List<String> args) throws UsageException {
    int actors = 100;
    int events = 1000;
    int group = 10;
    int eventBytes = 100;
    boolean sync = true;
    boolean compare = false;
    boolean floor = false;
    PersistenceJournal journal = PersistenceJournal.STRATA;
    List<PersistenceJournal> journals = List.of(PersistenceJournal.values());
    Path dir = null;
    Path resultsFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.indexOf('=');
      String option = eq < 0 ? arg : arg.substring(0, eq);
      switch (option) {
        case "--sync" -> sync = true;
        case "--no-sync" -> sync = false;
        case "--compare" -> compare = true;
        case "--floor" -> floor = true;
        case "--actors", "--events", "--group", "--event-bytes", "--journal", "--journals", "--dir", "--results-file" -> {
          String value = ArgParsing.optionValue(args, i, option, eq);
          if (eq < 0) {
            i++;
          }
          switch (option) {
            case "--actors" -> actors = ArgParsing.parseInt(option, value, 1, 100_000);
            case "--events" -> events = ArgParsing.parseInt(option, value, 1, 100_000_000);
            case "--group" -> group = ArgParsing.parseInt(option, value, 2, 10_000);
            case "--event-bytes" -> eventBytes = ArgParsing.parseInt(option, value, 16, 1 << 20);
            case "--journal" -> journal = PersistenceJournal.byName(value);
            case "--journals" -> {
              List<PersistenceJournal> named = new ArrayList<>();
              for (String name : Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList()) {
                named.add(PersistenceJournal.byName(name));
              }
              if (named.isEmpty()) {
                throw new UsageException("--journals needs at least one journal");
              }
              journals = List.copyOf(named);
            }
            case "--dir" -> dir = Path.of(value);
            default -> resultsFile = Path.of(value);
          }
        }
        default -> throw new UsageException("unknown option '" + arg + "'");
      }
    }
    if (floor && compare) {
      throw new UsageException("--floor and --compare are two different runs; give one of them");
    }
    return new Config(new PersistenceWorkload.Settings(actors, events, group, eventBytes, sync), journal, journals,
        compare, floor, dir, resultsFile);
  }

  /** A child's command line after the main class: the same workload, for one journal, in its own directory. */
  static List<String> childArgs(Config config, PersistenceJournal journal, Path resultsFile, Path dir) {
    PersistenceWorkload.Settings s = config.settings();
    return List.of("bench", NAME, "--actors", Integer.toString(s.actors()), "--events", Integer.toString(s.events()),
        "--group", Integer.toString(s.groupSize()), "--event-bytes", Integer.toString(s.eventBytes()),
        s.sync() ? "--sync" : "--no-sync", "--journal", journal.cliName(), "--results-file", resultsFile.toString(),
        "--dir", dir.toString());
  }
}
