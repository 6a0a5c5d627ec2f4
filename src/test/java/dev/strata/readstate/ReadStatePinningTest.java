package dev.strata.readstate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.key.ValueKind;
import dev.strata.memtable.Memtable;
import dev.strata.sst.TableBuilder;
import dev.strata.sst.TableOptions;
import dev.strata.sst.TableReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An SST is released only when the last read state that lists it is released. */
class ReadStatePinningTest {
  @TempDir Path dir;
  private final AtomicInteger released = new AtomicInteger();

  private SstFile table(long number) throws Exception {
    Path path = dir.resolve(number + ".sst");
    try (WritableFile out = DiskFileSystem.INSTANCE.create(path)) {
      TableBuilder b = new TableBuilder(out, TableOptions.defaults());
      b.add("k".getBytes(), 1, ValueKind.PUT, "v".getBytes());
      b.finish();
    }
    TableReader reader = TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), number, path.toString(), null);
    return new SstFile(number, reader, f -> released.incrementAndGet());
  }

  @Test
  void aReaderKeepsItsFilesAcrossPublishesUntilItLetsGo() throws Exception {
    SstFile f = table(1);
    ReadStateCell cell = new ReadStateCell(ReadState.initial(new Memtable(1, 1 << 20), List.of(), List.of(List.of(f))));
    ReadState reader = cell.acquire();
    cell.publish(cell.peek().withRotation(new Memtable(2, 1 << 20)));
    cell.close();
    assertEquals(0, released.get(), "the reader still holds the file");
    assertEquals(1, f.refCount());
    reader.unref();
    assertEquals(1, released.get(), "released once, when the last holder let go");
  }

  @Test
  void anUnpinnedStateCanBePinnedWhileAReaderHoldsItAndNotOnceReleased() throws Exception {
    SstFile f = table(1);
    ReadStateCell cell = new ReadStateCell(ReadState.initial(new Memtable(1, 1 << 20), List.of(), List.of(List.of(f))));
    ReadState unpinned = cell.unpinned();
    ReadState holder = cell.acquire();
    cell.publish(cell.peek().withRotation(new Memtable(2, 1 << 20))); // no longer current
    assertTrue(unpinned.tryRef(), "a reader still holds it: its files are open");
    unpinned.unref();
    holder.unref();
    assertEquals(0, released.get(), "the new state lists the file too");
    cell.close();
    assertEquals(1, released.get());
    assertFalse(unpinned.tryRef(), "released: its files may be closed, so it must not be pinned again");
  }

  @Test
  void acquireOnAClosedCellFails() throws Exception {
    ReadStateCell cell = new ReadStateCell(ReadState.initial(new Memtable(1, 1 << 20), List.of(), List.of(List.of(table(1)))));
    cell.close();
    assertThrows(IllegalStateException.class, cell::acquire);
  }

  @Test
  void releasingMoreOftenThanReferencedIsAnError() throws Exception {
    ReadState s = ReadState.initial(new Memtable(1, 1 << 20), List.of(), List.of(List.of()));
    s.unref();
    assertThrows(IllegalStateException.class, s::unref);
  }
}
