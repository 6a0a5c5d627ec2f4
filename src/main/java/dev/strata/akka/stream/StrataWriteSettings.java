package dev.strata.akka.stream;

import akka.actor.ClassicActorSystemProvider;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link StrataFlow} and {@link StrataSink} group elements into write batches and how many
 * batches they keep in flight. Immutable and thread-safe; every {@code withX} returns a new
 * instance and rejects a bad value with an {@link IllegalArgumentException} that says which.
 *
 * <pre>{@code
 * StrataWriteSettings settings = StrataWriteSettings.create(system)   // strata.stream in the config
 *     .withBatchSize(500)
 *     .withBatchWindow(Duration.ofMillis(2))
 *     .withParallelism(8);
 * }</pre>
 *
 * <p>The defaults ({@link #create()}) are those of the {@code strata.stream} block of Strata's
 * {@code reference.conf}, where each key is documented.
 */
public final class StrataWriteSettings {
  /** Where {@link #create(ClassicActorSystemProvider)} reads the settings. */
  public static final String CONFIG_PATH = "strata.stream";

  private static final int DEFAULT_BATCH_SIZE = 4000;
  private static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(5);
  private static final long DEFAULT_MAX_BATCH_BYTES = 4L * 1024 * 1024;
  private static final int DEFAULT_PARALLELISM = 4;
  private static final StrataWriteSettings DEFAULTS =
      new StrataWriteSettings(DEFAULT_BATCH_SIZE, DEFAULT_BATCH_WINDOW, DEFAULT_MAX_BATCH_BYTES, DEFAULT_PARALLELISM);

  private final int batchSize;
  private final Duration batchWindow;
  private final long maxBatchBytes;
  private final int parallelism;

  private StrataWriteSettings(int batchSize, Duration batchWindow, long maxBatchBytes, int parallelism) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    Objects.requireNonNull(batchWindow, "batchWindow must not be null");
    if (batchWindow.isNegative() || batchWindow.isZero()) {
      throw new IllegalArgumentException("batchWindow must be positive, got " + batchWindow);
    }
    if (maxBatchBytes < 1 || maxBatchBytes > Limits.MAX_BATCH_BYTES) {
      throw new IllegalArgumentException("maxBatchBytes must be between 1 and " + Limits.MAX_BATCH_BYTES
          + " (the store's limit on a write batch), got " + maxBatchBytes);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.batchSize = batchSize;
    this.batchWindow = batchWindow;
    this.maxBatchBytes = maxBatchBytes;
    this.parallelism = parallelism;
  }

  /** The library defaults: the values of {@code strata.stream} in Strata's reference.conf. */
  public static StrataWriteSettings create() {
    return DEFAULTS;
  }

  /** The {@code strata.stream} block of {@code system}'s configuration. */
  public static StrataWriteSettings create(ClassicActorSystemProvider system) {
    Objects.requireNonNull(system, "system must not be null");
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH));
  }

  /**
   * Reads a {@code strata.stream}-shaped block: {@code batch-size}, {@code batch-window},
   * {@code max-batch-bytes}, {@code parallelism}. Missing keys keep their defaults.
   */
  public static StrataWriteSettings create(Config block) {
    Objects.requireNonNull(block, "config must not be null");
    Config c = block.withFallback(ConfigFactory.defaultReference().getConfig(CONFIG_PATH));
    try {
      return new StrataWriteSettings(c.getInt("batch-size"), c.getDuration("batch-window"),
          c.getBytes("max-batch-bytes"), c.getInt("parallelism"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CONFIG_PATH + ": " + e.getMessage(), e);
    }
  }

  /** Elements in one write batch at most: one WAL record and one commit of the store. */
  public int batchSize() {
    return batchSize;
  }

  /** Longest the first element of a batch waits for the batch to fill before it is written anyway. */
  public Duration batchWindow() {
    return batchWindow;
  }

  /** Key and value bytes in one write batch at most; an element heavier than this is written alone. */
  public long maxBatchBytes() {
    return maxBatchBytes;
  }

  /** Write batches submitted to the store and not yet acknowledged, at most. */
  public int parallelism() {
    return parallelism;
  }

  public StrataWriteSettings withBatchSize(int batchSize) {
    return new StrataWriteSettings(batchSize, batchWindow, maxBatchBytes, parallelism);
  }

  public StrataWriteSettings withBatchWindow(Duration batchWindow) {
    return new StrataWriteSettings(batchSize, batchWindow, maxBatchBytes, parallelism);
  }

  public StrataWriteSettings withMaxBatchBytes(long maxBatchBytes) {
    return new StrataWriteSettings(batchSize, batchWindow, maxBatchBytes, parallelism);
  }

  public StrataWriteSettings withParallelism(int parallelism) {
    return new StrataWriteSettings(batchSize, batchWindow, maxBatchBytes, parallelism);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StrataWriteSettings s && batchSize == s.batchSize && batchWindow.equals(s.batchWindow)
        && maxBatchBytes == s.maxBatchBytes && parallelism == s.parallelism;
  }

  @Override
  public int hashCode() {
    return Objects.hash(batchSize, batchWindow, maxBatchBytes, parallelism);
  }

  @Override
  public String toString() {
    long nanos = batchWindow.toNanos();
    String window = nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms"
        : nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos + "ns";
    return "StrataWriteSettings(batchSize=" + batchSize + ", batchWindow=" + window
        + ", maxBatchBytes=" + maxBatchBytes + ", parallelism=" + parallelism + ")";
  }
}
