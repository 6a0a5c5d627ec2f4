package dev.strata.akka.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Limits;
import org.junit.jupiter.api.Test;

/** A stream element is checked against the store's limits when it is made, not when it is written. */
class KeyValueTest {
  @Test
  void aKeyAndAValueAtTheLimitsAreAccepted() {
    KeyValue kv = KeyValue.put(new byte[Limits.MAX_KEY_BYTES], new byte[Limits.MAX_VALUE_BYTES]);
    assertEquals(Limits.MAX_KEY_BYTES, kv.key().length);
    assertEquals(Limits.MAX_VALUE_BYTES, kv.value().length);
    assertEquals(Limits.MAX_KEY_BYTES, KeyValue.delete(new byte[Limits.MAX_KEY_BYTES]).key().length);
  }

  @Test
  void aKeyPastTheLimitIsRejectedByPutAndDeleteNamingTheLimit() {
    byte[] key = new byte[Limits.MAX_KEY_BYTES + 1];
    for (Runnable make : new Runnable[] {() -> KeyValue.put(key, new byte[0]), () -> KeyValue.delete(key)}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
      assertEquals("key is " + (Limits.MAX_KEY_BYTES + 1) + " bytes; the limit is " + Limits.MAX_KEY_BYTES,
          e.getMessage());
    }
  }

  @Test
  void aValuePastTheLimitIsRejectedNamingTheLimit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KeyValue.put(new byte[1], new byte[Limits.MAX_VALUE_BYTES + 1]));
    assertEquals("value is " + (Limits.MAX_VALUE_BYTES + 1) + " bytes; the limit is " + Limits.MAX_VALUE_BYTES,
        e.getMessage());
  }

  @Test
  void nullArraysAreRejectedSayingWhichIsNull() {
    NullPointerException noKey = assertThrows(NullPointerException.class, () -> KeyValue.put(null, new byte[0]));
    assertTrue(noKey.getMessage().contains("key"), noKey.getMessage());
    NullPointerException noValue = assertThrows(NullPointerException.class, () -> KeyValue.put(new byte[0], null));
    assertTrue(noValue.getMessage().contains("use delete"), noValue.getMessage());
  }

  @Test
  void theEmptyKeyAndTheEmptyValueAreLegal() {
    KeyValue kv = KeyValue.put(new byte[0], new byte[0]);
    assertArrayEquals(new byte[0], kv.key());
    assertArrayEquals(new byte[0], kv.value());
  }
}
