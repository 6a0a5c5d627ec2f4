package dev.strata.sst;

import dev.strata.CorruptionException;
import dev.strata.key.InternalKey;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Prints a table for people: footer, properties, index and, optionally, every entry. Every data
 * block is read from the file (not the cache) and checksum-verified, whether or not its entries
 * are printed, so a clean dump means a whole, readable file. Backs the {@code dump-sst} command.
 */
public final class TableDump {
  /** Bytes of a value shown before it is cut short. */
  private static final int VALUE_PREVIEW_BYTES = 32;

  private TableDump() {}

  /**
   * Prints the table to {@code out}; throws {@link CorruptionException} at the first block that
   * fails verification, after printing everything before it.
   */
  public static void dump(TableReader reader, PrintStream out, boolean withEntries) throws IOException {
    dump(reader, out, withEntries, null, null);
  }

  /**
   * As {@link #dump(TableReader, PrintStream, boolean)}, printing only the entries whose user key
   * is at or after {@code from} and before {@code to} (either null for no bound). Every block is
   * still read and verified: the range narrows what is printed, not what is checked.
   */
  public static void dump(TableReader reader, PrintStream out, boolean withEntries, byte[] from, byte[] to)
      throws IOException {
    Footer footer = reader.footer();
    out.println("table " + reader.fileName() + " (file number " + reader.fileNumber() + ")");
    out.println("footer:");
    out.println("  format version  " + footer.version());
    out.println("  index block     " + handle(footer.index()));
    out.println("  filter block    " + (footer.hasFilter() ? handle(footer.filter()) : "none"));
    out.println("  properties      " + handle(footer.properties()));
    BloomFilter filter = reader.filter();
    if (filter != null) {
      out.println("  bloom filter    " + filter.bitCount() + " bits, " + filter.probes() + " probes");
    }

    TableProperties p = reader.properties();
    out.println("properties:");
    out.println("  entries         " + p.entryCount());
    out.println("  tombstones      " + p.tombstoneCount());
    out.println("  data blocks     " + p.dataBlockCount());
    out.println("  sequences       " + p.minSequence() + ".." + p.maxSequence());
    out.println("  smallest key    " + EncodedKeys.describe(p.smallestInternalKey()));
    out.println("  largest key     " + EncodedKeys.describe(p.largestInternalKey()));
    out.println("  raw key bytes   " + p.rawKeyBytes());
    out.println("  raw value bytes " + p.rawValueBytes());
    out.println("  file size       " + p.fileSize());
    out.println("  compression     " + p.compression().configName() + ", " + p.compressedDataBlockCount() + " of "
        + p.dataBlockCount() + " data blocks compressed, data bytes " + p.uncompressedDataBytes() + " -> "
        + p.storedDataBytes());

    TableIndex index = reader.index();
    out.println("index: " + index.blockCount() + " data blocks");
    for (int i = 0; i < index.blockCount(); i++) {
      out.println("  block " + i + ": offset " + index.offset(i) + ", size " + index.size(i)
          + ", last key " + EncodedKeys.describe(index.lastKey(i)));
    }

    if (withEntries) {
      out.println("entries:");
    }
    long entries = 0;
    for (int i = 0; i < index.blockCount(); i++) {
      Block block = reader.readDataBlock(i);
      BlockIterator it = block.iterator();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        entries++;
        if (withEntries && inRange(it, from, to)) {
          out.println("  " + EncodedKeys.describe(it.keyBuffer(), 0, it.keyLength()) + " " + preview(it));
        }
      }
    }
    if (entries != p.entryCount()) {
      throw new CorruptionException(reader.fileName() + ": properties record " + p.entryCount()
          + " entries but the data blocks hold " + entries);
    }
    out.println("verified: " + index.blockCount() + " data blocks, " + entries + " entries, all checksums match");
  }

  private static boolean inRange(BlockIterator it, byte[] from, byte[] to) {
    int userLength = it.keyLength() - InternalKey.TRAILER_BYTES;
    return (from == null || InternalKey.compareUserKeys(it.keyBuffer(), 0, userLength, from, 0, from.length) >= 0)
        && (to == null || InternalKey.compareUserKeys(it.keyBuffer(), 0, userLength, to, 0, to.length) < 0);
  }

  private static String handle(BlockHandle h) {
    return "offset " + h.offset() + ", size " + h.size();
  }

  private static String preview(BlockIterator it) {
    int len = it.valueLength();
    int shown = Math.min(len, VALUE_PREVIEW_BYTES);
    byte[] head = Arrays.copyOfRange(it.blockData(), it.valueOffset(), it.valueOffset() + shown);
    return "value " + len + " bytes \"" + InternalKey.printable(head) + (shown < len ? "\"..." : "\"");
  }
}
