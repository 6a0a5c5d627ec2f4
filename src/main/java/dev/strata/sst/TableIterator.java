package dev.strata.sst;

import dev.strata.StrataException;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.ValueKind;
import java.io.IOException;

/**
 * The two-level iterator over a table: a position in the index picks a data block, a
 * {@link BlockIterator} walks it, and running off a block's end moves to the next. Blocks come
 * through the table's cache. An IOException while fetching a block becomes a
 * {@link StrataException} (this interface cannot throw checked exceptions); a
 * {@link dev.strata.CorruptionException} passes through unchanged. Not thread-safe.
 */
final class TableIterator extends InternalIterator {
  private final TableReader table;
  private final TableIndex index;
  private int block;
  private BlockIterator data;

  TableIterator(TableReader table) {
    this.table = table;
    this.index = table.index();
    this.block = index.blockCount();
  }

  @Override
  public boolean isValid() {
    return data != null && data.isValid();
  }

  @Override
  public void seekToFirst() {
    load(0);
    if (data != null) {
      data.seekToFirst();
    }
    skipExhaustedBlocks();
  }

  @Override
  public void seek(byte[] userKey, long sequence) {
    load(index.findBlock(userKey, sequence));
    if (data != null) {
      data.seek(userKey, sequence);
    }
    skipExhaustedBlocks();
  }

  @Override
  public void next() {
    if (!isValid()) {
      throw new IllegalStateException("next() on an exhausted table iterator");
    }
    data.next();
    skipExhaustedBlocks();
  }

  @Override
  public void close() {
    data = null;
    block = index.blockCount();
  }

  // The accessors are spelled out here, not inherited from a shared forwarding class: the JIT
  // profiles the receiver types of a call per bytecode, and one inherited body serving every layer
  // would see them all and inline none.

  @Override
  public byte[] userKey() {
    return current().userKey();
  }

  @Override
  public long sequence() {
    return current().sequence();
  }

  @Override
  public ValueKind kind() {
    return current().kind();
  }

  @Override
  public long trailer() {
    return current().trailer();
  }

  @Override
  public byte[] value() {
    return current().value();
  }

  private BlockIterator current() {
    if (!isValid()) {
      throw new IllegalStateException("table iterator is not positioned on an entry");
    }
    return data;
  }

  private void skipExhaustedBlocks() {
    while (data != null && !data.isValid()) {
      load(block + 1);
      if (data != null) {
        data.seekToFirst();
      }
    }
  }

  private void load(int target) {
    block = target;
    if (target >= index.blockCount()) {
      data = null;
      return;
    }
    try {
      data = table.dataBlock(target).iterator();
    } catch (IOException e) {
      data = null;
      throw new StrataException(table.fileName() + ": reading data block at offset " + index.offset(target)
          + " failed: " + e.getMessage(), e);
    } catch (InternalError fault) {
      // A fault on the mapped file that the JVM delivered late, past the file-system seam (see
      // dev.strata.fs.IoFailures): an I/O error all the same.
      data = null;
      throw new StrataException(table.fileName() + ": reading data block at offset " + index.offset(target)
          + " failed: a fault on the mapped file: " + fault.getMessage(), fault);
    }
  }
}
