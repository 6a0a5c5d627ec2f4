package dev.strata.cluster.transfer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a completed checkpoint transfer installed: the store directory, how many files and bytes
 * of file data arrived, and how long the transfer took from the receiver's call to the install.
 * Immutable.
 */
public record TransferReport(Path target, int files, long bytes, Duration duration) {
  public TransferReport {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(duration, "duration");
  }

  /** File data per second over the whole transfer, install included; 0 for an instant one. */
  public double bytesPerSecond() {
    long nanos = duration.toNanos();
    return nanos == 0 ? 0 : bytes * 1e9 / nanos;
  }
}
