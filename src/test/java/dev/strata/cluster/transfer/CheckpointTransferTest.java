package dev.strata.cluster.transfer;

import static dev.strata.cluster.transfer.TransferHarness.STUCK_SECONDS;
import static dev.strata.cluster.transfer.TransferHarness.b;
import static dev.strata.cluster.transfer.TransferHarness.digest;
import static dev.strata.cluster.transfer.TransferHarness.filesEndingWith;
import static dev.strata.cluster.transfer.TransferHarness.holdsEntryWith;
import static dev.strata.cluster.transfer.TransferHarness.key;
import static dev.strata.cluster.transfer.TransferHarness.names;
import static dev.strata.cluster.transfer.TransferHarness.requestOffer;
import static dev.strata.cluster.transfer.TransferHarness.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.stream.SourceRef;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamRefs;
import akka.util.ByteString;
import dev.strata.Bound;
import dev.strata.CorruptionException;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataIterator;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FaultInjectingFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint streamed from one node to another, over Artery between two ActorSystems of this
 * JVM, the offer handed over in a message: it arrives whole and identical or not at all, and a
 * failed transfer says what failed and leaves nothing behind on either side.
 */
class CheckpointTransferTest {
  private static ActorSystem<Void> sender;
  private static ActorSystem<Void> receiver;

  @TempDir
  Path senderRoot;
  @TempDir
  Path receiverRoot;

  @BeforeAll
  static void startNodes() {
    sender = TransferHarness.newNode("sender");
    receiver = TransferHarness.newNode("receiver");
  }

  @AfterAll
  static void stopNodes() throws Exception {
    TransferHarness.terminate(sender);
    TransferHarness.terminate(receiver);
  }

  private Strata newStore() {
    return Strata.open(sender, senderRoot.resolve("store"), TransferHarness.smallTables());
  }

  private static TransferReport receive(SourceRef<ByteString> ref, Path target) throws Exception {
    return CheckpointTransfer.receive(receiver, ref, target).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
  }

