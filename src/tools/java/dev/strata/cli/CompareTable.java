package dev.strata.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table {@code bench --compare} ends with, assembled from each engine's {@link EngineResult}:
 * ops/s per workload and engine with Strata's ratio to the best peer, then bytes on disk and
 * write amplification per engine. readwhilewriting's row (its reads) is followed by one for its
 * writer's puts; when a run has both fillsync and syncfloor, a row gives each engine's fillsync
 * over the syncfloor its own JVM measured, the share of the machine's group-commit ceiling it
 * reached. An engine whose run failed has no result and shows "failed". Stateless.
 */
final class CompareTable {
  private CompareTable() {}

  /**
   * The table for {@code workloads} over {@code engines} (in column order); {@code results} holds
   * the engines that finished.
   */
  static String format(List<Workload> workloads, List<Engine> engines, List<EngineResult> results) {
    StringBuilder b = new StringBuilder();
    boolean ratio = engines.contains(Engine.STRATA) && engines.stream().anyMatch(Engine::isPeer);
    List<String> header = new ArrayList<>(List.of("ops/s"));
    engines.forEach(e -> header.add(e.cliName()));
    if (ratio) {
      header.add("strata / best peer");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Workload w : workloads) {
      List<String> row = new ArrayList<>(List.of(w.benchName()));
      for (Engine e : engines) {
        row.add(opsPerSecond(results, e, w).map(CompareTable::grouped)
            .orElse(find(results, e).isPresent() ? "-" : "failed"));
      }
      if (ratio) {
        row.add(ratio(w, engines, results));
      }
      rows.add(row);
      if (w.hasBackgroundWriter()) {
        rows.add(writerRow(w, engines, results, ratio));
      }
    }
    if (workloads.contains(Workload.FILLSYNC) && workloads.contains(Workload.SYNCFLOOR)) {
      List<String> row = new ArrayList<>(List.of("fillsync / syncfloor"));
      for (Engine e : engines) {
        Optional<Double> synced = opsPerSecond(results, e, Workload.FILLSYNC);
        Optional<Double> floor = opsPerSecond(results, e, Workload.SYNCFLOOR);
        row.add(synced.isPresent() && floor.isPresent() && floor.get() > 0
            ? String.format(Locale.ROOT, "%.2fx", synced.get() / floor.get())
            : find(results, e).isPresent() ? "-" : "failed");
      }
      if (ratio) {
        row.add("");
      }
      rows.add(row);
    }
    markdown(b, header, rows);
    b.append('\n');
    String source = null;
    List<List<String>> io = new ArrayList<>();
    for (Engine e : engines) {
      Optional<EngineResult> r = find(results, e);
      if (r.isEmpty()) {
        io.add(List.of(e.cliName(), "failed", "", "", "", ""));
        continue;
      }
      EngineResult er = r.get();
      source = source == null || source.equals(er.written().source()) ? er.written().source() : "mixed";
      double amp = er.writeAmplification();
      io.add(List.of(e.cliName(), grouped(er.diskBytes()),
          er.written().bytes() < 0 ? "n/a" : grouped(er.written().bytes()), grouped(er.userBytes()),
          Double.isNaN(amp) ? "n/a" : String.format(Locale.ROOT, "%.2f", amp),
          er.peakHeapBytes() < 0 ? "n/a" : (er.peakHeapBytes() >> 20) + " MiB"));
    }
    markdown(b, List.of("engine", "bytes on disk", "bytes written", "user bytes", "write amp", "peak heap after GC"), io);
    b.append('\n')
        .append("bytes on disk: the store directory once the run closed it. bytes written: ")
        .append(source == null ? "n/a" : source)
        .append(" of /proc/self/io, over the engine's whole JVM.\n")
        .append("write amp: bytes written over user bytes (keys and values put, keys deleted) over every workload.\n")
        .append("peak heap after GC: the most heap in use right after a garbage collection; it bounds the live set\n")
        .append("from above, since a young collection leaves the old generation's garbage in place.\n");
    return b.toString();
  }

  /** A Markdown table with padded columns: it reads as well on a terminal as in the README. */
  private static void markdown(StringBuilder b, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = header.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    line(b, header, widths, false);
    b.append('|');
    for (int c = 0; c < widths.length; c++) {
      b.append(c == 0 ? "-".repeat(widths[c] + 2) : "-".repeat(widths[c] + 1) + ":").append('|');
    }
    b.append('\n');
    for (List<String> row : rows) {
      line(b, row, widths, true);
    }
  }

  private static void line(StringBuilder b, List<String> cells, int[] widths, boolean rightAlign) {
    b.append('|');
    for (int c = 0; c < widths.length; c++) {
      String cell = cells.get(c);
      String pad = " ".repeat(widths[c] - cell.length());
      b.append(' ').append(rightAlign && c > 0 ? pad + cell : cell + pad).append(" |");
    }
    b.append('\n');
  }

  /** The row of {@code w}'s background writer: its puts per second. */
  private static List<String> writerRow(Workload w, List<Engine> engines, List<EngineResult> results, boolean ratio) {
    List<String> row = new ArrayList<>(List.of(w.benchName() + " (writer)"));
    for (Engine e : engines) {
      row.add(writerOpsPerSecond(results, e, w).map(CompareTable::grouped)
          .orElse(find(results, e).isPresent() ? "-" : "failed"));
    }
    if (ratio) {
      row.add(ratio(engines, e -> writerOpsPerSecond(results, e, w)));
    }
    return row;
  }

  /** "1.62x (rocksdb)": Strata's ops/s over the best peer's, naming that peer. */
  static String ratio(Workload w, List<Engine> engines, List<EngineResult> results) {
    return ratio(engines, e -> opsPerSecond(results, e, w));
  }

  private static String ratio(List<Engine> engines, java.util.function.Function<Engine, Optional<Double>> rate) {
    Optional<Double> strata = rate.apply(Engine.STRATA);
    Engine best = null;
    double bestOps = 0;
    for (Engine e : engines) {
      if (e.isPeer()) {
        Optional<Double> ops = rate.apply(e);
        if (ops.isPresent() && (best == null || ops.get() > bestOps)) {
          best = e;
          bestOps = ops.get();
        }
      }
    }
    if (strata.isEmpty() || best == null || bestOps <= 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2fx (%s)", strata.get() / bestOps, best.cliName());
  }

  private static Optional<EngineResult> find(List<EngineResult> results, Engine e) {
    return results.stream().filter(r -> r.engine() == e).findFirst();
  }

  private static Optional<Double> opsPerSecond(List<EngineResult> results, Engine e, Workload w) {
    return find(results, e).flatMap(r -> r.timing(w)).map(EngineResult.Timing::opsPerSecond);
  }

  private static Optional<Double> writerOpsPerSecond(List<EngineResult> results, Engine e, Workload w) {
    return find(results, e).flatMap(r -> r.timing(w)).flatMap(EngineResult.Timing::writerOpsPerSecond);
  }

  private static String grouped(double value) {
    return String.format(Locale.ROOT, "%,d", Math.round(value));
  }

  private static String grouped(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** The engines in {@code engines} that have no result. */
  static List<Engine> missing(List<Engine> engines, List<EngineResult> results) {
    List<Engine> missing = new ArrayList<>();
    for (Engine e : engines) {
      if (find(results, e).isEmpty()) {
        missing.add(e);
      }
    }
    return missing;
  }
}
