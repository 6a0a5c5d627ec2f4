package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.messages;
import static dev.strata.durability.DurabilityHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.testing.ActorSystemPerClass;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One live Strata per directory: a second open fails saying the directory is locked, until the first closes. */
class LockTest {
  private static final StrataOptions OPTIONS = DurabilityHarness.smallOptions().build();
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  @TempDir Path dir;

  @Test
  void aSecondOpenOfAnOpenDirectoryFailsSayingItIsLocked() {
    try (Strata first = Strata.open(SYSTEM.get(), dir, OPTIONS)) {
      first.put(b("k"), b("v"));
      StrataException e = assertThrows(StrataException.class, () -> Strata.open(SYSTEM.get(), dir, OPTIONS).close());
      assertTrue(e.getMessage().contains("locked"), "the message says the directory is locked: " + messages(e));
      assertEquals("v", s(first.get(b("k"))), "the first store is unaffected");
      first.put(b("k2"), b("v2"));
    }
  }

  @Test
  void afterCloseTheDirectoryOpensAgain() {
    try (Strata first = Strata.open(SYSTEM.get(), dir, OPTIONS)) {
      first.put(b("k"), b("v"));
      assertThrows(StrataException.class, () -> Strata.open(SYSTEM.get(), dir, OPTIONS).close());
    }
    try (Strata second = Strata.open(SYSTEM.get(), dir, OPTIONS)) {
      assertEquals("v", s(second.get(b("k"))));
      second.put(b("k2"), b("v2"));
    }
    try (Strata third = Strata.open(SYSTEM.get(), dir, OPTIONS)) {
      assertEquals("v2", s(third.get(b("k2"))));
    }
  }
}
