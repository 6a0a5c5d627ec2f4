package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.iterator.InternalIterator;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/** Writes one frozen memtable as one L0 SST, every version of every key as it is. Thread-safe. */
final class FlushJob {
  private final SstWriter writer;

  FlushJob(SstWriter writer) {
    this.writer = writer;
  }

  SstFile run(Memtable memtable, AtomicLong bytesWritten) {
    SstWriter.Output out = null;
    try {
      out = writer.start(0);
      try (InternalIterator it = memtable.iterator()) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          out.builder().add(it.userKey(), it.sequence(), it.kind(), it.value());
        }
      }
      return out.finish(bytesWritten);
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.abandon(e);
      }
      throw new StrataException("flush of " + memtable + (out == null ? "" : " to " + out.path()) + " failed: "
          + e.getMessage(), e);
    }
  }
}