  /** The exception a failed receive failed with. */
  private static Throwable failureOf(SourceRef<ByteString> ref, Path target) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> receive(ref, target));
    return e.getCause();
  }

  /** Neither a target nor a staging directory beside it; the sender's checkpoint deleted. */
  private void assertNothingLeft(Path target) throws Exception {
    assertFalse(Files.exists(target), target + " must not be installed");
    assertFalse(holdsEntryWith(receiverRoot, TransferDirectories.INCOMING),
        "a staging directory is left: " + names(receiverRoot));
    TransferHarness.await(() -> !holdsEntryWith(senderRoot, TransferDirectories.OUTGOING),
        "the sender deletes its checkpoint");
  }

  @Test
  void aStoreWithSstsAndAWalTailArrivesIdentical() throws Exception {
    Path target = receiverRoot.resolve("copy");
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 20_000, 100);
      assertTrue(filesEndingWith(store.directory(), ".sst") >= 3, "several SSTs: " + names(store.directory()));
      String expected = digest(store);

      TransferReport report = receive(requestOffer(sender, receiver, store, TransferHarness::untouched), target);

      assertTrue(filesEndingWith(target, ".wal") >= 1 && filesEndingWith(target, ".sst") >= 3,
          "SSTs and the WAL tail arrived: " + names(target));
      assertEquals(names(target).size(), report.files());
      long bytes = 0;
      for (String n : names(target)) {
        bytes += Files.size(target.resolve(n));
      }
      assertEquals(bytes, report.bytes());
      assertEquals(target, report.target());
      try (Strata copy = Strata.open(receiver, target, TransferHarness.smallTables())) {
        assertEquals(expected, digest(copy));
        for (int i = 0; i < 20_000; i += 997) {
          assertArrayEquals(value(i, i % 10 == 0 ? 1 : 0, 100), copy.get(b(key(i))), key(i));
        }
      }
    }
    assertNothingLeft(receiverRoot.resolve("none"));
  }

  @Test
  void writesContinuingDuringTheTransferDoNotBreakIt() throws Exception {
    Path target = receiverRoot.resolve("copy");
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 10_000, 100);
      AtomicInteger acknowledged = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> writerFailure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; !stop.get(); i++) {
            store.put(b(String.format("live%08d", i)), value(i, 7, 200)); // flushes and compactions meanwhile
            acknowledged.set(i + 1);
          }
        } catch (Throwable t) {
          writerFailure.set(t);
        }
      }, "live-writer");
      writer.start();
      TransferHarness.await(() -> acknowledged.get() >= 2_000, "the live writer gets going");
      int before = acknowledged.get();
      String base;
      TransferReport report;
      try {
        base = digestOfRange(store, "key", "kez");
        report = receive(requestOffer(sender, receiver, store, TransferHarness::untouched), target);
      } finally {
        stop.set(true);
        writer.join();
      }
      assertEquals(null, writerFailure.get());
      assertTrue(report.files() > 0);
      try (Strata copy = Strata.open(receiver, target, TransferHarness.smallTables())) {
        assertEquals(base, digestOfRange(copy, "key", "kez"), "the keys not written meanwhile arrive identical");
        // The writer wrote live keys in order, one at a time: the copy holds a prefix of them,
        // at least every one acknowledged before the offer was asked for.
        int live = 0;
        try (StrataIterator it = copy.scan(Bound.included(b("live")), Bound.excluded(b("livf")))) {
          for (; it.isValid(); it.next(), live++) {
            assertEquals(String.format("live%08d", live), new String(it.key(), StandardCharsets.UTF_8));
            assertArrayEquals(value(live, 7, 200), it.value());
          }
        }
        assertTrue(live >= before, live + " live keys arrived, " + before + " were acknowledged before the offer");
      }
    }
  }

  private static String digestOfRange(Strata store, String from, String to) {
    return digest(store, Bound.included(b(from)), Bound.excluded(b(to)));
  }

  @Test
  void aFlippedByteInTransitFailsNamingTheFileAndInstallsNothing() throws Exception {
    Path target = receiverRoot.resolve("copy");
    AtomicReference<String> damaged = new AtomicReference<>();
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 20_000, 100);
      SourceRef<ByteString> ref = requestOffer(sender, receiver, store,
          (system, genuine) -> genuine.getSource().via(flipOneByteInTheFirstSst(damaged))
              .runWith(StreamRefs.sourceRef(), system));

      Throwable failure = failureOf(ref, target);

      assertNotNull(damaged.get(), "a byte was flipped");
      assertInstanceOf(CorruptionException.class, failure);
      assertTrue(failure.getMessage().contains(damaged.get()) && failure.getMessage().contains("CRC32C"),
          "names the damaged file and its checksum: " + failure.getMessage());
    }
    assertNothingLeft(target);
  }

  /**
   * Flips one byte in the middle of the first data chunk of the first SST, and remembers that
   * SST's name. Each element is one frame (see CheckpointFrames): its first byte says its type,
   * and a file start's body begins with the name's length (u16) and the name.
   */
  private static Flow<ByteString, ByteString, ?> flipOneByteInTheFirstSst(AtomicReference<String> damaged) {
    AtomicReference<String> current = new AtomicReference<>();
    return Flow.of(ByteString.class).map(frame -> {
      byte type = frame.apply(0);
      if (type == CheckpointFrames.FILE) {
        int length = ((frame.apply(5) & 0xff) << 8) | (frame.apply(6) & 0xff);
        current.set(frame.slice(7, 7 + length).utf8String());
      } else if (type == CheckpointFrames.DATA && damaged.get() == null && current.get().endsWith(".sst")) {
        damaged.set(current.get());
        byte[] bytes = frame.toArray();
        bytes[bytes.length / 2] ^= 0x10;
        return ByteString.fromArrayUnsafe(bytes);
      }
      return frame;
    });
  }

  @Test
  void aTruncatedStreamFailsSayingWhereAndInstallsNothing() throws Exception {
    Path target = receiverRoot.resolve("copy");
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 20_000, 100);
      SourceRef<ByteString> ref = requestOffer(sender, receiver, store,
          (system, genuine) -> genuine.getSource().take(6).runWith(StreamRefs.sourceRef(), system));

      Throwable failure = failureOf(ref, target);

      assertInstanceOf(StrataException.class, failure);
      assertTrue(failure.getMessage().contains("truncated") && failure.getMessage().contains("in file "),
          "says the stream was cut and in which file: " + failure.getMessage());
    }
    assertNothingLeft(target);
  }

  @Test
  void aSenderKilledMidStreamFailsCleanly() throws Exception {
    Path target = receiverRoot.resolve("copy");
    ActorSystem<Void> doomed = TransferHarness.newNode("doomed");
    Strata store = Strata.open(doomed, senderRoot.resolve("store"), TransferHarness.smallTables());
    TransferHarness.fillWithSstsAndWalTail(store, 20_000, 100);
    // Eight frames go out, then the sender stalls as if its disk hung; then its node dies.
    SourceRef<ByteString> ref = requestOffer(doomed, receiver, store,
        (system, genuine) -> genuine.getSource().take(8).concat(Source.never()).runWith(StreamRefs.sourceRef(), system));
    var transfer = CheckpointTransfer.receive(receiver, ref, target).toCompletableFuture();
    TransferHarness.await(() -> holdsEntryWith(receiverRoot, TransferDirectories.INCOMING), "the transfer starts");
    Path staging = names(receiverRoot).stream().filter(n -> n.contains(TransferDirectories.INCOMING))
        .map(receiverRoot::resolve).findFirst().orElseThrow();
    TransferHarness.await(() -> holdsEntryWith(staging, ""), "a file arrives");

    TransferHarness.terminate(doomed);

    ExecutionException e = assertThrows(ExecutionException.class, () -> transfer.get(STUCK_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(StrataException.class, e.getCause());
    // Which of Akka's death watch or the idle timeout notices first depends on the machine's load.
    assertTrue(e.getCause().getMessage().startsWith("checkpoint transfer into " + target + " failed ")
        && e.getCause().getMessage().matches(".*\\(\\d+ bytes of file data received\\): .*"),
        "names the target and where the transfer stood: " + e.getCause().getMessage());
    assertNothingLeft(target);
  }

  @Test
  void everyFileStepOfBothSidesRunsOnTheTransferDispatcher() throws Exception {
    ThreadRecordingFileSystem senderFiles = new ThreadRecordingFileSystem(DiskFileSystem.INSTANCE);
    ThreadRecordingFileSystem receiverFiles = new ThreadRecordingFileSystem(DiskFileSystem.INSTANCE);
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 5_000, 100);
      SourceRef<ByteString> ref = requestOffer(sender, receiver,
          () -> CheckpointTransfer.on(sender, senderFiles).offer(store), TransferHarness::untouched);
      CheckpointTransfer.on(receiver, receiverFiles).receive(ref, receiverRoot.resolve("copy"))
          .toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
    }
    for (var side : List.of(senderFiles.threads(), receiverFiles.threads())) {
      assertFalse(side.isEmpty(), "file work was recorded");
      assertTrue(side.stream().allMatch(t -> t.contains("-strata.cluster.transfer.dispatcher-")),
          "only the transfer dispatcher's threads do file work: " + side);
    }
  }

  @Test
  void aDiskFailureOnTheReceiverFailsNamingTheFileAndInstallsNothing() throws Exception {
    Path target = receiverRoot.resolve("copy");
    FaultInjectingFileSystem disk = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    disk.failAt(FaultInjectingFileSystem.Op.SYNC, 3);
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 5_000, 100);
      SourceRef<ByteString> ref = requestOffer(sender, receiver, store, TransferHarness::untouched);

      ExecutionException e = assertThrows(ExecutionException.class, () -> CheckpointTransfer.on(receiver, disk)
          .receive(ref, target).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));

      assertInstanceOf(StrataException.class, e.getCause());
      assertTrue(e.getCause().getMessage().matches("writing the received checkpoint failed in file \\S+ at byte \\d+ of "
          + "\\d+: injected failure: SYNC #3"), e.getCause().getMessage());
    }
    assertNothingLeft(target);
  }

  @Test
  void anOfferNobodyTakesUpExpiresAndDeletesItsCheckpoint() throws Exception {
    ActorSystem<Void> impatient = TransferHarness.newNode("impatient",
        "akka.stream.materializer.stream-ref.subscription-timeout = 3 s");
    try (Strata store = Strata.open(impatient, senderRoot.resolve("store"), TransferHarness.smallTables())) {
      TransferHarness.fillWithSstsAndWalTail(store, 1_000, 100);
      CheckpointTransfer.offer(impatient, store).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
      assertTrue(holdsEntryWith(senderRoot, TransferDirectories.OUTGOING), "the checkpoint waits for a taker");

      TransferHarness.await(() -> !holdsEntryWith(senderRoot, TransferDirectories.OUTGOING),
          "the expired offer deletes its checkpoint");
    } finally {
      TransferHarness.terminate(impatient);
    }
  }

  @Test
  void aClosedStoreMakesNoOfferAndLeavesNoScratch() throws Exception {
    Strata store = newStore();
    store.put(b("k"), b("v"));
    store.close();

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> CheckpointTransfer.offer(sender, store).toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS));

    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
    assertEquals(List.of("store"), names(senderRoot));
  }

  @Test
  void anExistingTargetIsAClearErrorAndStaysUntouched() throws Exception {
    Path target = Files.createDirectories(receiverRoot.resolve("copy"));
    Files.writeString(target.resolve("mine"), "not yours");
    try (Strata store = newStore()) {
      TransferHarness.fillWithSstsAndWalTail(store, 1_000, 100);

      Throwable failure = failureOf(requestOffer(sender, receiver, store, TransferHarness::untouched), target);

      assertInstanceOf(IllegalArgumentException.class, failure);
      assertTrue(failure.getMessage().contains(target.toString()) && failure.getMessage().contains("already exists"),
          failure.getMessage());
    }
    assertEquals(List.of("mine"), names(target));
    assertFalse(holdsEntryWith(receiverRoot, TransferDirectories.INCOMING));
    TransferHarness.await(() -> !holdsEntryWith(senderRoot, TransferDirectories.OUTGOING),
        "the sender deletes its checkpoint once the offer is declined");
  }
}
