package dev.strata.fs;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One segment of a {@link MappedWritableFile}, prepared on a background thread before the appends
 * reach it: its disk space claimed, mapped, and every page written once.
 *
 * <p>Why: the first store into a page of a shared file mapping is a page fault, and on ext4 a
 * costly one (the file system's {@code page_mkwrite} runs for each 4 KiB page). Taken inline, those
 * faults cost a 100-byte write about a quarter of its time. Touched here, they cost the appending
 * thread nothing; an append is then a plain copy.
 *
 * <p>The appender and the toucher never write the same segment at once: {@link #take} and
 * {@link #discard} ask the toucher to stop at its next page and wait until it has, so a segment the
 * appends outran is handed over partly touched rather than waited for. If the task has not started
 * yet, they claim it and the task does nothing when it runs. Thread-safe.
 */
final class SegmentPreparation implements Runnable {
  /** Touching one byte per page is enough; on larger pages the extra stores are harmless. */
  private static final int PAGE_BYTES = 4096;

  private enum State { QUEUED, RUNNING, DONE, CLAIMED }

  private final MappedWritableFile file;
  private final long offset;
  private State state = State.QUEUED;
  /** Set by the appender: the toucher stops before its next page. */
  private volatile boolean stop;
  private MappedByteBuffer buffer;
  private IOException failure;

  SegmentPreparation(MappedWritableFile file, long offset) {
    this.file = file;
    this.offset = offset;
  }

  long offset() {
    return offset;
  }

  @Override
  public void run() {
    synchronized (this) {
      if (state != State.QUEUED) {
        return; // claimed before it started: the appender maps the segment itself
      }
      state = State.RUNNING;
    }
    MappedByteBuffer mapped = null;
    IOException failed = null;
    try {
      mapped = file.mapSegment(offset);
      for (int at = 0; at < mapped.capacity() && !stop; at += PAGE_BYTES) {
        mapped.put(at, (byte) 0); // a zero over a zero: the write fault is the point
      }
    } catch (IOException e) {
      failed = e;
    } catch (RuntimeException | Error e) {
      failed = new IOException("preparing the segment at offset " + offset + " failed: " + e, e);
    }
    if (failed != null && mapped != null) {
      BufferUnmapper.unmap(mapped); // the append that needs the segment maps it again, or reports why not
      mapped = null;
    }
    synchronized (this) {
      buffer = mapped;
      failure = failed;
      state = State.DONE;
      notifyAll();
    }
  }

  /**
   * The prepared segment, or null when the task never started (the caller then maps the segment
   * itself). Throws what the preparation failed with, so the append that needs the segment
   * reports it, as it would have had it mapped the segment itself.
   */
  synchronized MappedByteBuffer take() throws IOException {
    awaitStopped();
    state = State.CLAIMED;
    if (failure != null) {
      throw failure;
    }
    return buffer;
  }

  /** The segment will not be used (the file is closing): its mapping, if any, is released. */
  synchronized void discard() {
    awaitStopped();
    state = State.CLAIMED;
    if (buffer != null) {
      BufferUnmapper.unmap(buffer);
      buffer = null;
    }
  }

  /** Holds the monitor; returns once no toucher can write the segment any more. */
  private void awaitStopped() {
    stop = true;
    boolean interrupted = false;
    while (state == State.RUNNING) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the toucher may still write: keep waiting, it stops at its next page
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
