package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.iterator.InternalIterator;
import dev.strata.iterator.MergingIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Merges a set of SSTs into new ones: for each user key only its newest version survives (the
 * older ones are shadowed for every reader of the resulting state, since readers of older states
 * keep their own pinned files), and a tombstone is dropped too when the output is the bottommost
 * data, as nothing older can lie below it. Outputs are cut near {@code targetSstSizeBytes}, always
 * between two user keys, and written by the {@link SstWriter} that flushes use.
 *
 * <p>Thread-safe: a job touches only its own output files.
 */
final class CompactionJob {
  /** Entries merged between two looks at the cancellation flag. */
  private static final int CANCEL_CHECK_INTERVAL = 4096;

  private final SstWriter writer;

  CompactionJob(SstWriter writer) {
    this.writer = writer;
  }

  /**
   * Merges {@code inputs}, given newest first (so that on equal internal keys the newer file
   * wins), into new SSTs cut near {@code targetBytes}; returns them in key order. On failure or
   * when {@code cancelled} turns true, the outputs written so far are deleted.
   */
  List<SstFile> run(List<SstFile> inputs, boolean bottommost, long targetBytes, AtomicLong bytesWritten,
      BooleanSupplier cancelled) {
    List<InternalIterator> sources = new ArrayList<>();
    for (SstFile f : inputs) {
      sources.add(f.reader().iterator());
    }
    List<SstFile> outputs = new ArrayList<>();
    SstWriter.Output out = null;
    try (MergingIterator it = new MergingIterator(sources)) {
      byte[] previous = null;
      int sinceCheck = 0;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (++sinceCheck == CANCEL_CHECK_INTERVAL) {
          sinceCheck = 0;
          if (cancelled.getAsBoolean()) {
            throw new CompactionCancelledException();
          }
        }
        byte[] key = it.userKey();
        if (previous != null && InternalKey.compareUserKeys(previous, key) == 0) {
          continue; // an older version of the key just written (or dropped)
        }
        previous = key;
        if (bottommost && it.kind() == ValueKind.DELETE) {
          continue;
        }
        if (out != null && out.builder().estimatedSize() >= targetBytes) {
          outputs.add(out.finish(bytesWritten));
          out = null;
        }
        if (out == null) {
          out = writer.start();
        }
        out.builder().add(key, it.sequence(), it.kind(), it.value());
      }
      if (out != null) {
        outputs.add(out.finish(bytesWritten));
        out = null;
      }
      return outputs;
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.abandon(e);
      }
      for (SstFile f : outputs) {
        f.markObsolete();
        writer.releaser().accept(f);
      }
      if (e instanceof StrataException se) {
        throw se;
      }
      throw new StrataException("compaction of " + inputs.size() + " SSTs failed: " + e.getMessage(), e);
    }
  }
}
