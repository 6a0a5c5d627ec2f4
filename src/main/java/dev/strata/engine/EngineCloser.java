package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.fs.FileLock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go, once, of everything an open engine holds, in the order durability needs: jobs still
 * running are fenced out of the directory, writes refused, the WALs synced and closed, the
 * published state dropped (files close once the last open iterator lets go of them), the obsolete
 * files no iterator pins deleted, the manifest closed, and last the directory lock released.
 *
 * <p>Thread-safe: the writer releases as its last act; the closing thread, when the writer is gone
 * or stuck, with a bounded wait for a release under way on the writer's thread.
 */
final class EngineCloser implements StoreRelease {
  private static final Logger log = LoggerFactory.getLogger(EngineCloser.class);
  /** How long a release waits for a job's file operation already under way (see DirectoryFence). */
  private static final Duration JOB_FENCE_WAIT = Duration.ofSeconds(1);

  private final Path dir;
  private final DirectoryFence jobFence;
  private final WritePath writes;
  private final WalSet wals;
  private final VersionSet versions;
  private final FileReleaser releaser;
  private final FileLock lock;
  private final ReentrantLock releaseLock = new ReentrantLock();
  /** Guarded by releaseLock. */
  private boolean released;

  EngineCloser(Path dir, DirectoryFence jobFence, WritePath writes, WalSet wals, VersionSet versions,
      FileReleaser releaser, FileLock lock) {
    this.dir = dir;
    this.jobFence = jobFence;
    this.writes = writes;
    this.wals = wals;
    this.versions = versions;
    this.releaser = releaser;
    this.lock = lock;
  }

  /** Releases, waiting for a release under way on another thread; idempotent. */
  @Override
  public void release() {
    releaseLock.lock();
    try {
      releaseOnce();
    } finally {
      releaseLock.unlock();
    }
  }

  /** As {@link #release()}, unless a release under way on another thread does not end within {@code wait}: false then. */
  @Override
  public boolean release(Duration wait) throws InterruptedException {
    if (!releaseLock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    try {
      releaseOnce();
      return true;
    } finally {
      releaseLock.unlock();
    }
  }

  private void releaseOnce() {
    if (released) {
      return;
    }
    released = true;
    if (!jobFence.close(JOB_FENCE_WAIT)) {
      log.warn("a flush or compaction of {} is stuck in a file operation; releasing the store anyway", dir);
    }
    writes.close();
    releaser.attach(null); // no writer to tell from here on: what is released now is deleted below
    Exception failure = null;
    try {
      wals.closeAll(writes);
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      versions.close();
    } catch (IOException e) {
      failure = e;
    }
    releaser.deleteObsolete();
    try {
      lock.close();
    } catch (IOException e) {
      failure = e;
    }
    if (failure != null) {
      throw new StrataException("closing store " + dir + " failed: " + failure.getMessage(), failure);
    }
    log.info("closed store {} at last sequence {}", dir, writes.lastSequence());
  }
}
