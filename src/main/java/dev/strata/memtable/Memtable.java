package dev.strata.memtable;

import dev.strata.iterator.InternalIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.key.ValueKind;
import dev.strata.util.Hashing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An in-memory sorted table of internal entries, held in an {@link ArenaSkipList}, with its size
 * in bytes (the arena's, so it is exact, not estimated).
 *
 * <p>Thread-safety: any number of readers run concurrently with one another and with a write.
 * Writes must be serialized by the caller: the engine commits one write at a time, which is also
 * what makes sequence numbers enter in order. Once the writer actor freezes a memtable no write
 * reaches it again; it is then read-only until flushed and dropped.
 */
public final class Memtable {
  private static final byte[] EMPTY = new byte[0];
  /**
   * Test seam, null in production: called with the user key before each insert, and may throw, to
   * stand for an insert that fails (an OutOfMemoryError when the arena grows) so that tests can
   * check what the engine does then. Package-private: tests set it through a bridge in this package.
   */
  static volatile Consumer<byte[]> insertFault;

  private final long id;
  private final ArenaSkipList list = new ArenaSkipList();
  private final MemtableBloom bloom;
  private final long sizeLimitBytes;
  /** Made at the first insert that is not an append (a memtable of appends needs none); then fixed. */
  private volatile MemtablePointIndex index;
  private final AtomicBoolean freezeRequested = new AtomicBoolean();
  /**
   * Read by any thread (stats, the freeze check, the flush); written by the one writer with release
   * stores, not volatile ones: a volatile store is a full fence, three per entry, and each made the
   * insert wait until the stores into the arena (fresh, uncached lines) had reached the cache. A
   * reader needs no more than release gives (the values it reads are whole, and no older than what
   * the store's volatile last sequence, published after the insert, lets it see).
   */
  private volatile long approximateBytes;
  private volatile int entryCount;
  private volatile long maxSequence = -1;
  private static final VarHandle APPROXIMATE_BYTES;
  private static final VarHandle ENTRY_COUNT;
  private static final VarHandle MAX_SEQUENCE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      APPROXIMATE_BYTES = lookup.findVarHandle(Memtable.class, "approximateBytes", long.class);
      ENTRY_COUNT = lookup.findVarHandle(Memtable.class, "entryCount", int.class);
      MAX_SEQUENCE = lookup.findVarHandle(Memtable.class, "maxSequence", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** @param sizeLimitBytes the size at which the memtable will be frozen; sizes its bloom filter */
  public Memtable(long id, long sizeLimitBytes) {
    this.id = id;
    this.bloom = new MemtableBloom(sizeLimitBytes);
    this.sizeLimitBytes = sizeLimitBytes;
  }

  /** The memtable's id; ids grow with creation order, so a larger id holds newer data. */
  public long id() {
    return id;
  }

  /** Inserts one entry, copying key and value. A tombstone's value is ignored (may be null). */
  public void add(byte[] userKey, long sequence, ValueKind kind, byte[] value) {
    Consumer<byte[]> fault = insertFault;
    if (fault != null) {
      fault.accept(userKey);
    }
    byte[] v = kind == ValueKind.DELETE ? EMPTY : value;
    long hash = Hashing.xxh64(userKey);
    bloom.add(hash);
    long trailer = InternalKey.trailer(sequence, kind);
    // An append (ascending keys: fillseq, a replay of such writes, a journal's events) costs the
    // list no walk, and a get of it little more; it is a key the memtable did not hold, so
    // leaving it out of the index keeps the index's cache miss off that path.
    MemtablePointIndex idx = null;
    if (!list.appends(userKey, trailer)) {
      idx = index;
      if (idx == null) {
        idx = new MemtablePointIndex(sizeLimitBytes);
        index = idx;
      }
      idx.reserve(list, hash, userKey); // a full index gives up before the node can be read
    }
    long node = list.insert(userKey, 0, userKey.length, trailer, v, 0, v.length);
    if (idx != null) {
      idx.put(list, hash, userKey, node, trailer);
    }
    if (sequence > maxSequence) {
      MAX_SEQUENCE.setRelease(this, sequence);
    }
    ENTRY_COUNT.setRelease(this, entryCount + 1);
    APPROXIMATE_BYTES.setRelease(this, list.arenaBytes());
  }

  /** The newest version of {@code userKey} with a sequence at most {@code maxSequence}, or null. */
  public Lookup get(byte[] userKey, long maxSequence) {
    return get(userKey, hash(userKey), maxSequence);
  }

  /** The hash of {@code userKey} that {@link #get(byte[], long, long)} takes: the same in every memtable. */
  public static long hash(byte[] userKey) {
    return Hashing.xxh64(userKey);
  }

  /** As {@link #get(byte[], long)}, with the key's {@link #hash}, computed once for several memtables. */
  public Lookup get(byte[] userKey, long hash, long maxSequence) {
    if (!bloom.mayContain(hash)) {
      return null;
    }
    MemtablePointIndex idx = index;
    long node = idx == null ? 0 : idx.find(list, hash, userKey);
    if (node <= 0 || InternalKey.sequenceOf(list.trailer(node)) > maxSequence) {
      // Not indexed (appended, or the index is full), or its newest version is too new for
      // this read: walk the list.
      node = list.seek(userKey, InternalKey.seekTrailer(maxSequence));
      if (node == 0 || !list.keyEquals(node, userKey)) {
        return null;
      }
    }
    long trailer = list.trailer(node);
    ValueKind kind = InternalKey.kindOf(trailer);
    return new Lookup(InternalKey.sequenceOf(trailer), kind, kind == ValueKind.DELETE ? EMPTY : list.value(node));
  }

  /** Bytes the entries occupy, links and headers included. */
  public long approximateBytes() {
    return approximateBytes;
  }

  public boolean isEmpty() {
    return entryCount == 0;
  }

  public int entryCount() {
    return entryCount;
  }

  /** Largest sequence number added, or -1 when empty. */
  public long maxSequence() {
    return maxSequence;
  }

  /**
   * Claims the one "please freeze me" message a full memtable sends to the writer actor: true
   * for the first caller only, so a burst of writers past the threshold sends one message.
   */
  public boolean claimFreezeRequest() {
    return !freezeRequested.get() && freezeRequested.compareAndSet(false, true);
  }

  /** An iterator over every entry; it may see entries added after its creation (callers filter by sequence). */
  public InternalIterator iterator() {
    return new MemtableIterator();
  }

  @Override
  public String toString() {
    return "Memtable(" + id + ", " + entryCount + " entries, " + approximateBytes + " B)";
  }

  private final class MemtableIterator extends InternalIterator {
    private long node;
    private byte[] key;

    @Override
    public boolean isValid() {
      return node != 0;
    }

    @Override
    public void seekToFirst() {
      moveTo(list.first());
    }

    @Override
    public void seek(byte[] userKey, long sequence) {
      moveTo(list.seek(userKey, InternalKey.seekTrailer(sequence)));
    }

    @Override
    public void next() {
      if (node == 0) {
        throw new IllegalStateException("iterator is not positioned on an entry");
      }
      moveTo(list.next(node));
    }

    private void moveTo(long n) {
      node = n;
      key = null;
    }

    @Override
    public byte[] userKey() {
      if (key == null) {
        key = list.key(node);
      }
      return key;
    }

    @Override
    public long sequence() {
      return InternalKey.sequenceOf(list.trailer(node));
    }

    @Override
    public ValueKind kind() {
      return InternalKey.kindOf(list.trailer(node));
    }

    @Override
    public long trailer() {
      return list.trailer(node);
    }

    @Override
    public byte[] value() {
      return list.value(node);
    }

    @Override
    public void close() {
      node = 0;
    }
  }
}
