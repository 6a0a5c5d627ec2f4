package dev.strata.crash;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The child side of the kill -9 tests: a child JVM reports what it did, one line per event, on
 * the real stdout descriptor (logging goes elsewhere and cannot mix into it), and stops by itself
 * when its parent goes. Shared by {@link CrashWriter} and the transaction recovery test's child.
 */
public final class ChildProtocol {
  private static final FileOutputStream OUT = new FileOutputStream(FileDescriptor.out);

  private ChildProtocol() {}

  /** Writes one whole line with one system call, so that a kill never leaves half a line. */
  public static synchronized void emit(String line) {
    try {
      OUT.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // The parent is gone or stopped reading: nobody is left to check anything.
      Runtime.getRuntime().halt(4);
    }
  }

  /**
   * The parent holds our stdin open; when it dies without killing us, stdin ends, and we stop
   * rather than write forever. A time limit covers any other way of being forgotten.
   */
  public static void exitWhenParentGoes() {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Nothing is ever sent; reading only waits for the end of the stream.
        }
      } catch (IOException ignored) {
        // Treated as the end of the stream.
      }
      Runtime.getRuntime().halt(5);
    }, "child-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Thread limit = new Thread(() -> {
      try {
        Thread.sleep(10 * 60 * 1000L);
      } catch (InterruptedException ignored) {
        return;
      }
      Runtime.getRuntime().halt(6);
    }, "child-time-limit");
    limit.setDaemon(true);
    limit.start();
  }
}
