package dev.strata.memtable;

import dev.strata.key.InternalKey;
import dev.strata.util.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A skip list of internal entries whose nodes live inside large byte-array chunks (an arena),
 * after RocksDB's inline skip list. Compared with a skip list of objects it allocates nothing per
 * entry, which keeps millions of long-lived memtable entries out of the garbage collector's way,
 * and it keeps each key next to its links, so a search touches fewer cache lines.
 *
 * <p>Values live in a second arena of their own, not in the nodes: a search reads nodes only,
 * and nodes without their values are a third of the size (56 bytes for a 16-byte key under one
 * link, against 152 with a 100-byte value inline), so more of the list stays in the caches and an
 * insert into 400,000 entries cost 0.75x as much. A read that finds its key pays one more cache
 * line for the value.
 *
 * <p>Node layout (little-endian, each node starts 8-byte aligned inside its chunk):
 * <pre>
 *   0  int   height (1..MAX_HEIGHT)
 *   4  int   key length
 *   8  int   value length
 *  12  int   unused
 *  16  long  trailer (sequence &lt;&lt; 8 | kind)
 *  24  long  value address in the value arena (0 when the value is empty)
 *  32  long  next[0] .. next[height-1]   node addresses, 0 = end of list
 *  ..  key bytes
 * </pre>
 * An address in either arena is {@code chunkIndex << 32 | offsetInChunk}; chunk 0 offset 0 is
 * never a node, so node address 0 means "none". Values are packed back to back, unaligned.
 *
 * <p>Thread-safety: one writer at a time (the caller serializes inserts), any number of
 * concurrent readers without locks. A node and its value are fully written before a release
 * store links the node in, and readers follow links with acquire loads, so a reader sees either
 * nothing of a node or all of it and its value. Nodes are never removed.
 */
final class ArenaSkipList {
  static final int MAX_HEIGHT = 12;
  /**
   * A chunk's length: 32 bytes under 1 MiB, so that with the array's header it fills one G1 region
   * of 1 MiB (heaps under 4 GiB) instead of taking a second one for its last 16 bytes (an array
   * that big is humongous there: it takes whole regions, and the rest of the second stayed empty,
   * so a memtable held twice its size in heap). Under half of a larger region it is not humongous.
   */
  private static final int CHUNK_BYTES = (1 << 20) - 32;
  private static final int MAX_CHUNKS = 1 << 15;
  private static final int HEADER_BYTES = 32;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle HEAD = MethodHandles.arrayElementVarHandle(long[].class);

  private final Arena nodes = new Arena("node");
  private final Arena values = new Arena("value");
  /** The node arena's chunks, read on every step of a walk. */
  private final byte[][] chunks = nodes.chunks;
  private final byte[][] valueChunks = values.chunks;
  private final long[] head = new long[MAX_HEIGHT];
  /**
   * The splice: after each insert, the last node at or before the inserted one on each level (the
   * inserted node itself on the levels it has); writer only. An entry that falls between the last
   * inserted node and its successor (ascending keys of one range, as a batch of one persistence
   * id's events, its ordering entries or one tag's entries writes them, even when the ranges take
   * turns) then links with these without walking the list from the top, which in a large memtable
   * costs a dozen levels of cold cache lines. RocksDB's splice, kept for level 0's bracket only:
   * when that misses, the full walk follows at the cost of two comparisons.
   */
  private final long[] preds = new long[MAX_HEIGHT];
  /**
   * The last node of each level (0: the head, for a level still empty); writer only. An entry
   * past the largest one (sequential keys: fillseq, a bulk load, WAL replay of such writes) is
   * linked after these without walking the list, as RocksDB's splice hint does.
   */
  private final long[] tails = new long[MAX_HEIGHT];
  /**
   * A copy of the last node's key and trailer, so that the check for an append reads a line the
   * writer keeps in its cache instead of the last node, a likely miss when inserts are random.
   */
  private byte[] lastKey = new byte[32];
  private int lastKeyLength;
  private long lastTrailer;
  private long arenaBytes;
  private long random = 0x9E3779B97F4A7C15L;

  ArenaSkipList() {
    nodes.allocate(8); // keeps node address 0 free to mean "none"
  }

  /** Bytes the arenas have handed out to nodes and values. */
  long arenaBytes() {
    return arenaBytes;
  }

