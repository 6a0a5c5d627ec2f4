package dev.strata.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one killed child reported on stdout (the protocol is in {@link CrashWriter}): its
 * acknowledged writes in order, the write each thread had in flight when it was killed, and any
 * failure it reported. A last line without its newline was cut by the kill and is ignored: it can
 * only be an intent whose write was never issued, or an acknowledgement, which then counts as
 * missing (the write stays "in flight", which is always the safe reading).
 */
record CrashLog(List<Write> acknowledged, Map<Integer, Write> inFlight, List<String> errors, int lines) {

  /** One write of a child: its identity and its operations. */
  record Write(int cycle, int thread, long write, List<Op> ops) {
    boolean isBatch() {
      return ops.size() > 1;
    }

    /** Orders the writes of one thread across cycles; equal for the same write. */
    long id() {
      return packId(cycle, write);
    }

    @Override
    public String toString() {
      return "c" + cycle + ".t" + thread + ".w" + write + (isBatch() ? " (batch of " + ops.size() + ")" : "");
    }
  }

  /** One operation of a write: a put of the write's value for {@code key}, or a delete. */
  record Op(String key, boolean delete) {}

  /** A thread's writes in increasing order across cycles. */
  static long packId(int cycle, long write) {
    return (long) cycle << 40 | write;
  }

  static CrashLog parse(String output, int cycle) {
    int end = output.lastIndexOf('\n');
    String whole = end < 0 ? "" : output.substring(0, end);
    List<Write> acknowledged = new ArrayList<>();
    Map<Integer, Write> pending = new TreeMap<>();
    Map<Integer, Long> nextWrite = new TreeMap<>();
    List<String> errors = new ArrayList<>();
    int lines = 0;
    for (String line : whole.isEmpty() ? new String[0] : whole.split("\n")) {
      lines++;
      String[] f = line.split(" ");
      switch (f[0]) {
        case "I" -> {
          int thread = Integer.parseInt(f[1]);
          long write = Long.parseLong(f[2]);
          long expected = nextWrite.getOrDefault(thread, 0L);
          if (write != expected || pending.containsKey(thread) || f.length < 4) {
            throw protocol(line, "expected the intent of write " + expected + " of thread " + thread
                + (pending.containsKey(thread) ? " after the acknowledgement of " + pending.get(thread) : ""));
          }
          List<Op> ops = new ArrayList<>();
          for (int i = 3; i < f.length; i++) {
            ops.add(new Op(f[i].substring(1), f[i].charAt(0) == '-'));
          }
          pending.put(thread, new Write(cycle, thread, write, List.copyOf(ops)));
          nextWrite.put(thread, write + 1);
        }
        case "A" -> {
          int thread = Integer.parseInt(f[1]);
          long write = Long.parseLong(f[2]);
          Write w = pending.remove(thread);
          if (w == null || w.write() != write) {
            throw protocol(line, "an acknowledgement of a write that is not thread " + thread + "'s pending one");
          }
          acknowledged.add(w);
        }
        case "E" -> errors.add(line);
        default -> throw protocol(line, "unknown line");
      }
    }
    return new CrashLog(List.copyOf(acknowledged), pending, List.copyOf(errors), lines);
  }

  private static IllegalStateException protocol(String line, String problem) {
    return new IllegalStateException("crash writer protocol violated (a bug of the test): " + problem + ": '" + line
        + "'");
  }
}
