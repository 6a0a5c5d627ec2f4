package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Above the seam an I/O error is an IOException, whatever shape the JDK gave it. */
class TranslatingFileSystemTest {
  private final FaultInjectingFileSystem faulty = new FaultInjectingFileSystem(new InMemoryFileSystem());
  private final FileSystem fs = TranslatingFileSystem.wrap(faulty);
  private final Path dir = Path.of("/db");

  @BeforeEach
  void createDirectory() throws IOException {
    fs.createDirectories(dir);
  }

  @Test
  void aFailedMsyncReportedUncheckedIsAnIOExceptionNamingTheFile() throws Exception {
    try (WritableFile wal = fs.createMapped(dir.resolve("1.wal"), 64, Runnable::run)) {
      wal.append(bytes(10, 1));
      faulty.failAt(Op.SYNC, 1, Kind.UNCHECKED_IO, path -> true);
      IOException e = assertThrows(IOException.class, wal::sync);
      assertTrue(e.getMessage().contains("syncing /db/1.wal"), e.getMessage());
      assertTrue(e.getMessage().contains("injected failure: SYNC #1"), e.getMessage());
      assertTrue(e.getCause() instanceof UncheckedIOException, String.valueOf(e.getCause()));
    }
  }

  @Test
  void aFaultOnAMappedBufferIsAnIOException() throws Exception {
    try (WritableFile out = fs.create(dir.resolve("f"))) {
      out.append(bytes(10, 1));
    }
    try (ReadableFile in = fs.openImmutable(dir.resolve("f"))) {
      faulty.failAt(Op.READ, 1, Kind.INTERNAL_ERROR, path -> true);
      IOException e = assertThrows(IOException.class, () -> in.readFully(0, new byte[4], 0, 4));
      assertTrue(e.getCause() instanceof InternalError, String.valueOf(e.getCause()));
      in.readFully(0, new byte[4], 0, 4);
    }
  }

  @Test
  void everyOperationTranslates() {
    for (Op op : new Op[] {Op.CREATE, Op.MAP, Op.RENAME, Op.DELETE, Op.LIST, Op.SYNC_DIR, Op.LOCK}) {
      faulty.failAlways(op, Kind.UNCHECKED_IO, path -> true);
    }
    assertThrows(IOException.class, () -> fs.create(dir.resolve("a")));
    assertThrows(IOException.class, () -> fs.createMapped(dir.resolve("b"), 64, Runnable::run));
    assertThrows(IOException.class, () -> fs.rename(dir.resolve("a"), dir.resolve("b")));
    assertThrows(IOException.class, () -> fs.delete(dir.resolve("a")));
    assertThrows(IOException.class, () -> fs.list(dir));
    assertThrows(IOException.class, () -> fs.syncDirectory(dir));
    assertThrows(IOException.class, () -> fs.lock(dir.resolve("LOCK")));
  }

  @Test
  void aProgrammingErrorIsNotMistakenForAnIOError() throws Exception {
    try (WritableFile out = fs.create(dir.resolve("f"))) {
      assertThrows(IndexOutOfBoundsException.class, () -> out.append(new byte[2], 1, 5));
    }
  }

  @Test
  void wrappingTwiceAddsNothing() {
    assertSame(fs, TranslatingFileSystem.wrap(fs));
  }

  @Test
  void aFullDeviceIsRecognizedInEveryShapeItTakes() {
    assertTrue(IoFailures.isNoSpace(new IOException("No space left on device")));
    assertTrue(IoFailures.isNoSpace(new FileSystemException("/db/1.sst", null, "No space left on device")));
    assertTrue(IoFailures.isNoSpace(new RuntimeException("flush failed", new IOException("No space left on device"))));
    assertTrue(IoFailures.isNoSpace(new IOException("There is not enough space on the disk")));
    assertFalse(IoFailures.isNoSpace(new IOException("Input/output error")));
    assertFalse(IoFailures.isNoSpace(new IOException((String) null)));
  }
}
