package dev.strata.fs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the file-system tests. */
final class FsTestHarness {
  private FsTestHarness() {}

  /** {@code n} bytes of a pattern that depends on {@code seed} and never repeats within 251. */
  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 251 + seed * 7 + 1);
    }
    return b;
  }

  /**
   * Appends 20,000 records of 1 to 97 bytes to {@code out} while another thread syncs it over and
   * over; returns the bytes appended, in order. Fails if no sync returned while appending or one threw.
   *
   * <p>The appends start once the syncing thread runs, and go on past 20,000 until one of its
   * syncs has returned: started from a pool, it was once scheduled only after all 20,000 (a few
   * milliseconds) on a loaded machine, and synced nothing.
   */
  static byte[] appendWhileAnotherThreadSyncs(WritableFile out) throws Exception {
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    java.util.concurrent.atomic.AtomicBoolean appending = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.CountDownLatch syncing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger synced = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<Void> syncer = java.util.concurrent.CompletableFuture.runAsync(() -> {
      syncing.countDown();
      while (appending.get()) {
        try {
          out.sync();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        synced.incrementAndGet();
      }
    });
    if (!syncing.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("the syncing thread did not start");
    }
    // Past 20,000 only while the syncer has not returned from a sync yet, nor failed.
    for (int i = 0; i < 20_000 || (synced.get() == 0 && !syncer.isDone()); i++) {
      if (i == 1_000_000) {
        appending.set(false);
        throw new AssertionError("no sync returned during 1,000,000 appends");
      }
      byte[] record = bytes(1 + i % 97, i);
      out.append(record);
      expected.write(record);
    }
    appending.set(false);
    syncer.get(60, java.util.concurrent.TimeUnit.SECONDS); // throws what a sync threw
    return expected.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  static byte[] readAll(FileSystem fs, Path path) throws IOException {
    try (ReadableFile in = fs.openReadable(path)) {
      byte[] b = new byte[Math.toIntExact(in.size())];
      in.readFully(0, b, 0, b.length);
      return b;
    }
  }

  static void write(FileSystem fs, Path path, byte[] data, boolean sync) throws IOException {
    try (WritableFile out = fs.create(path)) {
      out.append(data);
      if (sync) {
        out.sync();
      }
    }
  }

  /** A child JVM running {@link LockHolderMain} on {@code lockFile}. */
  static final class LockHolder implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    LockHolder(Path lockFile) throws IOException {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
          LockHolderMain.class.getName(), lockFile.toString())
          .redirectErrorStream(true)
          .start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * The child's lines up to and including the first that says whether it got the lock
     * ({@code locked} or {@code failed: ...}), or up to its exit.
     */
    List<String> awaitVerdict() throws IOException {
      List<String> lines = new ArrayList<>();
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        if (line.equals(LockHolderMain.LOCKED) || line.startsWith(LockHolderMain.FAILED)) {
          break;
        }
      }
      return lines;
    }

    /** Closes the child's stdin, which makes it release the lock and exit; waits for the exit. */
    int release() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("lock holder did not exit");
      }
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
