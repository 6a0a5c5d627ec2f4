package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.CorruptionException;
import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

/**
 * Strata's LZ4 block decoder against lz4-java's compressors: whatever they produce decodes to the
 * original bytes; whatever a damaged block holds is a CorruptionException, never an exception of
 * an array index or a wrong length.
 */
class Lz4BlockDecoderTest {
  private static final long SEED = Long.getLong("strata.test.seed", 0x4c5a34L);
  private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

  /** Bytes of which about {@code compressibility} repeat earlier ones, at short and long distances. */
  private static byte[] input(Random random, int length, double compressibility) {
    byte[] out = new byte[length];
    int i = 0;
    while (i < length) {
      if (i > 0 && random.nextDouble() < compressibility) {
        int distance = random.nextInt(4) == 0 ? 1 + random.nextInt(Math.min(i, 8)) : 1 + random.nextInt(i);
        int run = Math.min(length - i, 4 + random.nextInt(random.nextInt(10) == 0 ? 2_000 : 40));
        for (int k = 0; k < run; k++, i++) {
          out[i] = out[i - distance]; // may overlap: distances below the run length repeat a pattern
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

  private static byte[] compress(LZ4Compressor compressor, byte[] raw) {
    byte[] out = new byte[compressor.maxCompressedLength(raw.length)];
    int n = compressor.compress(raw, 0, raw.length, out, 0, out.length);
    return Arrays.copyOf(out, n);
  }

  private static byte[] decode(byte[] compressed, int length) {
    byte[] out = new byte[length];
    Lz4BlockDecoder.decode(compressed, 0, compressed.length, out);
    return out;
  }

  @Test
  void decodesWhatBothLz4JavaCompressorsProduceBackToTheOriginal() {
    Random random = new Random(SEED);
    for (int round = 0; round < 2_000; round++) {
      int length = switch (round % 4) {
        case 0 -> random.nextInt(64);
        case 1 -> random.nextInt(4096);
        case 2 -> 4096 + random.nextInt(4096);
        default -> random.nextInt(70_000);
      };
      byte[] raw = input(random, length, random.nextDouble());
      LZ4Compressor compressor = round % 2 == 0 ? LZ4.fastCompressor() : LZ4.highCompressor();
      byte[] compressed = compress(compressor, raw);
      assertArrayEquals(raw, decode(compressed, raw.length), "seed " + SEED + ", round " + round
          + ", " + length + " bytes");
    }
  }

  @Test
  void decodesLongLiteralRunsLongMatchesAndOneByteRepeats() {
    byte[] zeros = new byte[100_000];
    assertArrayEquals(zeros, decode(compress(LZ4.fastCompressor(), zeros), zeros.length));
    byte[] pattern = new byte[50_000];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = (byte) "abc".charAt(i % 3); // offset 3, overlapping every match
    }
    assertArrayEquals(pattern, decode(compress(LZ4.highCompressor(), pattern), pattern.length));
    byte[] noise = input(new Random(SEED), 5_000, 0); // one literal run far past 15 + 255
    assertArrayEquals(noise, decode(compress(LZ4.fastCompressor(), noise), noise.length));
    assertArrayEquals(new byte[0], decode(compress(LZ4.fastCompressor(), new byte[0]), 0));
  }

  @Test
  void decodesHandWrittenSequences() {
    // "abcd" as literals, then a match of 6 at offset 2 ("cdcdcd"), then "!" as the last literals.
    byte[] block = {0x42, 'a', 'b', 'c', 'd', 0x02, 0x00, 0x10, '!'};
    assertEquals("abcdcdcdcd!", new String(decode(block, 11), java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void aBlockThatIsCutShortAtAnyPointIsCorruption() {
    byte[] raw = input(new Random(SEED + 1), 4096, 0.5);
    byte[] compressed = compress(LZ4.fastCompressor(), raw);
    for (int cut = 0; cut < compressed.length; cut++) {
      byte[] prefix = Arrays.copyOf(compressed, cut);
      assertThrows(CorruptionException.class, () -> decode(prefix, raw.length), "cut at " + cut);
    }
  }

  @Test
  void aWrongRecordedLengthIsCorruption() {
    byte[] raw = input(new Random(SEED + 2), 3000, 0.5);
    byte[] compressed = compress(LZ4.fastCompressor(), raw);
    CorruptionException shorter = assertThrows(CorruptionException.class, () -> decode(compressed, raw.length + 1));
    assertTrue(shorter.getMessage().contains("not the " + (raw.length + 1)), shorter.getMessage());
    assertThrows(CorruptionException.class, () -> decode(compressed, raw.length - 1));
  }

  @Test
  void offsetsOfZeroOrBeforeTheOutputStartAreCorruption() {
    byte[] zeroOffset = {0x10, 'a', 0x00, 0x00, 0x00};
    assertTrue(assertThrows(CorruptionException.class, () -> decode(zeroOffset, 6)).getMessage()
        .contains("match offset of 0"));
    byte[] tooFarBack = {0x10, 'a', 0x02, 0x00, 0x00};
    assertTrue(assertThrows(CorruptionException.class, () -> decode(tooFarBack, 6)).getMessage()
        .contains("match offset of 2"));
  }

  @Test
  void randomDamageIsCorruptionOrSomeOutputOfTheRecordedLengthNeverAnotherException() {
    Random random = new Random(SEED + 3);
    byte[] raw = input(random, 4096, 0.6);
    byte[] compressed = compress(LZ4.fastCompressor(), raw);
    int corrupt = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] damaged = compressed.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
      }
      try {
        assertEquals(raw.length, decode(damaged, raw.length).length);
      } catch (CorruptionException e) {
        corrupt++;
      } catch (RuntimeException e) {
        fail("seed " + (SEED + 3) + ", round " + round + ": " + e, e);
      }
    }
    assertTrue(corrupt > 0, "some damage must be detected");
  }
}
