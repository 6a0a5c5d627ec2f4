package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A job's file operations run until the store lets go of its directory, and none after. */
class DirectoryFenceTest {
  private static final Duration HANG = Duration.ofSeconds(30);

  @Test
  void operationsRunUntilTheFenceClosesAndNoneRunsAfter() throws IOException {
    DirectoryFence fence = new DirectoryFence();
    AtomicInteger ran = new AtomicInteger();
    assertEquals(1, fence.run(ran::incrementAndGet));
    assertTrue(fence.close(Duration.ZERO));
    IOException refused = assertThrows(IOException.class, () -> fence.run(ran::incrementAndGet));
    assertTrue(refused.getMessage().contains("store is closed"), refused.getMessage());
    assertEquals(1, ran.get(), "the refused operation did not run");
  }

  @Test
  void closeWaitsForAnOperationUnderWayAndGivesUpOnOneStuckPastItsBound() throws Exception {
    DirectoryFence fence = new DirectoryFence();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> op = CompletableFuture.runAsync(() -> {
      try {
        fence.run(() -> {
          inside.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
          return null;
        });
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    inside.await();
    assertTimeoutPreemptively(HANG, () -> assertFalse(fence.close(Duration.ofMillis(50)), "the operation is stuck"));
    release.countDown();
    assertTimeoutPreemptively(HANG, () -> op.join());
    assertTrue(fence.close(HANG), "nothing runs any more");
  }
}
