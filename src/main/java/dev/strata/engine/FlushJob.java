package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.iterator.InternalIterator;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import dev.strata.sst.TableProperties;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes one frozen memtable as one L0 SST. The file is written under a temporary name, synced,
 * renamed into place and the directory synced, so a crash never leaves a half-written
 * {@code .sst} behind; until the manifest records it, the file is an orphan that recovery deletes.
 * Thread-safe: jobs touch only their own file; file numbers come from the store's shared counter.
 */
final class FlushJob {
  private final Path dir;
  private final FileSystem fs;
  private final BlockCache cache;
  private final TableOptions tableOptions;
  private final AtomicLong nextFileNumber;
  private final Consumer<SstFile> releaser;

  FlushJob(Path dir, FileSystem fs, BlockCache cache, StrataOptions options, AtomicLong fileNumbers,
      Consumer<SstFile> releaser) {
    this.dir = dir;
    this.fs = fs;
    this.cache = cache;
    this.tableOptions = new TableOptions(options.blockSizeBytes(), options.bloomBitsPerKey(), 16);
    this.nextFileNumber = fileNumbers;
    this.releaser = releaser;
  }

  SstFile run(Memtable memtable, AtomicLong bytesWritten) {
    long number = nextFileNumber.getAndIncrement();
    Path path = FileNames.sst(dir, number);
    Path tmp = FileNames.temp(path);
    try {
      TableProperties props;
      try (WritableFile out = fs.create(tmp)) {
        TableBuilder builder = new TableBuilder(out, tableOptions);
        try (InternalIterator it = memtable.iterator()) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            builder.add(it.userKey(), it.sequence(), it.kind(), it.value());
          }
        }
        props = builder.finish();
      }
      fs.rename(tmp, path);
      fs.syncDirectory(dir);
      bytesWritten.addAndGet(props.fileSize());
      TableReader reader = TableReader.open(fs.openReadable(path), number, path.getFileName().toString(), cache);
      return new SstFile(number, reader, releaser);
    } catch (IOException e) {
      try {
        fs.delete(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StrataException("flush of " + memtable + " to " + path + " failed: " + e.getMessage(), e);
    }
  }
}
