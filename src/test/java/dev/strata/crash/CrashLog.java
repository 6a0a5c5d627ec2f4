package dev.strata.crash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one killed child reported (the protocol is in {@link CrashWriter}), with the position of
 * every line: its writes in the order of their intents, each with its outcome, and its flushes.
 * Positions are line numbers, so "line a before line b" is real-time order inside the child:
 * a write acknowledged at line a was committed before a write whose intent is at line b > a was
 * issued. A last line without its newline was cut by the kill and is ignored: it can only be an
 * intent whose write was never issued, or an outcome, which then counts as missing (the write
 * stays pending, which is always the safe reading). Immutable.
 */
record CrashLog(List<Write> writes, List<Flush> flushes, List<String> errors, int lines) {
  /** The position of an outcome that never came (a write still pending at the kill). */
  static final int NEVER = Integer.MAX_VALUE;

  enum Outcome {
    /** Acknowledged: the call returned. */
    ACKNOWLEDGED,
    /** No outcome line: in flight at the kill, applied or not. */
    PENDING,
    /** A transaction whose commit threw TransactionConflictException. */
    CONFLICTED,
    /** A transaction rolled back on purpose. */
    ROLLED_BACK;

    /** Whether the write may be in the store: acknowledged or pending. */
    boolean mayApply() {
      return this == ACKNOWLEDGED || this == PENDING;
    }
  }

  /** One write of a child: its identity, its operations, where its intent and outcome are. */
  record Write(int cycle, int thread, long write, boolean transaction, List<Op> ops, int intentAt, Outcome outcome,
      int outcomeAt) {
    boolean isMultiKey() {
      return ops.size() > 1;
    }

    @Override
    public String toString() {
      return "c" + cycle + ".t" + thread + ".w" + write + (transaction ? " (transaction" : " (")
          + (transaction ? ", " : "") + ops.size() + " ops, " + outcome.name().toLowerCase() + ", intent at line "
          + intentAt + ")";
    }
  }

  /** One operation of a write: a put of the write's value for {@code key}, or a delete. */
  record Op(String key, boolean delete) {}

  /** A {@code flush()} call: where it started, and where it returned ({@link #NEVER} if it did not). */
  record Flush(long n, int startAt, int doneAt) {}

  /** The position of the start of the last flush() that returned, or -1 when none did. */
  int lastCompletedFlushStart() {
    int at = -1;
    for (Flush f : flushes) {
      if (f.doneAt() != NEVER) {
        at = Math.max(at, f.startAt());
      }
    }
    return at;
  }

  long count(Outcome outcome) {
    return writes.stream().filter(w -> w.outcome() == outcome).count();
  }

  static CrashLog parse(String output, int cycle) {
    int end = output.lastIndexOf('\n');
    String whole = end < 0 ? "" : output.substring(0, end);
    List<Write> writes = new ArrayList<>();
    Map<Integer, Integer> pending = new HashMap<>(); // thread -> index into writes
    Map<Integer, Long> nextWrite = new HashMap<>();
    Map<Long, Integer> flushStarts = new HashMap<>();
    List<Flush> flushes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String[] lines = whole.isEmpty() ? new String[0] : whole.split("\n");
    for (int at = 0; at < lines.length; at++) {
      String line = lines[at];
      String[] f = line.split(" ");
      switch (f[0]) {
        case "I", "T" -> {
          int thread = Integer.parseInt(f[1]);
          long write = Long.parseLong(f[2]);
          long expected = nextWrite.getOrDefault(thread, 0L);
          if (write != expected || pending.containsKey(thread) || f.length < 4) {
            throw protocol(line, "expected the intent of write " + expected + " of thread " + thread
                + (pending.containsKey(thread) ? " after the outcome of " + writes.get(pending.get(thread)) : ""));
          }
          List<Op> ops = new ArrayList<>();
          for (int i = 3; i < f.length; i++) {
            ops.add(new Op(f[i].substring(1), f[i].charAt(0) == '-'));
          }
          pending.put(thread, writes.size());
          writes.add(new Write(cycle, thread, write, f[0].equals("T"), List.copyOf(ops), at, Outcome.PENDING, NEVER));
          nextWrite.put(thread, write + 1);
        }
        case "A", "X", "R" -> {
          int thread = Integer.parseInt(f[1]);
          long write = Long.parseLong(f[2]);
          Integer i = pending.remove(thread);
          Write w = i == null ? null : writes.get(i);
          if (w == null || w.write() != write || (!f[0].equals("A") && !w.transaction())) {
            throw protocol(line, "an outcome of a write that is not thread " + thread + "'s pending one");
          }
          Outcome o = switch (f[0]) {
            case "A" -> Outcome.ACKNOWLEDGED;
            case "X" -> Outcome.CONFLICTED;
            default -> Outcome.ROLLED_BACK;
          };
          writes.set(i, new Write(w.cycle(), w.thread(), w.write(), w.transaction(), w.ops(), w.intentAt(), o, at));
        }
        case "F" -> flushStarts.put(Long.parseLong(f[1]), at);
        case "D" -> {
          long n = Long.parseLong(f[1]);
          Integer start = flushStarts.remove(n);
          if (start == null) {
            throw protocol(line, "the end of a flush that never started");
          }
          flushes.add(new Flush(n, start, at));
        }
        case "E" -> errors.add(line);
        default -> throw protocol(line, "unknown line");
      }
    }
    flushStarts.forEach((n, start) -> flushes.add(new Flush(n, start, NEVER)));
    return new CrashLog(List.copyOf(writes), List.copyOf(flushes), List.copyOf(errors), lines.length);
  }

  private static IllegalStateException protocol(String line, String problem) {
    return new IllegalStateException("crash writer protocol violated (a bug of the test): " + problem + ": '" + line
        + "'");
  }
}
