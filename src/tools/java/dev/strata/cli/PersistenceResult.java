package dev.strata.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What one journal's run of {@code strata bench persistence} measured: per phase the events it
 * moved, the time it took and the CPU time its process spent meanwhile (all threads: on a shared
 * machine the cost per event moves less than the rate), or why the phase did not run. A child JVM
 * writes it to a file (a properties file: {@code journal}, {@code sync}, then {@code phase.N.name},
 * {@code .events}, {@code .nanos}, {@code .cpuNanos}, {@code .skipped}) and the parent reads it
 * back. Immutable.
 */
record PersistenceResult(String journal, String sync, List<Phase> phases) {
  static final String PERSIST = "persist";
  static final String PERSIST_ALL = "persistAll";
  static final String RECOVERY = "recovery";
  static final String EVENTS_BY_TAG = "eventsByTag";
  static final String TAG_SCAN = "tagScan";
  /** The table's columns, in order. */
  static final List<String> PHASES = List.of(PERSIST, PERSIST_ALL, RECOVERY, EVENTS_BY_TAG, TAG_SCAN);

  /** One phase: {@code skipped} is null when it ran; {@code cpuNanos} is -1 where the JVM does not tell. */
  record Phase(String name, long events, long nanos, long cpuNanos, String skipped) {
    static Phase ran(String name, long events, long nanos) {
      return ran(name, events, nanos, -1);
    }

    static Phase ran(String name, long events, long nanos, long cpuNanos) {
      return new Phase(name, events, nanos, cpuNanos, null);
    }

    static Phase skipped(String name, String why) {
      return new Phase(name, 0, 0, -1, why);
    }

    double eventsPerSecond() {
      return nanos == 0 ? 0 : events * 1e9 / nanos;
    }

    /** Microseconds of the process's CPU time per event, or -1 when unknown. */
    double cpuMicrosPerEvent() {
      return cpuNanos < 0 || events == 0 ? -1 : cpuNanos / 1e3 / events;
    }
  }

  PersistenceResult {
    phases = List.copyOf(phases);
  }

  Map<String, Phase> byName() {
    Map<String, Phase> map = new LinkedHashMap<>();
    phases.forEach(p -> map.put(p.name(), p));
    return map;
  }

  void writeTo(Path file) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("journal", journal);
    properties.setProperty("sync", sync);
    for (int i = 0; i < phases.size(); i++) {
      Phase phase = phases.get(i);
      properties.setProperty("phase." + i + ".name", phase.name());
      properties.setProperty("phase." + i + ".events", Long.toString(phase.events()));
      properties.setProperty("phase." + i + ".nanos", Long.toString(phase.nanos()));
      properties.setProperty("phase." + i + ".cpuNanos", Long.toString(phase.cpuNanos()));
      if (phase.skipped() != null) {
        properties.setProperty("phase." + i + ".skipped", phase.skipped());
      }
    }
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(writer, "strata bench persistence result");
    }
  }

  static PersistenceResult readFrom(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    List<Phase> phases = new ArrayList<>();
    for (int i = 0; properties.containsKey("phase." + i + ".name"); i++) {
      String prefix = "phase." + i + ".";
      phases.add(new Phase(properties.getProperty(prefix + "name"),
          Long.parseLong(properties.getProperty(prefix + "events")),
          Long.parseLong(properties.getProperty(prefix + "nanos")),
          Long.parseLong(properties.getProperty(prefix + "cpuNanos", "-1")),
          properties.getProperty(prefix + "skipped")));
    }
    String journal = properties.getProperty("journal");
    if (journal == null) {
      throw new IOException(file + " holds no bench result (no 'journal' line)");
    }
    return new PersistenceResult(journal, properties.getProperty("sync", "?"), phases);
  }
}
