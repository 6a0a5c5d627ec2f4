package dev.strata.engine;

import dev.strata.CorruptionException;
import dev.strata.fs.FileSystem;
import dev.strata.manifest.ManifestLog;
import dev.strata.manifest.ManifestState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which manifest a repair trusts: the one CURRENT names when CURRENT reads and the manifest is
 * there, else the newest manifest in the directory; trusted only when it reads whole (a torn last
 * record is dropped, as an open drops it) and folds without error. An older manifest is never
 * taken instead: it would name files compactions have since deleted and miss their outputs.
 * Everything found along the way is added to the repair's notes. Stateless.
 */
final class RepairManifest {
  private RepairManifest() {}

  /** The fold of the manifest CURRENT names, else of the newest one; empty when none reads whole. */
  static Optional<ManifestState> find(FileSystem fs, Path dir, TreeMap<Long, String> manifests, List<String> notes)
      throws IOException {
    String name = null;
    try {
      Optional<String> current = CurrentFile.read(fs, dir);
      if (current.isPresent() && fs.exists(dir.resolve(current.get()))) {
        name = current.get();
      } else if (current.isPresent()) {
        notes.add("CURRENT names " + current.get() + ", which is missing");
      } else {
        notes.add("CURRENT is missing");
      }
    } catch (CorruptionException e) {
      notes.add("CURRENT is unreadable: " + e.getMessage());
    }
    if (name == null && !manifests.isEmpty()) {
      name = manifests.lastEntry().getValue();
      notes.add("using the newest manifest present, " + name);
    }
    if (name == null) {
      notes.add("no manifest: every SST and WAL in the directory is taken, and every table placed in level 0");
      return Optional.empty();
    }
    try {
      ManifestLog.Contents contents = ManifestLog.read(fs, dir.resolve(name));
      if (contents.records().isEmpty()) {
        throw new CorruptionException(name + " holds no record");
      }
      ManifestState state = new ManifestState();
      contents.records().forEach(state::apply);
      if (contents.tornTail()) {
        notes.add(name + ": its torn last record was dropped, as an open drops it");
      }
      return Optional.of(state);
    } catch (CorruptionException e) {
      notes.add(name + " is unreadable (" + e.getMessage() + "): every SST and WAL in the directory is taken, "
          + "and every table placed in level 0");
      return Optional.empty();
    }
  }
}
