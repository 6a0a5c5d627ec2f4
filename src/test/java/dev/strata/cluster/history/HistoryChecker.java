package dev.strata.cluster.history;

import dev.strata.cluster.history.Operation.Kind;
import dev.strata.cluster.history.Operation.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a keyspace client history ({@link History}) against what a linearizable key/value store
 * allows, key by key (each key is a register; the store promises nothing across keys here):
 *
 * <ol>
 *   <li><b>No stale read, no invented value.</b> A get returns the value of some write of its key
 *       (or absent: the initial state, or a delete) that was invoked before the get completed, and
 *       that no acknowledged write had overwritten before the get began: a write x is overwritten
 *       by an acknowledged write w when x completed before w was invoked and w completed before
 *       the get was invoked.</li>
 *   <li><b>No read goes back in time.</b> A get that began after another get of the same key
 *       completed cannot return a write that was acknowledged before the first get's write was
 *       even invoked.</li>
 *   <li><b>Every acknowledged write survives.</b> The contents read at the end, once the workload
 *       has stopped, hold for every key the value of a write that could be the last one: one
 *       overwritten by no acknowledged write. Concurrent writes to one key leave any of them.</li>
 * </ol>
 *
 * <p>A write whose outcome is unknown ({@link Outcome#INFO}: no answer, a node killed under it)
 * may have taken effect at any time after its invocation, so its value may be read, and it
 * overwrites nothing that it was not known to follow. A write that {@link Outcome#FAIL}ed never
 * took effect: reading its value is a violation. Gets that did not complete say nothing.
 *
 * <p>These are per-operation necessary conditions of linearizability, checked in O(n log n); they
 * do not search for a total order (which is NP-complete in general), so a history can pass them
 * and still not be linearizable. Each violation they report is a real one, given the invocation
 * and completion times (see {@link History} for why those are conservative).
 *
 * <p>Thread-safety: stateless; {@link #check} may run on any thread.
 */
public final class HistoryChecker {
  private HistoryChecker() {}

  /** What the checker found: violations (empty: the history passes) and a summary of what it looked at. */
  public record Verdict(List<String> violations, String summary) {
    public boolean passed() {
      return violations.isEmpty();
    }

    /** The summary and the first {@code max} violations, for an assertion message. */
    public String report(int max) {
      StringBuilder out = new StringBuilder(summary);
      violations.stream().limit(max).forEach(v -> out.append("\n  ").append(v));
      if (violations.size() > max) {
        out.append("\n  ... and ").append(violations.size() - max).append(" more");
      }
      return out.toString();
    }
  }

  /** Checks the reads of {@code operations} (rules 1 and 2), without final contents. */
  public static Verdict check(List<Operation> operations) {
    return check(operations, null);
  }

  /**
   * Checks {@code operations} (rules 1 and 2) and, unless {@code finalContents} is null, the
   * contents of the keyspace read after every operation had completed or been abandoned (rule 3):
   * every key with a value, and only those.
   */
  public static Verdict check(List<Operation> operations, Map<String, String> finalContents) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation op : operations) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<String> violations = new ArrayList<>();
    int keysWithUnknownWrites = 0;
    for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
      KeyHistory key = new KeyHistory(entry.getKey(), entry.getValue());
      key.checkReads(violations);
      if (finalContents != null) {
        key.checkFinal(finalContents.get(entry.getKey()), violations);
      }
      if (key.hasUnknownWrites()) {
        keysWithUnknownWrites++;
      }
    }
    if (finalContents != null) {
      for (Map.Entry<String, String> e : new TreeMap<>(finalContents).entrySet()) {
        if (!byKey.containsKey(e.getKey())) {
          violations.add("final contents: " + e.getKey() + " = " + e.getValue() + ", a key nobody wrote");
        }
      }
    }
    return new Verdict(List.copyOf(violations), summary(operations, byKey.size(), keysWithUnknownWrites,
        finalContents));
  }

  private static String summary(List<Operation> operations, int keys, int keysWithUnknownWrites,
      Map<String, String> finalContents) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Operation op : operations) {
      counts.merge(op.kind() + " " + op.outcome(), 1, Integer::sum);
    }
    return operations.size() + " operations on " + keys + " keys " + counts + ", " + keysWithUnknownWrites
        + " keys with writes of unknown outcome" + (finalContents == null ? "" : ", " + finalContents.size()
        + " keys in the final contents");
  }

  /**
   * The operations on one key. Candidate writes of a value v: the writes leaving v (for absent:
   * the deletes and the initial state, a write that completed before time began) that did not fail.
   */
  private static final class KeyHistory {
    private static final Operation INITIAL = new Operation(-1, -1, Kind.DELETE, "", null, Long.MIN_VALUE,
        Long.MIN_VALUE, Outcome.OK);

    private final String key;
    private final Map<String, List<Operation>> writesOf = new HashMap<>(); // null key: absent
    private final List<Operation> reads = new ArrayList<>();
    /** Acknowledged writes by invocation time, and the earliest completion among those invoked at or after each. */
    private final long[] ackInvoked;
    private final long[] earliestCompletionFrom;
    private boolean unknownWrites;

    KeyHistory(String key, List<Operation> operations) {
      this.key = key;
      writesOf.computeIfAbsent(null, v -> new ArrayList<>()).add(INITIAL);
      List<Operation> acknowledged = new ArrayList<>();
      for (Operation op : operations) {
        if (op.isWrite()) {
          if (op.outcome() != Outcome.FAIL) {
            writesOf.computeIfAbsent(op.written(), v -> new ArrayList<>()).add(op);
          }
          if (op.outcome() == Outcome.OK) {
            acknowledged.add(op);
          } else if (op.outcome() == Outcome.INFO) {
            unknownWrites = true;
          }
        } else if (op.outcome() == Outcome.OK) {
          reads.add(op);
        }
      }
      acknowledged.sort(Comparator.comparingLong(Operation::invokedNanos));
      ackInvoked = acknowledged.stream().mapToLong(Operation::invokedNanos).toArray();
      earliestCompletionFrom = new long[acknowledged.size() + 1];
      earliestCompletionFrom[acknowledged.size()] = Long.MAX_VALUE;
      for (int i = acknowledged.size() - 1; i >= 0; i--) {
        earliestCompletionFrom[i] = Math.min(earliestCompletionFrom[i + 1], acknowledged.get(i).completedNanos());
      }
    }

    boolean hasUnknownWrites() {
      return unknownWrites;
    }

    /**
     * When {@code write} was first overwritten for good: the earliest completion of an
     * acknowledged write invoked after {@code write} completed ({@link Long#MAX_VALUE}: never).
     */
    private long overwrittenAt(Operation write) {
      if (write.completedNanos() == Long.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
      int from = firstInvokedAfter(write.completedNanos());
      return earliestCompletionFrom[from];
    }

    private int firstInvokedAfter(long nanos) {
      int i = Arrays.binarySearch(ackInvoked, nanos);
      if (i < 0) {
        return -i - 1;
      }
      while (i < ackInvoked.length && ackInvoked[i] == nanos) {
        i++;
      }
      return i;
    }

    /** The writes a read over [invoked, completed] may have returned, if it returned {@code value}. */
    private List<Operation> possibleSources(String value, long invoked, long completed) {
      List<Operation> sources = new ArrayList<>();
      for (Operation w : writesOf.getOrDefault(value, List.of())) {
        if (w.invokedNanos() < completed && overwrittenAt(w) >= invoked) {
          sources.add(w);
        }
      }
      return sources;
    }

    void checkReads(List<String> violations) {
      // Rule 1, and for rule 2 the bounds of each read's possible sources.
      record Seen(Operation read, long earliestSourceInvoked, long latestSourceCompleted) {}
      List<Seen> seen = new ArrayList<>();
      for (Operation read : reads) {
        List<Operation> sources = possibleSources(read.value(), read.invokedNanos(), read.completedNanos());
        if (sources.isEmpty()) {
          violations.add(explain(read));
        } else {
          seen.add(new Seen(read, sources.stream().mapToLong(Operation::invokedNanos).min().orElseThrow(),
              sources.stream().mapToLong(Operation::completedNanos).max().orElseThrow()));
        }
      }
      // Rule 2: a read r2 invoked after r1 completed goes back in time if every write it may have
      // returned was acknowledged before every write r1 may have returned was invoked.
      seen.sort(Comparator.comparingLong(s -> s.read().completedNanos()));
      long[] completed = seen.stream().mapToLong(s -> s.read().completedNanos()).toArray();
      int[] latestFloor = new int[seen.size()]; // index of the read with the highest earliestSourceInvoked so far
      for (int i = 0; i < seen.size(); i++) {
        latestFloor[i] = i == 0 || seen.get(i).earliestSourceInvoked() > seen.get(latestFloor[i - 1]).earliestSourceInvoked()
            ? i : latestFloor[i - 1];
      }
      for (Seen s : seen) {
        int before = lastBelow(completed, s.read().invokedNanos());
        if (before >= 0) {
          Seen earlier = seen.get(latestFloor[before]);
          if (s.latestSourceCompleted() < earlier.earliestSourceInvoked()) {
            violations.add(key + ": " + s.read() + " went back in time: every write it may have returned was"
                + " acknowledged before the write returned by the earlier " + earlier.read() + " was invoked");
          }
        }
      }
    }

    private static int lastBelow(long[] sorted, long bound) {
      int i = Arrays.binarySearch(sorted, bound);
      int insertion = i < 0 ? -i - 1 : i;
      while (insertion > 0 && sorted[insertion - 1] >= bound) {
        insertion--;
      }
      return insertion - 1;
    }

    /** Rule 3: {@code value} (null: absent) read after everything could be the last write's. */
    void checkFinal(String value, List<String> violations) {
      List<Operation> sources = possibleSources(value, Long.MAX_VALUE - 1, Long.MAX_VALUE);
      if (sources.isEmpty()) {
        TreeSet<String> allowed = new TreeSet<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        writesOf.forEach((v, writes) -> {
          if (writes.stream().anyMatch(w -> overwrittenAt(w) == Long.MAX_VALUE)) {
            allowed.add(v);
          }
        });
        violations.add("final contents: " + key + " = " + (value == null ? "absent" : value)
            + ", but the last acknowledged write could only have left one of " + render(allowed)
            + lastAcknowledged());
      }
    }

    private String lastAcknowledged() {
      Operation last = null;
      for (List<Operation> writes : writesOf.values()) {
        for (Operation w : writes) {
          if (w.outcome() == Outcome.OK && w != INITIAL && (last == null || w.completedNanos() > last.completedNanos())) {
            last = w;
          }
        }
      }
      return last == null ? "" : " (the last acknowledged write: " + last + ")";
    }

    private static String render(TreeSet<String> values) {
      List<String> out = new ArrayList<>();
      values.forEach(v -> out.add(v == null ? "absent" : v));
      return out.toString();
    }

    /** Why no write can explain {@code read}'s value. */
    private String explain(Operation read) {
      String what = key + ": " + read;
      List<Operation> writes = writesOf.getOrDefault(read.value(), List.of());
      if (writes.isEmpty()) {
        return what + " returned a value no write left (or one whose write failed)";
      }
      List<Operation> earlier = writes.stream().filter(w -> w.invokedNanos() < read.completedNanos()).toList();
      if (earlier.isEmpty()) {
        return what + " returned a value written only later, by " + writes.get(0);
      }
      // Every earlier source was overwritten before the read began: name one overwriting write.
      Operation source = earlier.stream().max(Comparator.comparingLong(Operation::completedNanos)).orElseThrow();
      return what + " is stale: " + (source == INITIAL ? "the initial absent state" : source.toString())
          + " had been overwritten by an acknowledged write that completed at " + overwrittenAt(source)
          + ", before the read began";
    }
  }
}
