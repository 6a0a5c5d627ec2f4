package dev.strata.cluster.transfer;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.stream.SourceRef;
import akka.stream.StreamRefSubscriptionTimeoutException;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamRefs;
import akka.util.ByteString;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a store's checkpoint from one node to another: {@link #offer} takes a checkpoint of an
 * open store and offers its files as a {@link SourceRef} (put it in a message to the receiving
 * node; {@link akka.stream.StreamRefResolver} turns it into a string for a serializer), and
 * {@link #receive} on that node pulls it, with back-pressure, into a staging directory, checks
 * every checksum and the manifest, syncs, and installs it as the target store by one rename, only
 * if it opens. The format on the wire is {@link CheckpointFrames}'.
 *
 * <p>Guarantees: the target is either absent or a whole store that opened, never half of one. On
 * any failure (damaged bytes, a truncated stream, the sender gone, no data for
 * {@code strata.cluster.transfer.idle-timeout}) the receiver deletes its staging directory and
 * fails its stage with an exception that says what was wrong: a {@link dev.strata.CorruptionException}
 * naming the file and the expected and actual checksums when bytes were damaged, a
 * {@link StrataException} otherwise, an {@link IllegalArgumentException} when the target exists.
 * The sender deletes its checkpoint when its stream completes, fails or is cancelled (also when
 * no receiver subscribes within {@code akka.stream.materializer.stream-ref.subscription-timeout}).
 * A process killed mid-transfer leaves its directory behind: {@link #deleteLeftovers} removes them.
 * Every blocking step runs on {@code strata.cluster.transfer.dispatcher}, never Akka's default one.
 *
 * <p>Thread-safe: every method may be called from any thread, any number of transfers at once
 * (an instance only holds its system's settings and dispatcher).
 */
public final class CheckpointTransfer {
  private static final Logger log = LoggerFactory.getLogger(CheckpointTransfer.class);

  private final ActorSystem<?> system;
  private final FileSystem fs;
  private final TransferSettings settings;
  /** strata.cluster.transfer.dispatcher: every blocking step. */
  private final Executor blocking;

  private CheckpointTransfer(ActorSystem<?> system, FileSystem fs) {
    this.system = Objects.requireNonNull(system, "system is null");
    this.fs = fs;
    this.settings = TransferSettings.fromConfig(system.settings().config());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(TransferSettings.DISPATCHER));
  }

  /** Transfers whose own file work (not the store's) goes through {@code fs}; for tests. */
  static CheckpointTransfer on(ActorSystem<?> system, FileSystem fs) {
    return new CheckpointTransfer(system, fs);
  }

  /**
   * Takes a checkpoint of {@code store} (holding every write acknowledged before this call) into a
   * scratch directory beside it, and offers it as a stream of framed chunks. The stage completes
   * once the checkpoint is taken; it fails when the store is closed or the checkpoint fails.
   */
  public static CompletionStage<SourceRef<ByteString>> offer(ActorSystem<?> system, Strata store) {
    return on(system, DiskFileSystem.INSTANCE).offer(store);
  }

  /**
   * Pulls the checkpoint {@code ref} offers into {@code target}, a directory that must not exist
   * (its parent is created when missing), and installs it there once it is whole, verified and
   * opens. The stage fails with an {@link IllegalArgumentException} when {@code target} exists
   * (the offer is then cancelled, so the sender deletes its checkpoint).
   */
  public static CompletionStage<TransferReport> receive(ActorSystem<?> system, SourceRef<ByteString> ref,
      Path target) {
    return on(system, DiskFileSystem.INSTANCE).receive(ref, target);
  }

  /**
   * Deletes the scratch and staging directories that transfers from or into {@code store} (a
   * store directory) left behind when their process died; returns how many. Call it only while
   * no transfer of that store runs, at a node's start say. Blocking file work.
   */
  public static int deleteLeftovers(Path store) {
    Objects.requireNonNull(store, "store is null");
    try {
      return TransferDirectories.deleteLeftovers(DiskFileSystem.INSTANCE, store);
    } catch (IOException e) {
      throw new StrataException("deleting leftover transfer directories of " + store + " failed: "
          + e.getMessage(), e);
    }
  }

  CompletionStage<SourceRef<ByteString>> offer(Strata store) {
    Objects.requireNonNull(store, "store is null");
    Path scratch = TransferDirectories.scratchFor(store.directory());
    return CompletableFuture.supplyAsync(() -> checkpoint(store, scratch), blocking)
        .thenApply(chunker -> {
          Source<ByteString, ?> frames = Source.unfoldResourceAsync(
              () -> CompletableFuture.completedFuture(chunker),
              c -> CompletableFuture.supplyAsync(() -> nextFrame(c), blocking),
              c -> CompletableFuture.supplyAsync(() -> closeChunker(c), blocking));
          try {
            return frames.runWith(StreamRefs.sourceRef(), system);
          } catch (RuntimeException e) {
            closeChunker(chunker);
            throw e;
          }
        });
  }

  CompletionStage<TransferReport> receive(SourceRef<ByteString> ref, Path target) {
    Objects.requireNonNull(ref, "ref is null");
    Objects.requireNonNull(target, "target is null");
    Path absolute = target.toAbsolutePath().normalize();
    long start = System.nanoTime();
    CompletableFuture<StagingWriter> staged = CompletableFuture.supplyAsync(() -> stage(absolute), blocking);
    staged.whenComplete((w, e) -> {
      if (e != null) {
        ref.getSource().runWith(Sink.cancelled(), system); // the sender deletes its checkpoint
      }
    });
    return staged.thenCompose(writer -> ref.getSource()
        .idleTimeout(settings.idleTimeout())
        .mapAsync(1, bytes -> CompletableFuture.supplyAsync(() -> accept(writer, bytes), blocking))
        .runWith(Sink.ignore(), system)
        .handleAsync((done, failure) -> install(writer, failure, absolute, start), blocking));
  }

  private CheckpointChunker checkpoint(Strata store, Path scratch) {
    try {
      store.checkpoint(scratch);
    } catch (RuntimeException e) {
      deleteQuietly(scratch); // a failed checkpoint may have written part of it
      throw e;
    }
    try {
      return CheckpointChunker.open(fs, scratch, settings.chunkBytes()); // owns scratch from here
    } catch (IOException e) {
      throw new UncheckedIOException("reading the checkpoint " + scratch + " failed: " + e.getMessage(), e);
    }
  }

  private static java.util.Optional<ByteString> nextFrame(CheckpointChunker chunker) {
    try {
      return chunker.next();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the checkpoint failed: " + e.getMessage(), e);
    }
  }

  private static Done closeChunker(CheckpointChunker chunker) {
    try {
      chunker.close();
    } catch (IOException e) {
      log.warn("deleting a sent checkpoint failed; CheckpointTransfer.deleteLeftovers removes it: {}", e.toString());
    }
    return Done.getInstance();
  }

  /** Checks that the target is free and creates the staging directory beside it. */
  private StagingWriter stage(Path target) {
    if (fs.exists(target)) {
      throw new IllegalArgumentException("transfer target " + target
          + " already exists; a checkpoint is installed only into a new directory");
    }
    Path staging = TransferDirectories.stagingFor(target);
    try {
      fs.createDirectories(staging);
    } catch (IOException e) {
      deleteQuietly(staging);
      throw new StrataException("creating the staging directory " + staging + " failed: " + e.getMessage(), e);
    }
    return new StagingWriter(fs, staging);
  }

  private static Integer accept(StagingWriter writer, ByteString bytes) {
    try {
      writer.accept(bytes);
      return bytes.size();
    } catch (IOException e) {
      throw new StrataException("writing the received checkpoint failed " + writer.where() + ": "
          + e.getMessage(), e);
    }
  }

  /** After the stream: verify, sync and install, or clean up and say what went wrong. */
  private TransferReport install(StagingWriter writer, Throwable failure, Path target, long start) {
    boolean installed = false;
    try {
      if (failure != null) {
        throw explain(unwrap(failure), writer, target);
      }
      List<CheckpointFrames.FileEntry> files = writer.finish();
      writer.close();
      StagedInstall.install(fs, writer.staging(), target);
      installed = true;
      TransferReport report = new TransferReport(target, files.size(), writer.bytesReceived(),
          Duration.ofNanos(System.nanoTime() - start));
      log.info("installed a checkpoint of {} files, {} bytes into {} in {} ms", report.files(), report.bytes(),
          target, report.duration().toMillis());
      return report;
    } catch (IOException e) {
      throw new StrataException("installing the received checkpoint into " + target + " failed: "
          + e.getMessage(), e);
    } finally {
      if (!installed) {
        discard(writer); // whatever failed, an Error too
      }
    }
  }

  private void discard(StagingWriter writer) {
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      log.debug("closing a failed transfer's file: {}", e.toString());
    }
    deleteQuietly(writer.staging());
  }

  /** Our own failures say what was wrong already; the stream's get told what they mean here. */
  private RuntimeException explain(Throwable failure, StagingWriter writer, Path target) {
    if (failure instanceof StrataException e) {
      return e;
    }
    String what;
    if (failure instanceof TimeoutException) {
      what = "no data arrived for " + settings.idleTimeout().toMillis() + " ms (strata.cluster.transfer.idle-timeout)";
    } else if (failure instanceof StreamRefSubscriptionTimeoutException) {
      what = "the offer had expired: " + failure.getMessage();
    } else if (failure instanceof akka.stream.RemoteStreamRefActorTerminatedException) {
      what = "the sender failed or went away: " + failure.getMessage();
    } else {
      what = failure.toString();
    }
    return new StrataException("checkpoint transfer into " + target + " failed " + writer.where() + " ("
        + writer.bytesReceived() + " bytes of file data received): " + what, failure);
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void deleteQuietly(Path dir) {
    try {
      TransferDirectories.deleteRecursively(fs, dir);
    } catch (IOException e) {
      log.warn("deleting {} failed; CheckpointTransfer.deleteLeftovers removes it: {}", dir, e.toString());
    }
  }
}
