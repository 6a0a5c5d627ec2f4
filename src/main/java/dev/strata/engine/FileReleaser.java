package dev.strata.engine;

import dev.strata.fs.FileSystem;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an SST when the last read state holding it is released: its reader is closed,
 * and a file compaction made obsolete is deleted. Thread-safe; it runs on whichever thread lets
 * go last, which may be a reader's.
 */
final class FileReleaser implements Consumer<SstFile> {
  private static final Logger log = LoggerFactory.getLogger(FileReleaser.class);

  private final Path dir;
  private final FileSystem fs;

  FileReleaser(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  @Override
  public void accept(SstFile file) {
    try {
      file.reader().close();
      if (file.isObsolete()) {
        fs.delete(FileNames.sst(dir, file.number()));
      }
    } catch (IOException e) {
      log.warn("releasing {} failed", file, e);
    }
  }
}
