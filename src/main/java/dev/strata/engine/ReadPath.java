package dev.strata.engine;

import dev.strata.Bound;
import dev.strata.StrataException;
import dev.strata.fs.IoFailures;
import dev.strata.StrataIterator;
import dev.strata.iterator.ConcatIterator;
import dev.strata.iterator.InternalIterator;
import dev.strata.iterator.MergingIterator;
import dev.strata.iterator.UserIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.Lookup;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Point lookups and scans over one pinned {@link ReadState}, at one read sequence. Newer layers
 * are consulted first, and the first version found (a value or a tombstone) decides. Stateless
 * and thread-safe.
 */
final class ReadPath {
  private ReadPath() {}

  /**
   * The newest visible version of {@code key} in {@code s}, or null when no layer has it. As in
   * LevelDB, a lookup that consults a file (its key range covers the key) and then has to go on to
   * another charges the first one a seek; a file out of seeks is handed to {@code seeksExhausted},
   * once, so that compaction can merge it down and spare the lookups after it.
   */
  static Lookup get(ReadState s, byte[] key, long readSequence, Consumer<SstFile> seeksExhausted) {
    Lookup r = getFromMemtables(s, key, readSequence);
    return r != null ? r : getFromTables(s, key, readSequence, seeksExhausted);
  }

  /** As {@link #get}, in {@code s}'s SSTs only: for a caller that has read its memtables already. */
  static Lookup getFromTables(ReadState s, byte[] key, long readSequence, Consumer<SstFile> seeksExhausted) {
    Lookup r = null;
    FileProbe probe = new FileProbe();
    try {
      for (SstFile f : s.l0()) {
        if (f.covers(key)) {
          r = probe.consult(f, key, readSequence);
          if (r != null) {
            break;
          }
        }
      }
      if (r == null) {
        for (SstFile[] level : s.levels()) {
          SstFile f = findFile(level, key);
          if (f != null) {
            r = probe.consult(f, key, readSequence);
            if (r != null) {
              break;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new StrataException("reading an SST failed: " + e.getMessage(), e);
    } catch (InternalError fault) {
      // A fault on a mapped SST that the JVM delivered late, past the file-system seam (see IoFailures).
      throw new StrataException("reading an SST failed: " + IoFailures.translate(fault, "a mapped read").getMessage(),
          fault);
    }
    probe.charge(seeksExhausted);
    return r;
  }

  /** The files one lookup consulted, for LevelDB's seek charge (see {@link #get}). */
  private static final class FileProbe {
    private SstFile first;
    private boolean more;

    Lookup consult(SstFile f, byte[] key, long readSequence) throws IOException {
      if (first == null) {
        first = f;
      } else {
        more = true;
      }
      return f.reader().get(key, readSequence);
    }

    /** Charges the first file when the lookup had to go on past it. */
    void charge(Consumer<SstFile> seeksExhausted) {
      if (more && first.chargeSeek()) {
        seeksExhausted.accept(first);
      }
    }
  }

  /** The newest visible version of {@code key} in {@code s}'s memtables only, or null. */
  static Lookup getFromMemtables(ReadState s, byte[] key, long readSequence) {
    long hash = Memtable.hash(key); // once for every memtable: there may be several frozen ones
    Lookup r = s.mutable().get(key, hash, readSequence);
    if (r != null) {
      return r;
    }
    for (Memtable m : s.immutables()) {
      r = m.get(key, hash, readSequence);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /** Every version of every key in {@code s}'s memtables, in internal-key order. */
  static InternalIterator memtableIterator(ReadState s) {
    List<InternalIterator> sources = new ArrayList<>();
    sources.add(s.mutable().iterator());
    for (Memtable m : s.immutables()) {
      sources.add(m.iterator());
    }
    return new MergingIterator(sources);
  }

  /** The file of a sorted, non-overlapping level whose range covers {@code key}, or null. */
  static SstFile findFile(SstFile[] level, byte[] key) {
    int lo = 0;
    int hi = level.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKey.compareUserKeys(level[mid].largestUserKey(), key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < level.length && InternalKey.compareUserKeys(level[lo].smallestUserKey(), key) <= 0 ? level[lo] : null;
  }

  /**
   * A user iterator over every layer of {@code s}. It owns the caller's reference to {@code s}
   * and drops it on close; on failure to build, the reference is dropped here.
   */
  static StrataIterator scan(ReadState s, long readSequence, Bound lower, Bound upper) {
    InternalIterator merged = null;
    try {
      merged = internalIterator(s);
      return new UserIterator(merged, readSequence, lower, upper, s::unref);
    } catch (RuntimeException e) {
      if (merged != null) {
        merged.close();
      }
      s.unref();
      if (e instanceof UncheckedIOException io) {
        throw new StrataException("reading an SST failed: " + io.getCause().getMessage(), io.getCause());
      }
      throw e;
    }
  }

  /**
   * Every version of every key in {@code s}, in internal-key order. The caller keeps its reference
   * to {@code s} until it closes the iterator.
   */
  static InternalIterator internalIterator(ReadState s) {
    List<InternalIterator> sources = new ArrayList<>();
    try {
      sources.add(s.mutable().iterator());
      for (Memtable m : s.immutables()) {
        sources.add(m.iterator());
      }
      for (SstFile f : s.l0()) {
        sources.add(f.reader().iterator());
      }
      for (SstFile[] level : s.levels()) {
        if (level.length > 0) {
          sources.add(levelIterator(level));
        }
      }
      return new MergingIterator(sources);
    } catch (RuntimeException e) {
      for (InternalIterator it : sources) {
        it.close();
      }
      if (e instanceof UncheckedIOException io) {
        throw new StrataException("reading an SST failed: " + io.getCause().getMessage(), io.getCause());
      }
      throw e;
    }
  }

  /** The files of one level (sorted, not overlapping) read one after another. */
  static InternalIterator levelIterator(SstFile[] level) {
    return new ConcatIterator(new ConcatIterator.Run() {
      @Override
      public int size() {
        return level.length;
      }

      @Override
      public byte[] largestUserKey(int i) {
        return level[i].largestUserKey();
      }

      @Override
      public InternalIterator open(int i) {
        return level[i].reader().iterator();
      }
    });
  }

  /**
   * Whether {@code s} holds a version (value or tombstone) of a key between the bounds written
   * after {@code sequence} and visible at {@code visible} (the last committed sequence). When no
   * SST holds anything after {@code sequence}, the memtables alone answer.
   */
  static boolean changedSince(ReadState s, Bound lower, Bound upper, long sequence, long visible) {
    try (InternalIterator it = s.sstMaxSequence() <= sequence ? memtableIterator(s) : internalIterator(s)) {
      if (lower.isUnbounded()) {
        it.seekToFirst();
      } else {
        it.seek(lower.key(), InternalKey.MAX_SEQUENCE);
      }
      for (; it.isValid(); it.next()) {
        byte[] k = it.userKey();
        if (lower.kind() == Bound.Kind.EXCLUDED && InternalKey.compareUserKeys(k, lower.key()) == 0) {
          continue;
        }
        if (!upper.isUnbounded()) {
          int c = InternalKey.compareUserKeys(k, upper.key());
          if (upper.kind() == Bound.Kind.INCLUDED ? c > 0 : c >= 0) {
            break;
          }
        }
        if (it.sequence() > sequence && it.sequence() <= visible) {
          return true;
        }
      }
      return false;
    }
  }
}
