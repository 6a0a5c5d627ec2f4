package dev.strata.cluster.multijvm;

import dev.strata.cluster.Keyspace;
import dev.strata.cluster.history.History;
import dev.strata.cluster.history.Operation.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A client workload on a keyspace, recorded into a {@link History}: {@code processes} threads,
 * each issuing one operation at a time on a small set of keys (so that keys see many concurrent
 * writes and reads): 45% puts of a value no other put uses, 45% gets, 10% deletes. An operation
 * that fails is recorded and the thread goes on with the next.
 *
 * <p>Thread-safe: started and stopped by one thread, run by its own.
 */
final class ClusterWorkload {
  private final Keyspace keyspace;
  private final History history;
  private final List<String> keys = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Duration answerWithin;
  private volatile boolean running = true;

  /**
   * @param answerWithin how long a thread waits for an answer before it moves on (the keyspace's
   *     ask timeout and a margin: the operation then stays pending, and ends unknown)
   */
  ClusterWorkload(Keyspace keyspace, History history, int processes, int keyCount, long seed, Duration answerWithin) {
    this.keyspace = keyspace;
    this.history = history;
    this.answerWithin = answerWithin;
    for (int k = 0; k < keyCount; k++) {
      keys.add(String.format("key-%03d", k));
    }
    for (int p = 0; p < processes; p++) {
      int process = p;
      SplittableRandom rnd = new SplittableRandom(seed * 1_000_003 + p);
      Thread thread = new Thread(() -> run(process, rnd), "workload-" + p);
      thread.setDaemon(true);
      threads.add(thread);
    }
  }

  List<String> keys() {
    return keys;
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /** Stops issuing operations and waits until each thread has its last one answered (or gave up on it). */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(answerWithin.toMillis() + 10_000);
    }
  }

  private void run(int process, SplittableRandom rnd) {
    int written = 0;
    while (running) {
      String key = keys.get(rnd.nextInt(keys.size()));
      byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
      int dice = rnd.nextInt(100);
      CompletionStage<?> reply;
      if (dice < 45) {
        String value = "p" + process + "-" + written++;
        reply = history.write(process, Kind.PUT, key, value,
            keyspace.put(keyBytes, value.getBytes(StandardCharsets.UTF_8)));
      } else if (dice < 90) {
        reply = history.read(process, key, keyspace.get(keyBytes)
            .thenApply(v -> v.map(bytes -> new String(bytes, StandardCharsets.UTF_8))));
      } else {
        reply = history.write(process, Kind.DELETE, key, null, keyspace.delete(keyBytes));
      }
      try {
        reply.toCompletableFuture().get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // Recorded by the history (or still pending there, hence unknown): go on.
      }
    }
  }

  /** The value of {@code key} through the keyspace, asked until it answers (empty: absent). */
  static Optional<String> readUntilAnswered(Keyspace keyspace, String key, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        return keyspace.get(key.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(within.toMillis(),
            TimeUnit.MILLISECONDS).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the keyspace does not answer a get of " + key + " within " + within, e);
        }
        Thread.sleep(200);
      }
    }
  }
}
