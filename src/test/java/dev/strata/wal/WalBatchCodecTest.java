package dev.strata.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CorruptionException;
import dev.strata.WriteBatch;
import dev.strata.util.ByteBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalBatchCodecTest {
  private static List<String> decode(byte[] payload) {
    List<String> ops = new ArrayList<>();
    WalBatchCodec.decode(payload, "test", (k, seq, kind, v) ->
        ops.add(new String(k) + "@" + seq + ":" + kind + (v == null ? "" : "=" + new String(v))));
    return ops;
  }

  @Test
  void aBatchRoundTripsWithConsecutiveSequences() {
    ByteBuilder out = new ByteBuilder();
    WalBatchCodec.encodeBatch(out, 100, new WriteBatch().put("a".getBytes(), "1".getBytes())
        .delete("b".getBytes()).put("c".getBytes(), new byte[0]));
    assertEquals(List.of("a@100:PUT=1", "b@101:DELETE", "c@102:PUT="), decode(out.toByteArray()));
    assertEquals(102, WalBatchCodec.decode(out.toByteArray(), "t", (k, s, kind, v) -> { }));
  }

  @Test
  void aSinglePutAndDeleteRoundTrip() {
    ByteBuilder out = new ByteBuilder();
    WalBatchCodec.encodeSingle(out, 7, "k".getBytes(), "v".getBytes());
    assertEquals(List.of("k@7:PUT=v"), decode(out.toByteArray()));
    WalBatchCodec.encodeSingle(out, 8, "k".getBytes(), null);
    assertEquals(List.of("k@8:DELETE"), decode(out.toByteArray()));
  }

  @Test
  void aDamagedRecordAppliesNothing() {
    ByteBuilder out = new ByteBuilder();
    WalBatchCodec.encodeBatch(out, 1, new WriteBatch().put("a".getBytes(), "1".getBytes()).put("b".getBytes(), "2".getBytes()));
    byte[] p = out.toByteArray();
    for (int len = 0; len < p.length; len++) {
      byte[] cut = Arrays.copyOf(p, len);
      List<String> applied = new ArrayList<>();
      assertThrows(CorruptionException.class, () -> WalBatchCodec.decode(cut, "wal", (k, s, kind, v) -> applied.add("x")));
      assertEquals(List.of(), applied, "nothing applied from a record cut at " + len);
    }
  }

  @Test
  void unknownVersionAndKindAreCorruption() {
    ByteBuilder out = new ByteBuilder();
    WalBatchCodec.encodeSingle(out, 1, "k".getBytes(), "v".getBytes());
    byte[] p = out.toByteArray();
    byte[] badVersion = p.clone();
    badVersion[0] = 3;
    assertThrows(CorruptionException.class, () -> decode(badVersion));
    byte[] badKind = p.clone();
    badKind[3] = 9;
    assertThrows(CorruptionException.class, () -> decode(badKind));
  }

  // ---------------------------------------------------------------- compressed records (version 2)

  /** A value like the benchmark's: {@code length / 2} random bytes, then the same bytes again. */
  private static byte[] halfCompressible(Random random, int length) {
    byte[] v = new byte[length];
    byte[] half = new byte[length / 2];
    random.nextBytes(half);
    System.arraycopy(half, 0, v, 0, half.length);
    System.arraycopy(half, 0, v, half.length, half.length);
    return v;
  }

  @Test
  void aCompressedRecordDecodesToTheSameOperationsAndSequences() {
    Random random = new Random(17);
    WriteBatch batch = new WriteBatch().put("key-1".getBytes(), halfCompressible(random, 100))
        .delete("key-2".getBytes()).put("key-3".getBytes(), halfCompressible(random, 300));
    ByteBuilder raw = new ByteBuilder();
    WalBatchCodec.encodeBatch(raw, 1_000_000, batch);
    byte[] plain = raw.toByteArray();
    ByteBuilder compressed = new WalBatchCodec.Compressor().compress(raw);
    byte[] z = compressed.toByteArray();
    assertEquals(WalBatchCodec.VERSION_LZ4, z[0]);
    assertTrue(z.length < plain.length * 3 / 4, z.length + " bytes for " + plain.length);
    assertEquals(decode(plain), decode(z));
    assertEquals(1_000_002, WalBatchCodec.decode(z, "t", (k, s, kind, v) -> { }));
    assertEquals(1_000_000, WalBatchCodec.firstSequence(z));
  }

  @Test
  void recordsTooSmallOrTooRandomToGainAnEighthAreLoggedAsTheyAre() {
    WalBatchCodec.Compressor compressor = new WalBatchCodec.Compressor();
    ByteBuilder raw = new ByteBuilder();
    WalBatchCodec.encodeSingle(raw, 5, "a-key-of-some-length".getBytes(), null);
    assertSame(raw, compressor.compress(raw), "a delete");
    WalBatchCodec.encodeSingle(raw, 6, "k".getBytes(), "twenty bytes of text".getBytes());
    assertSame(raw, compressor.compress(raw), "ops under " + WalBatchCodec.Compressor.MIN_OPS_BYTES + " bytes");
    byte[] noise = new byte[500];
    new Random(3).nextBytes(noise);
    WalBatchCodec.encodeSingle(raw, 7, "k".getBytes(), noise);
    assertSame(raw, compressor.compress(raw), "random bytes");
    WalBatchCodec.encodeSingle(raw, 8, "k".getBytes(), new byte[WalBatchCodec.Compressor.MAX_OPS_BYTES]);
    assertSame(raw, compressor.compress(raw), "over " + WalBatchCodec.Compressor.MAX_OPS_BYTES + " bytes, zeros or not");
  }

  @Test
  void oneCompressorOverManyRecordsOfEveryShapeLogsEachSoThatItDecodesToItsOwnOperations() {
    Random random = new Random(23);
    WalBatchCodec.Compressor compressor = new WalBatchCodec.Compressor();
    for (int i = 0; i < 2_000; i++) {
      WriteBatch batch = new WriteBatch();
      for (int n = 1 + random.nextInt(i % 10 == 0 ? 200 : 3); n > 0; n--) {
        byte[] key = ("key-" + random.nextInt(1_000)).getBytes();
        if (random.nextInt(5) == 0) {
          batch.delete(key);
        } else {
          int length = random.nextInt(random.nextInt(20) == 0 ? 70_000 : 300);
          byte[] value = random.nextBoolean() ? halfCompressible(random, length) : new byte[length];
          if (random.nextInt(3) == 0) {
            random.nextBytes(value);
          }
          batch.put(key, value);
        }
      }
      ByteBuilder raw = new ByteBuilder();
      WalBatchCodec.encodeBatch(raw, 1 + i * 1_000L, batch);
      List<String> expected = decode(raw.toByteArray());
      assertEquals(expected, decode(compressor.compress(raw).toByteArray()), "record " + i);
    }
  }

  @Test
  void aDamagedCompressedRecordIsCorruptionAndAppliesNothing() {
    Random random = new Random(29);
    ByteBuilder raw = new ByteBuilder();
    WalBatchCodec.encodeBatch(raw, 1, new WriteBatch().put("a".getBytes(), halfCompressible(random, 400))
        .put("b".getBytes(), halfCompressible(random, 400)));
    byte[] z = new WalBatchCodec.Compressor().compress(raw).toByteArray();
    assertEquals(WalBatchCodec.VERSION_LZ4, z[0]);
    int damaged = 0;
    for (int round = 0; round < 2_000; round++) {
      byte[] bad = z.clone();
      int at = 3 + random.nextInt(bad.length - 3); // the operations' length and the compressed operations
      bad[at] ^= (byte) (1 + random.nextInt(255));
      List<String> applied = new ArrayList<>();
      try {
        WalBatchCodec.decode(bad, "wal", (k, s, kind, v) -> applied.add(new String(k)));
      } catch (CorruptionException e) {
        damaged++;
        assertEquals(List.of(), applied, "nothing applied from a record that failed");
      }
    }
    assertTrue(damaged > 0, "no damaged record was refused"); // a changed literal decodes (the log's CRC catches it)
    for (int len = 0; len < z.length; len++) {
      byte[] cut = Arrays.copyOf(z, len);
      assertThrows(CorruptionException.class, () -> decode(cut), "cut at " + len);
    }
  }

  @Test
  void aCompressedRecordThatClaimsMoreThanItsBytesCanHoldIsRefusedBeforeAnyAllocation() {
    // version 2, sequence 1, 1 operation, 2^31 - 1 bytes of operations, then 3 bytes of "LZ4".
    byte[] claim = {2, 1, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x10, 'a', 0};
    CorruptionException e = assertThrows(CorruptionException.class, () -> decode(claim));
    assertEquals("test: compressed WAL record claims 2147483647 bytes of operations from 3 compressed bytes",
        e.getMessage());
  }
}
