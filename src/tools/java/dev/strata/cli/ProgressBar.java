package dev.strata.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * A one-line progress bar on a terminal, redrawn in place with {@code \r} at most ten times a
 * second by a daemon thread, and erased on {@link #close()}. It reads the workers' shared
 * counter and nothing else, so it costs the measured threads nothing. Thread-safe: started and
 * closed by the runner's thread, drawn by its own.
 */
final class ProgressBar implements AutoCloseable {
  private static final long REDRAW_MILLIS = 100;
  private static final int BAR_WIDTH = 30;

  private final PrintStream terminal;
  private final String label;
  private final long total;
  private final LongAdder done;
  private final Thread drawer;
  private int drawnLength;

  private ProgressBar(PrintStream terminal, String label, long total, LongAdder done) {
    this.terminal = terminal;
    this.label = label;
    this.total = total;
    this.done = done;
    this.drawer = new Thread(this::drawUntilClosed, "bench-progress");
    drawer.setDaemon(true);
  }

  /** Starts a bar on {@code terminal}; with a null terminal, a bar that draws nothing. */
  static ProgressBar start(PrintStream terminal, String label, long total, LongAdder done) {
    ProgressBar bar = new ProgressBar(terminal, label, total, done);
    if (terminal != null) {
      bar.drawer.start();
    }
    return bar;
  }

  private void drawUntilClosed() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        draw();
        Thread.sleep(REDRAW_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void draw() {
    long now = Math.min(done.sum(), total);
    int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * now / total);
    String line = "\r" + label + " [" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] "
        + (total == 0 ? 100 : 100 * now / total) + "% " + now + "/" + total;
    terminal.print(line);
    terminal.flush();
    drawnLength = line.length();
  }

  /** Stops drawing and erases the bar. */
  @Override
  public void close() {
    if (terminal == null) {
      return;
    }
    drawer.interrupt();
    try {
      drawer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      terminal.print("\r" + " ".repeat(drawnLength) + "\r");
      terminal.flush();
    }
  }
}
