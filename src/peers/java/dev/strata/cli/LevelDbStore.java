package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteOptions;
import org.iq80.leveldb.impl.DbImpl;

/**
 * {@link KeyValueStore} over org.iq80.leveldb 0.12, the pure-Java LevelDB, for
 * {@code bench --compare}: its default options plus create-if-missing, and its default write
 * options (log on, no sync); or, for fillsync, with sync on (each write waits for an fsync of the
 * log). Only in builds with the Maven profile {@code peers}; found by
 * {@link Engine} by name. Thread-safe, as LevelDB is.
 */
final class LevelDbStore implements KeyValueStore {
  private final DbImpl db;
  private final WriteOptions writeOptions;

  private LevelDbStore(DbImpl db, WriteOptions writeOptions) {
    this.db = db;
    this.writeOptions = writeOptions;
  }

  /** Opens (creating when missing) the database in {@code dir}. */
  static KeyValueStore open(Path dir) {
    return open(dir, false);
  }

  /** As {@link #open(Path)}; with {@code sync}, every write waits for the log's fsync. */
  static KeyValueStore open(Path dir, boolean sync) {
    try {
      return new LevelDbStore(new DbImpl(new Options().createIfMissing(true), dir.toFile()),
          new WriteOptions().sync(sync));
    } catch (IOException e) {
      throw new UncheckedIOException("leveldb: cannot open " + dir, e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value, writeOptions);
  }

  /**
   * A get, retried when iq80 fails to open a table a compaction just made obsolete ("Could not
   * open table N", dain/leveldb issue 78, open): a read that races the deletion of a file its
   * version still lists. readwhilewriting meets it within seconds; the retry reads the newer
   * version, where the file's data lives in the compaction's output. Any other failure, or this
   * one {@value #GET_ATTEMPTS} times running, is thrown.
   */
  @Override
  public byte[] get(byte[] key) {
    for (int attempt = 1; ; attempt++) {
      try {
        return db.get(key);
      } catch (RuntimeException e) {
        if (attempt == GET_ATTEMPTS || e.getMessage() == null || !e.getMessage().startsWith("Could not open table")) {
          throw e;
        }
      }
    }
  }

  private static final int GET_ATTEMPTS = 5;

  @Override
  public void delete(byte[] key) {
    db.delete(key, writeOptions);
  }

  @Override
  public StrataIterator scan(Bound lower, Bound upper) {
    DBIterator it = db.iterator();
    if (lower.isUnbounded()) {
      it.seekToFirst();
    } else {
      it.seek(lower.key());
      if (lower.kind() == Bound.Kind.EXCLUDED && it.hasNext() && Arrays.equals(it.peekNext().getKey(), lower.key())) {
        it.next();
      }
    }
    return new Cursor(it, upper);
  }

  /** A LevelDB iterator seen as a StrataIterator that stops at the upper bound. */
  private static final class Cursor implements StrataIterator {
    private final DBIterator it;
    private final Bound upper;
    private Map.Entry<byte[], byte[]> entry;
    private boolean closed;

    Cursor(DBIterator it, Bound upper) {
      this.it = it;
      this.upper = upper;
      advance();
    }

    private void advance() {
      entry = null;
      if (!it.hasNext()) {
        return;
      }
      Map.Entry<byte[], byte[]> e = it.next();
      if (!upper.isUnbounded()) {
        int c = Arrays.compareUnsigned(e.getKey(), upper.key());
        if (c > 0 || (c == 0 && upper.kind() == Bound.Kind.EXCLUDED)) {
          return;
        }
      }
      entry = e;
    }

    @Override
    public boolean isValid() {
      return entry != null;
    }

    @Override
    public byte[] key() {
      checkValid();
      return entry.getKey();
    }

    @Override
    public byte[] value() {
      checkValid();
      return entry.getValue();
    }

    @Override
    public void next() {
      checkValid();
      advance();
    }

    private void checkValid() {
      if (entry == null) {
        throw new IllegalStateException("the iterator is not on an entry");
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        entry = null;
        try {
          it.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** Writes the memtable to a level-0 table and waits. */
  @Override
  public void flush() {
    db.flushMemTable();
  }

  /** Unknown: LevelDB does not count its log's syncs. */
  @Override
  public long syncCount() {
    return -1;
  }

  @Override
  public String statsReport() {
    return "leveldb (iq80 0.12): no statistics (its getProperty answers null to every name)";
  }

  @Override
  public void close() {
    db.close();
  }
}
