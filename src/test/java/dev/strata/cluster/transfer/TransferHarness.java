package dev.strata.cluster.transfer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.SourceRef;
import akka.util.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import dev.strata.StrataOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * What the transfer suites share: nodes (ActorSystems speaking Artery on 127.0.0.1, each on a free
 * port) in one JVM, the offer handed from node to node in a message, stores with several SSTs and
 * a WAL tail, and a digest of a store's full scan to compare stores by.
 */
final class TransferHarness {
  /** Longest a test waits for anything before it calls the transfer stuck. */
  static final long STUCK_SECONDS = 60;
  private static final AtomicInteger OFFERERS = new AtomicInteger();

  private TransferHarness() {}

  static ActorSystem<Void> newNode(String name) {
    return newNode(name, "");
  }

  /** A node with {@code overrides} (HOCON) over the tests' configuration. */
  static ActorSystem<Void> newNode(String name, String overrides) {
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString("""
        akka.actor.provider = remote
        akka.remote.artery.canonical.hostname = 127.0.0.1
        akka.remote.artery.canonical.port = 0
        akka.actor.serializers.offer-protocol = "dev.strata.cluster.transfer.OfferProtocol$Codec"
        akka.actor.serialization-bindings {
          "dev.strata.cluster.transfer.OfferProtocol$Message" = offer-protocol
        }
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        strata.cluster.transfer.idle-timeout = 10 s
        """)).withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), name, config);
  }

  static void terminate(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
  }

  /** The genuine offer, untouched in transit. */
  static SourceRef<ByteString> untouched(ActorSystem<?> sender, SourceRef<ByteString> ref) {
    return ref;
  }

  /**
   * Asks, from {@code receiver} over Artery, an offerer actor on {@code sender} for a checkpoint of
   * {@code store}, and returns the SourceRef that came back in its reply.
   */
  static SourceRef<ByteString> requestOffer(ActorSystem<?> sender, ActorSystem<?> receiver, Strata store,
      BiFunction<ActorSystem<?>, SourceRef<ByteString>, SourceRef<ByteString>> tamper) throws Exception {
    return requestOffer(sender, receiver, () -> CheckpointTransfer.offer(sender, store), tamper);
  }

  /** As above, the offer made by {@code offer}. */
  static SourceRef<ByteString> requestOffer(ActorSystem<?> sender, ActorSystem<?> receiver,
      Supplier<CompletionStage<SourceRef<ByteString>>> offer,
      BiFunction<ActorSystem<?>, SourceRef<ByteString>, SourceRef<ByteString>> tamper) throws Exception {
    ActorRef<OfferProtocol.Request> local = sender.systemActorOf(OfferProtocol.offerer(offer, tamper),
        "offerer-" + OFFERERS.incrementAndGet(), Props.empty());
    // Resolved from its string form, so that the receiver's messages go over Artery, not in memory.
    ActorRef<OfferProtocol.Request> remote = ActorRefResolver.get(receiver)
        .resolveActorRef(ActorRefResolver.get(sender).toSerializationFormat(local));
    OfferProtocol.Offered offered = AskPattern.<OfferProtocol.Request, OfferProtocol.Offered>ask(remote,
            OfferProtocol.Request::new, Duration.ofSeconds(STUCK_SECONDS), receiver.scheduler())
        .toCompletableFuture().get(STUCK_SECONDS, TimeUnit.SECONDS);
    if (offered.ref() == null) {
      throw new AssertionError("the sender made no offer: " + offered.error());
    }
    return offered.ref();
  }

  /** Small memtables and tables, so a few MB make several SSTs. */
  static StrataOptions smallTables() {
    return StrataOptions.builder().memtableSizeBytes(256 << 10).targetSstSizeBytes(512 << 10).build();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String key(int i) {
    return String.format("key%08d", i);
  }

  /** A value that differs per key and round, {@code bytes} long. */
  static byte[] value(int i, int round, int bytes) {
    byte[] v = new byte[bytes];
    long x = (i * 0x9E3779B97F4A7C15L) ^ round;
    for (int j = 0; j < bytes; j++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      v[j] = (byte) (x >>> 56);
    }
    return v;
  }

  /**
   * Fills {@code store} with {@code keys} keys of {@code valueBytes}-byte values, flushed into
   * SSTs, then overwrites every tenth key without a flush: the newest versions of those live only
   * in the memtable and the WAL.
   */
  static void fillWithSstsAndWalTail(Strata store, int keys, int valueBytes) {
    for (int i = 0; i < keys; i++) {
      store.put(b(key(i)), value(i, 0, valueBytes));
    }
    store.flush();
    for (int i = 0; i < keys; i += 10) {
      store.put(b(key(i)), value(i, 1, valueBytes));
    }
  }

  /** How many keys and a SHA-256 over every key and value of a full scan, in order. */
  static String digest(Strata store) {
    return digest(store, Bound.unbounded(), Bound.unbounded());
  }

  /** As {@link #digest(Strata)}, of the keys between {@code lower} and {@code upper}. */
  static String digest(Strata store, Bound lower, Bound upper) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    long count = 0;
    try (StrataIterator it = store.scan(lower, upper)) {
      for (; it.isValid(); it.next()) {
        sha.update(ByteBuffer.allocate(4).putInt(it.key().length).array());
        sha.update(it.key());
        sha.update(ByteBuffer.allocate(4).putInt(it.value().length).array());
        sha.update(it.value());
        count++;
      }
    }
    return count + " keys, sha256 " + HexFormat.of().formatHex(sha.digest());
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static long filesEndingWith(Path dir, String suffix) throws IOException {
    return names(dir).stream().filter(n -> n.endsWith(suffix)).count();
  }

  /** Waits until {@code condition} holds; fails saying {@code what} if it never does. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Whether {@code dir} holds an entry whose name contains {@code marker}. */
  static boolean holdsEntryWith(Path dir, String marker) {
    try {
      return names(dir).stream().anyMatch(n -> n.contains(marker));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
