package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Reopens what a previous process left in a store directory. Until the manifest exists, the
 * directory listing is the record: every complete SST (a temporary file is an unfinished flush
 * and is deleted) is opened, its footer and checksummed metadata verified, and placed in L0,
 * newest (highest number) first; the last sequence is the largest any file holds.
 */
final class Recovery {
  record Result(List<List<SstFile>> levels, long lastSequence, long nextFileNumber) {}

  private final Path dir;
  private final FileSystem fs;
  private final BlockCache cache;

  Recovery(Path dir, FileSystem fs, BlockCache cache) {
    this.dir = dir;
    this.fs = fs;
    this.cache = cache;
  }

  Result run(Consumer<SstFile> releaser) {
    try {
      fs.createDirectories(dir);
      List<Long> numbers = new ArrayList<>();
      for (String name : fs.list(dir)) {
        if (name.endsWith(FileNames.TEMP_SUFFIX)) {
          fs.delete(dir.resolve(name));
          continue;
        }
        OptionalLong n = FileNames.sstNumber(name);
        if (n.isPresent()) {
          numbers.add(n.getAsLong());
        }
      }
      numbers.sort((a, b) -> Long.compare(b, a));
      List<SstFile> l0 = new ArrayList<>();
      long lastSequence = 0;
      long maxNumber = 0;
      try {
        for (long number : numbers) {
          Path path = FileNames.sst(dir, number);
          TableReader reader = TableReader.open(fs.openReadable(path), number, path.getFileName().toString(), cache);
          SstFile file = new SstFile(number, reader, releaser);
          l0.add(file);
          lastSequence = Math.max(lastSequence, file.properties().maxSequence());
          maxNumber = Math.max(maxNumber, number);
        }
      } catch (IOException | RuntimeException e) {
        for (SstFile f : l0) {
          releaser.accept(f);
        }
        throw e;
      }
      return new Result(List.of(l0), lastSequence, maxNumber + 1);
    } catch (IOException e) {
      throw new StrataException("cannot open store in " + dir + ": " + e.getMessage(), e);
    }
  }
}
