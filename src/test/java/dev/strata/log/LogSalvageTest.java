package dev.strata.log;

import static dev.strata.log.LogFormat.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.CorruptionException;
import dev.strata.log.LogTestHarness.BytesFile;
import dev.strata.log.LogTestHarness.WrittenLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Salvage: after damage, {@link LogReader#skipDamage()} gives up the rest of the bad block and
 * reads on from the next one, dropping the rest of any record cut by the damage, and never
 * taking bytes inside the damaged block for records.
 */
class LogSalvageTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;
  private final Random rnd = new Random(21);

  @Test
  void skippingDamageResumesAtTheNextBlockWithTheFirstRecordThatStartsThere() throws IOException {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(LogTestHarness.payload(rnd, 700)); // about 46 per block, some cut across blocks
    }
    WrittenLog log = LogTestHarness.write(dir.resolve("salvage.log"), LogFormat.KIND_WAL, records);
    int damaged = 10;
    byte[] bytes = LogTestHarness.flip(log.bytes(), log.starts()[damaged] + 20, 0x01);
    LogReader r = new LogReader(new BytesFile(bytes), "x", LogFormat.KIND_WAL);
    List<byte[]> got = new ArrayList<>();
    for (int i = 0; i < damaged; i++) {
      got.add(r.next());
    }
    assertThrows(CorruptionException.class, r::next);
    assertEquals(log.starts()[damaged], r.position());
    assertEquals(BLOCK_SIZE, r.skipDamage());
    for (byte[] rec = r.next(); rec != null; rec = r.next()) {
      got.add(rec);
    }
    int firstInBlock1 = 0;
    while (log.starts()[firstInBlock1] < BLOCK_SIZE) {
      firstInBlock1++;
    }
    List<byte[]> expected = new ArrayList<>(records.subList(0, damaged));
    expected.addAll(records.subList(firstInBlock1, records.size()));
    LogTestHarness.assertRecords(expected, got);
    assertFalse(r.tornTail());
  }

  @Test
  void aRecordCutAcrossTheSkippedBlockIsDroppedWhole() throws IOException {
    List<byte[]> records = List.of(LogTestHarness.payload(rnd, 100), LogTestHarness.payload(rnd, 70_000),
        LogTestHarness.payload(rnd, 100));
    WrittenLog log = LogTestHarness.write(dir.resolve("cut.log"), LogFormat.KIND_WAL, records);
    byte[] bytes = LogTestHarness.flip(log.bytes(), 16 + 7 + 50, 0x01); // inside the first record
    LogReader r = new LogReader(new BytesFile(bytes), "x", LogFormat.KIND_WAL);
    assertThrows(CorruptionException.class, r::next);
    r.skipDamage();
    assertArrayEquals(records.get(2), r.next(), "the MIDDLE and LAST of the cut record are skipped");
    assertNull(r.next());
  }

  @Test
  void skipDamageBeforeAnyDamageIsRefused() throws IOException {
    WrittenLog log = LogTestHarness.write(dir.resolve("fine.log"), LogFormat.KIND_WAL,
        List.of(LogTestHarness.payload(rnd, 10)));
    LogReader r = new LogReader(new BytesFile(log.bytes()), "x", LogFormat.KIND_WAL);
    assertThrows(IllegalStateException.class, r::skipDamage);
  }
}
