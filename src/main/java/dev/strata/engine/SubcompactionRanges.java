package dev.strata.engine;

import dev.strata.readstate.SstFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where to split one compaction into key ranges that separate threads merge (RocksDB's
 * sub-compactions). Each input contributes sample keys from its index (the last key of evenly
 * spaced data blocks, {@link dev.strata.sst.TableReader#sampleKeys}), each standing for an equal
 * share of that file's bytes; the samples of every input are sorted and cut where the bytes
 * before them reach 1/k, 2/k, ... of the total. So the ranges hold about equal input bytes
 * whether the inputs are a few L0 files spanning every key or many small files of one level.
 *
 * <p>The answer is the list of split keys, strictly increasing: range 0 holds the user keys below
 * the first, range i those from key i-1 (inclusive) to key i (exclusive), the last those from the
 * last key on. The ranges are disjoint and cover every key; every version of a user key falls in
 * one of them. Stateless.
 */
final class SubcompactionRanges {
  /** Samples taken from each input: enough to balance k ranges even when one file holds most bytes. */
  static final int SAMPLES_PER_FILE = 128;

  private SubcompactionRanges() {}

  /** Up to {@code k - 1} split keys for {@code inputs}; fewer when the inputs offer fewer distinct samples. */
  static List<byte[]> splitKeys(List<SstFile> inputs, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("a compaction splits into at least 1 range, asked for " + k);
    }
    List<byte[]> keys = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    double total = 0;
    for (SstFile f : inputs) {
      List<byte[]> samples = f.reader().sampleKeys(SAMPLES_PER_FILE);
      double each = samples.isEmpty() ? 0 : (double) f.fileSize() / samples.size();
      for (byte[] s : samples) {
        keys.add(s);
        weights.add(each);
        total += each;
      }
    }
    List<byte[]> splits = new ArrayList<>();
    if (k == 1 || keys.isEmpty()) {
      return splits;
    }
    Integer[] order = new Integer[keys.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(keys::get, Arrays::compareUnsigned));
    double seen = 0;
    for (Integer i : order) {
      // A sample closes the bytes of its file up to it: the split goes after it, at the next key.
      if (seen >= total * (splits.size() + 1) / k) {
        byte[] key = keys.get(i);
        if (splits.isEmpty() || Arrays.compareUnsigned(splits.get(splits.size() - 1), key) < 0) {
          splits.add(key);
          if (splits.size() == k - 1) {
            break;
          }
        }
      }
      seen += weights.get(i);
    }
    return splits;
  }
}
