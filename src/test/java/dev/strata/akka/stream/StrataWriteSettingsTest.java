package dev.strata.akka.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StrataWriteSettingsTest {
  @Test
  void theDefaultsAreThoseOfReferenceConf() {
    StrataWriteSettings fromConf = StrataWriteSettings.create(ConfigFactory.defaultReference().getConfig("strata.stream"));
    assertEquals(fromConf, StrataWriteSettings.create());
    assertEquals("StrataWriteSettings(batchSize=4000, batchWindow=5ms, maxBatchBytes=4194304, parallelism=4)",
        StrataWriteSettings.create().toString());
  }

  @Test
  void createWithASystemReadsItsStrataStreamBlockAndKeepsDefaultsForMissingKeys() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "settings-test",
        ConfigFactory.parseString("strata.stream { batch-size = 7, batch-window = 250 us }")
            .withFallback(ConfigFactory.load()));
    try {
      StrataWriteSettings s = StrataWriteSettings.create(system);
      assertEquals(7, s.batchSize());
      assertEquals(Duration.ofNanos(250_000), s.batchWindow());
      assertEquals(StrataWriteSettings.create().parallelism(), s.parallelism());
      assertEquals(StrataWriteSettings.create().maxBatchBytes(), s.maxBatchBytes());
      assertEquals("StrataWriteSettings(batchSize=7, batchWindow=250us, maxBatchBytes=4194304, parallelism=4)",
          s.toString());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get();
    }
  }

  @Test
  void withMethodsReturnChangedCopiesAndLeaveTheOriginal() {
    StrataWriteSettings base = StrataWriteSettings.create();
    StrataWriteSettings changed = base.withBatchSize(10).withBatchWindow(Duration.ofMillis(1))
        .withMaxBatchBytes(4096).withParallelism(2);
    assertEquals(10, changed.batchSize());
    assertEquals(Duration.ofMillis(1), changed.batchWindow());
    assertEquals(4096, changed.maxBatchBytes());
    assertEquals(2, changed.parallelism());
    assertEquals(StrataWriteSettings.create(), base);
    assertNotEquals(base, changed);
  }

  private static String rejected(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void badValuesAreRejectedWithAMessageThatNamesThem() {
    StrataWriteSettings s = StrataWriteSettings.create();
    assertEquals("batchSize must be at least 1, got 0", rejected(() -> s.withBatchSize(0)));
    assertEquals("parallelism must be at least 1, got -1", rejected(() -> s.withParallelism(-1)));
    assertEquals("batchWindow must be positive, got PT0S", rejected(() -> s.withBatchWindow(Duration.ZERO)));
    assertEquals("maxBatchBytes must be between 1 and 268435456 (the store's limit on a write batch), got 268435457",
        rejected(() -> s.withMaxBatchBytes(268_435_457L)));
    assertThrows(NullPointerException.class, () -> s.withBatchWindow(null));
  }

  @Test
  void aBadConfigValueIsRejectedWithItsPath() {
    assertEquals("strata.stream: parallelism must be at least 1, got 0", rejected(() ->
        StrataWriteSettings.create(ConfigFactory.parseString("parallelism = 0"))));
  }
}
