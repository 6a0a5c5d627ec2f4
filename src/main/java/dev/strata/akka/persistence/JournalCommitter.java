package dev.strata.akka.persistence;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single path through which a store's journal writes commit: it numbers events with the
 * store-wide ordering and writes them, with their ordering log and tag index entries, in one
 * {@link WriteBatch}. One per store and actor system ({@link StoreSequencers}), whatever the
 * number of journal plugins on it.
 *
 * <p>Why one serial path: a live {@code eventsByTag} that has read ordering N must never meet a
 * smaller ordering later, so orderings must become visible in their own order. Numbering and
 * committing on one drain at a time makes commit order the ordering order. It also groups: the
 * calls that queue while one batch is written (and, with {@code sync-writes}, fsynced) go out
 * together in the next batch, one fsync for all of them, so writers of many persistent actors
 * share their syncs. A numbered batch that fails leaves a gap in the ordering, never a reused number.
 *
 * <p>Start: the highest ordering is read from its key, and a store written by a journal without the
 * ordering (format 1) is numbered first, event by event in key order ({@link #upgrade}).
 *
 * <p>Thread-safe: {@link #commit} may be called from any thread. The drain runs on one thread at a
 * time (the {@code draining} flag hands it over, and with it {@code highestOrdering}).
 */
final class JournalCommitter {
  private static final Logger log = LoggerFactory.getLogger(JournalCommitter.class);
  /** A group stops growing at this many bytes: bounds the batch, and the memory of a burst. */
  private static final long GROUP_BYTES = 8L * 1024 * 1024;
  private static final int UPGRADE_BATCH = 4096;

  /**
   * An event ready to be numbered: its key, its value and its tag index keys, the value and the tag
   * keys with ordering 0 until the drain writes the ordering into them (they are this event's own).
   */
  record EventWrite(long sequenceNr, byte[] key, byte[] value, List<byte[]> tagKeys) {}

  /**
   * One AtomicWrite, encoded: its id (and the id's UTF-8, which the ordering entries carry) and the
   * key of the id's highest sequence number. {@code maybeNewId}: its id had no highest sequence number
   * when it was encoded; the drain checks again, as an earlier write of the id may have committed since.
   */
  record PreparedWrite(String persistenceId, byte[] persistenceIdUtf8, byte[] highestSequenceNrKey,
      long highestSequenceNr, List<EventWrite> events, boolean maybeNewId) {}

  private record Pending(List<PreparedWrite> writes, CompletableFuture<Void> done) {}

  private final Strata store;
  private final Executor executor;
  private final CommitSignal signal = new CommitSignal();
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** Guarded by {@code draining}. */
  private long highestOrdering;

  /** Reads the highest ordering, upgrading a store of journal format 1 first; blocks. */
  JournalCommitter(Strata store, Executor executor) {
    this.store = store;
    this.executor = executor;
    byte[] format = store.get(PersistenceKeys.journalFormat());
    if (format != null && JournalRecords.readJournalFormat(format) > JournalRecords.LAYOUT) {
      throw new IllegalStateException("the journal in this store has layout " + JournalRecords.readJournalFormat(format)
          + "; this Strata reads layout " + JournalRecords.LAYOUT + " and older");
    }
    this.highestOrdering = storedHighestOrdering(store);
    if (format == null) {
      upgrade();
    }
  }

  /** Signalled after every commit. */
  CommitSignal signal() {
    return signal;
  }

  /** The highest ordering a committed event has (or had: deleted events keep theirs). */
  static long storedHighestOrdering(Strata store) {
    byte[] value = store.get(PersistenceKeys.highestOrdering());
    return value == null ? 0L : JournalRecords.readHighestOrdering(value);
  }

  /** Commits {@code writes} atomically, numbered after every event committed before; completes when they are. */
  CompletableFuture<Void> commit(List<PreparedWrite> writes) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Pending(writes, done));
    scheduleDrain();
    return done;
  }

  private void scheduleDrain() {
    if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RuntimeException e) { // the dispatcher refused: the system is shutting down
        for (Pending p; (p = queue.poll()) != null; ) {
          p.done().completeExceptionally(e);
        }
        draining.set(false);
      }
    }
  }

  private void drain() {
    try {
      while (!queue.isEmpty()) {
        commitGroup();
      }
    } finally {
      draining.set(false);
    }
    scheduleDrain(); // a commit queued after the loop's last look and before the flag dropped
  }

  private void commitGroup() {
    List<Pending> group = new ArrayList<>();
    GroupBatch batch = new GroupBatch();
    Set<String> newIds = new HashSet<>();
    for (Pending p; batch.dataBytes < GROUP_BYTES && (p = queue.poll()) != null; ) {
      group.add(p);
      for (PreparedWrite write : p.writes()) {
        add(batch, write, newIds);
      }
    }
    try {
      if (!batch.isEmpty()) {
        store.write(batch.build(JournalRecords.highestOrdering(highestOrdering)));
      }
    } catch (RuntimeException | Error e) {
      acknowledge(new Acknowledgement(group, e));
      return;
    }
    signal.fire();
    acknowledge(new Acknowledgement(group, null));
  }

  /**
   * Completes a group's futures in one task of the executor, so that the drain goes on with the
   * next group meanwhile (with {@code sync-writes}: its fsync) and the group's writers are not
   * kept waiting for it. Where the executor refuses (shutting down), here.
   */
  private void acknowledge(Acknowledgement acknowledgement) {
    try {
      executor.execute(acknowledgement);
    } catch (RuntimeException e) {
      acknowledgement.run();
    }
  }

  /**
   * A group's completions, one task for the whole group. Marked batchable ({@code
   * scala.concurrent.Batchable}, Scala's public marker): on an Akka dispatcher (the plugin's) the
   * Future callbacks that the completions start, the journal's replies to the persistent actors,
   * join this task's batch and run on its thread right after it, instead of each being handed to
   * another thread of the pool: one hand-off per group instead of one or two per call. With fsync
   * off a commit takes microseconds, and those hand-offs were much of a write's latency.
   */
  private record Acknowledgement(List<Pending> group, Throwable failure) implements Runnable, scala.concurrent.Batchable {
    @Override
    public void run() {
      for (Pending p : group) {
        if (failure == null) {
          p.done().complete(null);
        } else {
          p.done().completeExceptionally(failure);
        }
      }
    }
  }

  private void add(GroupBatch batch, PreparedWrite write, Set<String> newIds) {
    String id = write.persistenceId();
    boolean newId = write.maybeNewId() && !newIds.contains(id) && store.get(write.highestSequenceNrKey()) == null;
    if (newId) {
      newIds.add(id);
    }
    for (EventWrite event : write.events()) {
      long ordering = ++highestOrdering;
      JournalRecords.setOrdering(event.value(), ordering);
      batch.events.add(event.key(), event.value());
      batch.orderings.add(PersistenceKeys.ordering(ordering),
          JournalRecords.orderingEntry(write.persistenceIdUtf8(), event.sequenceNr(), newId));
      for (byte[] tagKey : event.tagKeys()) {
        PersistenceKeys.setTagOrdering(tagKey, ordering);
        batch.tags.add(tagKey, event.value());
      }
      newId = false;
    }
    batch.highestSequenceNrs.add(write.highestSequenceNrKey(), JournalRecords.highestSequenceNr(write.highestSequenceNr()));
  }

  /**
   * A group's puts, kept by key range until the group is complete, then written range after range:
   * the events (ascending within each AtomicWrite), the ordering entries (ascending), the tag entries
   * (ascending per tag), the ids' highest sequence numbers (in the order the writes came, so that
   * the later of two writes of one id wins), the highest ordering. Strata inserts a batch's entries
   * in the batch's order, and an entry that sorts right after the one inserted before it links
   * without walking the memtable's skip list from the top; put event by event (its record, its
   * ordering entry, its tag entries, then the next event's), every entry had the whole walk, through
   * the cold cache lines of a large memtable. The batch is atomic, so the order of its distinct keys
   * changes nothing else.
   */
  private static final class GroupBatch {
    final Section events = new Section();
    final Section orderings = new Section();
    final Section tags = new Section();
    final Section highestSequenceNrs = new Section();
    /** Key and value bytes of the puts so far (a tag entry counts its copy of the event). */
    long dataBytes;

    /** One key range's puts, in the order they came. */
    final class Section {
      private final List<byte[]> keys = new ArrayList<>();
      private final List<byte[]> values = new ArrayList<>();

      void add(byte[] key, byte[] value) {
        keys.add(key);
        values.add(value);
        dataBytes += key.length + value.length;
      }

      private void putInto(WriteBatch batch) {
        for (int i = 0; i < keys.size(); i++) {
          batch.put(keys.get(i), values.get(i));
        }
      }
    }

    boolean isEmpty() {
      return highestSequenceNrs.keys.isEmpty();
    }

    /** The write batch of the group, with the highest ordering after it numbered the group's events. */
    WriteBatch build(byte[] highestOrdering) {
      WriteBatch batch = new WriteBatch();
      events.putInto(batch);
      orderings.putInto(batch);
      tags.putInto(batch);
      highestSequenceNrs.putInto(batch);
      return batch.put(PersistenceKeys.highestOrdering(), highestOrdering);
    }
  }

  /**
   * Numbers the events a format 1 journal wrote (no ordering, no tags: that journal dropped them),
   * in key order, then records format 2. Idempotent: a crash part-way leaves numbered events, which
   * a second run keeps as they are, and the highest ordering, written with each batch.
   */
  private void upgrade() {
    WriteBatch batch = new WriteBatch();
    long upgraded = 0;
    String lastId = null;
    try (StrataIterator it = store.scan(Bound.included(PersistenceKeys.kindStart(PersistenceKeys.EVENT)),
        Bound.excluded(PersistenceKeys.kindStart(PersistenceKeys.HIGHEST_SEQUENCE_NR)))) {
      for (; it.isValid(); it.next()) {
        byte[] value = it.value();
        String id = PersistenceKeys.persistenceIdOf(it.key());
        boolean firstOfId = !id.equals(lastId);
        lastId = id;
        if (value.length == 0 || value[0] != JournalRecords.VERSION) {
          continue;
        }
        long ordering = ++highestOrdering;
        byte[] v2 = new byte[value.length + 10];
        v2[0] = JournalRecords.EVENT_VERSION;
        System.arraycopy(value, 1, v2, 11, value.length - 1); // ordering at 1..8, 0 tags at 9..10
        JournalRecords.setOrdering(v2, ordering);
        long sequenceNr = PersistenceKeys.eventSequenceNr(it.key());
        batch.put(it.key(), v2);
        batch.put(PersistenceKeys.ordering(ordering), JournalRecords.orderingEntry(id, sequenceNr, firstOfId));
        upgraded++;
        if (batch.count() >= UPGRADE_BATCH) {
          batch.put(PersistenceKeys.highestOrdering(), JournalRecords.highestOrdering(highestOrdering));
          store.write(batch);
          batch = new WriteBatch();
        }
      }
    }
    batch.put(PersistenceKeys.highestOrdering(), JournalRecords.highestOrdering(highestOrdering));
    batch.put(PersistenceKeys.journalFormat(), JournalRecords.journalFormat(JournalRecords.LAYOUT));
    store.write(batch);
    if (upgraded > 0) {
      log.info("numbered {} events of a journal of format 1 with the store-wide ordering", upgraded);
    }
  }
}
