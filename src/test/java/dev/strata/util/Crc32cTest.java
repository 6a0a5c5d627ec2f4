package dev.strata.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Crc32cTest {
  @Test
  void theStandardCheckValueOfCrc32cIsE3069283() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, Crc32c.compute(check, 0, check.length));
  }

  @Test
  void maskingIsReversibleAndChangesTheValue() {
    for (int crc : new int[] {0, 1, 0xE3069283, -1, 0x12345678}) {
      assertEquals(crc, Crc32c.unmask(Crc32c.mask(crc)));
      assertNotEquals(crc, Crc32c.mask(crc));
      assertNotEquals(crc, Crc32c.mask(Crc32c.mask(crc)));
    }
  }
}
