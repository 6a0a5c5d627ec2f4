package dev.strata.crash;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The expected state of one store of the crash test (RocksDB's db_stress expected state): for
 * every key of the key space, the values it may hold after a kill, and the check of a reopened
 * store against them. Not thread-safe.
 *
 * <p><b>The permitted values.</b> Between kills the model knows each key's value exactly (the one
 * the last check found). A cycle's log ({@link CrashLog}) lists, key by key and in order, the
 * writes that may have reached the key: w0 is the value at the start of the cycle, then every
 * acknowledged or pending write of the cycle (a conflicted or rolled-back transaction never
 * counts). Before a write is issued the key's permitted set grows to {old, new}; once it is
 * acknowledged it shrinks to {new}, if the store promises that the write survives a kill:
 * <ul>
 *   <li>WAL on (synced or not; a process crash keeps the page cache): every acknowledged write
 *       survives. The key may hold its last acknowledged write or, if one is pending after it,
 *       that one.
 *   <li>WAL off: a write survives once a flush made it durable, and {@code flush()} promises that
 *       for every write acknowledged before it was called. Let S be the start of the last
 *       {@code flush()} of the cycle that returned: the key may hold the last write acknowledged
 *       before S (w0 if none) or any later write of the cycle, pending one included. In words:
 *       every key holds some value it held at some moment at or after the last completed flush.
 * </ul>
 * A value outside the set is <b>lost</b> (the key lost a write it had to keep: it is absent, or
 * holds an older value) or a <b>phantom</b> (a value no permitted write explains: a conflicted
 * or rolled-back transaction's, another key's, one that came back from an earlier cycle, bytes
 * nobody wrote).
 *
 * <p><b>Across keys</b> two more rules hold in every mode:
 * <ul>
 *   <li><b>atomic</b>: a batch or a transaction shows on all of its keys or on none;
 *   <li><b>a prefix of history</b>: writes commit in one total order (the engine's sequence
 *       numbers), and what a kill leaves is a prefix of it: the writes a crash keeps are all the
 *       writes up to some point. The test sees that order only partly, through real time: a write
 *       acknowledged before another was issued committed before it. So the check is that some cut
 *       T (a point in the log) exists such that every write found applied was issued before T, and
 *       every write found not applied was not acknowledged before T. With the WAL on this is
 *       implied by the per-key rule; with the WAL off it is what makes the writes since the last
 *       flush all-or-nothing in order, instead of any mix of them.
 * </ul>
 * Besides, {@code get} and a full scan must agree on every key, and the scan must show no key
 * outside the key space. After a clean check the model takes the values found as the start of
 * the next cycle.
 */
final class ExpectedState {
  private static final int MAX_REPORTED = 40;

  /** A version of a key: the write that put it there, or a delete (or nothing ever) when absent. */
  private record Version(CrashLog.Write write, boolean delete) {
    static final Version NEVER_WRITTEN = new Version(null, true);

    byte[] value(String key) {
      return delete ? null : CrashValues.value(write.cycle(), write.thread(), write.write(), key);
    }

    @Override
    public String toString() {
      return write == null ? "never written" : (delete ? "deleted by " : "the value of ") + write;
    }
  }

  /** The start-of-cycle version of every key of the key space. */
  private final Version[] current = new Version[CrashValues.KEYS];
  private long acknowledged;
  private long keyChecks;
  private long pendingApplied;
  private long pendingDropped;
  private long conflicted;
  private long rolledBack;
  private long flushes;

  ExpectedState() {
    Arrays.fill(current, Version.NEVER_WRITTEN);
  }

  /** The result of one check: {@code problems} empty when the store is as it must be. */
  record Verdict(List<String> problems, int keysChecked) {
    boolean clean() {
      return problems.isEmpty();
    }
  }

  /** One key's history in a cycle: versions[0] is its value at the start, then each write that may apply. */
  private static final class History {
    final List<Version> versions = new ArrayList<>();
    /** The index of the oldest version the key may hold. */
    int required;
    /** Indices of the versions that match what the store holds. */
    int[] matches;
  }

