package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.readstate.SstFile;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one compaction as several key-range parts at once (RocksDB's sub-compactions): the ranges
 * of {@link SubcompactionRanges}, each merged by {@link CompactionJob} into outputs of its own, so
 * that no output straddles two ranges. The calling thread (the compaction's own, on the blocking
 * dispatcher) merges parts too, and up to {@code threads - 1} helper tasks on the same executor
 * take the others; each thread takes the next unclaimed range until none is left. The caller
 * waits only for ranges another thread has claimed, that is, is running: a helper still queued
 * behind a flush holds nothing up, and finds no range left when it starts. So the parts cannot
 * deadlock on a full pool, whatever else queues there.
 *
 * <p>The result is every part's outputs, in key order, installed by the writer as one compaction
 * (one manifest record). If any part fails, the others stop at their next look at the
 * cancellation flag, every output of every part is deleted, and the first failure is thrown: the
 * store is left as if the compaction never ran.
 *
 * <p>Thread-safety: one instance per compaction; its parts run on several threads and share only
 * the claim counter, the failure, the latch and their own result slot (read after the latch).
 */
final class Subcompactions {
  private final CompactionJob job;
  private final CompactionJob.Spec spec;
  private final List<byte[]> splits;
  private final AtomicLong bytesWritten;
  private final List<List<SstFile>> results;
  private final AtomicInteger nextRange = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch finished;

  Subcompactions(CompactionJob job, CompactionJob.Spec spec, List<byte[]> splits, AtomicLong bytesWritten) {
    this.job = job;
    this.splits = List.copyOf(splits);
    // A sibling's failure stops every part, as a close's cancellation does.
    this.spec = spec.cancelledAlsoBy(() -> failure.get() != null);
    this.bytesWritten = bytesWritten;
    int ranges = splits.size() + 1;
    this.results = new ArrayList<>(java.util.Collections.nCopies(ranges, (List<SstFile>) null));
    this.finished = new CountDownLatch(ranges);
  }

  int rangeCount() {
    return splits.size() + 1;
  }

  /** Merges every range, on this thread and up to {@code threads - 1} tasks on {@code helpers}. */
  List<SstFile> run(Executor helpers, int threads) {
    int helperCount = Math.min(threads, rangeCount()) - 1;
    for (int h = 0; h < helperCount; h++) {
      try {
        helpers.execute(this::takeRanges);
      } catch (RejectedExecutionException e) {
        break; // a dispatcher shutting down: this thread merges what no helper takes
      }
    }
    takeRanges();
    awaitClaimedRanges();
    Throwable failed = failure.get();
    if (failed != null) {
      for (List<SstFile> part : results) {
        if (part != null) {
          job.discard(part);
        }
      }
      if (failed instanceof RuntimeException re) {
        throw re;
      }
      if (failed instanceof Error err) {
        throw err;
      }
      throw new StrataException("a part of a compaction failed: " + failed.getMessage(), failed);
    }
    List<SstFile> outputs = new ArrayList<>();
    results.forEach(outputs::addAll);
    return outputs;
  }

  private void takeRanges() {
    int i;
    while ((i = nextRange.getAndIncrement()) < rangeCount()) {
      try {
        if (failure.get() == null) {
          byte[] start = i == 0 ? null : splits.get(i - 1);
          byte[] end = i == splits.size() ? null : splits.get(i);
          results.set(i, job.run(spec, start, end, bytesWritten));
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t); // the first failure; the siblings' cancellations follow from it
      } finally {
        finished.countDown();
      }
    }
  }

  /** Every range was claimed when this thread found none left; the latch counts them finished. */
  private void awaitClaimedRanges() {
    boolean interrupted = false;
    while (true) {
      try {
        finished.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the parts hold files open: they must end before the outcome is known
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
