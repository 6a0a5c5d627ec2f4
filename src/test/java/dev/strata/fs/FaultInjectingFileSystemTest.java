package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static dev.strata.fs.FsTestHarness.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class FaultInjectingFileSystemTest {
  private final InMemoryFileSystem memory = new InMemoryFileSystem();
  private final FaultInjectingFileSystem fs = new FaultInjectingFileSystem(memory);
  private final Path dir = Path.of("/db");

  @BeforeEach
  void createDirectory() throws IOException {
    fs.createDirectories(dir);
  }

  private static void assertInjected(String message, Executable call) {
    assertEquals(message, assertThrows(IOException.class, call).getMessage());
  }

  @Test
  void theNthCallFailsAndTheOthersSucceed() throws Exception {
    fs.failAt(Op.SYNC_DIR, 2);
    fs.syncDirectory(dir);
    assertInjected("injected failure: SYNC_DIR #2", () -> fs.syncDirectory(dir));
    fs.syncDirectory(dir);
    fs.syncDirectory(dir);
  }

  @Test
  void failAtCountsFromItsOwnCall() throws Exception {
    fs.list(dir);
    fs.list(dir);
    fs.failAt(Op.LIST, 1);
    assertInjected("injected failure: LIST #1", () -> fs.list(dir));
    fs.list(dir);
  }

  @Test
  void aFailedCallHasNoEffect() throws Exception {
    fs.failAt(Op.CREATE, 1);
    assertThrows(IOException.class, () -> fs.create(dir.resolve("f")));
    fs.create(dir.resolve("f")).close();
  }

  @Test
  void failAlwaysFailsEveryCallUntilCleared() throws Exception {
    fs.failAlways(Op.RENAME);
    assertInjected("injected failure: RENAME #1", () -> fs.rename(dir.resolve("a"), dir.resolve("b")));
    assertInjected("injected failure: RENAME #2", () -> fs.rename(dir.resolve("a"), dir.resolve("b")));
    fs.clearFailures();
    fs.create(dir.resolve("a")).close();
    fs.rename(dir.resolve("a"), dir.resolve("b"));
  }

  @Test
  void countsSeeEveryCallFailedOrNot() throws Exception {
    fs.failAt(Op.DELETE, 2);
    fs.delete(dir.resolve("x"));
    assertThrows(IOException.class, () -> fs.delete(dir.resolve("x")));
    fs.delete(dir.resolve("x"));
    fs.exists(dir.resolve("x"));
    assertEquals(3, fs.count(Op.DELETE));
    assertEquals(0, fs.count(Op.RENAME));
  }

  @Test
  void writableFileCallsAreInterceptedForPlainAndMappedFiles() throws Exception {
    try (WritableFile plain = fs.create(dir.resolve("p"));
        WritableFile mapped = fs.createMapped(dir.resolve("m"), 64, Runnable::run)) {
      fs.failAt(Op.APPEND, 2);
      fs.failAt(Op.SYNC, 1);
      plain.append(bytes(3, 1));
      assertInjected("injected failure: APPEND #2", () -> mapped.append(bytes(3, 1)));
      assertInjected("injected failure: SYNC #1", mapped::sync);
      mapped.append(bytes(4, 1));
      mapped.sync();
      plain.flush();
      assertEquals(3, fs.count(Op.APPEND));
      assertEquals(2, fs.count(Op.SYNC));
      assertEquals(1, fs.count(Op.FLUSH));
      assertEquals(2, fs.count(Op.CREATE));
    }
  }

  @Test
  void opensAndReadsAreIntercepted() throws Exception {
    try (WritableFile out = fs.create(dir.resolve("f"))) {
      out.append(bytes(10, 1));
    }
    fs.failAt(Op.OPEN, 1);
    assertInjected("injected failure: OPEN #1", () -> fs.openReadable(dir.resolve("f")));
    try (ReadableFile in = fs.openReadable(dir.resolve("f"))) {
      fs.failAt(Op.READ, 1);
      assertInjected("injected failure: READ #1", () -> in.readFully(0, new byte[1], 0, 1));
    }
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("f")));
  }

  @Test
  void locksAreIntercepted() throws Exception {
    fs.failAt(Op.LOCK, 1);
    assertInjected("injected failure: LOCK #1", () -> fs.lock(dir.resolve("LOCK")));
    fs.lock(dir.resolve("LOCK")).close();
    assertEquals(2, fs.count(Op.LOCK));
  }

  @Test
  void eachKindFailsInTheShapeTheJdkWouldReportIt() throws Exception {
    WritableFile file = fs.createMapped(dir.resolve("w.wal"), 64, Runnable::run);
    fs.failAt(Op.SYNC, 1, Kind.UNCHECKED_IO, path -> true);
    UncheckedIOException msync = assertThrows(UncheckedIOException.class, file::sync);
    assertTrue(msync.getMessage().contains("injected failure: SYNC #1"), msync.getMessage());
    fs.failAt(Op.APPEND, 1, Kind.INTERNAL_ERROR, path -> true);
    InternalError fault = assertThrows(InternalError.class, () -> file.append(bytes(3, 1)));
    assertTrue(fault.getMessage().contains("injected failure: APPEND #1"), fault.getMessage());
    fs.failAt(Op.APPEND, 1, Kind.NO_SPACE, path -> true);
    IOException full = assertThrows(IOException.class, () -> file.append(bytes(3, 1)));
    assertTrue(IoFailures.isNoSpace(full), full.getMessage());
    fs.failAt(Op.SYNC, 1, Kind.IO_EXCEPTION, path -> true);
    assertInjected("injected failure: SYNC #1", file::sync);
    assertEquals(4, fs.injected());
    file.append(bytes(3, 1));
    file.sync();
    file.close();
  }

  @Test
  void aFailureLimitedToSomeFilesCountsOnlyTheirCalls() throws Exception {
    try (WritableFile sst = fs.create(dir.resolve("1.sst.tmp"));
        WritableFile wal = fs.createMapped(dir.resolve("2.wal"), 64, Runnable::run)) {
      fs.failAt(Op.APPEND, 2, Kind.IO_EXCEPTION, path -> path.toString().endsWith(".wal"));
      sst.append(bytes(3, 1));
      wal.append(bytes(3, 1));
      sst.append(bytes(3, 1));
      assertInjected("injected failure: APPEND #2", () -> wal.append(bytes(3, 1)));
      wal.append(bytes(3, 1));
      assertEquals(5, fs.count(Op.APPEND));
    }
  }

  @Test
  void aRenameMatchesEitherName() throws Exception {
    fs.create(dir.resolve("a.tmp")).close();
    fs.failAlways(Op.RENAME, Kind.IO_EXCEPTION, path -> path.getFileName().toString().equals("b"));
    assertInjected("injected failure: RENAME #1", () -> fs.rename(dir.resolve("a.tmp"), dir.resolve("b")));
    fs.rename(dir.resolve("a.tmp"), dir.resolve("c"));
  }

  @Test
  void mappingCallsCountAsMapAsWellAsCreateOrOpen() throws Exception {
    fs.failAt(Op.MAP, 1);
    assertInjected("injected failure: MAP #1", () -> fs.createMapped(dir.resolve("m"), 64, Runnable::run));
    fs.create(dir.resolve("f")).close();
    fs.failAt(Op.MAP, 1);
    assertInjected("injected failure: MAP #1", () -> fs.openImmutable(dir.resolve("f")));
    fs.openReadable(dir.resolve("f")).close();
    assertEquals(2, fs.count(Op.MAP));
    assertEquals(2, fs.count(Op.CREATE));
    assertEquals(2, fs.count(Op.OPEN));
  }
}
