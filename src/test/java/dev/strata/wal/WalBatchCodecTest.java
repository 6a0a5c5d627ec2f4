package dev.strata.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.CorruptionException;
import dev.strata.WriteBatch;
import dev.strata.util.ByteBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    badVersion[0] = 2;
    assertThrows(CorruptionException.class, () -> decode(badVersion));
    byte[] badKind = p.clone();
    badKind[3] = 9;
    assertThrows(CorruptionException.class, () -> decode(badKind));
  }
}
