package dev.strata.iterator;

import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** An InternalIterator over an in-memory list, sorted on construction; for iterator tests. */
final class ListIterator extends InternalIterator {
  record Entry(byte[] key, long seq, ValueKind kind, byte[] value) {}

  private final List<Entry> entries;
  private int pos = -1;
  boolean closed;

  ListIterator(List<Entry> entries) {
    this.entries = new ArrayList<>(entries);
    this.entries.sort(Comparator.comparing((Entry e) -> e.key, InternalKey::compareUserKeys)
        .thenComparing(e -> -e.seq));
  }

  static Entry put(String key, long seq, String value) {
    return new Entry(key.getBytes(), seq, ValueKind.PUT, value.getBytes());
  }

  static Entry del(String key, long seq) {
    return new Entry(key.getBytes(), seq, ValueKind.DELETE, new byte[0]);
  }

  @Override
  public boolean isValid() {
    return pos >= 0 && pos < entries.size();
  }

  @Override
  public void seekToFirst() {
    pos = 0;
  }

  @Override
  public void seek(byte[] userKey, long sequence) {
    pos = 0;
    while (pos < entries.size()) {
      Entry e = entries.get(pos);
      int c = InternalKey.compareUserKeys(e.key, userKey);
      if (c > 0 || (c == 0 && e.seq <= sequence)) {
        break;
      }
      pos++;
    }
  }

  @Override
  public void next() {
    pos++;
  }

  @Override
  public byte[] userKey() {
    return entries.get(pos).key.clone(); // made for the entry, as InternalIterator promises
  }

  @Override
  public long sequence() {
    return entries.get(pos).seq;
  }

  @Override
  public ValueKind kind() {
    return entries.get(pos).kind;
  }

  @Override
  public byte[] value() {
    return entries.get(pos).value.clone();
  }

  @Override
  public void close() {
    closed = true;
  }
}
