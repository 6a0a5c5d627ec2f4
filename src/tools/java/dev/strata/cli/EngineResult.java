package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one engine's run of {@code bench --compare} measured, as its JVM hands it to the parent:
 * a small text file of {@code key=value} lines (the parent reads nothing else from the child).
 * Immutable.
 *
 * @param engine the engine
 * @param workloads per workload, in run order: operations and elapsed nanoseconds
 * @param userBytes key and value bytes the workloads asked to write (puts, a background writer's
 *     too), and key bytes of deletes
 * @param diskBytes bytes of every file in the store directory once the run closed the store
 * @param written bytes the engine's process wrote, from /proc/self/io
 * @param peakHeapBytes the most heap in use right after a garbage collection (the live set's
 *     peak), or -1 when none ran
 */
record EngineResult(Engine engine, List<Timing> workloads, long userBytes, long diskBytes, ProcessIo written,
    long peakHeapBytes) {
  /**
   * One workload's count and time, and the puts of its background writer over the same time (-1
   * for a workload without one).
   */
  record Timing(Workload workload, long ops, long elapsedNanos, long writerOps) {
    Timing(Workload workload, long ops, long elapsedNanos) {
      this(workload, ops, elapsedNanos, -1);
    }

    double opsPerSecond() {
      return elapsedNanos <= 0 ? 0 : ops * 1e9 / elapsedNanos;
    }

    /** The background writer's puts per second; empty for a workload without one. */
    Optional<Double> writerOpsPerSecond() {
      return writerOps < 0 || elapsedNanos <= 0 ? Optional.empty() : Optional.of(writerOps * 1e9 / elapsedNanos);
    }
  }

  EngineResult {
    workloads = List.copyOf(workloads);
  }

  /** The result of a run whose workloads gave {@code results}. */
  static EngineResult of(Engine engine, List<WorkloadResult> results, long diskBytes, ProcessIo written,
      long peakHeapBytes) {
    List<Timing> timings = new ArrayList<>();
    long user = 0;
    for (WorkloadResult r : results) {
      timings.add(new Timing(r.workload(), r.ops(), r.elapsedNanos(), r.writerOps()));
      user += r.writtenBytes();
    }
    return new EngineResult(engine, timings, user, diskBytes, written, peakHeapBytes);
  }

  /** The timing of {@code workload}; its first run when it ran more than once. */
  Optional<Timing> timing(Workload workload) {
    return workloads.stream().filter(t -> t.workload() == workload).findFirst();
  }

  /** Bytes written over user bytes; NaN when either is unknown. */
  double writeAmplification() {
    return userBytes <= 0 || written.bytes() < 0 ? Double.NaN : (double) written.bytes() / userBytes;
  }

  String encode() {
    StringBuilder b = new StringBuilder();
    b.append("engine=").append(engine.cliName()).append('\n');
    for (int i = 0; i < workloads.size(); i++) {
      Timing t = workloads.get(i);
      b.append(String.format(Locale.ROOT, "workload.%d=%s %d %d%s%n", i, t.workload().benchName(), t.ops(),
          t.elapsedNanos(), t.writerOps() < 0 ? "" : " " + t.writerOps()));
    }
    b.append("userBytes=").append(userBytes).append('\n');
    b.append("diskBytes=").append(diskBytes).append('\n');
    b.append("writtenBytes=").append(written.bytes()).append('\n');
    b.append("writtenSource=").append(written.source()).append('\n');
    b.append("peakHeapBytes=").append(peakHeapBytes).append('\n');
    return b.toString();
  }

  static EngineResult decode(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    Engine engine = Engine.fromName(required(fields, "engine"))
        .orElseThrow(() -> new IllegalArgumentException("unknown engine " + fields.get("engine")));
    List<Timing> timings = new ArrayList<>();
    for (int i = 0; fields.containsKey("workload." + i); i++) {
      String[] parts = fields.get("workload." + i).split(" ");
      if (parts.length != 3 && parts.length != 4) {
        throw new IllegalArgumentException("malformed workload." + i + ": " + fields.get("workload." + i));
      }
      Workload w = Workload.fromName(parts[0])
          .orElseThrow(() -> new IllegalArgumentException("unknown workload " + parts[0]));
      timings.add(new Timing(w, Long.parseLong(parts[1]), Long.parseLong(parts[2]),
          parts.length == 4 ? Long.parseLong(parts[3]) : -1));
    }
    return new EngineResult(engine, timings, Long.parseLong(required(fields, "userBytes")),
        Long.parseLong(required(fields, "diskBytes")),
        new ProcessIo(Long.parseLong(required(fields, "writtenBytes")), required(fields, "writtenSource")),
        Long.parseLong(fields.getOrDefault("peakHeapBytes", "-1")));
  }

  private static String required(Map<String, String> fields, String key) {
    String v = fields.get(key);
    if (v == null) {
      throw new IllegalArgumentException("results lack '" + key + "'");
    }
    return v;
  }

  void writeTo(Path file) throws IOException {
    Files.writeString(file, encode());
  }

  static EngineResult readFrom(Path file) throws IOException {
    try {
      return decode(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed results in " + file + ": " + e.getMessage(), e);
    }
  }
}
