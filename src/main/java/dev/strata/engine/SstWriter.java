package dev.strata.engine;

import dev.strata.Compression;
import dev.strata.StrataOptions;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.fs.WritableFile;
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
 * Writes new SSTs for flushes and compactions: each under a temporary name, synced, renamed into
 * place and the directory synced, so a crash never leaves a half-written {@code .sst} behind;
 * until the manifest records it, a finished file is an orphan that recovery deletes. Numbers come
 * from the store's shared file-number counter. Thread-safe; each {@link Output} is not.
 */
final class SstWriter {
  private final Path dir;
  private final FileSystem fs;
  private final BlockCache cache;
  private final TableOptions tableOptions;
  private final StrataOptions options;
  private final AtomicLong fileNumbers;
  private final Consumer<SstFile> releaser;
  /** Every change to the directory goes through it: none once the store let go of the directory. */
  private final DirectoryFence fence = new DirectoryFence();

  SstWriter(Path dir, FileSystem fs, BlockCache cache, StrataOptions options, AtomicLong fileNumbers,
      Consumer<SstFile> releaser) {
    this.dir = dir;
    this.fs = fs;
    this.cache = cache;
    this.tableOptions = new TableOptions(options.blockSizeBytes(), options.bloomBitsPerKey(), 16);
    this.options = options;
    this.fileNumbers = fileNumbers;
    this.releaser = releaser;
  }

  /**
   * Starts a new SST under the next file number, for {@code level}: its data blocks are compressed
   * as the options say for that level (flushes write level 0; compactions their output level).
   */
  Output start(int level) throws IOException {
    Compression c = options.compressionForLevel(level);
    return new Output(fileNumbers.getAndIncrement(), tableOptions.withCompression(c));
  }

  Consumer<SstFile> releaser() {
    return releaser;
  }

  DirectoryFence fence() {
    return fence;
  }

  /** One SST being written. */
  final class Output {
    private final long number;
    private final Path path;
    private final Path tmp;
    private final WritableFile file;
    private final TableBuilder builder;
    /** Set once the file is under its final name: abandoning it then deletes that name. */
    private boolean renamed;

    private Output(long number, TableOptions tableOptions) throws IOException {
      this.number = number;
      this.path = FileNames.sst(dir, number);
      this.tmp = FileNames.temp(path);
      this.file = fence.guard(fence.run(() -> fs.create(tmp)));
      this.builder = new TableBuilder(file, tableOptions);
    }

    TableBuilder builder() {
      return builder;
    }

    Path path() {
      return path;
    }

    /** Completes, syncs and installs the file under its name; returns it open for reading. */
    SstFile finish(AtomicLong bytesWritten) throws IOException {
      TableProperties props;
      try {
        props = builder.finish();
      } finally {
        file.close();
      }
      fence.run(() -> {
        fs.rename(tmp, path);
        return null;
      });
      renamed = true;
      fence.run(() -> {
        fs.syncDirectory(dir);
        return null;
      });
      bytesWritten.addAndGet(props.fileSize());
      TableReader reader = TableReader.open(fs.openImmutable(path), number, path.getFileName().toString(), cache);
      return new SstFile(number, reader, releaser);
    }

    /**
     * Drops an unfinished file, under whichever name it has (a flush retried on a full device must
     * not leave a file behind at each attempt); failures to clean up are added to {@code cause}.
     */
    void abandon(Throwable cause) {
      try {
        builder.abandon();
        file.close();
        Path doomed = renamed ? path : tmp;
        fence.run(() -> {
          fs.delete(doomed);
          return null;
        });
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }
}