  /**
   * Inserts an entry and returns its node; writer only. The internal key (userKey, trailer) must
   * not be present yet.
   */
  long insert(byte[] key, int keyOff, int keyLen, long trailer, byte[] value, int valueOff, int valueLen) {
    int height = randomHeight();
    if (tails[0] != 0 && isAfterLast(key, keyOff, keyLen, trailer)) {
      System.arraycopy(tails, 0, preds, 0, MAX_HEIGHT);
    } else if (tails[0] == 0 || !isInSplice(key, keyOff, keyLen, trailer)) {
      walk(key, keyOff, keyLen, trailer, preds);
    }
    long valueAddress = 0;
    if (valueLen > 0) {
      valueAddress = values.allocate(valueLen);
      arenaBytes += valueLen;
      System.arraycopy(value, valueOff, valueChunks[(int) (valueAddress >>> 32)], offset(valueAddress), valueLen);
    }
    int nodeBytes = (HEADER_BYTES + 8 * height + keyLen + 7) & ~7;
    long node = nodes.allocate(nodeBytes);
    arenaBytes += nodeBytes;
    byte[] c = chunk(node);
    int o = offset(node);
    INT.set(c, o, height);
    INT.set(c, o + 4, keyLen);
    INT.set(c, o + 8, valueLen);
    LONG.set(c, o + 16, trailer);
    LONG.set(c, o + 24, valueAddress);
    System.arraycopy(key, keyOff, c, o + HEADER_BYTES + 8 * height, keyLen);
    for (int level = 0; level < height; level++) {
      LONG.set(c, o + HEADER_BYTES + 8 * level, next(preds[level], level));
    }
    // Link bottom-up with release stores: once a reader can reach the node, all of it is visible.
    for (int level = 0; level < height; level++) {
      setNext(preds[level], level, node);
      if (preds[level] == tails[level]) {
        tails[level] = node; // linked after the last node: it is the last now
      }
      preds[level] = node; // the splice of the next insert
    }
    if (tails[0] == node) {
      if (lastKey.length < keyLen) {
        lastKey = new byte[Math.max(keyLen, 2 * lastKey.length)];
      }
      System.arraycopy(key, keyOff, lastKey, 0, keyLen);
      lastKeyLength = keyLen;
      lastTrailer = trailer;
    }
    return node;
  }

  /**
   * Writer only: whether inserting (key, trailer) now would append it after the last node, so
   * that it is a user key the list does not hold yet (any version of a held key sorts before it).
   */
  boolean appends(byte[] key, long trailer) {
    return tails[0] != 0 && isAfterLast(key, 0, key.length, trailer);
  }

  /** True when (key, trailer) sorts after the last node's internal key. */
  private boolean isAfterLast(byte[] key, int keyOff, int keyLen, long trailer) {
    int cmp = Bytes.compareUnsigned(lastKey, 0, lastKeyLength, key, keyOff, keyLen);
    return cmp < 0 || (cmp == 0 && Long.compareUnsigned(trailer, lastTrailer) < 0);
  }

  /**
   * True when (key, trailer) sorts between the last inserted node and its successor on level 0. The
   * splice then brackets it on every level: each level's splice node is at or before the last
   * inserted node, and its successor on that level at or after the level-0 successor (nodes are
   * never removed, and every insert, by the one writer, renews the splice).
   */
  private boolean isInSplice(byte[] key, int keyOff, int keyLen, long trailer) {
    long last = preds[0];
    if (compareNode(last, key, keyOff, keyLen, trailer) >= 0) {
      return false;
    }
    long next = next(last, 0);
    return next == 0 || compareNode(next, key, keyOff, keyLen, trailer) > 0;
  }

  /** The first node at or after (key, trailer) in internal-key order, or 0. */
  long seek(byte[] key, long trailer) {
    return walk(key, 0, key.length, trailer, null);
  }

  /**
   * Walks from the top level down to (key, trailer) and returns the first node at or after it
   * on level 0, or 0; fills {@code preds}, when not null, with the last node before it on each
   * level (0: the head). Any thread: a writer linking nodes meanwhile moves nothing a walk relies
   * on, since nodes are never removed.
   */
  private long walk(byte[] key, int keyOff, int keyLen, long trailer, long[] preds) {
    long x = 0;
    long next = 0;
    long after = 0; // where the level above stopped: known to sort at or after the target
    for (int level = MAX_HEIGHT - 1; level >= 0; level--) {
      next = next(x, level);
      while (next != 0 && next != after && compareNode(next, key, keyOff, keyLen, trailer) < 0) {
        x = next;
        next = next(x, level);
      }
      after = next;
      if (preds != null) {
        preds[level] = x;
      }
    }
    // The node the level-0 walk stopped at, not a fresh read of x's link: a writer may have
    // linked a node smaller than the target after x since, and returning it would make a
    // present key look absent.
    return next;
  }

