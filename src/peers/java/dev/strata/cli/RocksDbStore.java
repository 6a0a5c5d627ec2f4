package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.nio.file.Path;
import java.util.Arrays;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * {@link KeyValueStore} over RocksDB (org.rocksdb:rocksdbjni), for {@code bench --compare}:
 * RocksDB's default options plus create-if-missing, and its default write options (WAL on, no
 * sync), as db_bench runs it; or, for fillsync, with sync on (each write waits for an fsync of
 * the WAL, as db_bench's {@code --sync}). Only in builds with the Maven profile {@code peers}; found by
 * {@link Engine} by name. Thread-safe, as RocksDB is.
 */
final class RocksDbStore implements KeyValueStore {
  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  private RocksDbStore(Options options, WriteOptions writeOptions, RocksDB db) {
    this.options = options;
    this.writeOptions = writeOptions;
    this.db = db;
  }

  /** Opens (creating when missing) the database in {@code dir}. */
  static KeyValueStore open(Path dir) {
    return open(dir, false);
  }

  /** As {@link #open(Path)}; with {@code sync}, every write waits for the WAL's fsync. */
  static KeyValueStore open(Path dir, boolean sync) {
    Options options = new Options().setCreateIfMissing(true);
    WriteOptions writeOptions = new WriteOptions().setSync(sync);
    try {
      return new RocksDbStore(options, writeOptions, RocksDB.open(options, dir.toString()));
    } catch (RocksDBException e) {
      writeOptions.close();
      options.close();
      throw new IllegalStateException("rocksdb: cannot open " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(writeOptions, key, value);
    } catch (RocksDBException e) {
      throw failed("put", e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw failed("get", e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      db.delete(writeOptions, key);
    } catch (RocksDBException e) {
      throw failed("delete", e);
    }
  }

  @Override
  public StrataIterator scan(Bound lower, Bound upper) {
    ReadOptions readOptions = new ReadOptions();
    RocksIterator it = db.newIterator(readOptions);
    if (lower.isUnbounded()) {
      it.seekToFirst();
    } else {
      it.seek(lower.key());
      if (lower.kind() == Bound.Kind.EXCLUDED && it.isValid() && Arrays.equals(it.key(), lower.key())) {
        it.next();
      }
    }
    return new Cursor(it, readOptions, upper);
  }

  /** A RocksDB iterator seen as a StrataIterator that stops at the upper bound. */
  private static final class Cursor implements StrataIterator {
    private final RocksIterator it;
    private final ReadOptions readOptions;
    private final Bound upper;
    private byte[] key;
    private boolean closed;

    Cursor(RocksIterator it, ReadOptions readOptions, Bound upper) {
      this.it = it;
      this.readOptions = readOptions;
      this.upper = upper;
      position();
    }

    private void position() {
      key = null;
      if (!it.isValid()) {
        return;
      }
      byte[] k = it.key();
      if (!upper.isUnbounded()) {
        int c = Arrays.compareUnsigned(k, upper.key());
        if (c > 0 || (c == 0 && upper.kind() == Bound.Kind.EXCLUDED)) {
          return;
        }
      }
      key = k;
    }

    @Override
    public boolean isValid() {
      return key != null;
    }

    @Override
    public byte[] key() {
      checkValid();
      return key;
    }

    @Override
    public byte[] value() {
      checkValid();
      return it.value();
    }

    @Override
    public void next() {
      checkValid();
      it.next();
      position();
    }

    private void checkValid() {
      if (key == null) {
        throw new IllegalStateException("the iterator is not on an entry");
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        key = null;
        it.close();
        readOptions.close();
      }
    }
  }

  @Override
  public void flush() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      throw failed("flush", e);
    }
  }

  @Override
  public void waitForBackgroundWork() {
    try {
      while (db.getLongProperty("rocksdb.num-running-flushes") > 0
          || db.getLongProperty("rocksdb.num-running-compactions") > 0
          || db.getLongProperty("rocksdb.compaction-pending") > 0
          || db.getLongProperty("rocksdb.mem-table-flush-pending") > 0) {
        Thread.sleep(10);
      }
    } catch (RocksDBException e) {
      throw failed("waiting for compactions", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Unknown: RocksDB counts WAL syncs only with its statistics on, which cost every operation. */
  @Override
  public long syncCount() {
    return -1;
  }

  @Override
  public String statsReport() {
    try {
      return "rocksdb " + RocksDB.rocksdbVersion() + "\n" + db.getProperty("rocksdb.levelstats").strip();
    } catch (RocksDBException e) {
      return "(rocksdb.levelstats failed: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      db.closeE();
    } catch (RocksDBException e) {
      throw failed("close", e);
    } finally {
      writeOptions.close();
      options.close();
    }
  }

  private static RuntimeException failed(String what, RocksDBException e) {
    return new IllegalStateException("rocksdb " + what + " failed: " + e.getMessage(), e);
  }
}
