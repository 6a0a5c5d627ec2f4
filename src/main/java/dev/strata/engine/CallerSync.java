package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit on the callers' threads, for synced writes that committed on the fast path
 * (RocksDB's leader writer, PostgreSQL's WAL flush). A caller whose write is not yet durable
 * either becomes the leader, if no other caller is syncing, or parks. The leader takes the
 * current WAL and the newest sequence it holds, fsyncs it on its own thread, and then wakes
 * the callers whose writes that sync covered, and one more, who leads the next sync for the
 * writes that committed meanwhile. So while one caller syncs, the others commit into the
 * memtable and the WAL, and the next fsync covers them all; no write waits for the writer actor,
 * and on two cores the commits and the syncs overlap instead of taking turns on one thread.
 *
 * <p><b>What a sync covers.</b> {@link #syncedSequence} is a prefix: every write at or below it
 * is durable. A leader syncs only the current WAL, so it may advance the prefix only when every
 * write before that WAL's first record is durable already. After a rotation the retired WAL's
 * tail may not be: the writer syncs it right after the swap ({@code WriterControl}), and until
 * it has, callers park instead of leading. Every sync the writer makes (a queued write's group,
 * {@code sync()}, a rotation, the close) also advances the prefix to what it covered.
 *
 * <p><b>Failures.</b> A failed fsync is final, as in {@link WalSet}: the store fails, every
 * waiting caller gets the failure, and no WAL is synced again, by a leader or by the writer.
 * A caller never waits on a writer that will not sync: once the writer is gone
 * ({@link #writerStopped}) or the store is in its error state (a failed sync of the writer's, or
 * of the manifest record after it, wakes every caller: {@link #wakeAll}), a caller that cannot
 * lead gets the store's error.
 *
 * <p>Thread-safety: any thread may {@link #awaitDurable}; {@link #synced}, {@link #failed} and
 * {@link #writerStopped} are for the writer (or the thread that closes the store after it);
 * {@link #closeUnsynced} keeps a leader's sync off a WAL being closed.
 */
final class CallerSync {
  /**
   * A parked caller and the sequence of its write. A wake marks the waiter before it unparks the
   * thread: the unpark alone can be lost, taken by another park of the thread's on its way to
   * this one (the commit lock's, when it reads the sync point; {@code WritePath}'s, while its write
   * is being committed for it), and the waiter re-reads the mark before it parks.
   */
  static final class Waiter {
    final Thread thread;
    final long sequence;
    /** Woken for good: its write is covered, or every waiter was woken (a failure, the writer gone). */
    volatile boolean removed;
    /** Woken to lead the next sync; cleared when the waiter finds it set just before it parks. */
    volatile boolean toLead;

    private Waiter(Thread thread, long sequence) {
      this.thread = thread;
      this.sequence = sequence;
    }

    /** Whether a wake has marked this waiter (and unparked its thread) since it was registered. */
    boolean woken() {
      return removed || toLead;
    }
  }

  /** Held by the leader for its whole sync, and by whoever closes a WAL a leader might be syncing. */
  private final ReentrantLock leader = new ReentrantLock();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final ErrorState errors;
  private final EngineStats counters;
  /** Every write at or below this is durable. */
  private volatile long syncedSequence;
  /** The failure of a WAL sync, leader's or writer's: final. */
  private volatile Throwable syncFailure;
  private volatile boolean writerStopped;
  /**
   * Set (under the leader lock) when a caller could not lead because the writer must sync first;
   * cleared by the writer's sync. Meanwhile no caller is woken to lead: it could only find the same.
   */
  private volatile boolean awaitingWriter;

  CallerSync(ErrorState errors, EngineStats counters) {
    this.errors = errors;
    this.counters = counters;
  }

  /** Whether a WAL sync has failed: then no WAL may be synced again until the store reopens. */
  boolean hasFailed() {
    return syncFailure != null;
  }

  /**
   * Returns once the write of sequence {@code sequence}, committed into {@code writes}' WAL, is
   * durable, syncing the WAL on this thread when no other caller is.
   *
   * @throws StrataException if a sync failed, or the writer stopped before the write was synced
   */
  void awaitDurable(long sequence, WritePath writes) {
    awaitDurable(sequence, writes, null);
  }

  /**
   * Registers {@code thread}, parked, as waiting for the write of {@code sequence}: it is woken
   * when that write is durable, or to lead a sync, and then calls {@link #awaitDurable(long,
   * WritePath, Waiter)} with the returned waiter. For a write another thread committed for it
   * (see {@code WritePath}), so that its caller is woken once, not once to learn of the commit and
   * again for the sync.
   */
  Waiter waitFor(Thread thread, long sequence) {
    Waiter w = new Waiter(thread, sequence);
    waiters.add(w);
    return w;
  }

  /** As {@link #awaitDurable(long, WritePath)}, for a caller registered already as {@code registered} (or null). */
  void awaitDurable(long sequence, WritePath writes, Waiter registered) {
    Waiter me = registered;
    // Uninterruptible, as a join, and with the flag cleared meanwhile: a leader's fsync on an
    // interrupted thread would close the WAL's channel. The flag is set again for the caller.
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        if (syncedSequence >= sequence) {
          return;
        }
        throwIfFailed();
        if (leader.tryLock()) {
          boolean led = false;
          try {
            led = syncedSequence < sequence && lead(writes);
          } finally {
            leader.unlock();
            wake(); // callers that found the lock taken meanwhile parked, counting on this
          }
          if (led) {
            continue;
          }
          // Covered meanwhile (the loop returns), or the writer must sync a retired WAL first,
          // and this caller waits for it like the others.
        }
        if (me == null || me.removed) {
          me = waitFor(Thread.currentThread(), sequence);
          continue; // a sync may have ended between the checks above and the add
        }
        if ((writerStopped || errors.cause() != null) && !mayLead(writes.syncPoint())) {
          // Only the writer could make this write durable now, and it will not: it stopped, or
          // the store failed (the writer syncs no more; writes fail fast in the error state).
          // Woken to lead, this caller hands the turn on (to another waiter) before it leaves.
          me.removed = true;
          waiters.remove(me);
          wake();
          throwIfFailed();
          throw new StrataException(writerStopped
              ? "the store's writer stopped before this synced write was made durable"
              : "the store entered its error state before this synced write was made durable: "
                  + errors.cause(), errors.cause());
        }
        if (me.removed) {
          continue; // woken for good since the checks above: the loop's top says why
        }
        if (me.toLead) {
          me.toLead = false;
          continue; // woken to lead since the checks above: try again
        }
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
    } finally {
      if (me != null && !me.removed) {
        waiters.remove(me);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Under the leader lock: syncs the current WAL and advances the prefix to the newest sequence
   * it held before the sync. Returns false, having synced nothing, when the writes before that WAL
   * are not yet known durable (the writer syncs them) or the WAL is gone (the store is closing).
   */
  private boolean lead(WritePath writes) {
    // Callers this one's last sync woke are on their way back with their next writes; one yield
    // lets them commit first, so that this sync covers them too. Without it, on two cores and 64
    // threads, groups were 24 writes instead of 57, and the rate 0.85x (fillsync).
    Thread.yield();
    WritePath.SyncPoint point = writes.syncPoint();
    if (!mayLead(point)) {
      awaitingWriter = true;
      return false;
    }
    WalWriter wal = point.wal();
    try {
      counters.walSyncs.incrementAndGet();
      wal.sync();
    } catch (IOException | RuntimeException | InternalError e) {
      // As in WalSet: whatever the sync threw, the WAL is not known durable, and none is synced again.
      failed(e);
      throw new StrataException("sync of WAL " + wal.number() + " failed: " + e.getMessage(), e);
    }
    advance(point.lastSequence());
    return true;
  }

  /**
   * Whether a caller's sync of {@code point}'s WAL would make every write up to its last one
   * durable: the WAL is there, and every write before its first record is durable already.
   */
  private boolean mayLead(WritePath.SyncPoint point) {
    return point.wal() != null && syncedSequence >= point.firstSequence() - 1;
  }

  /**
   * Wakes the callers the prefix now covers (they return), and the first it does not (it leads
   * the next sync, or parks again if another caller got there first), unless the writer must
   * sync first. Everyone on a failure or once the writer stopped. Whoever releases the leader
   * lock calls this, since callers that found it taken park until then; and a caller that
   * committed writes of others' but will not wait for a sync itself (its own write was refused
   * or failed), so that theirs do not wait for a leader that never comes.
   */
  void wake() {
    wake(syncFailure != null || writerStopped);
  }

  /**
   * Writer: a sync of its failed, and the store with it: wakes every waiting caller, so that one
   * waiting for the writer finds the store failed instead of waiting on.
   */
  void wakeAll() {
    wake(true);
  }

  private void wake(boolean all) {
    long synced = syncedSequence;
    boolean nextLeaderWoken = awaitingWriter;
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (all || w.sequence <= synced) {
        w.removed = true;
        it.remove();
        LockSupport.unpark(w.thread);
      } else if (!nextLeaderWoken) {
        nextLeaderWoken = true;
        w.toLead = true;
        LockSupport.unpark(w.thread);
      }
    }
  }

  private void advance(long sequence) {
    if (sequence > syncedSequence) {
      syncedSequence = sequence; // only under the leader lock: no lost update
    }
  }

  private void throwIfFailed() {
    Throwable f = syncFailure;
    if (f != null) {
      throw new StrataException("an fsync of the WAL failed; this write is not known to be durable, and the"
          + " store is read-only until it is reopened: " + f.getMessage(), f);
    }
  }

  /**
   * Writer: a sync it made covered every write up to {@code sequence} (it read that before the
   * sync, under the commit lock). Takes the leader lock, so it may wait for a leader's fsync.
   */
  void synced(long sequence) {
    leader.lock();
    try {
      advance(sequence);
      awaitingWriter = false;
    } finally {
      leader.unlock();
    }
    wake();
  }

  /** A WAL sync failed (a leader's, or the writer's): the store fails, and every waiting caller hears of it. */
  void failed(Throwable cause) {
    if (syncFailure == null) {
      syncFailure = cause;
    }
    errors.fail(cause);
    wake();
  }

  /** The writer has stopped: callers that cannot sync for themselves stop waiting for it. */
  void writerStopped() {
    writerStopped = true;
    wake();
  }

  /** Closes {@code wal} unsynced ({@link WalWriter#closeUnsynced}) with no leader syncing it meanwhile. */
  void closeUnsynced(WalWriter wal) throws IOException {
    leader.lock();
    try {
      wal.closeUnsynced();
    } finally {
      leader.unlock();
      wake();
    }
  }
}
