package dev.strata.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.fs.WritableFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lastRecordStart names where a record begins, past any block trailer before it. */
class LogRecordStartTest {
  @TempDir Path dir;

  @Test
  void aRecordAfterABlockTrailerStartsAtTheNextBlock() throws Exception {
    Path path = dir.resolve("log");
    // Fill block 0 up to 3 bytes short of its end, so the next record skips a 3-byte trailer.
    int first = LogFormat.BLOCK_SIZE - LogFormat.FILE_HEADER_SIZE - LogFormat.FRAGMENT_HEADER_SIZE - 3;
    try (WritableFile out = DiskFileSystem.INSTANCE.create(path)) {
      LogWriter w = new LogWriter(out, LogFormat.KIND_WAL);
      w.addRecord(new byte[first]);
      w.addRecord(new byte[] {1, 2, 3});
    }
    try (ReadableFile in = DiskFileSystem.INSTANCE.openReadable(path)) {
      LogReader r = new LogReader(in, "log", LogFormat.KIND_WAL);
      r.next();
      assertEquals(LogFormat.FILE_HEADER_SIZE, r.lastRecordStart());
      r.next();
      assertEquals(LogFormat.BLOCK_SIZE, r.lastRecordStart());
      r.next();
      assertEquals(-1, r.lastRecordStart());
    }
  }
}
