package dev.strata.engine;

import dev.strata.fs.FileSystem;
import dev.strata.iterator.InternalIterator;
import dev.strata.iterator.MergingIterator;
import dev.strata.manifest.FileMeta;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rewrites a group of level-0 tables ({@link OverlapGroups}) as one table for a repair: a merge
 * that keeps every version of every key, tombstones included (nothing may be dropped: the repair
 * cannot know which snapshot or older table a version shadows), and writes a version that two
 * inputs share once. Stateless.
 */
final class GroupMerge {
  private GroupMerge() {}

  /** The table written and how many entries it holds. */
  record Output(FileMeta meta, long entries) {}

  /** Writes every version of every key of {@code group} into one new L0 SST; a version two inputs share, once. */
  static Output write(FileSystem fs, Path dir, List<FileMeta> group, SstWriter writer) throws IOException {
    List<TableReader> readers = new ArrayList<>();
    SstWriter.Output out = null;
    try {
      List<InternalIterator> inputs = new ArrayList<>();
      for (FileMeta f : group) {
        Path path = FileNames.sst(dir, f.number());
        TableReader reader = TableReader.open(fs.openReadable(path), f.number(), path.getFileName().toString(), null);
        readers.add(reader);
        inputs.add(reader.iterator());
      }
      out = writer.start(0); // a merged group goes to L0
      try (InternalIterator it = new MergingIterator(inputs)) {
        byte[] previousKey = null;
        long previousSequence = -1;
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] key = it.userKey();
          // Duplicates: an SST and a copy of its data a crashed compaction wrote, both found without a manifest.
          if (previousKey != null && it.sequence() == previousSequence && Arrays.equals(previousKey, key)) {
            continue;
          }
          out.builder().add(key, it.sequence(), it.kind(), it.value());
          previousKey = key;
          previousSequence = it.sequence();
        }
      }
      SstFile f = out.finish(new AtomicLong());
      Output written = new Output(f.meta(0), f.properties().entryCount());
      StoreRepair.closeQuietly(f);
      return written;
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.abandon(e);
      }
      throw e;
    } finally {
      for (TableReader r : readers) {
        r.close();
      }
    }
  }
}
