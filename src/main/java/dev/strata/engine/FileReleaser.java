package dev.strata.engine;

import dev.strata.TableFileInfo;
import dev.strata.fs.FileSystem;
import dev.strata.readstate.SstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an SST when the last read state holding it is released: its reader is closed
 * there and then, on whichever thread let go last, which may be a reader's; a file compaction
 * made obsolete is not deleted there but queued, and the writer is told: it deletes the queued
 * files ({@link #deleteObsolete}), so a user's thread closing an iterator never does the file
 * system's work of removing a file (LevelDB and Pebble likewise delete obsolete files from their
 * background work, never from a reader). At close the engine deletes what is queued by then;
 * a file an iterator still pins past close is left to the next open's recovery, which deletes
 * every SST the manifest does not list.
 *
 * <p>Thread-safe: any thread releases; deletion is for the writer, or the closing thread once
 * the writer has stopped.
 */
final class FileReleaser implements Consumer<SstFile> {
  private static final Logger log = LoggerFactory.getLogger(FileReleaser.class);

  private final Path dir;
  private final FileSystem fs;
  /** Released obsolete SSTs not yet deleted. */
  private final Queue<TableFileInfo> obsolete = new ConcurrentLinkedQueue<>();
  /** Whether the writer has been told of files queued since it last deleted: one message for many files. */
  private final AtomicBoolean writerTold = new AtomicBoolean();
  private volatile WriterSignals signals;
  /** Where deletions are reported; null until the engine is built (recovery deletes nothing through here). */
  private volatile StoreEvents events;

  FileReleaser(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  /** From now on the writer hears of obsolete files; null (at close) stops that. */
  void attach(WriterSignals writer) {
    this.signals = writer;
  }

  /** Deletions are reported to {@code events} from now on. */
  void reportTo(StoreEvents events) {
    this.events = events;
  }

  @Override
  public void accept(SstFile file) {
    try {
      file.reader().close();
    } catch (IOException e) {
      log.warn("closing {} failed", file, e);
    }
    if (file.isObsolete()) {
      obsolete.add(new TableFileInfo(file.number(), file.fileSize(), TableFileInfo.Reason.OBSOLETE));
      WriterSignals w = signals;
      // Queued first, then the flag: a writer that clears the flag before it drains the queue
      // either finds this file or is told again.
      if (w != null && writerTold.compareAndSet(false, true)) {
        w.obsoleteFilesReleased();
      }
    }
  }

  /** Deletes every queued obsolete SST; returns how many. A failed delete is logged, not retried. */
  int deleteObsolete() {
    writerTold.set(false);
    int deleted = 0;
    for (TableFileInfo file = obsolete.poll(); file != null; file = obsolete.poll()) {
      try {
        fs.delete(FileNames.sst(dir, file.fileNumber()));
        deleted++;
        StoreEvents e = events;
        if (e != null) {
          e.tableFileDeleted(file);
        }
      } catch (IOException e) {
        // Not the store's error: the manifest no longer lists it, so the next open deletes it.
        log.warn("deleting obsolete SST {} failed", file.fileNumber(), e);
      }
    }
    return deleted;
  }
}
