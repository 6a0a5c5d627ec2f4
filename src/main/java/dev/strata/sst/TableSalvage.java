package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what can still be read from a damaged table, for repair: every entry of every data block
 * that passes its checksum and parses whole, in order. A block that fails either is dropped as a
 * whole (an entry of a block that does not parse cannot be trusted, even before the point where
 * parsing failed); so is an entry whose value kind is unknown or whose key is not after the one
 * handed over before it (the table's order is what lets the entries be written out again).
 * Needs an open table: a table whose footer, index or properties are damaged cannot say where its
 * blocks are, and nothing of it is salvaged. Reads the file, not the cache. Stateless and
 * thread-safe (the reader is).
 */
public final class TableSalvage {
  private TableSalvage() {}

  /** Receives the salvaged entries, in strictly increasing internal-key order. */
  public interface Sink {
    void add(byte[] userKey, long sequence, ValueKind kind, byte[] value) throws IOException;
  }

  /**
   * What was salvaged: the data blocks the table has and how many were dropped, the entries handed
   * over and those dropped from sound blocks, and every problem met, each naming file and offset.
   */
  public record Result(long dataBlocks, long blocksDropped, long entries, long entriesDropped, List<String> problems) {}

  private record Entry(byte[] key, byte[] value) {}

  /** Hands every readable entry of {@code reader} to {@code sink}; throws only IOException (a failed read or sink). */
  public static Result salvage(TableReader reader, Sink sink) throws IOException {
    String name = reader.fileName();
    TableIndex index = reader.index();
    List<String> problems = new ArrayList<>();
    byte[] previous = null;
    long blocksDropped = 0;
    long entries = 0;
    long entriesDropped = 0;
    for (int i = 0; i < index.blockCount(); i++) {
      List<Entry> block = new ArrayList<>();
      try {
        BlockIterator it = reader.readDataBlock(i).iterator();
        for (it.seekToFirst(); it.isValid(); it.next()) {
          block.add(new Entry(Arrays.copyOf(it.keyBuffer(), it.keyLength()), it.value()));
        }
      } catch (CorruptionException e) {
        problems.add(e.getMessage());
        blocksDropped++;
        continue;
      }
      for (Entry e : block) {
        byte[] key = e.key();
        String problem = null;
        if (key.length < InternalKey.TRAILER_BYTES) {
          problem = "a key of " + key.length + " bytes, shorter than its trailer";
        } else if (InternalKey.kindOf(InternalKey.trailerOf(key, 0, key.length)) == null) {
          problem = "unknown value kind in key " + EncodedKeys.describe(key);
        } else if (previous != null && InternalKey.compareEncoded(previous, 0, previous.length, key, 0, key.length) >= 0) {
          problem = "key " + EncodedKeys.describe(key) + " is not after " + EncodedKeys.describe(previous);
        }
        if (problem != null) {
          problems.add(name + ": data block at offset " + index.offset(i) + ": " + problem + "; entry dropped");
          entriesDropped++;
          continue;
        }
        long trailer = InternalKey.trailerOf(key, 0, key.length);
        sink.add(Arrays.copyOf(key, key.length - InternalKey.TRAILER_BYTES), InternalKey.sequenceOf(trailer),
            InternalKey.kindOf(trailer), e.value());
        previous = key;
        entries++;
      }
    }
    return new Result(index.blockCount(), blocksDropped, entries, entriesDropped, List.copyOf(problems));
  }
}
