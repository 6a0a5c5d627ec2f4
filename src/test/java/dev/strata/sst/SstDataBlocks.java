package dev.strata.sst;

import dev.strata.fs.DiskFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data blocks of an SST file as its index places them, with the user keys each holds: lets a
 * test outside this package damage one block and know exactly which entries went with it.
 */
public final class SstDataBlocks {
  private SstDataBlocks() {}

  /** One data block: where it is (contents only, trailer excluded) and the user keys of its entries, in order. */
  public record Span(long offset, int size, List<byte[]> userKeys) {}

  public static List<Span> of(Path sst) throws IOException {
    List<Span> spans = new ArrayList<>();
    try (TableReader reader = TableReader.open(DiskFileSystem.INSTANCE.openReadable(sst), 0, null, null)) {
      TableIndex index = reader.index();
      for (int i = 0; i < index.blockCount(); i++) {
        List<byte[]> keys = new ArrayList<>();
        BlockIterator it = reader.readDataBlock(i).iterator();
        for (it.seekToFirst(); it.isValid(); it.next()) {
          keys.add(it.userKey());
        }
        spans.add(new Span(index.offset(i), index.size(i), keys));
      }
    }
    return spans;
  }
}
