package dev.strata.cli;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.pattern.Patterns;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.javadsl.CurrentEventsByTagQuery;
import akka.actor.typed.javadsl.Adapter;
import akka.stream.javadsl.Sink;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.akka.StrataExtension;
import dev.strata.akka.stream.StrataSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.stream.Stream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One journal's run of {@code strata bench persistence}, in this JVM: N persistent actors persist
 * events one at a time, then in groups with {@code persistAll}; then every actor recovers in a
 * fresh ActorSystem (for the in-memory journal, whose events die with its system, fresh actors in
 * the same system); then {@code currentEventsByTag} reads every event back, where the journal has
 * a read journal; for Strata, then a plain scan of the same tag's index keys, the query's ceiling.
 * Each phase is timed from the first command to the last completion. Not
 * thread-safe: one run at a time.
 */
final class PersistenceWorkload {
  /** How long any phase may take before the run is declared stuck. */
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(20);
  /** The read phases run this often and report the last run: the issue asks for a warm store. */
  private static final int WARM_RUNS = 3;

  /** The workload's size and setting, the same for every journal. */
  record Settings(int actors, int events, int groupSize, int eventBytes, boolean sync) {}

  private final PersistenceJournal journal;
  private final Settings settings;
  private final Path dir;
  private final PrintStream out;
  /** Voluntary context switches of this process when the current phase started, or -1. */
  private long switchesAtStart = -1;

  PersistenceWorkload(PersistenceJournal journal, Settings settings, Path dir, PrintStream out) {
    this.journal = journal;
    this.settings = settings;
    this.dir = dir;
    this.out = out;
  }

  PersistenceResult run() throws Exception {
    boolean tagged = journal.readJournalId().isPresent();
    List<PersistenceResult.Phase> phases = new ArrayList<>();
    ActorSystem writing = ActorSystem.create("bench-persistence", config());
    ActorSystem reading = writing;
    try {
      journal.prepare(writing);
      List<ActorRef> actors = new ArrayList<>();
      for (int i = 0; i < settings.actors(); i++) {
        actors.add(writing.actorOf(BenchPersistentActor.props(persistenceId(i), tagged, settings.eventBytes(),
            new CompletableFuture<>()), "writer-" + i));
      }
      phases.add(persist(PersistenceResult.PERSIST, actors, 1));
      phases.add(persist(PersistenceResult.PERSIST_ALL, actors, settings.groupSize()));
      if (journal.survivesNewSystem()) {
        terminate(writing);
        reading = ActorSystem.create("bench-persistence-recovery", config());
      } else {
        for (ActorRef actor : actors) {
          Patterns.gracefulStop(actor, PHASE_TIMEOUT).toCompletableFuture().get();
        }
      }
      phases.add(recover(reading));
      phases.add(eventsByTag(reading));
      phases.add(tagScan(reading));
      return new PersistenceResult(journal.cliName(), journal.syncLabel(settings.sync()), phases);
    } finally {
      terminate(reading);
      if (reading != writing) {
        terminate(writing);
      }
    }
  }

  private PersistenceResult.Phase persist(String name, List<ActorRef> actors, int groupSize) throws Exception {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    switchesAtStart = voluntarySwitches();
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (ActorRef actor : actors) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      actor.tell(new BenchPersistentActor.Persist(settings.events(), groupSize, finished), ActorRef.noSender());
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    return report(PersistenceResult.Phase.ran(name, (long) settings.actors() * settings.events(),
        System.nanoTime() - start, cpuSince(cpu)));
  }

