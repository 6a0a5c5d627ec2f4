package dev.strata.cluster.transfer;

import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Installs a verified staging directory as a store: only if it opens, and by one atomic rename,
 * so the target is either absent or a whole store, whatever fails and whenever the process dies.
 *
 * <p>Stateless and thread-safe.
 */
final class StagedInstall {
  private StagedInstall() {}

  /**
   * Opens the store in {@code staging} read-only (which reads CURRENT, the manifest, the SSTs'
   * footers and replays the WALs, changing no file), closes it, then renames {@code staging} to
   * {@code target} and syncs their directory.
   *
   * @throws StrataException when the staged store does not open
   * @throws IllegalArgumentException when {@code target} appeared meanwhile
   */
  static void install(FileSystem fs, Path staging, Path target) throws IOException {
    // No MBean, no stats line: the store is open for an instant, under a name about to change.
    StrataOptions options = StrataOptions.builder().jmxEnabled(false).statsLogInterval(java.time.Duration.ZERO).build();
    try (Strata store = Strata.openReadOnly(staging, options)) {
      store.isHealthy(); // opened: that is the check
    } catch (RuntimeException e) {
      throw new StrataException("the received checkpoint passed its checksums but does not open as a store: "
          + e.getMessage(), e);
    }
    if (fs.exists(target)) {
      throw new IllegalArgumentException("transfer target " + target
          + " appeared while the checkpoint was received; it was left as it is");
    }
    // rename(2): the target appears whole or not at all.
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null) {
      fs.syncDirectory(parent);
    }
  }
}
