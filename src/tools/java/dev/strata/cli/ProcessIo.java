package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes this process has written, from Linux's {@code /proc/self/io} (every thread of the
 * process, background compaction threads too). {@code write_bytes} counts the bytes the process
 * caused to be sent to storage, memory-mapped writes included; some file systems do not account
 * it and leave it 0, and then {@code wchar} (bytes passed to write system calls) is used
 * instead. Stateless.
 *
 * @param bytes bytes written, or -1 when nothing could be read (not Linux)
 * @param source which counter {@code bytes} is: "write_bytes", "wchar" or "n/a"
 */
record ProcessIo(long bytes, String source) {
  static final Path SELF_IO = Path.of("/proc/self/io");

  /** This process's bytes written so far. */
  static ProcessIo read() {
    try {
      return parse(Files.readString(SELF_IO));
    } catch (IOException | RuntimeException e) {
      return new ProcessIo(-1, "n/a");
    }
  }

  /** The bytes written that a {@code /proc/<pid>/io} text reports. */
  static ProcessIo parse(String text) {
    Map<String, Long> fields = new HashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        try {
          fields.put(line.substring(0, colon).strip(), Long.parseLong(line.substring(colon + 1).strip()));
        } catch (NumberFormatException e) {
          // Not a counter: ignore the line.
        }
      }
    }
    long writeBytes = fields.getOrDefault("write_bytes", 0L);
    if (writeBytes > 0) {
      return new ProcessIo(writeBytes, "write_bytes");
    }
    Long wchar = fields.get("wchar");
    return wchar == null ? new ProcessIo(-1, "n/a") : new ProcessIo(wchar, "wchar");
  }
}