  /**
   * Checks the reopened store {@code db} against the cycle's {@code log}, written with the WAL on
   * or off; when it passes, moves the model to what it found.
   */
  Verdict check(Strata db, CrashLog log, boolean walEnabled) {
    List<String> problems = new ArrayList<>();
    History[] histories = new History[CrashValues.KEYS];
    for (int k = 0; k < histories.length; k++) {
      histories[k] = new History();
      histories[k].versions.add(current[k]);
    }
    Set<CrashLog.Write> aborted = new HashSet<>();
    for (CrashLog.Write w : log.writes()) {
      if (!w.outcome().mayApply()) {
        aborted.add(w);
        continue;
      }
      for (CrashLog.Op op : w.ops()) {
        histories[CrashValues.index(op.key())].versions.add(new Version(w, op.delete()));
      }
    }
    // The writes the store must keep: every acknowledged one with the WAL on; with it off, those
    // acknowledged before the last completed flush began.
    int durableBefore = walEnabled ? Integer.MAX_VALUE : log.lastCompletedFlushStart();
    for (History h : histories) {
      for (int j = h.versions.size() - 1; j > 0; j--) {
        CrashLog.Write w = h.versions.get(j).write();
        if (w.outcome() == CrashLog.Outcome.ACKNOWLEDGED && w.outcomeAt() < durableBefore) {
          h.required = j;
          break;
        }
      }
    }

    Map<String, byte[]> scanned = scanAll(db);
    for (Map.Entry<String, byte[]> e : scanned.entrySet()) {
      if (CrashValues.index(e.getKey()) < 0) {
        report(problems, "PHANTOM key " + e.getKey() + " outside the key space, holds "
            + CrashValues.describe(e.getValue()));
      }
    }
    for (int k = 0; k < CrashValues.KEYS; k++) {
      String key = CrashValues.key(k);
      byte[] got = db.get(CrashValues.bytes(key));
      keyChecks++;
      if (!Arrays.equals(got, scanned.get(key))) {
        report(problems, "INCONSISTENT key " + key + ": get returns " + CrashValues.describe(got) + ", a scan "
            + CrashValues.describe(scanned.get(key)));
      }
      History h = histories[k];
      h.matches = matches(h, key, got, h.required);
      if (h.matches.length == 0) {
        report(problems, unexpected(h, key, got, aborted));
      }
    }
    if (problems.isEmpty()) {
      checkAtomicity(log, histories, problems);
    }
    if (problems.isEmpty()) {
      checkPrefix(histories, problems);
    }
    if (problems.isEmpty()) {
      advance(log, histories);
    }
    return new Verdict(problems, CrashValues.KEYS);
  }

