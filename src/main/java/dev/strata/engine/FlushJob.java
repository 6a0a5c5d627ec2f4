package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.iterator.InternalIterator;
import dev.strata.iterator.MergingIterator;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes frozen memtables as one L0 SST, every version of every key as it is. Several memtables
 * ({@code memtables-per-flush}) are merged in internal-key order; their sequences are disjoint, so
 * no two entries are equal and nothing is dropped. Thread-safe.
 */
final class FlushJob {
  private final SstWriter writer;

  FlushJob(SstWriter writer) {
    this.writer = writer;
  }

  SstFile run(Memtable memtable, AtomicLong bytesWritten) {
    return run(List.of(memtable), bytesWritten);
  }

  SstFile run(List<Memtable> memtables, AtomicLong bytesWritten) {
    if (memtables.isEmpty()) {
      throw new IllegalArgumentException("a flush needs at least one memtable");
    }
    SstWriter.Output out = null;
    try {
      out = writer.start(0);
      try (InternalIterator it = iterator(memtables)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          out.builder().add(it.userKey(), it.sequence(), it.kind(), it.value());
        }
      }
      return out.finish(bytesWritten);
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.abandon(e);
      }
      throw new StrataException("flush of " + (memtables.size() == 1 ? memtables.get(0) : memtables)
          + (out == null ? "" : " to " + out.path()) + " failed: " + e.getMessage(), e);
    }
  }

  private static InternalIterator iterator(List<Memtable> memtables) {
    if (memtables.size() == 1) {
      return memtables.get(0).iterator();
    }
    List<InternalIterator> children = new ArrayList<>(memtables.size());
    for (Memtable m : memtables) {
      children.add(m.iterator());
    }
    return new MergingIterator(children);
  }
}