  long first() {
    return next(0, 0);
  }

  long next(long node) {
    return next(node, 0);
  }

  long trailer(long node) {
    return (long) LONG.get(chunk(node), offset(node) + 16);
  }

  /** True when the node's user key equals {@code key}. */
  boolean keyEquals(long node, byte[] key) {
    byte[] c = chunk(node);
    int o = offset(node);
    int start = keyStart(c, o);
    int len = (int) INT.get(c, o + 4);
    return Arrays.equals(c, start, start + len, key, 0, key.length);
  }

  byte[] key(long node) {
    byte[] c = chunk(node);
    int o = offset(node);
    int start = keyStart(c, o);
    return Arrays.copyOfRange(c, start, start + (int) INT.get(c, o + 4));
  }

  byte[] value(long node) {
    byte[] c = chunk(node);
    int o = offset(node);
    int length = (int) INT.get(c, o + 8);
    if (length == 0) {
      return new byte[0];
    }
    long address = (long) LONG.get(c, o + 24);
    int start = offset(address);
    return Arrays.copyOfRange(valueChunks[(int) (address >>> 32)], start, start + length);
  }

  private static int keyStart(byte[] c, int o) {
    return o + HEADER_BYTES + 8 * (int) INT.get(c, o);
  }

  private int compareNode(long node, byte[] key, int keyOff, int keyLen, long trailer) {
    byte[] c = chunk(node);
    int o = offset(node);
    int start = keyStart(c, o);
    int cmp = Bytes.compareUnsigned(c, start, (int) INT.get(c, o + 4), key, keyOff, keyLen);
    if (cmp != 0) {
      return cmp;
    }
    return Long.compareUnsigned(trailer, (long) LONG.get(c, o + 16));
  }

  private long next(long node, int level) {
    if (node == 0) {
      return (long) HEAD.getAcquire(head, level);
    }
    return (long) LONG.getAcquire(chunk(node), offset(node) + HEADER_BYTES + 8 * level);
  }

  private void setNext(long node, int level, long target) {
    if (node == 0) {
      HEAD.setRelease(head, level, target);
    } else {
      LONG.setRelease(chunk(node), offset(node) + HEADER_BYTES + 8 * level, target);
    }
  }

  private byte[] chunk(long node) {
    return chunks[(int) (node >>> 32)];
  }

  private static int offset(long node) {
    return (int) node;
  }

  /**
   * Byte-array chunks handed out back to back; an address is {@code chunkIndex << 32 |
   * offsetInChunk}. Writer only, but for {@link #chunks}: a chunk is stored there before anything
   * in it is linked, so a reader that reached a node sees the chunks of the node and its value.
   */
  private static final class Arena {
    final byte[][] chunks = new byte[MAX_CHUNKS][];
    private final String name;
    private int count;
    private int offset;

    Arena(String name) {
      this.name = name;
    }

    /** The address of {@code bytes} bytes after the last ones handed out, in a new chunk if they do not fit. */
    long allocate(int bytes) {
      if (count == 0 || offset + bytes > chunks[count - 1].length) {
        if (count == MAX_CHUNKS) {
          throw new IllegalStateException("memtable " + name + " arena is full (" + MAX_CHUNKS + " chunks)");
        }
        chunks[count++] = new byte[Math.max(CHUNK_BYTES, bytes)];
        offset = 0;
      }
      long address = ((long) (count - 1) << 32) | offset;
      offset += bytes;
      return address;
    }
  }

  /** Heights 1..MAX_HEIGHT with probability 1/4 of growing, from a xorshift generator. */
  private int randomHeight() {
    long r = random;
    r ^= r << 13;
    r ^= r >>> 7;
    r ^= r << 17;
    random = r;
    int height = 1;
    while (height < MAX_HEIGHT && (r & 3) == 0) {
      height++;
      r >>>= 2;
    }
    return height;
  }
}
