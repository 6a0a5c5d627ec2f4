package dev.strata.cli;

import dev.strata.Bound;
import dev.strata.StrataIterator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared helpers of the CLI's tests: captured output streams and an in-memory store. */
final class CliTestHarness {
  private CliTestHarness() {}

  /** A PrintStream whose text can be read back. */
  static final class Capture {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      stream.flush();
      return bytes.toString(StandardCharsets.UTF_8);
    }

    List<String> lines() {
      return text().lines().toList();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A thread-safe in-memory {@link KeyValueStore}: unsigned byte order, scans over a copy taken
   * when the scan starts. Lets the CLI's logic be tested without the engine.
   */
  static class MemoryStore implements KeyValueStore {
    final NavigableMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger compactions = new AtomicInteger();
    volatile boolean closed;

    @Override
    public void put(byte[] key, byte[] value) {
      map.put(key.clone(), value.clone());
    }

    @Override
    public byte[] get(byte[] key) {
      byte[] v = map.get(key);
      return v == null ? null : v.clone();
    }

    @Override
    public void delete(byte[] key) {
      map.remove(key);
    }

    @Override
    public StrataIterator scan(Bound lower, Bound upper) {
      NavigableMap<byte[], byte[]> view = map;
      if (!lower.isUnbounded()) {
        view = view.tailMap(lower.key(), lower.kind() == Bound.Kind.INCLUDED);
      }
      if (!upper.isUnbounded()) {
        view = view.headMap(upper.key(), upper.kind() == Bound.Kind.INCLUDED);
      }
      return new ListIterator(new ArrayList<>(view.entrySet()));
    }

    @Override
    public void flush() {
      flushes.incrementAndGet();
    }

    /** A map has nothing to compact: only counted. */
    @Override
    public void compact() {
      compactions.incrementAndGet();
    }

    /** A copy of the map taken now: later writes do not reach it. */
    @Override
    public ReadView snapshot() {
      NavigableMap<byte[], byte[]> copy = new ConcurrentSkipListMap<>(map);
      return new ReadView() {
        @Override
        public byte[] get(byte[] key) {
          byte[] v = copy.get(key);
          return v == null ? null : v.clone();
        }

        @Override
        public void close() {
        }
      };
    }

    /** Atomic per key, so it never loses a conflict. */
    @Override
    public boolean readModifyWrite(byte[] key, java.util.function.UnaryOperator<byte[]> update) {
      map.compute(key.clone(), (k, old) -> update.apply(old == null ? null : old.clone()).clone());
      return true;
    }

    @Override
    public String statsReport() {
      return "memory store: " + map.size() + " keys";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A factory of fresh {@link MemoryStore}s that remembers every store and directory it opened. */
  static final class MemoryStoreFactory implements KeyValueStore.Factory {
    final List<MemoryStore> opened = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();

    @Override
    public synchronized KeyValueStore open(Path dir) {
      MemoryStore store = new MemoryStore();
      opened.add(store);
      dirs.add(dir);
      return store;
    }

    MemoryStore last() {
      return opened.get(opened.size() - 1);
    }
  }

  private static final class ListIterator implements StrataIterator {
    private final List<Map.Entry<byte[], byte[]>> entries;
    private int position;

    ListIterator(List<Map.Entry<byte[], byte[]>> entries) {
      this.entries = entries;
    }

    @Override
    public boolean isValid() {
      return position < entries.size();
    }

    @Override
    public byte[] key() {
      check();
      return entries.get(position).getKey().clone();
    }

    @Override
    public byte[] value() {
      check();
      return entries.get(position).getValue().clone();
    }

    @Override
    public void next() {
      check();
      position++;
    }

    private void check() {
      if (!isValid()) {
        throw new IllegalStateException("iterator is not valid");
      }
    }

    @Override
    public void close() {}
  }
}
