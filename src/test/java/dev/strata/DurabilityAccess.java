package dev.strata;

import akka.actor.typed.ActorSystem;
import dev.strata.fs.FileSystem;
import java.nio.file.Path;

/**
 * Test-only bridge to {@code Strata}'s package-private file-system hook, for the durability suites
 * in {@code dev.strata.durability}: they open stores on the in-memory file system that simulates
 * power loss and on the fault-injecting one.
 */
public final class DurabilityAccess {
  private DurabilityAccess() {}

  /** {@code Strata.open(system, dir, options)} on {@code fs} instead of the disk. */
  public static Strata open(ActorSystem<?> system, Path dir, StrataOptions options, FileSystem fs) {
    return Strata.open(system, dir, options, fs);
  }
}
