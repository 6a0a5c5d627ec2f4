package dev.strata.cli;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.persistence.PersistentRepr;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code strata bench persistence --floor}: what Strata's journal costs without Akka Persistence
 * around it, the floor of its write path. One thread serializes the bench's events (the payload
 * through Akka serialization, the PersistentRepr's other fields beside it, as the journal does) and
 * writes them with plain {@link Strata#write} calls of the journal's batch shape: per event its
 * record, its ordering log entry and its tag index copy, per call the id's highest sequence number
 * and the highest ordering (the layouts of {@code dev.strata.akka.persistence.PersistenceKeys} and
 * {@code JournalRecords}, rebuilt here from their documentation), one call per event
 * ({@code persist}) or per group ({@code persistAll}), the ids taking turns as the bench's actors
 * do. A line serializing only shows that part alone; a last line replays every id's events from the
 * {@code persistAll} store (one forward scan per id, each event deserialized), the floor of a
 * recovery. Each write line runs on a new store of its own, with the bench's sync setting, long
 * enough to flush. Not thread-safe: one run at a time.
 */
final class PersistenceFloor {
  private static final byte EVENT = 0x01;
  private static final byte HIGHEST_SEQUENCE_NR = 0x02;
  private static final byte ORDERING = 0x05;
  private static final byte TAG = 0x06;
  private static final byte HIGHEST_ORDERING = 0x07;

  private final PersistenceWorkload.Settings settings;
  private final Path dir;
  private final PrintStream out;
  private final String writerUuid = UUID.randomUUID().toString();
  private final byte[] writerUuidBytes = writerUuid.getBytes(StandardCharsets.UTF_8);
  private final byte[] tag = BenchPersistentActor.TAG.getBytes(StandardCharsets.UTF_8);

  PersistenceFloor(PersistenceWorkload.Settings settings, Path dir, PrintStream out) {
    this.settings = settings;
    this.dir = dir;
    this.out = out;
  }

  void run() throws Exception {
    ActorSystem system = ActorSystem.create("bench-persistence-floor",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    try {
      Serialization serialization = SerializationExtension.get(system);
      serializeOnly(serialization);
      write(serialization, PersistenceResult.PERSIST, 1, dir.resolve("floor-persist"));
      write(serialization, PersistenceResult.PERSIST_ALL, settings.groupSize(), dir.resolve("floor-persistAll"));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  private void serializeOnly(Serialization serialization) throws Exception {
    long events = (long) settings.actors() * settings.events();
    long sink = 0;
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (long i = 0; i < events; i++) {
      sink += eventValue(serialization, (int) (i % settings.actors()), 1 + i / settings.actors()).length;
    }
    report("serialize", events, System.nanoTime() - start, cpu, sink > 0);
  }

  private void write(Serialization serialization, String name, int group, Path storeDir) throws Exception {
    long events = (long) settings.actors() * settings.events();
    StrataOptions options = StrataOptions.defaults().toBuilder().syncWrites(settings.sync()).build();
    long ordering = 0;
    try (Strata store = Strata.open(storeDir, options)) {
      long cpu = processCpuNanos();
      long start = System.nanoTime();
      for (long first = 1; first <= settings.events(); first += group) {
        long last = Math.min(first + group - 1, settings.events()); // as the bench's actors end a phase
        for (int actor = 0; actor < settings.actors(); actor++) {
          String id = "bench-" + actor;
          // The journal's order: the events, then their ordering entries, then their tag entries.
          WriteBatch batch = new WriteBatch();
          List<byte[]> values = new ArrayList<>();
          long firstOrdering = ordering + 1;
          for (long seq = first; seq <= last; seq++) {
            byte[] value = eventValue(serialization, actor, seq);
            ByteBuffer.wrap(value).putLong(1, ++ordering);
            batch.put(idKey(EVENT, id, seq), value);
            values.add(value);
          }
          for (long seq = first, o = firstOrdering; seq <= last; seq++, o++) {
            batch.put(ByteBuffer.allocate(9).put(ORDERING).putLong(o).array(), orderingEntry(id, seq));
          }
          for (int i = 0; i < values.size(); i++) {
            batch.put(ByteBuffer.allocate(3 + tag.length + 8).put(TAG).putShort((short) tag.length).put(tag)
                .putLong(firstOrdering + i).array(), values.get(i));
          }
          batch.put(idKey(HIGHEST_SEQUENCE_NR, id, -1), ByteBuffer.allocate(9).put((byte) 1).putLong(last).array());
          batch.put(new byte[] {HIGHEST_ORDERING}, ByteBuffer.allocate(9).put((byte) 1).putLong(ordering).array());
          store.write(batch);
        }
      }
      if (ordering != events) {
        throw new IllegalStateException("the floor wrote " + ordering + " events, expected " + events);
      }
      report("store " + name, events, System.nanoTime() - start, cpu, true);
      if (group > 1) {
        replay(serialization, store, events);
      }
    }
  }

  /**
   * The floor of a recovery: each id's events read back in one forward scan and deserialized, in
   * one thread, from the store just written (its memtable and files as they are).
   */
  private void replay(Serialization serialization, Strata store, long events) throws Exception {
    long replayed = 0;
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (int actor = 0; actor < settings.actors(); actor++) {
      String id = "bench-" + actor;
      try (StrataIterator it = store.scan(Bound.included(idKey(EVENT, id, 0)),
          Bound.included(idKey(EVENT, id, Long.MAX_VALUE)))) {
        for (; it.isValid(); it.next()) {
          ByteBuffer value = ByteBuffer.wrap(it.value());
          value.position(9);
          for (int tags = Short.toUnsignedInt(value.getShort()); tags > 0; tags--) {
            skip(value, Short.toUnsignedInt(value.getShort()));
          }
          long seq = value.getLong();
          long timestamp = value.getLong();
          skip(value, Short.toUnsignedInt(value.getShort())); // the id, which the replay knows
          String writer = shortString(value);
          String adapterManifest = shortString(value);
          value.get(); // flags: no metadata here
          int serializer = value.getInt();
          String manifest = shortString(value);
          byte[] bytes = new byte[value.getInt()];
          value.get(bytes);
          Object payload = serialization.deserialize(bytes, serializer, manifest).get();
          PersistentRepr repr = PersistentRepr.apply(payload, seq, id, adapterManifest, false, ActorRef.noSender(),
              writer).withTimestamp(timestamp);
          if (!repr.writerUuid().equals(writerUuid)) {
            throw new IllegalStateException("the replay of " + id + " read an event of writer " + repr.writerUuid());
          }
          replayed++;
        }
      }
    }
    if (replayed != events) {
      throw new IllegalStateException("the replay read " + replayed + " events, expected " + events);
    }
    report("store replay", events, System.nanoTime() - start, cpu, true);
  }

  /**
   * The journal's event value (format 3, one tag): the payload through Akka serialization, the
   * PersistentRepr's other fields beside it, as the journal writes an event of Akka's defaults.
   */
  private byte[] eventValue(Serialization serialization, int actor, long seq) throws Exception {
    String id = "bench-" + actor;
    String payload = id + "-" + seq + "-" + "x".repeat(Math.max(0, settings.eventBytes() - id.length() - 12));
    byte[] bytes = serialization.serialize(payload).get();
    Serializer serializer = serialization.findSerializerFor(payload);
    byte[] manifest = Serializers.manifestFor(serializer, payload).getBytes(StandardCharsets.UTF_8);
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 8 + 2 + 2 + tag.length + 8 + 8 + 2 + idBytes.length + 2 + writerUuidBytes.length
            + 2 + 1 + 4 + 2 + manifest.length + 4 + bytes.length)
        .put((byte) 3).putLong(0).putShort((short) 1).putShort((short) tag.length).put(tag)
        .putLong(seq).putLong(System.currentTimeMillis()).putShort((short) idBytes.length).put(idBytes)
        .putShort((short) writerUuidBytes.length).put(writerUuidBytes).putShort((short) 0).put((byte) 0)
        .putInt(serializer.identifier()).putShort((short) manifest.length).put(manifest).putInt(bytes.length)
        .put(bytes).array();
  }

  private static void skip(ByteBuffer in, int bytes) {
    in.position(in.position() + bytes);
  }

  private static String shortString(ByteBuffer in) {
    byte[] utf8 = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** kind | id length | id | sequence number (none when {@code seq} is negative). */
  private static byte[] idKey(byte kind, String id, long seq) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    ByteBuffer key = ByteBuffer.allocate(3 + utf8.length + (seq < 0 ? 0 : 8)).put(kind).putShort((short) utf8.length)
        .put(utf8);
    if (seq >= 0) {
      key.putLong(seq);
    }
    return key.array();
  }

  private static byte[] orderingEntry(String id, long seq) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(12 + utf8.length).put((byte) 1).put((byte) (seq == 1 ? 1 : 0)).putLong(seq)
        .putShort((short) utf8.length).put(utf8).array();
  }

  private void report(String name, long events, long nanos, long cpuStart, boolean checked) {
    if (!checked) {
      throw new IllegalStateException(name + " produced nothing");
    }
    long cpu = processCpuNanos();
    String perEvent = cpuStart < 0 || cpu < 0 ? "?" : String.format(Locale.ROOT, "%.2f", (cpu - cpuStart) / 1e3 / events);
    out.printf(Locale.ROOT, "%-18s %,12d events %10.1f ms %,12.0f events/s %8s us CPU/event%n", name, events,
        nanos / 1e6, events * 1e9 / nanos, perEvent);
    out.flush();
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }
}
