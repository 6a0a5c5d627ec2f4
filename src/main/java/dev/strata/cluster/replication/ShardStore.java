package dev.strata.cluster.replication;

import dev.strata.Bound;
import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.WriteBatch;
import dev.strata.util.ByteBuilder;
import dev.strata.util.ByteReader;
import dev.strata.util.Crc32c;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A replica's durable state inside one Strata store: the replication layer owns the store's key
 * space and gives the user's data one prefix of it. Not thread-safe: one {@link Replica} (one
 * actor) drives it; {@link #get} and {@link #scan} only read the store and may run on any thread.
 *
 * <h2>Layout, version 1</h2>
 *
 * Keys (one byte of prefix, then):
 * <pre>
 * 0x00 0x01            identity   the layout version and the shard's place in its keyspace
 * 0x00 0x02            promise    the highest epoch promised, and to whom
 * 0x00 0x03            applied    applied index, commit index known then
 * 0x00 0x04            config     the replica set as of the applied index
 * 0x00 0x05            log bounds first kept index, epoch of the entry before it, last index, its epoch
 * 0x01 index:u64 BE    log entry  (big-endian so that the store orders entries by index)
 * 0x02 userKey         user data  the user's value, unchanged (scans strip the prefix)
 * </pre>
 * Every meta and log value is a record:
 * <pre>
 * record   := version:u8 (= 1) body crc:u32 LE
 *             crc = masked CRC32C (dev.strata.util.Crc32c) of version and body
 * identity := layoutVersion:varint32 (= 1) shards:varint32 shard:varint32 keyspaceLength:varint32 keyspace:UTF-8
 * promise  := epoch:u64 LE toLength:varint32 to:UTF-8
 * applied  := appliedIndex:u64 LE commitIndex:u64 LE
 * config   := count:varint32 (idLength:varint32 id:UTF-8)*count
 * bounds   := firstIndex:u64 LE snapshotEpoch:u64 LE lastIndex:u64 LE lastEpoch:u64 LE
 * entry    := epoch:u64 LE kind:u8 payload
 *             kind 0 = no-op (no payload), 1 = write (a {@link BatchCodec} batch), 2 = config (as above)
 * </pre>
 * Applying an entry writes its user operations, {@code applied} and (for a config entry) {@code
 * config} in one Strata write batch; appending or truncating entries writes them and {@code bounds}
 * in one batch, so each step survives a crash whole or not at all. A promise is synced even when
 * the store does not sync every write.
 *
 * <p>Which shard a key belongs to is decided above this class (the keyspace's hash); this class
 * records the shard count and keyspace name and refuses a store created for another.
 */
public final class ShardStore implements ReplicaStorage {
  /** Bytes in front of every user key. */
  public static final int USER_PREFIX_BYTES = 1;
  static final int LAYOUT_VERSION = 1;
  private static final int RECORD_VERSION = 1;
  private static final byte META = 0x00;
  private static final byte LOG = 0x01;
  private static final byte USER = 0x02;
  private static final byte[] IDENTITY = {META, 0x01};
  private static final byte[] PROMISE = {META, 0x02};
  private static final byte[] APPLIED = {META, 0x03};
  private static final byte[] CONFIG = {META, 0x04};
  private static final byte[] BOUNDS = {META, 0x05};

  /** Where a shard store belongs: shard {@code shard} of {@code shards} of keyspace {@code keyspace}. */
  public record Identity(String keyspace, int shards, int shard) {
    public Identity {
      Objects.requireNonNull(keyspace, "keyspace");
      if (shards < 1 || shard < 0 || shard >= shards) {
        throw new IllegalArgumentException("shard " + shard + " of " + shards + " shards is not a shard");
      }
    }
  }

  private final Strata store;
  private final boolean syncs;
  private long promisedEpoch;
  private String promisedTo;
  private long appliedIndex;
  private long commitIndex;
  private List<String> config;
  private long firstIndex;
  private long snapshotEpoch;
  private long lastIndex;
  private long lastEpoch;

  private ShardStore(Strata store) {
    this.store = store;
    this.syncs = store.options().syncWrites();
  }

  /**
   * The replication state in {@code store} (which the caller opened and closes), created empty
   * for {@code identity} if the store holds none. Throws {@link IllegalStateException} if the
   * store belongs to another keyspace or shard count, and {@link StrataException} if it was
   * written with another layout version.
   */
  public static ShardStore open(Strata store, Identity identity) {
    ShardStore s = new ShardStore(store);
    byte[] id = store.get(IDENTITY);
    if (id == null) {
      try (StrataIterator it = store.scan(Bound.unbounded(), Bound.unbounded())) {
        if (it.isValid()) {
          throw new IllegalStateException("store " + store.directory() + " holds data but no shard identity;"
              + " it is not a shard store of keyspace " + identity.keyspace());
        }
      }
      WriteBatch b = new WriteBatch();
      b.put(IDENTITY, record(identity(identity)));
      b.put(APPLIED, record(new ByteBuilder().putLongLE(0).putLongLE(0)));
      b.put(CONFIG, record(members(new ByteBuilder(), List.of())));
      b.put(BOUNDS, record(new ByteBuilder().putLongLE(1).putLongLE(0).putLongLE(0).putLongLE(0)));
      store.write(b);
      store.sync();
    } else {
      checkIdentity(store, s.body(id, "identity"), identity);
    }
    s.load();
    return s;
  }

  private static void checkIdentity(Strata store, ByteReader r, Identity expected) {
    int layout = r.readLength();
    if (layout != LAYOUT_VERSION) {
      throw new StrataException("shard store " + store.directory() + " has layout version " + layout
          + "; this build reads version " + LAYOUT_VERSION);
    }
    int shards = (int) r.readVarint32();
    int shard = (int) r.readVarint32();
    String keyspace = new String(r.readBytes(r.readLength()), StandardCharsets.UTF_8);
    Identity found = new Identity(keyspace, shards, shard);
    if (!found.equals(expected)) {
      throw new IllegalStateException("shard store " + store.directory() + " was created as shard " + shard
          + " of " + shards + " of keyspace '" + keyspace + "', not shard " + expected.shard() + " of "
          + expected.shards() + " of keyspace '" + expected.keyspace()
          + "'; a keyspace's shard count is fixed at creation");
    }
  }

  private void load() {
    ByteReader p = optionalBody(PROMISE, "promise");
    if (p != null) {
      promisedEpoch = p.readLongLE();
      promisedTo = new String(p.readBytes(p.readLength()), StandardCharsets.UTF_8);
    }
    ByteReader a = body(meta(APPLIED), "applied");
    appliedIndex = a.readLongLE();
    commitIndex = a.readLongLE();
    config = readMembers(body(meta(CONFIG), "config"));
    ByteReader b = body(meta(BOUNDS), "log bounds");
    firstIndex = b.readLongLE();
    snapshotEpoch = b.readLongLE();
    lastIndex = b.readLongLE();
    lastEpoch = b.readLongLE();
  }

  private byte[] meta(byte[] key) {
    byte[] v = store.get(key);
    if (v == null) {
      throw new CorruptionException("shard store " + store.directory() + " lacks its meta record "
          + Arrays.toString(key));
    }
    return v;
  }

  private ByteReader optionalBody(byte[] key, String what) {
    byte[] v = store.get(key);
    return v == null ? null : body(v, what);
  }

  // ---------------------------------------------------------------- user data

  /** The user's value of {@code key} as of the applied index, or null. */
  public byte[] get(byte[] key) {
    return store.get(userKey(key));
  }

  /** The user's keys between the bounds, prefix stripped. Close it. */
  public StrataIterator scan(Bound lower, Bound upper) {
    Bound lo = lower.isUnbounded() ? Bound.included(new byte[] {USER}) : rebound(lower);
    Bound hi = upper.isUnbounded() ? Bound.excluded(new byte[] {USER + 1}) : rebound(upper);
    StrataIterator it = store.scan(lo, hi);
    return new StrataIterator() {
      @Override
      public boolean isValid() {
        return it.isValid();
      }

      @Override
      public byte[] key() {
        return Arrays.copyOfRange(it.key(), USER_PREFIX_BYTES, it.key().length);
      }

      @Override
      public byte[] value() {
        return it.value();
      }

      @Override
      public void next() {
        it.next();
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  private static Bound rebound(Bound b) {
    return b.kind() == Bound.Kind.INCLUDED ? Bound.included(userKey(b.key())) : Bound.excluded(userKey(b.key()));
  }

  private static byte[] userKey(byte[] key) {
    byte[] k = new byte[key.length + USER_PREFIX_BYTES];
    k[0] = USER;
    System.arraycopy(key, 0, k, USER_PREFIX_BYTES, key.length);
    return k;
  }

  // ---------------------------------------------------------------- ReplicaStorage

  @Override
  public long promisedEpoch() {
    return promisedEpoch;
  }

  @Override
  public String promisedTo() {
    return promisedTo;
  }

  @Override
  public void promise(long epoch, String to) {
    byte[] toBytes = to.getBytes(StandardCharsets.UTF_8);
    store.put(PROMISE, record(new ByteBuilder().putLongLE(epoch).putVarint32(toBytes.length).putBytes(toBytes)));
    if (!syncs) {
      store.sync();
    }
    promisedEpoch = epoch;
    promisedTo = to;
  }

  @Override
  public long firstIndex() {
    return firstIndex;
  }

  @Override
  public long lastIndex() {
    return lastIndex;
  }

  @Override
  public long epochAt(long index) {
    if (index == 0) {
      return 0;
    }
    if (index == firstIndex - 1) {
      return snapshotEpoch;
    }
    if (index == lastIndex) {
      return lastEpoch;
    }
    return entry(index).epoch();
  }

  @Override
  public LogEntry entry(long index) {
    if (index < firstIndex || index > lastIndex) {
      throw new IllegalArgumentException("log index " + index + " outside the kept log " + firstIndex + ".." + lastIndex);
    }
    byte[] v = store.get(logKey(index));
    if (v == null) {
      throw new CorruptionException("shard store " + store.directory() + " lacks log entry " + index
          + " of its log " + firstIndex + ".." + lastIndex);
    }
    return decodeEntry(index, v);
  }

  @Override
  public List<LogEntry> entries(long from, long to, int max) {
    List<LogEntry> result = new ArrayList<>();
    long end = Math.min(to, lastIndex);
    if (from < firstIndex || from > end) {
      return result;
    }
    try (StrataIterator it = store.scan(Bound.included(logKey(from)), Bound.included(logKey(end)))) {
      long expected = from;
      for (; it.isValid() && result.size() < max; it.next(), expected++) {
        long index = ByteBuffer.wrap(it.key(), 1, 8).getLong();
        if (index != expected) {
          throw new CorruptionException("shard store " + store.directory() + " lacks log entry " + expected);
        }
        result.add(decodeEntry(index, it.value()));
      }
    }
    return result;
  }

  @Override
  public void append(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    WriteBatch b = new WriteBatch();
    long expected = lastIndex + 1;
    for (LogEntry e : entries) {
      if (e.index() != expected++) {
        throw new IllegalArgumentException("log entry " + e.index() + " does not follow " + (expected - 2));
      }
      b.put(logKey(e.index()), encodeEntry(e));
    }
    LogEntry last = entries.get(entries.size() - 1);
    b.put(BOUNDS, bounds(firstIndex, snapshotEpoch, last.index(), last.epoch()));
    store.write(b);
    lastIndex = last.index();
    lastEpoch = last.epoch();
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    if (fromIndex <= appliedIndex) {
      throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": entries through "
          + appliedIndex + " are applied");
    }
    if (fromIndex > lastIndex) {
      return;
    }
    long newLastEpoch = epochAt(fromIndex - 1);
    WriteBatch b = new WriteBatch();
    for (long i = fromIndex; i <= lastIndex; i++) {
      b.delete(logKey(i));
    }
    b.put(BOUNDS, bounds(firstIndex, snapshotEpoch, fromIndex - 1, newLastEpoch));
    store.write(b);
    lastIndex = fromIndex - 1;
    lastEpoch = newLastEpoch;
  }

  @Override
  public void truncatePrefix(long throughIndex) {
    if (throughIndex > appliedIndex) {
      throw new IllegalArgumentException("cannot drop log entries through " + throughIndex
          + ": only entries through " + appliedIndex + " are applied");
    }
    if (throughIndex < firstIndex) {
      return;
    }
    long newSnapshotEpoch = epochAt(throughIndex);
    WriteBatch b = new WriteBatch();
    for (long i = firstIndex; i <= throughIndex; i++) {
      b.delete(logKey(i));
    }
    b.put(BOUNDS, bounds(throughIndex + 1, newSnapshotEpoch, lastIndex, lastEpoch));
    store.write(b);
    firstIndex = throughIndex + 1;
    snapshotEpoch = newSnapshotEpoch;
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long commitIndex() {
    return commitIndex;
  }

  @Override
  public List<String> appliedConfig() {
    return config;
  }

  @Override
  public void apply(LogEntry entry, long commit) {
    if (entry.index() != appliedIndex + 1) {
      throw new IllegalArgumentException("applying entry " + entry.index() + " after applied index " + appliedIndex);
    }
    WriteBatch b = new WriteBatch();
    if (entry.payload() instanceof LogEntry.Write w) {
      WriteBatch ops = BatchCodec.decode(w.batch());
      for (int i = 0; i < ops.count(); i++) {
        if (ops.isDelete(i)) {
          b.delete(userKey(ops.key(i)));
        } else {
          b.put(userKey(ops.key(i)), ops.value(i));
        }
      }
    } else if (entry.payload() instanceof LogEntry.Config c) {
      b.put(CONFIG, record(members(new ByteBuilder(), c.members())));
    }
    b.put(APPLIED, record(new ByteBuilder().putLongLE(entry.index()).putLongLE(commit)));
    store.write(b);
    appliedIndex = entry.index();
    commitIndex = commit;
    if (entry.payload() instanceof LogEntry.Config c) {
      config = c.members();
    }
  }

  // ---------------------------------------------------------------- encoding

  private static byte[] logKey(long index) {
    return ByteBuffer.allocate(9).put(LOG).putLong(index).array();
  }

  private static byte[] bounds(long first, long snapshotEpoch, long last, long lastEpoch) {
    return record(new ByteBuilder().putLongLE(first).putLongLE(snapshotEpoch).putLongLE(last).putLongLE(lastEpoch));
  }

  private static ByteBuilder identity(Identity id) {
    byte[] name = id.keyspace().getBytes(StandardCharsets.UTF_8);
    return new ByteBuilder().putVarint32(LAYOUT_VERSION).putVarint32(id.shards()).putVarint32(id.shard())
        .putVarint32(name.length).putBytes(name);
  }

  private static ByteBuilder members(ByteBuilder b, List<String> members) {
    b.putVarint32(members.size());
    for (String m : members) {
      byte[] bytes = m.getBytes(StandardCharsets.UTF_8);
      b.putVarint32(bytes.length).putBytes(bytes);
    }
    return b;
  }

  private static List<String> readMembers(ByteReader r) {
    int n = r.readLength();
    List<String> members = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      members.add(new String(r.readBytes(r.readLength()), StandardCharsets.UTF_8));
    }
    return List.copyOf(members);
  }

  static byte[] encodeEntry(LogEntry e) {
    ByteBuilder b = new ByteBuilder().putLongLE(e.epoch());
    if (e.payload() instanceof LogEntry.Write w) {
      b.putByte(1).putBytes(w.batch());
    } else if (e.payload() instanceof LogEntry.Config c) {
      members(b.putByte(2), c.members());
    } else {
      b.putByte(0);
    }
    return record(b);
  }

  private LogEntry decodeEntry(long index, byte[] value) {
    ByteReader r = body(value, "log entry " + index);
    long epoch = r.readLongLE();
    int kind = r.readByte();
    LogEntry.Payload payload = switch (kind) {
      case 0 -> new LogEntry.NoOp();
      case 1 -> new LogEntry.Write(r.readBytes(r.remaining()));
      case 2 -> new LogEntry.Config(readMembers(r));
      default -> throw new CorruptionException("shard store " + store.directory() + ": log entry " + index
          + " has kind " + kind + " (expected 0, 1 or 2)");
    };
    return new LogEntry(index, epoch, payload);
  }

  private static byte[] record(ByteBuilder body) {
    ByteBuilder b = new ByteBuilder(body.size() + 5).putByte(RECORD_VERSION).putBytes(body.array(), 0, body.size());
    int crc = Crc32c.maskedOf(b.array(), 0, b.size());
    return b.putIntLE(crc).toByteArray();
  }

  /** The body of a record (version and checksum checked), positioned after the version byte. */
  private ByteReader body(byte[] value, String what) {
    if (value.length < 5) {
      throw new CorruptionException("shard store " + store.directory() + ": " + what + " record of "
          + value.length + " bytes is too short");
    }
    int stored = ByteBuffer.wrap(value, value.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    int actual = Crc32c.maskedOf(value, 0, value.length - 4);
    if (stored != actual) {
      throw new CorruptionException("shard store " + store.directory() + ": " + what + " record fails its checksum");
    }
    if (value[0] != RECORD_VERSION) {
      throw new StrataException("shard store " + store.directory() + ": " + what + " record has version "
          + value[0] + "; this build reads version " + RECORD_VERSION);
    }
    return new ByteReader(value, 1, value.length - 4);
  }
}
