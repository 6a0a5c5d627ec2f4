package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.WalInfo;
import dev.strata.fs.FileSystem;
import dev.strata.manifest.ManifestRecord;
import dev.strata.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's write-ahead logs, after Pebble's WAL manager: it creates each new WAL, keeps the
 * WALs of frozen memtables not yet flushed ("retired"), syncs them in order, discards a flushed
 * memtable's WAL, and closes them all at close. The current WAL, the one writes append to, lives
 * in the {@link WritePath} under its commit lock; the calls that need it take it as an argument.
 *
 * <p><b>Retired WALs are synced lazily.</b> Syncing a WAL when its memtable freezes would put an
 * fsync of a whole memtable's log (32 MiB, about 0.1 s here) into every rotation, for nothing:
 * without syncWrites a WAL only has to survive a crash of the process, which the page cache sees
 * to, and once its memtable's SST is durable the WAL is deleted, often before the kernel has
 * written a page of it back. So a retired WAL stays open, unsynced, and is synced when a newer one
 * is (sync(), a group of synced writes, close), oldest first: after a power loss what is left is
 * still a prefix of the writes.
 *
 * <p><b>A failed fsync is final.</b> No WAL is synced again: on Linux a retried fsync may report
 * success after the kernel dropped the pages that failed, and syncing a newer WAL over that hole
 * would break the prefix a power loss must leave. The same holds for the fsyncs synced writes'
 * callers make of the current WAL ({@link CallerSync}): a failure of theirs stops these, and one
 * of these stops theirs.
 *
 * <p>Thread-safety: writer only, through {@link WriterControl}; at close, the thread that releases
 * the engine once the writer has stopped. A caller may be syncing the current WAL meanwhile: a WAL
 * is closed only while no caller syncs ({@link CallerSync#closeUnsynced}).
 */
final class WalSet {
  private static final Logger log = LoggerFactory.getLogger(WalSet.class);

  private final Path dir;
  private final FileSystem fs;
  /** Maps and pre-faults WAL segments ahead of the appends (see FileSystem#createMapped). */
  private final Executor walPreparer;
  private final ErrorState errors;
  private final EngineStats counters;
  /** Where WALs are recorded live, retired and synced. */
  private final VersionSet versions;
  /** The WALs of frozen memtables not yet flushed, oldest first. */
  private final List<WalWriter> retired = new ArrayList<>();
  /** How many of {@link #retired}, from the oldest, are synced (they take no more appends). */
  private int retiredSynced;
  /** Running checkpoints copying WALs: while any runs, discarded WALs are closed but not deleted. */
  private int deletionHolds;
  /** WALs discarded while deletions were held, deleted when the last hold is released. */
  private final List<WalInfo> heldDeletions = new ArrayList<>();
  private final StoreEvents events;
  private final CallerSync callerSync;
  /** With syncWrites every acknowledged write was synced, so appends may wait for the sync. */
  private final WalWriter.Appends appends;

  WalSet(Path dir, FileSystem fs, Executor walPreparer, ErrorState errors, EngineStats counters,
      VersionSet versions, StoreEvents events, CallerSync callerSync, boolean syncWrites) {
    this.appends = syncWrites ? WalWriter.Appends.WAIT_FOR_SYNC : WalWriter.Appends.REACH_THE_OS_AT_ONCE;
    this.events = events;
    this.callerSync = callerSync;
    this.dir = dir;
    this.fs = fs;
    this.walPreparer = walPreparer;
    this.errors = errors;
    this.counters = counters;
    this.versions = versions;
  }

  /** Creates WAL {@code number}, for the memtable of that number, and records it live in the manifest. */
  WalWriter create(long number) throws IOException {
    WalWriter w = WalWriter.create(fs, FileNames.wal(dir, number), number, walPreparer, appends);
    try {
      fs.syncDirectory(dir);
      versions.logAndApply(new ManifestRecord.WalCreated(number));
    } catch (IOException | RuntimeException e) {
      StoreEngine.closeQuietly(w, e);
      throw e;
    }
    events.walCreated(new WalInfo(number, 0));
    return w;
  }

  /**
   * Reopens the WAL recovery kept live ({@code kept}), to append to it from where its last record
   * ends. The manifest recovery wrote already lists it as live, so nothing is recorded; the
   * directory entry is the one it always had.
   */
  WalWriter reopen(WalRecovery.Kept kept) throws IOException {
    return WalWriter.open(fs, FileNames.wal(dir, kept.wal()), kept.wal(), kept.end(), walPreparer, appends);
  }

  /** {@code w} takes no more appends: its memtable froze. It stays open until synced or discarded. */
  void retire(WalWriter w) {
    retired.add(w);
    counters.retiredWalBytes.addAndGet(w.size());
  }

  /**
   * Closes, unsynced, and deletes the WAL of a flushed memtable: its SST, durable and recorded in
   * the manifest, now holds what the WAL held.
   */
  void discard(long number) throws IOException {
    long written = 0;
    for (int i = 0; i < retired.size(); i++) {
      WalWriter w = retired.get(i);
      if (w.number() == number) {
        retired.remove(i);
        written = w.size();
        counters.retiredWalBytes.addAndGet(-w.size());
        if (i < retiredSynced) {
          retiredSynced--;
        }
        try {
          callerSync.closeUnsynced(w);
        } catch (IOException e) {
          // Nothing it held is needed any more, and the file is deleted next: not the store's error.
          log.warn("closing WAL {}, whose memtable is flushed, failed", w.number(), e);
        }
        break;
      }
    }
    if (deletionHolds > 0) {
      heldDeletions.add(new WalInfo(number, written)); // a checkpoint is copying it (recovery deletes it if a crash comes first)
      return;
    }
    fs.delete(FileNames.wal(dir, number));
    fs.syncDirectory(dir);
    events.walDeleted(new WalInfo(number, written));
  }

  /** The written length of retired WAL {@code number}, or -1 when it is not a retired WAL. */
  long retiredSize(long number) {
    for (WalWriter w : retired) {
      if (w.number() == number) {
        return w.size();
      }
    }
    return -1;
  }

  /** A checkpoint starts copying WALs: none is deleted until {@link #releaseDeletions()}. */
  void holdDeletions() {
    deletionHolds++;
  }

  /** A checkpoint is done: once none runs, the WALs discarded meanwhile are deleted. */
  void releaseDeletions() throws IOException {
    if (--deletionHolds > 0 || heldDeletions.isEmpty()) {
      return;
    }
    for (WalInfo wal : heldDeletions) {
      fs.delete(FileNames.wal(dir, wal.walNumber()));
    }
    fs.syncDirectory(dir);
    heldDeletions.forEach(events::walDeleted);
    heldDeletions.clear();
  }

  /**
   * Makes every acknowledged write durable: fsyncs the retired WALs not yet synced, oldest first,
   * recording each one's sync point in the manifest (it takes no more writes, so the point is its
   * end), then the current one of {@code writes} (none with the WAL off or once it is closed); and
   * tells the callers waiting for their writes to be synced how far that went.
   */
  void sync(WritePath writes) {
    sync(writes, true);
  }

  /**
   * As {@link #sync}, without the current WAL: after a rotation with synced writes, so that the
   * writes before the new WAL are durable and its callers' syncs cover what they wait for. The
   * new WAL, empty, needs no fsync of its own here; its callers sync it.
   */
  void syncRetired(WritePath writes) {
    sync(writes, false);
  }

  private void sync(WritePath writes, boolean withCurrent) {
    // Writer only: no rotation can come between this point and the syncs below.
    WritePath.SyncPoint point = writes.syncPoint();
    try {
      while (retiredSynced < retired.size()) {
        WalWriter w = retired.get(retiredSynced);
        syncOne(w);
        recordSynced(w);
        retiredSynced++;
      }
      if (withCurrent && point.wal() != null) {
        syncOne(point.wal());
      }
    } catch (RuntimeException e) {
      // The store is failed now (a sync, or the manifest record of one): callers waiting for
      // this sync must hear of it rather than wait for one that will not come.
      callerSync.wakeAll();
      throw e;
    }
    // Every write up to the point's last sequence (or, without the current WAL, up to the one
    // before its first record) is in the WALs synced above.
    callerSync.synced(withCurrent ? point.lastSequence() : point.firstSequence() - 1);
  }

  /**
   * Records that WAL {@code w}, which takes no more writes, is synced to its end, so that recovery
   * reports damage before that point instead of dropping synced writes (see WalRecoveryMode). Not
   * in the error state: the manifest's tail may then be unknown.
   */
  private void recordSynced(WalWriter w) {
    if (errors.cause() != null) {
      return;
    }
    try {
      versions.logAndApply(new ManifestRecord.WalSynced(w.number(), w.size()));
    } catch (IOException e) {
      errors.fail(e);
      throw new StrataException("recording the sync of WAL " + w.number() + " in the manifest failed: "
          + e.getMessage(), e);
    }
  }

  private void syncOne(WalWriter w) {
    if (callerSync.hasFailed()) {
      throw new StrataException("an earlier fsync of a WAL failed; no WAL is synced again until the store reopens",
          errors.cause());
    }
    try {
      counters.walSyncs.incrementAndGet();
      w.sync();
    } catch (IOException | RuntimeException | InternalError e) {
      // Whatever the sync threw, it is not known to have made the WAL durable: a failed sync.
      callerSync.failed(e); // final: fails the store and the callers waiting for a sync, and stops every later one
      throw new StrataException("sync of WAL " + w.number() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * At close: syncs and closes every WAL, the retired ones and the current one, which it takes
   * from {@code writes}, so every acknowledged write is durable. If a sync fails now or failed
   * before, the WALs are closed without syncing any further; a failure now is thrown once every
   * handle is closed.
   */
  void closeAll(WritePath writes) {
    StrataException failure = null;
    if (!callerSync.hasFailed()) {
      try {
        sync(writes); // the retired WALs oldest first, then the current one
        WalWriter current = writes.currentWal();
        if (current != null) {
          recordSynced(current); // writes are refused and drained: this is its end
        }
      } catch (StrataException e) {
        failure = e;
      }
    }
    List<WalWriter> toClose = new ArrayList<>(retired);
    retired.clear();
    retiredSynced = 0;
    counters.retiredWalBytes.set(0);
    WalWriter current = writes.takeWal();
    if (current != null) {
      toClose.add(current);
    }
    for (WalWriter w : toClose) {
      try {
        callerSync.closeUnsynced(w); // synced above, unless a sync failed
      } catch (IOException e) {
        failure = closeFailure(failure, w, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private StrataException closeFailure(StrataException first, WalWriter w, IOException e) {
    errors.fail(e);
    StrataException failure = new StrataException("closing WAL " + w.number() + " failed: " + e.getMessage(), e);
    if (first == null) {
      return failure;
    }
    first.addSuppressed(failure);
    return first;
  }
}
