package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.ReadableFile;
import dev.strata.log.LogTestHarness.Outcome;
import dev.strata.log.LogTestHarness.WrittenLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader returns: every record, whole, in order, then a clean end. */
class LogRoundTripTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void manyRecordsOfRandomAndBoundarySizesRoundTrip() throws IOException {
    Random rnd = new Random(LogTestHarness.seed("manyRecordsOfRandomAndBoundarySizesRoundTrip"));
    List<byte[]> records = new ArrayList<>();
    long size = LogFormat.FILE_HEADER_SIZE;
    for (int i = 0; i < 400; i++) {
      int n = switch (rnd.nextInt(10)) {
        case 0 -> 0;
        case 1 -> 1;
        case 2 -> spaceLeftInBlock(size);
        case 3 -> BLOCK_SIZE;
        case 4 -> 100 * 1024;
        case 5 -> rnd.nextInt(50) == 0 ? 1 << 20 : rnd.nextInt(100);
        case 6 -> rnd.nextInt(BLOCK_SIZE * 3);
        default -> rnd.nextInt(500);
      };
      records.add(rnd.nextBoolean() ? LogTestHarness.payload(rnd, n) : new byte[n]);
      size = ends(size, n);
    }
    WrittenLog log = LogTestHarness.write(dir.resolve("random.log"), LogFormat.KIND_WAL, records);
    assertEquals(size, log.bytes().length);
    Outcome o = LogTestHarness.read(log.path(), LogFormat.KIND_WAL);
    LogTestHarness.assertRecords(records, o.records());
    assertTrue(o.cleanEnd());
    assertEquals(log.bytes().length, o.validEnd());
  }

  @Test
  void recordsSpanningManyBlocksRoundTrip() throws IOException {
    Random rnd = new Random(LogTestHarness.seed("recordsSpanningManyBlocksRoundTrip"));
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(LogTestHarness.payload(rnd, 5 * BLOCK_SIZE + rnd.nextInt(3 * BLOCK_SIZE)));
    }
    WrittenLog log = LogTestHarness.write(dir.resolve("big.log"), LogFormat.KIND_MANIFEST, records);
    Outcome o = LogTestHarness.read(log.path(), LogFormat.KIND_MANIFEST);
    LogTestHarness.assertRecords(records, o.records());
    assertTrue(o.cleanEnd());
  }

  @Test
  void positionAndValidEndFollowEachRecordAndEndAtTheFileSize() throws IOException {
    Random rnd = new Random(3);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      records.add(LogTestHarness.payload(rnd, rnd.nextInt(20_000)));
    }
    WrittenLog log = LogTestHarness.write(dir.resolve("positions.log"), LogFormat.KIND_WAL, records);
    try (ReadableFile f = DiskFileSystem.INSTANCE.openReadable(log.path())) {
      LogReader r = new LogReader(f, log.path().toString(), LogFormat.KIND_WAL);
      assertEquals(LogFormat.FILE_HEADER_SIZE, r.position());
      assertEquals(LogFormat.FILE_HEADER_SIZE, r.validEnd());
      for (int i = 0; i < records.size(); i++) {
        assertArrayEquals(records.get(i), r.next());
        assertEquals(log.ends()[i], r.position());
        assertEquals(log.ends()[i], r.validEnd());
      }
      assertNull(r.next());
      assertNull(r.next());
      assertFalse(r.tornTail());
      assertEquals(log.bytes().length, r.position());
    }
  }

  @Test
  void aLogWithOnlyItsHeaderHasNoRecords() throws IOException {
    WrittenLog log = LogTestHarness.write(dir.resolve("header-only.log"), LogFormat.KIND_WAL, List.of());
    Outcome o = LogTestHarness.read(log.path(), LogFormat.KIND_WAL);
    assertEquals(0, o.records().size());
    assertTrue(o.cleanEnd());
    assertEquals(LogFormat.FILE_HEADER_SIZE, o.validEnd());
  }

  /** The payload length that exactly fills the block a record appended at {@code size} lands in. */
  private static int spaceLeftInBlock(long size) {
    long start = LogTestHarness.firstFragmentOffset(size);
    return BLOCK_SIZE - (int) (start % BLOCK_SIZE) - LogFormat.FRAGMENT_HEADER_SIZE;
  }

  /** Where a record of {@code n} payload bytes appended at {@code size} ends, by the format's rules. */
  private static long ends(long size, int n) {
    long pos = size;
    int remaining = n;
    do {
      pos = LogTestHarness.firstFragmentOffset(pos);
      int room = BLOCK_SIZE - (int) (pos % BLOCK_SIZE) - LogFormat.FRAGMENT_HEADER_SIZE;
      int take = Math.min(room, remaining);
      pos += LogFormat.FRAGMENT_HEADER_SIZE + take;
      remaining -= take;
    } while (remaining > 0);
    return pos;
  }
}
