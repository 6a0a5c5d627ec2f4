package dev.strata.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/** The extension's life cycle, driven by hand as JUnit drives it around a class. */
class ActorSystemPerClassTest {
  @Test
  void theSystemRunsFromBeforeAllToAfterAllAndIsTerminatedThen() throws Exception {
    ActorSystemPerClass perClass = new ActorSystemPerClass("per-class-test");
    IllegalStateException early = assertThrows(IllegalStateException.class, perClass::get);
    assertTrue(early.getMessage().contains("\"per-class-test\""), early.getMessage());

    perClass.beforeAll(null);
    ActorSystem<Void> system = perClass.get();
    assertEquals("per-class-test", system.name());
    assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(), "running between the callbacks");

    perClass.afterAll(null);
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone(), "terminated by afterAll, which waited");
    assertThrows(IllegalStateException.class, perClass::get, "no system after the class");
  }
}
