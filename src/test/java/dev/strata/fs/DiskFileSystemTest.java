package dev.strata.fs;

import static dev.strata.fs.FsTestHarness.bytes;
import static dev.strata.fs.FsTestHarness.concat;
import static dev.strata.fs.FsTestHarness.readAll;
import static dev.strata.fs.FsTestHarness.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFileSystemTest {
  private final FileSystem fs = DiskFileSystem.INSTANCE;
  @TempDir Path dir;

  @Test
  void appendedBytesReadBackAfterFlushSyncAndClose() throws Exception {
    Path path = dir.resolve("f");
    byte[] small = bytes(100, 1);
    byte[] large = bytes(200_000, 2);
    try (WritableFile out = fs.create(path)) {
      out.append(small);
      out.flush();
      out.append(large, 10, large.length - 10);
      out.sync();
      out.append(small, 0, 5);
      assertEquals(100 + 200_000 - 10 + 5, out.size());
    }
    byte[] expected = concat(small, java.util.Arrays.copyOfRange(large, 10, large.length),
        java.util.Arrays.copyOf(small, 5));
    assertArrayEquals(expected, readAll(fs, path));
  }

  @Test
  void readPastTheEndIsAnEofException() throws Exception {
    Path path = dir.resolve("f");
    write(fs, path, bytes(10, 1), false);
    try (ReadableFile in = fs.openReadable(path)) {
      assertThrows(EOFException.class, () -> in.readFully(5, new byte[6], 0, 6));
    }
  }

  @Test
  void anImmutableFileReadsLikeAnyOtherFromItsMapping() throws Exception {
    Path path = dir.resolve("f");
    byte[] data = bytes(100_000, 3);
    write(fs, path, data, false);
    try (ReadableFile in = fs.openImmutable(path)) {
      assertEquals(100_000, in.size());
      byte[] slice = new byte[5000];
      in.readFully(40_000, slice, 0, 5000);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 40_000, 45_000), slice);
      byte[] tail = new byte[12];
      in.readFully(99_990, tail, 2, 10);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 99_990, 100_000), java.util.Arrays.copyOfRange(tail, 2, 12));
      assertThrows(EOFException.class, () -> in.readFully(99_995, new byte[6], 0, 6));
    }
  }

  @Test
  void anImmutableFileLendsItsBytesForOneCallAndChecksTheRange() throws Exception {
    Path path = dir.resolve("f");
    byte[] data = bytes(100_000, 5);
    write(fs, path, data, false);
    try (ReadableFile in = fs.openImmutable(path)) {
      byte[] lent = in.read(40_000, 5000, b -> {
        assertEquals(0, b.position());
        assertEquals(5000, b.remaining());
        assertTrue(b.isDirect(), "a mapping is lent, not copied to the heap");
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        return copy;
      });
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 40_000, 45_000), lent);
      assertEquals(100_000, in.read(0, 100_000, java.nio.ByteBuffer::remaining));
      assertThrows(EOFException.class, () -> in.read(99_995, 6, b -> b));
      assertThrows(EOFException.class, () -> in.read(-1, 6, b -> b));
    }
    ReadableFile closed = fs.openImmutable(path);
    closed.close();
    assertThrows(java.io.IOException.class, () -> closed.read(0, 10, b -> b));
  }

  @Test
  void anImmutableFileReadAfterCloseIsAnIoExceptionNotACrash() throws Exception {
    Path path = dir.resolve("f");
    write(fs, path, bytes(4096, 4), false);
    ReadableFile in = fs.openImmutable(path);
    in.close();
    in.close();
    assertThrows(java.io.IOException.class, () -> in.readFully(0, new byte[10], 0, 10));
  }

  @Test
  void createFailsWhenTheFileExists() throws Exception {
    Path path = dir.resolve("f");
    write(fs, path, bytes(3, 1), false);
    assertThrows(FileAlreadyExistsException.class, () -> fs.create(path));
    assertArrayEquals(bytes(3, 1), readAll(fs, path));
  }

  @Test
  void renameReplacesTheTarget() throws Exception {
    write(fs, dir.resolve("a"), bytes(10, 1), true);
    write(fs, dir.resolve("b"), bytes(20, 2), true);
    fs.rename(dir.resolve("a"), dir.resolve("b"));
    fs.syncDirectory(dir);
    assertFalse(fs.exists(dir.resolve("a")));
    assertArrayEquals(bytes(10, 1), readAll(fs, dir.resolve("b")));
  }

  @Test
  void listNamesTheFilesOfADirectory() throws Exception {
    write(fs, dir.resolve("x.sst"), bytes(1, 1), false);
    write(fs, dir.resolve("y.log"), bytes(1, 1), false);
    assertEquals(List.of("x.sst", "y.log"), fs.list(dir).stream().sorted().toList());
  }

  @Test
  void listOfAMissingDirectoryIsEmpty() throws Exception {
    assertEquals(List.of(), fs.list(dir.resolve("missing")));
  }

  @Test
  void deletingAMissingFileIsNotAnError() {
    assertDoesNotThrow(() -> fs.delete(dir.resolve("never-there")));
  }

  @Test
  void deleteRemovesTheFile() throws Exception {
    write(fs, dir.resolve("f"), bytes(1, 1), false);
    fs.delete(dir.resolve("f"));
    assertFalse(Files.exists(dir.resolve("f")));
  }
}
