package dev.strata.engine;

import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.cache.BlockCache;
import dev.strata.fs.FileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.iterator.InternalIterator;
import dev.strata.iterator.MergingIterator;
import dev.strata.key.InternalKey;
import dev.strata.key.ValueKind;
import dev.strata.readstate.SstFile;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import dev.strata.sst.TableProperties;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Merges a set of SSTs into new ones: for each user key only its newest version survives (the
 * older ones are shadowed for every reader of the resulting state, since readers of older states
 * keep their own pinned files), and a tombstone is dropped too when the output is the bottommost
 * data, as nothing older can lie below it. Outputs are cut near {@code targetSstSizeBytes}, always
 * between two user keys, and written like flushes: under a temporary name, synced, renamed.
 *
 * <p>Thread-safe: a job touches only its own output files.
 */
final class CompactionJob {
  private final Path dir;
  private final FileSystem fs;
  private final BlockCache cache;
  private final TableOptions tableOptions;
  private final long targetBytes;
  private final AtomicLong fileNumbers;
  private final Consumer<SstFile> releaser;

  CompactionJob(Path dir, FileSystem fs, BlockCache cache, StrataOptions options, AtomicLong fileNumbers,
      Consumer<SstFile> releaser) {
    this.dir = dir;
    this.fs = fs;
    this.cache = cache;
    this.tableOptions = new TableOptions(options.blockSizeBytes(), options.bloomBitsPerKey(), 16);
    this.targetBytes = options.targetSstSizeBytes();
    this.fileNumbers = fileNumbers;
    this.releaser = releaser;
  }

  /**
   * Merges {@code inputs}, given newest first (so that on equal internal keys the newer file
   * wins), into new SSTs; returns them in key order. On failure the outputs written so far are
   * deleted.
   */
  List<SstFile> run(List<SstFile> inputs, boolean bottommost, AtomicLong bytesWritten) {
    List<InternalIterator> sources = new ArrayList<>();
    for (SstFile f : inputs) {
      sources.add(f.reader().iterator());
    }
    List<SstFile> outputs = new ArrayList<>();
    Output out = null;
    try (MergingIterator it = new MergingIterator(sources)) {
      byte[] previous = null;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.userKey();
        if (previous != null && InternalKey.compareUserKeys(previous, key) == 0) {
          continue; // an older version of the key just written (or dropped)
        }
        previous = key;
        if (bottommost && it.kind() == ValueKind.DELETE) {
          continue;
        }
        if (out != null && out.builder.estimatedSize() >= targetBytes) {
          outputs.add(out.finish(bytesWritten));
          out = null;
        }
        if (out == null) {
          out = new Output(fileNumbers.getAndIncrement());
        }
        out.builder.add(key, it.sequence(), it.kind(), it.value());
      }
      if (out != null) {
        outputs.add(out.finish(bytesWritten));
        out = null;
      }
      return outputs;
    } catch (IOException | RuntimeException e) {
      if (out != null) {
        out.abandon(e);
      }
      for (SstFile f : outputs) {
        f.markObsolete();
        releaser.accept(f);
      }
      if (e instanceof StrataException se) {
        throw se;
      }
      throw new StrataException("compaction of " + inputs.size() + " SSTs failed: " + e.getMessage(), e);
    }
  }

  /** One output file being written. */
  private final class Output {
    final long number;
    final Path path;
    final Path tmp;
    final WritableFile file;
    final TableBuilder builder;

    Output(long number) throws IOException {
      this.number = number;
      this.path = FileNames.sst(dir, number);
      this.tmp = FileNames.temp(path);
      this.file = fs.create(tmp);
      this.builder = new TableBuilder(file, tableOptions);
    }

    SstFile finish(AtomicLong bytesWritten) throws IOException {
      TableProperties props;
      try {
        props = builder.finish();
      } finally {
        file.close();
      }
      fs.rename(tmp, path);
      fs.syncDirectory(dir);
      bytesWritten.addAndGet(props.fileSize());
      TableReader reader = TableReader.open(fs.openReadable(path), number, path.getFileName().toString(), cache);
      return new SstFile(number, reader, releaser);
    }

    void abandon(Throwable cause) {
      try {
        builder.abandon();
        file.close();
        fs.delete(tmp);
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }
}
