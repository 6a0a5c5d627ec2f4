package dev.strata.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One run of a {@link ClusterNode} child JVM: starts it, follows the lines it prints (they go on
 * to a log file too, appended across runs), and kills it with SIGKILL.
 *
 * <p>Thread-safe: a reader thread updates what the node last reported; any thread may read it
 * or kill the node.
 */
final class NodeProcess {
  private final Process process;
  private final Thread reader;
  private volatile String view = "";
  private volatile boolean ready;
  private final java.util.concurrent.BlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();

  private NodeProcess(Process process, Path log) {
    this.process = process;
    this.reader = new Thread(() -> follow(log), "node-" + process.pid() + "-stdout");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts {@code command} (a java command line ending in a {@link ClusterNode} main class and its
   * arguments); its stdout goes to {@code log}, its stderr to {@code errors}, both appended.
   */
  static NodeProcess start(List<String> command, Path log, Path errors) throws IOException {
    Files.writeString(log, "--- start\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))
        .start();
    return new NodeProcess(process, log);
  }

  private void follow(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (line.startsWith("view ")) {
          view = line.substring("view ".length());
        } else if (line.equals("ready")) {
          ready = true;
        } else if (line.startsWith("bench-result ") || line.startsWith("error ")) {
          answers.add(line);
        }
      }
    } catch (IOException e) {
      if (process.isAlive()) {
        throw new UncheckedIOException("reading the output of node process " + process.pid(), e);
      }
      // Killed: its pipe closed under the reader.
    }
  }

  /**
   * Sends {@code command} to the node ({@link ClusterNode#serveCommands}) and returns its answer
   * line; fails when the node answers with an error, ends, or does not answer in {@code timeout}.
   */
  String request(String command, java.time.Duration timeout) throws IOException, InterruptedException {
    OutputStream in = process.getOutputStream();
    in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String answer = answers.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (answer != null) {
        if (answer.startsWith("error ")) {
          throw new IllegalStateException("node process " + process.pid() + " could not run '" + command + "': "
              + answer.substring("error ".length()));
        }
        return answer;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("node process " + process.pid() + " ended (status " + process.exitValue()
            + ") before it answered '" + command + "'");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("node process " + process.pid() + " did not answer '" + command + "' in "
            + timeout.toSeconds() + " s");
      }
    }
  }

  /** The node's last reported view of the members: {@code up=<ports> unreachable=<ports>}. */
  String view() {
    return view;
  }

  /** Whether the node has reported that it is Up and serving. */
  boolean ready() {
    return ready;
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The exit status of a node that ended (-1 while it runs). */
  int exitStatus() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Kills the node with SIGKILL (kill -9: no shutdown hook, no flush) and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
    reader.join(10_000);
  }
}
