package dev.strata.akka.stream;

import akka.actor.typed.ActorSystem;
import akka.stream.testkit.TestPublisher;
import dev.strata.CompactionOptions;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.fs.FileSystem;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.ForwardingWritableFile;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.concurrent.Executor;
import scala.concurrent.duration.FiniteDuration;

/**
 * What the stream suites share: one ActorSystem per class, elements and stores small enough to
 * rotate and stall, a feeder that sends into a {@link TestPublisher.Probe} exactly as much as the
 * stream asks for, and a file system that makes a store slow (synced writes wait) or stalled
 * (flushes wait at a gate) and tells which threads read.
 */
final class StreamTestHarness {
  /** Longest a test waits for anything before it calls the stream stuck. */
  static final long STUCK_SECONDS = 30;

  private StreamTestHarness() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** A fixed-width key, so numeric order and byte order agree. */
  static String key(int i) {
    return String.format("key%08d", i);
  }

  /** A value of about 100 bytes that names its key and its position in the input. */
  static String value(int key, int position) {
    return String.format("value-of-%08d-written-at-%08d-", key, position) + "x".repeat(60);
  }

  static KeyValue put(String key, String value) {
    return KeyValue.put(b(key), b(value));
  }

  /** 16 KiB memtables and one frozen at most: a few hundred elements fill the store to its stall point. */
  static StrataOptions.Builder stallingOptions() {
    return StrataOptions.builder()
        .memtableSizeBytes(16 * 1024)
        .maxImmutableMemtables(1)
        .blockSizeBytes(1024)
        .compaction(CompactionOptions.none());
  }

  static FiniteDuration millis(long ms) {
    return FiniteDuration.create(ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Sends elements of {@code input} as long as the stream asks for them, checking before each
   * send that no more than {@code bound} elements are between the publisher and the store's
   * acknowledgement ({@code sent - acknowledged.getAsLong()}); returns the number sent once the
   * input is exhausted or no demand came for {@code idleMillis}. Throws AssertionError past the
   * bound.
   */
  static long feed(TestPublisher.Probe<KeyValue> publisher, Iterator<KeyValue> input, long alreadySent,
      LongSupplier acknowledged, long bound, long idleMillis) {
    long sent = alreadySent;
    while (input.hasNext()) {
      if (publisher.pending() == 0) {
        try {
          publisher.within(millis(idleMillis), publisher::expectRequest);
        } catch (AssertionError noDemand) {
          return sent;
        }
      }
      long inFlight = sent - acknowledged.getAsLong();
      if (inFlight >= bound) {
        throw new AssertionError("the stream pulled element " + (sent + 1) + " with " + inFlight
            + " elements already in flight; the bound is " + bound);
      }
      publisher.sendNext(input.next());
      sent++;
    }
    return sent;
  }

  /**
   * A file system that delegates to another, delaying every sync, holding SST creation at a gate,
   * and noting which threads read files.
   */
  static final class InstrumentedFileSystem extends ForwardingFileSystem {
    private final long syncDelayMillis;
    private volatile CountDownLatch sstGate = new CountDownLatch(0);
    final AtomicInteger sstsWaiting = new AtomicInteger();
    /** Names of the threads that read from files opened here. */
    final Set<String> readerThreads = ConcurrentHashMap.newKeySet();

    InstrumentedFileSystem(FileSystem delegate, long syncDelayMillis) {
      super(delegate);
      this.syncDelayMillis = syncDelayMillis;
    }

    /** From now on a flush (or compaction) waits before creating its SST, until {@link #openGate}. */
    void closeGate() {
      sstGate = new CountDownLatch(1);
    }

    void openGate() {
      sstGate.countDown();
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (path.getFileName().toString().contains(".sst")) {
        sstsWaiting.incrementAndGet();
        try {
          if (!sstGate.await(STUCK_SECONDS, TimeUnit.SECONDS)) {
            throw new IOException("test gate never opened for " + path);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the test gate", e);
        } finally {
          sstsWaiting.decrementAndGet();
        }
      }
      return slowSyncs(delegate.create(path));
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      return slowSyncs(delegate.createMapped(path, segmentBytes, preparer));
    }

    @Override
    public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
      return slowSyncs(delegate.openMapped(path, offset, segmentBytes, preparer));
    }

    private WritableFile slowSyncs(WritableFile file) {
      if (syncDelayMillis == 0) {
        return file;
      }
      return new ForwardingWritableFile(file) {
        @Override
        public void sync() throws IOException {
          try {
            Thread.sleep(syncDelayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in a slow sync", e);
          }
          delegate.sync();
        }
      };
    }

    @Override
    public ReadableFile openReadable(Path path) throws IOException {
      ReadableFile file = delegate.openReadable(path);
      return new ReadableFile() {
        @Override
        public void readFully(long position, byte[] dst, int offset, int length) throws IOException {
          readerThreads.add(Thread.currentThread().getName());
          file.readFully(position, dst, offset, length);
        }

        @Override
        public long size() throws IOException {
          return file.size();
        }

        @Override
        public void close() throws IOException {
          file.close();
        }
      };
    }
  }

  /** Every exception of a cause chain, for assertions on where a failure came from. */
  static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append(" / ");
    }
    return all.toString();
  }

  /** Closes {@code db}, ignoring the error a store in its error state may report. */
  static void closeIgnoringErrors(Strata db) {
    try {
      db.close();
    } catch (RuntimeException ignored) {
      // The store already failed; the test checks what a reopen finds.
    }
  }
}
