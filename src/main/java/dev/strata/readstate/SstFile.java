package dev.strata.readstate;

import dev.strata.key.InternalKey;
import dev.strata.manifest.FileMeta;
import dev.strata.sst.TableProperties;
import dev.strata.sst.TableReader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One SST as the store knows it: its number, its open reader, its key range, and a reference
 * count held by every {@link ReadState} that lists it. When the count falls to zero the file is
 * released: its reader closed, and, if compaction has marked it obsolete, the file deleted. So a
 * file an open iterator or a running get may touch is never closed or deleted under it.
 *
 * <p>Thread-safe.
 */
public final class SstFile {
  static final int MIN_ALLOWED_SEEKS = 100;
  static final long BYTES_PER_SEEK = 16 * 1024;

  private final long number;
  private final TableReader reader;
  private final TableProperties properties;
  private final Consumer<SstFile> releaser;
  private final AtomicInteger refs = new AtomicInteger();
  private volatile boolean obsolete;
  /**
   * Point lookups that may still consult this file in vain before it asks to be compacted
   * (LevelDB's allowed_seeks: one per 16 KiB, at least 100, so that a file costs as much to
   * compact as the lookups it wastes). Decremented without synchronization by every reader: a lost
   * decrement only delays the request a little.
   */
  private int allowedSeeks;
  private final AtomicBoolean compactionAsked = new AtomicBoolean();

  /**
   * @param releaser called once, on the thread that drops the last reference: it closes the
   *     reader and deletes the file when {@link #isObsolete()}
   */
  public SstFile(long number, TableReader reader, Consumer<SstFile> releaser) {
    this.number = number;
    this.reader = reader;
    this.properties = reader.properties();
    this.releaser = releaser;
    resetSeeks();
  }

  /** A fresh allowance, for a file moved to another level without being rewritten. */
  public void resetSeeks() {
    allowedSeeks = (int) Math.max(MIN_ALLOWED_SEEKS, properties.fileSize() / BYTES_PER_SEEK);
    compactionAsked.set(false);
  }

  /**
   * Charges this file one lookup that consulted it and then had to go on to another file; true
   * exactly once, when the allowance runs out: the caller then asks for this file's compaction.
   */
  public boolean chargeSeek() {
    int left = allowedSeeks;
    if (left <= 0) {
      return false; // spent: no more writes, so readers on other cores keep this line in their caches
    }
    allowedSeeks = left - 1;
    return left == 1 && compactionAsked.compareAndSet(false, true);
  }

  public long number() {
    return number;
  }

  public TableReader reader() {
    return reader;
  }

  public TableProperties properties() {
    return properties;
  }

  public long fileSize() {
    return properties.fileSize();
  }

  public byte[] smallestUserKey() {
    return properties.smallestUserKey();
  }

  public byte[] largestUserKey() {
    return properties.largestUserKey();
  }

  /** What the manifest records of this file when it sits at {@code level}. */
  public FileMeta meta(int level) {
    return new FileMeta(level, number, properties.fileSize(), properties.smallestUserKey(),
        properties.largestUserKey(), properties.minSequence(), properties.maxSequence());
  }

  /** True when {@code userKey} lies within this file's key range. */
  public boolean covers(byte[] userKey) {
    return InternalKey.compareUserKeys(userKey, properties.smallestUserKey()) >= 0
        && InternalKey.compareUserKeys(userKey, properties.largestUserKey()) <= 0;
  }

  void ref() {
    refs.incrementAndGet();
  }

  void unref() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      releaser.accept(this);
    } else if (r < 0) {
      throw new IllegalStateException("SST " + number + " released more often than referenced");
    }
  }

  public int refCount() {
    return refs.get();
  }

  /** Marks the file for deletion once no read state holds it (compaction replaced it). */
  public void markObsolete() {
    obsolete = true;
  }

  public boolean isObsolete() {
    return obsolete;
  }

  @Override
  public String toString() {
    return "SST " + number + " (" + properties.fileSize() + " B, " + properties.entryCount() + " entries)";
  }
}