  /** The indices j >= from of the versions whose value is {@code got}. */
  private static int[] matches(History h, String key, byte[] got, int from) {
    int[] out = new int[h.versions.size() - from];
    int n = 0;
    for (int j = from; j < h.versions.size(); j++) {
      if (Arrays.equals(got, h.versions.get(j).value(key))) {
        out[n++] = j;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Says why {@code got} is not permitted: a lost write, or a phantom. */
  private static String unexpected(History h, String key, byte[] got, Set<CrashLog.Write> aborted) {
    String context = "key " + key + ": may hold " + permitted(h) + ", holds " + CrashValues.describe(got);
    if (matches(h, key, got, 0).length > 0) {
      return "LOST " + context + " (an older version: a write the store had to keep is gone)";
    }
    CrashValues.Origin o = got == null ? null : CrashValues.origin(got);
    if (o != null) {
      for (CrashLog.Write w : aborted) {
        if (w.cycle() == o.cycle() && w.thread() == o.thread() && w.write() == o.write()) {
          return "PHANTOM " + context + " (written by " + w + ", which must leave nothing)";
        }
      }
    }
    return "PHANTOM " + context;
  }

  private static String permitted(History h) {
    List<String> out = new ArrayList<>();
    for (int j = h.required; j < h.versions.size(); j++) {
      out.add(h.versions.get(j).toString());
    }
    return out.toString();
  }

  /** A batch or transaction is applied on all of its keys or on none. */
  private static void checkAtomicity(CrashLog log, History[] histories, List<String> problems) {
    Map<CrashLog.Write, int[]> position = positions(histories);
    for (CrashLog.Write w : log.writes()) {
      if (!w.outcome().mayApply() || !w.isMultiKey()) {
        continue;
      }
      List<String> applied = new ArrayList<>();
      List<String> notApplied = new ArrayList<>();
      int[] at = position.get(w);
      for (int i = 0; i < w.ops().size(); i++) {
        String key = w.ops().get(i).key();
        Boolean a = applied(histories[CrashValues.index(key)], at[i]);
        if (a != null) {
          (a ? applied : notApplied).add(key);
        }
      }
      if (!applied.isEmpty() && !notApplied.isEmpty()) {
        report(problems, "PARTIAL " + w + ": applied on " + applied + ", not on " + notApplied);
      }
    }
  }

  /** For each write, the index of its version in the history of each of its keys (in op order). */
  private static Map<CrashLog.Write, int[]> positions(History[] histories) {
    Map<CrashLog.Write, int[]> out = new HashMap<>();
    for (int k = 0; k < histories.length; k++) {
      History h = histories[k];
      String key = CrashValues.key(k);
      for (int j = 1; j < h.versions.size(); j++) {
        CrashLog.Write w = h.versions.get(j).write();
        int[] at = out.computeIfAbsent(w, x -> new int[x.ops().size()]);
        for (int op = 0; op < w.ops().size(); op++) {
          if (w.ops().get(op).key().equals(key)) {
            at[op] = j;
          }
        }
      }
    }
    return out;
  }

  /** Whether the version at {@code j} is applied (true), not (false), or cannot be told (null: several deletes match). */
  private static Boolean applied(History h, int j) {
    boolean yes = true;
    boolean no = true;
    for (int m : h.matches) {
      yes &= m >= j;
      no &= m < j;
    }
    return yes ? Boolean.TRUE : no ? Boolean.FALSE : null;
  }

  /**
   * The prefix rule: some cut T in the log has every applied write issued before it and no write
   * left out acknowledged before it. A key at version j says T lies after the intent of version j
   * and before the outcome of version j + 1, so each key allows a union of intervals; they must
   * have a point in common. Points are doubled line positions, so that T falls between lines.
   */
  private static void checkPrefix(History[] histories, List<String> problems) {
    List<long[]> events = new ArrayList<>();
    int constrained = 0;
    for (History h : histories) {
      if (h.versions.size() == 1) {
        continue; // untouched this cycle: every T will do
      }
      constrained++;
      List<long[]> intervals = new ArrayList<>();
      for (int j : h.matches) {
        long lo = j == 0 ? Long.MIN_VALUE / 4 : 2L * h.versions.get(j).write().intentAt() + 1;
        long hi = j + 1 == h.versions.size() ? Long.MAX_VALUE / 4
            : 2L * Math.min(h.versions.get(j + 1).write().outcomeAt(), Integer.MAX_VALUE / 2) - 1;
        intervals.add(new long[] {lo, hi});
      }
      intervals.sort((a, b) -> Long.compare(a[0], b[0]));
      long[] open = null;
      for (long[] iv : intervals) {
        if (open != null && iv[0] <= open[1] + 1) {
          open[1] = Math.max(open[1], iv[1]);
        } else {
          if (open != null) {
            events.add(new long[] {open[0], 1});
            events.add(new long[] {open[1] + 1, -1});
          }
          open = iv.clone();
        }
      }
      events.add(new long[] {open[0], 1});
      events.add(new long[] {open[1] + 1, -1});
    }
    if (constrained == 0) {
      return;
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int covered = 0;
    int best = 0;
    long bestAt = 0;
    for (long[] e : events) {
      covered += (int) e[1];
      if (covered > best) {
        best = covered;
        bestAt = e[0];
      }
    }
    if (best < constrained) {
      List<String> outside = new ArrayList<>();
      for (int k = 0; k < histories.length && outside.size() < 8; k++) {
        History h = histories[k];
        if (h.versions.size() > 1 && !allows(h, bestAt)) {
          outside.add(CrashValues.key(k) + " at " + h.versions.get(h.matches[h.matches.length - 1]));
        }
      }
      report(problems, "NOT A PREFIX: no point of history explains every key; at best " + best + " of " + constrained
          + " keys written this cycle agree (cut after line " + (bestAt / 2) + "); keys that do not, e.g. "
          + outside);
    }
  }

  private static boolean allows(History h, long t) {
    for (int j : h.matches) {
      long lo = j == 0 ? Long.MIN_VALUE / 4 : 2L * h.versions.get(j).write().intentAt() + 1;
      long hi = j + 1 == h.versions.size() ? Long.MAX_VALUE / 4
          : 2L * Math.min(h.versions.get(j + 1).write().outcomeAt(), Integer.MAX_VALUE / 2) - 1;
      if (lo <= t && t <= hi) {
        return true;
      }
    }
    return false;
  }

  /** Takes what the store holds as the start of the next cycle; counts the cycle's outcomes. */
  private void advance(CrashLog log, History[] histories) {
    Map<CrashLog.Write, int[]> position = positions(histories);
    for (CrashLog.Write w : log.writes()) {
      switch (w.outcome()) {
        case ACKNOWLEDGED -> acknowledged++;
        case CONFLICTED -> conflicted++;
        case ROLLED_BACK -> rolledBack++;
        case PENDING -> {
          boolean applied = false;
          int[] at = position.get(w);
          for (int i = 0; i < w.ops().size(); i++) {
            applied |= applied(histories[CrashValues.index(w.ops().get(i).key())], at[i]) == Boolean.TRUE;
          }
          if (applied) {
            pendingApplied++;
          } else {
            pendingDropped++;
          }
        }
      }
    }
    flushes += log.flushes().stream().filter(f -> f.doneAt() != CrashLog.NEVER).count();
    for (int k = 0; k < histories.length; k++) {
      History h = histories[k];
      current[k] = h.versions.get(h.matches[h.matches.length - 1]);
    }
  }

  private static Map<String, byte[]> scanAll(Strata db) {
    Map<String, byte[]> out = new HashMap<>();
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        out.put(CrashValues.string(it.key()), it.value());
      }
    }
    return out;
  }

  private static void report(List<String> problems, String problem) {
    if (problems.size() < MAX_REPORTED) {
      problems.add(problem);
    } else if (problems.size() == MAX_REPORTED) {
      problems.add("... (further problems not listed)");
    }
  }

  long acknowledged() {
    return acknowledged;
  }

  long keyChecks() {
    return keyChecks;
  }

  String totals() {
    return "acknowledgedWrites=" + acknowledged + " keyChecks=" + keyChecks + " pendingApplied=" + pendingApplied
        + " pendingDropped=" + pendingDropped + " conflictedTransactions=" + conflicted + " rolledBack=" + rolledBack
        + " completedFlushes=" + flushes;
  }
}