  private PersistenceResult.Phase recover(ActorSystem system) throws Exception {
    // Every journal starts its plugin before the clock does (opens its store or database, replays
    // its log): one actor without events recovers first. The phase times the replays alone.
    CompletableFuture<Long> started = new CompletableFuture<>();
    system.actorOf(BenchPersistentActor.props("bench-start", false, settings.eventBytes(), started), "reader-start");
    if (started.get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) != 0) {
      throw new IllegalStateException("bench-start replayed events: the store was not new");
    }
    List<CompletableFuture<Long>> recovered = new ArrayList<>();
    switchesAtStart = voluntarySwitches();
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < settings.actors(); i++) {
      CompletableFuture<Long> replayed = new CompletableFuture<>();
      recovered.add(replayed);
      system.actorOf(BenchPersistentActor.props(persistenceId(i), false, settings.eventBytes(), replayed),
          "reader-" + i);
    }
    long events = 0;
    for (int i = 0; i < recovered.size(); i++) {
      long replayed = recovered.get(i).get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long expected = 2L * settings.events();
      if (replayed != expected) {
        throw new IllegalStateException(persistenceId(i) + " replayed " + replayed + " events, expected " + expected);
      }
      events += replayed;
    }
    return report(PersistenceResult.Phase.ran(PersistenceResult.RECOVERY, events, System.nanoTime() - start,
        cpuSince(cpu)));
  }

  private PersistenceResult.Phase eventsByTag(ActorSystem system) throws Exception {
    if (journal.readJournalId().isEmpty()) {
      return report(PersistenceResult.Phase.skipped(PersistenceResult.EVENTS_BY_TAG, "no read journal"));
    }
    CurrentEventsByTagQuery query = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByTagQuery.class, journal.readJournalId().get());
    long events = 0;
    long nanos = 0;
    long cpuNanos = 0;
    for (int run = 0; run < WARM_RUNS; run++) { // the last run is reported: a warm store and JIT
      switchesAtStart = voluntarySwitches();
      long cpu = processCpuNanos();
      long start = System.nanoTime();
      events = query.currentEventsByTag(BenchPersistentActor.TAG, Offset.noOffset())
          .runWith(Sink.fold(0L, (n, e) -> n + 1), system)
          .toCompletableFuture().get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      nanos = System.nanoTime() - start;
      cpuNanos = cpuSince(cpu);
    }
    long expected = 2L * settings.actors() * settings.events();
    if (events != expected) {
      throw new IllegalStateException("currentEventsByTag returned " + events + " events, expected " + expected);
    }
    return report(PersistenceResult.Phase.ran(PersistenceResult.EVENTS_BY_TAG, events, nanos, cpuNanos));
  }

  /**
   * Strata only: the ceiling of {@code eventsByTag}, a plain {@link StrataSource#scan} over the tag
   * index's keys (laid out as {@code dev.strata.akka.persistence.PersistenceKeys} documents: 0x06,
   * the tag's length in two bytes, the tag, then the ordering). Its count must equal the query's.
   */
  private PersistenceResult.Phase tagScan(ActorSystem system) throws Exception {
    if (journal != PersistenceJournal.STRATA) {
      return report(PersistenceResult.Phase.skipped(PersistenceResult.TAG_SCAN, "not a Strata store"));
    }
    Strata store = StrataExtension.get(Adapter.toTyped(system)).open("persistence");
    byte[] tag = BenchPersistentActor.TAG.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = ByteBuffer.allocate(3 + tag.length).put((byte) 0x06).putShort((short) tag.length).put(tag).array();
    byte[] after = prefix.clone();
    after[after.length - 1]++;
    long entries = 0;
    long nanos = 0;
    long cpuNanos = 0;
    for (int run = 0; run < WARM_RUNS; run++) {
      switchesAtStart = voluntarySwitches();
      long cpu = processCpuNanos();
      long start = System.nanoTime();
      entries = StrataSource.scan(store, Bound.included(prefix), Bound.excluded(after))
          .runWith(Sink.fold(0L, (n, e) -> n + 1), system)
          .toCompletableFuture().get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      nanos = System.nanoTime() - start;
      cpuNanos = cpuSince(cpu);
    }
    long expected = 2L * settings.actors() * settings.events();
    if (entries != expected) {
      throw new IllegalStateException("the tag index holds " + entries + " entries, expected " + expected);
    }
    return report(PersistenceResult.Phase.ran(PersistenceResult.TAG_SCAN, entries, nanos, cpuNanos));
  }

  private PersistenceResult.Phase report(PersistenceResult.Phase phase) {
    if (phase.skipped() != null) {
      out.printf(Locale.ROOT, "%-12s skipped: %s%n", phase.name(), phase.skipped());
    } else {
      long switches = switchesAtStart < 0 ? -1 : voluntarySwitches() - switchesAtStart;
      out.printf(Locale.ROOT, "%-12s %,12d events %10.1f ms %,12.0f events/s %8s us CPU/event %8s thread waits/event%n",
          phase.name(), phase.events(), phase.nanos() / 1e6, phase.eventsPerSecond(), phase.cpuMicrosPerEvent() < 0 ? "?"
              : String.format(Locale.ROOT, "%.2f", phase.cpuMicrosPerEvent()),
          switches < 0 ? "?" : String.format(Locale.ROOT, "%.2f", (double) switches / phase.events()));
    }
    out.flush();
    return phase;
  }

  private Config config() {
    return journal.config(dir, settings.sync())
        .withFallback(ConfigFactory.parseString("""
            akka.loglevel = WARNING
            akka.persistence.snapshot-store.plugin = "akka.persistence.no-snapshot-store"
            akka.persistence.journal.leveldb.dir = "%s"
            """.formatted(dir.resolve("unused-leveldb").toAbsolutePath().toString().replace("\\", "/"))))
        .withFallback(ConfigFactory.load());
  }

  /** CPU time of this process so far (every thread: the journal's, Akka's, the store's), or -1 where the JVM does not tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  /**
   * Voluntary context switches of every thread of this process so far (Linux: {@code /proc}), or
   * -1 elsewhere: each is a thread that waited (parked for work, a lock, a future), so per event
   * they count the hand-offs between threads on the path, which a busy machine does not change.
   */
  private static long voluntarySwitches() {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return -1;
    }
    long sum = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        try {
          for (String line : Files.readAllLines(thread.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
          }
        } catch (IOException e) {
          // the thread ended while we looked: its switches are lost, a small undercount
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }

  private static long cpuSince(long start) {
    long now = processCpuNanos();
    return start < 0 || now < 0 ? -1 : now - start;
  }

  private static String persistenceId(int actor) {
    return "bench-" + actor;
  }

  private static void terminate(ActorSystem system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
