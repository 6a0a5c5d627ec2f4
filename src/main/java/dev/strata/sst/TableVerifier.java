package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads every data block of an open table from the file (not the cache) and checks what
 * {@link TableReader#open} cannot without reading the data: each block's checksum and structure,
 * that keys ascend strictly within and across blocks, that each block ends at the key the index
 * gives for it, and that the properties (entry and tombstone counts, sequence range, smallest and
 * largest key) match the contents. Read-only; backs {@code strata check} and
 * {@code strata dump-sst --verify-only}. Stateless and thread-safe (the reader is).
 */
public final class TableVerifier {
  private TableVerifier() {}

  /**
   * What the data blocks held, as counted, and every problem found, each naming the file and the
   * offset of the block it is in. A block that fails its checksum or does not parse is skipped
   * (its entries are not counted), so a problem never hides the blocks after it.
   */
  public record Result(long dataBlocks, long entries, long tombstones, long minSequence, long maxSequence,
      byte[] smallestUserKey, byte[] largestUserKey, List<String> problems) {

    public boolean sound() {
      return problems.isEmpty();
    }
  }

  /** Verifies every data block of {@code reader}; throws only IOException (a failed read). */
  public static Result verify(TableReader reader) throws IOException {
    String name = reader.fileName();
    TableIndex index = reader.index();
    List<String> problems = new ArrayList<>();
    byte[] previous = null;
    byte[] first = null;
    long entries = 0;
    long tombstones = 0;
    long minSeq = Long.MAX_VALUE;
    long maxSeq = Long.MIN_VALUE;
    for (int i = 0; i < index.blockCount(); i++) {
      long offset = index.offset(i);
      byte[] last = null;
      try {
        BlockIterator it = reader.readDataBlock(i).iterator();
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] key = Arrays.copyOf(it.keyBuffer(), it.keyLength());
          if (key.length < InternalKey.TRAILER_BYTES) {
            problems.add(name + ": data block at offset " + offset + ": key of " + key.length
                + " bytes is shorter than its trailer");
            continue;
          }
          if (previous != null && InternalKey.compareEncoded(previous, 0, previous.length, key, 0, key.length) >= 0) {
            problems.add(name + ": data block at offset " + offset + ": key " + EncodedKeys.describe(key)
                + " is not after " + EncodedKeys.describe(previous)
                + (last == null ? ", the last key of the block before" : ""));
          }
          long trailer = InternalKey.trailerOf(key, 0, key.length);
          ValueKind kind = InternalKey.kindOf(trailer);
          if (kind == null) {
            problems.add(name + ": data block at offset " + offset + ": unknown value kind " + (trailer & 0xff)
                + " in key " + EncodedKeys.describe(key));
          } else if (kind == ValueKind.DELETE) {
            tombstones++;
          }
          long seq = InternalKey.sequenceOf(trailer);
          minSeq = Math.min(minSeq, seq);
          maxSeq = Math.max(maxSeq, seq);
          if (first == null) {
            first = key;
          }
          previous = key;
          last = key;
          entries++;
        }
      } catch (CorruptionException e) {
        problems.add(e.getMessage());
        previous = null; // the order check resumes after the damaged block
        continue;
      }
      byte[] indexKey = index.lastKey(i);
      if (last == null || !Arrays.equals(last, indexKey)) {
        problems.add(name + ": data block at offset " + offset + " ends at " + EncodedKeys.describe(last)
            + " but the index says " + EncodedKeys.describe(indexKey));
      }
    }
    TableProperties p = reader.properties();
    if (problems.isEmpty()) {
      // Against the properties only when every block was read: a skipped block would make each a mismatch.
      check(problems, name, "entries", p.entryCount(), entries);
      check(problems, name, "tombstones", p.tombstoneCount(), tombstones);
      if (entries > 0) {
        check(problems, name, "smallest sequence", p.minSequence(), minSeq);
        check(problems, name, "largest sequence", p.maxSequence(), maxSeq);
        if (!Arrays.equals(p.smallestInternalKey(), first)) {
          problems.add(name + ": properties record smallest key " + EncodedKeys.describe(p.smallestInternalKey())
              + " but the first entry is " + EncodedKeys.describe(first));
        }
        if (!Arrays.equals(p.largestInternalKey(), previous)) {
          problems.add(name + ": properties record largest key " + EncodedKeys.describe(p.largestInternalKey())
              + " but the last entry is " + EncodedKeys.describe(previous));
        }
      }
    }
    byte[] smallest = first == null ? null : Arrays.copyOf(first, first.length - InternalKey.TRAILER_BYTES);
    byte[] largest = previous == null ? null : Arrays.copyOf(previous, previous.length - InternalKey.TRAILER_BYTES);
    return new Result(index.blockCount(), entries, tombstones, entries == 0 ? 0 : minSeq, entries == 0 ? 0 : maxSeq,
        smallest, largest, List.copyOf(problems));
  }

  private static void check(List<String> problems, String name, String what, long recorded, long found) {
    if (recorded != found) {
      problems.add(name + ": properties record " + what + " " + recorded + " but the data blocks hold " + found);
    }
  }
}
