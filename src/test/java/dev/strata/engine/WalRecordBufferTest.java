package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataOptions;
import dev.strata.WriteBatch;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.memtable.Memtable;
import dev.strata.readstate.ReadState;
import dev.strata.readstate.ReadStateCell;
import dev.strata.wal.WalWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The buffer a write's WAL record is encoded into is kept between writes, but not after a huge
 * one: a single 4 MiB batch must not pin 4 MiB of heap for the life of the store.
 */
class WalRecordBufferTest {
  private static final Path DIR = Path.of("/wal-record-buffer");

  private static WritePath writePath(InMemoryFileSystem fs) throws Exception {
    StrataOptions options = StrataOptions.builder().memtableSizeBytes(64L << 20).build();
    fs.createDirectories(DIR);
    WalWriter wal = WalWriter.create(fs, DIR.resolve("000001.log"), 1, Runnable::run);
    ReadStateCell cell = new ReadStateCell(ReadState.initial(new Memtable(1, options.memtableSizeBytes()),
        List.of(), List.of()));
    ErrorState errors = new ErrorState(DIR);
    return new WritePath(options, cell, errors, 0, wal, new CallerSync(errors, new EngineStats()));
  }

  @Test
  void theRecordBufferIsKeptAcrossSmallWritesAndShrinksBackAfterAHugeBatch() throws Exception {
    WritePath writes = writePath(new InMemoryFileSystem());
    assertTrue(writes.tryPut(new byte[] {1}, new byte[100], true));
    assertEquals(WritePath.WAL_RECORD_INITIAL_BYTES, writes.walRecordCapacity());

    WriteBatch huge = new WriteBatch();
    for (int i = 0; i < 64; i++) {
      huge.put(new byte[] {2, (byte) i}, new byte[64 * 1024]); // 4 MiB in all
    }
    assertTrue(writes.tryWrite(huge, null, true));
    assertEquals(WritePath.WAL_RECORD_INITIAL_BYTES, writes.walRecordCapacity(), "the 4 MiB buffer was let go");
    assertEquals(65, writes.lastSequence());

    WriteBatch large = new WriteBatch().put(new byte[] {3}, new byte[512 * 1024]);
    assertTrue(writes.tryWrite(large, null, true));
    int kept = writes.walRecordCapacity();
    assertTrue(kept > 512 * 1024 && kept <= WritePath.WAL_RECORD_RETAINED_BYTES,
        "a buffer within the limit is kept for the next large write: " + kept);
  }
}
