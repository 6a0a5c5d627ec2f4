package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

/**
 * Strata's LZ4 block encoder: what it writes decodes to the input with its own decoder and with
 * lz4-java's, keeps the format's end-of-block rules, shrinks what repeats, and stays correct when
 * one encoder is reused across many inputs of any size.
 */
class Lz4BlockEncoderTest {
  private static final long SEED = Long.getLong("strata.test.seed", 0x4c5a35L);

  /** Bytes of which about {@code repeated} are copies of earlier ones, near and far. */
  private static byte[] input(Random random, int length, double repeated) {
    byte[] out = new byte[length];
    int i = 0;
    while (i < length) {
      if (i > 0 && random.nextDouble() < repeated) {
        int distance = 1 + random.nextInt(random.nextInt(4) == 0 ? Math.min(i, 8) : i);
        int run = Math.min(length - i, 4 + random.nextInt(random.nextInt(10) == 0 ? 2_000 : 40));
        for (int k = 0; k < run; k++, i++) {
          out[i] = out[i - distance];
        }
      } else {
        int run = Math.min(length - i, 1 + random.nextInt(random.nextInt(10) == 0 ? 600 : 30));
        for (int k = 0; k < run; k++, i++) {
          out[i] = (byte) random.nextInt(256);
        }
      }
    }
    return out;
  }

  private static byte[] encode(Lz4BlockEncoder encoder, byte[] raw) {
    byte[] out = new byte[Lz4BlockEncoder.maxEncodedLength(raw.length) + 3];
    int n = encoder.encode(raw, 0, raw.length, out, 3);
    return Arrays.copyOfRange(out, 3, 3 + n);
  }

  private static byte[] decodeWithStrata(byte[] block, int length) {
    byte[] out = new byte[length];
    Lz4BlockDecoder.decode(block, 0, block.length, out);
    return out;
  }

  private static byte[] decodeWithLz4Java(byte[] block, int length) {
    byte[] out = new byte[length];
    int read = LZ4Factory.safeInstance().fastDecompressor().decompress(block, 0, out, 0, length);
    assertEquals(block.length, read, "lz4-java read the whole block");
    return out;
  }

  /** Walks the block's sequences and checks LZ4's end-of-block rules against its decoded length. */
  private static void assertEndOfBlockRules(byte[] block, int length) {
    int sp = 0;
    int out = 0;
    while (true) {
      int token = block[sp++] & 0xff;
      int literals = token >>> 4;
      if (literals == 15) {
        int b;
        do {
          b = block[sp++] & 0xff;
          literals += b;
        } while (b == 255);
      }
      sp += literals;
      out += literals;
      if (sp == block.length) {
        assertEquals(length, out);
        assertTrue(length < 13 || literals >= 5, "the last " + literals + " bytes are literals, not 5");
        return;
      }
      sp += 2;
      int match = (token & 15) + 4;
      if ((token & 15) == 15) {
        int b;
        do {
          b = block[sp++] & 0xff;
          match += b;
        } while (b == 255);
      }
      assertTrue(out <= length - 12, "a match starts " + (length - out) + " bytes from the end");
      out += match;
      assertTrue(out <= length - 5, "a match ends " + (length - out) + " bytes from the end");
    }
  }

  @Test
  void oneEncoderReusedOverInputsOfEverySizeRoundTripsThroughBothDecoders() {
    Random random = new Random(SEED);
    Lz4BlockEncoder encoder = new Lz4BlockEncoder();
    for (int round = 0; round < 3_000; round++) {
      int length = switch (round % 4) {
        case 0 -> random.nextInt(40);
        case 1 -> random.nextInt(300);
        case 2 -> random.nextInt(8_192);
        default -> random.nextInt(140_000);
      };
      byte[] raw = input(random, length, random.nextDouble());
      byte[] block = encode(encoder, raw);
      String where = "seed " + SEED + ", round " + round + ", " + length + " bytes";
      assertTrue(block.length <= Lz4BlockEncoder.maxEncodedLength(length), where);
      assertArrayEquals(raw, decodeWithStrata(block, length), where);
      assertArrayEquals(raw, decodeWithLz4Java(block, length), where);
      assertEndOfBlockRules(block, length);
    }
  }

  @Test
  void encodesARangeInsideALargerArray() {
    byte[] raw = input(new Random(SEED + 1), 1_000, 0.7);
    byte[] padded = new byte[raw.length + 20];
    Arrays.fill(padded, (byte) 'x');
    System.arraycopy(raw, 0, padded, 7, raw.length);
    byte[] out = new byte[Lz4BlockEncoder.maxEncodedLength(raw.length)];
    int n = new Lz4BlockEncoder().encode(padded, 7, 7 + raw.length, out, 0);
    assertArrayEquals(raw, decodeWithStrata(Arrays.copyOf(out, n), raw.length));
  }

  @Test
  void whatRepeatsShrinksAndWhatDoesNotGrowsByTheBoundAtMost() {
    Lz4BlockEncoder encoder = new Lz4BlockEncoder();
    byte[] zeros = new byte[100_000];
    assertTrue(encode(encoder, zeros).length < 500, "100,000 zeros in " + encode(encoder, zeros).length + " bytes");
    // A WAL record of the benchmark's values: 26 bytes of header and key, then 50 random bytes twice.
    byte[] half = input(new Random(SEED + 2), 50, 0);
    byte[] record = new byte[126];
    System.arraycopy(input(new Random(SEED + 3), 26, 0), 0, record, 0, 26);
    System.arraycopy(half, 0, record, 26, 50);
    System.arraycopy(half, 0, record, 76, 50);
    byte[] block = encode(encoder, record);
    assertTrue(block.length < 90, "the record in " + block.length + " bytes");
    byte[] noise = input(new Random(SEED + 4), 70_000, 0);
    assertTrue(encode(encoder, noise).length <= Lz4BlockEncoder.maxEncodedLength(noise.length));
    assertArrayEquals(noise, decodeWithStrata(encode(encoder, noise), noise.length));
  }

  @Test
  void positionsLeftByEarlierInputsAreNeverTakenForMatches() {
    // The same bytes twice: a stale table entry pointing into the first input, taken as a match in
    // the second, would decode to wrong bytes or fail.
    Lz4BlockEncoder encoder = new Lz4BlockEncoder();
    byte[] first = input(new Random(SEED + 5), 5_000, 0.3);
    byte[] second = first.clone();
    second[0] ^= 1;
    encode(encoder, first);
    byte[] block = encode(encoder, second);
    assertArrayEquals(second, decodeWithStrata(block, second.length));
  }

  @Test
  void renumberingWhenPositionNumbersWouldOverflowKeepsEncodingRight() {
    Lz4BlockEncoder encoder = new Lz4BlockEncoder(Integer.MAX_VALUE - 10_000);
    Random random = new Random(SEED + 6);
    for (int round = 0; round < 20; round++) {
      byte[] raw = input(random, 3_000, 0.6);
      assertArrayEquals(raw, decodeWithStrata(encode(encoder, raw), raw.length), "round " + round);
    }
  }

  @Test
  void aTooSmallOutputIsRefusedBeforeAnythingIsWritten() {
    byte[] raw = new byte[100];
    byte[] out = new byte[Lz4BlockEncoder.maxEncodedLength(raw.length) - 1];
    assertThrows(IndexOutOfBoundsException.class, () -> new Lz4BlockEncoder().encode(raw, 0, raw.length, out, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> new Lz4BlockEncoder().encode(raw, 50, 101, out, 0));
  }
}
