package dev.strata.cli;

import dev.strata.compaction.CompactionTask;
import dev.strata.manifest.FileMeta;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What applying one compaction task writes in the {@link CompactionSimulator}'s model (described
 * there): nothing for a trivial move, else new files holding, on every stretch of keys,
 * {@code min(sum of the input densities there, the live density)}. Keys are 8-byte big-endian
 * indexes into the key space. Stateless, so thread-safe.
 */
final class SimulatedMerge {
  private SimulatedMerge() {}

  /** The new files a merge of the task's inputs writes at its output level. */
  static List<FileMeta> rewrite(CompactionTask task, CompactionSimulator.Model model, LongSupplier fileNumbers) {
    List<Segment> merged = merge(task.files(), model);
    long minSequence = Long.MAX_VALUE;
    long maxSequence = Long.MIN_VALUE;
    for (FileMeta f : task.files()) {
      minSequence = Math.min(minSequence, f.minSequence());
      maxSequence = Math.max(maxSequence, f.maxSequence());
    }
    int out = task.outputLevel();
    // Whole bytes, never more than the inputs held: floating-point sums may round up.
    long outputBytes = Math.max(1, Math.min(task.inputBytes(), Math.round(sum(merged))));
    List<FileMeta> outputs = new ArrayList<>();
    if (out == 0) {
      outputs.add(new FileMeta(0, fileNumbers.getAsLong(), outputBytes, key(merged.get(0).first()),
          key(merged.get(merged.size() - 1).last()), minSequence, maxSequence));
      return outputs;
    }
    // Each piece's size is its share of outputBytes, rounded cumulatively so the sizes add up.
    List<Segment> pieces = cut(merged, model);
    double total = sum(pieces);
    double before = 0;
    long written = 0;
    for (int i = 0; i < pieces.size(); i++) {
      Segment piece = pieces.get(i);
      before += piece.bytes();
      long upTo = i == pieces.size() - 1 ? outputBytes : Math.round(before / total * outputBytes);
      long size = Math.max(1, upTo - written);
      written += size;
      outputs.add(new FileMeta(out, fileNumbers.getAsLong(), size, key(piece.first()), key(piece.last()), minSequence,
          maxSequence));
    }
    return outputs;
  }

  /** Keys {@code first..last} holding {@code bytes}, spread evenly over them. */
  private record Segment(long first, long last, double bytes) {
    long keys() {
      return last - first + 1;
    }
  }

  /**
   * What merging {@code files} keeps, as segments of even density in key order: on every stretch
   * of keys, the sum of the densities of the files covering it (each file's bytes spread evenly
   * over its range), capped at the live data's density. Keys no file covers are left out.
   */
  private static List<Segment> merge(List<FileMeta> files, CompactionSimulator.Model model) {
    // A sweep over the files' range boundaries: at a file's first key its density starts to
    // count, after its last key it stops. Counting the covering files as well keeps a stretch
    // that no file covers from passing, through floating-point remainders, as a sparse one.
    TreeMap<Long, Delta> deltas = new TreeMap<>();
    for (FileMeta f : files) {
      long first = index(f.smallestKey());
      long last = index(f.largestKey());
      double density = (double) f.size() / (last - first + 1);
      deltas.computeIfAbsent(first, k -> new Delta()).add(density, 1);
      deltas.computeIfAbsent(last + 1, k -> new Delta()).add(-density, -1);
    }
    double liveDensity = (double) model.liveBytes() / model.keys();
    List<Segment> segments = new ArrayList<>();
    double density = 0;
    int covering = 0;
    long start = 0;
    for (Map.Entry<Long, Delta> e : deltas.entrySet()) {
      long end = e.getKey();
      if (covering > 0) {
        segments.add(new Segment(start, end - 1, Math.min(density, liveDensity) * (end - start)));
      }
      density += e.getValue().density;
      covering += e.getValue().files;
      start = end;
    }
    return segments;
  }

  /** How density and the count of covering files change at one key, for {@link #merge}'s sweep. */
  private static final class Delta {
    double density;
    int files;

    void add(double densityChange, int filesChange) {
      density += densityChange;
      files += filesChange;
    }
  }

  /**
   * {@code merged} cut into {@code ceil(bytes / targetSstBytes)} pieces of about equal bytes, each
   * a contiguous key range, in key order: a dense stretch of keys gets narrower files than a
   * sparse one, so the files keep the density profile of the merge. A piece may span keys the
   * merge did not cover; from then on they count as part of its range.
   */
  private static List<Segment> cut(List<Segment> merged, CompactionSimulator.Model model) {
    double total = sum(merged);
    long count = Math.max(1, ceilDiv((long) Math.ceil(total), model.targetSstBytes()));
    double perFile = total / count;
    List<Segment> pieces = new ArrayList<>();
    long start = -1;
    double bytes = 0;
    for (Segment s : merged) {
      double density = s.bytes() / s.keys();
      long key = s.first();
      while (key <= s.last()) {
        if (start < 0) {
          start = key;
        }
        long left = s.last() - key + 1;
        double room = pieces.size() == count - 1 ? Double.POSITIVE_INFINITY : perFile - bytes;
        if (left * density < room) {
          bytes += left * density;
          key = s.last() + 1;
        } else {
          long take = Math.min(left, Math.max(1, (long) Math.ceil(room / density)));
          bytes += take * density;
          pieces.add(new Segment(start, key + take - 1, bytes));
          key += take;
          start = -1;
          bytes = 0;
        }
      }
    }
    if (start >= 0) {
      pieces.add(new Segment(start, merged.get(merged.size() - 1).last(), bytes));
    }
    return pieces;
  }

  private static double sum(List<Segment> segments) {
    double sum = 0;
    for (Segment s : segments) {
      sum += s.bytes();
    }
    return sum;
  }

  static byte[] key(long index) {
    return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
  }

  static long index(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
