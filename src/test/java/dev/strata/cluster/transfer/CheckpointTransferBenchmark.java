package dev.strata.cluster.transfer;

import static dev.strata.cluster.transfer.TransferHarness.STUCK_SECONDS;

import akka.actor.typed.ActorSystem;
import akka.stream.SourceRef;
import akka.util.ByteString;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Throughput of a checkpoint transfer between two nodes of this JVM over Artery on localhost, for
 * a store of about 200 MB (SSTs and a WAL tail). Not part of the suite (its name matches none of
 * surefire's patterns); run it with
 * {@code mvn -B test -Dtest=CheckpointTransferBenchmark -Dsurefire.failIfNoSpecifiedTests=false},
 * optionally {@code -Dstrata.bench.transfer.mb=N}. Prints, per run, the time to take the checkpoint
 * and offer it, and the receive time and MB/s (file data over the receiver's whole call, install
 * included).
 */
class CheckpointTransferBenchmark {
  @Test
  void transferAStoreOfAbout200MB() throws Exception {
    int megabytes = Integer.getInteger("strata.bench.transfer.mb", 200);
    Path root = Files.createTempDirectory("transfer-bench");
    ActorSystem<Void> sender = TransferHarness.newNode("bench-sender");
    ActorSystem<Void> receiver = TransferHarness.newNode("bench-receiver");
    try (Strata store = Strata.open(sender, root.resolve("store"), StrataOptions.defaults())) {
      int keys = megabytes * 1024;
      for (int i = 0; i < keys; i++) {
        store.put(TransferHarness.b(TransferHarness.key(i)), TransferHarness.value(i, 0, 1000));
      }
      store.flush();
      for (int i = 0; i < keys / 20; i++) { // a WAL tail of about 5%
        store.put(TransferHarness.b(TransferHarness.key(i)), TransferHarness.value(i, 1, 1000));
      }
      System.out.println("store: " + store.stats());
      for (int run = 1; run <= 3; run++) {
        long t0 = System.nanoTime();
        SourceRef<ByteString> ref = TransferHarness.requestOffer(sender, receiver, store, TransferHarness::untouched);
        long offered = System.nanoTime() - t0;
        TransferReport report = CheckpointTransfer.receive(receiver, ref, root.resolve("copy-" + run))
            .toCompletableFuture().get(10 * STUCK_SECONDS, TimeUnit.SECONDS);
        System.out.printf("run %d: offer (checkpoint) %d ms; received %d files, %.1f MB in %d ms: %.1f MB/s%n", run,
            offered / 1_000_000, report.files(), report.bytes() / 1e6, report.duration().toMillis(),
            report.bytesPerSecond() / 1e6);
        deleteTree(root.resolve("copy-" + run));
      }
    } finally {
      TransferHarness.terminate(sender);
      TransferHarness.terminate(receiver);
      deleteTree(root);
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
