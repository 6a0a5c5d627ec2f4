package dev.strata.engine;

import dev.strata.WriteBatch;
import dev.strata.memtable.Memtable;
import java.util.concurrent.CompletableFuture;

/**
 * How the engine, which knows nothing of actors, speaks to the writer: the actor layer
 * implements this by telling the writer actor. Implementations must be thread-safe and must not
 * block: they are called from writers' threads.
 */
public interface WriterSignals {
  /** {@code memtable} reached its size limit; the writer should freeze it and start a new one. */
  void memtableFull(Memtable memtable);

  /**
   * A write that cannot take the fast path (the store is stalled, or earlier writes are queued)
   * goes to the writer, which applies it in arrival order and completes {@code done}; a non-null
   * {@code check} is verified right before it commits.
   */
  void enqueueWrite(WriteBatch batch, CommitCheck check, CompletableFuture<Void> done);

  /**
   * Point lookups keep consulting SST {@code fileNumber} in vain on their way to a deeper file:
   * compacting it would spare them. A hint; the writer may find the file already gone.
   */
  void compactionWanted(long fileNumber);

  /**
   * SSTs a compaction made obsolete were released by their last reader: the writer should delete
   * them ({@code WriterControl#deleteObsoleteFiles}), off the reader's thread. Sent once for any
   * number of files released before the writer gets to them.
   */
  void obsoleteFilesReleased();
}
