package dev.strata.crash;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the store must hold after each kill, and the check of a reopened store against it.
 *
 * <p>For every key the model knows the newest write known to be applied (acknowledged, or found
 * applied after an earlier kill) and whether it was a delete, so the one state the key must be in;
 * plus, during a check, the write of its thread that was in flight at the kill, the one other state
 * allowed. It also keeps every write that ever named the key, and those in-flight writes found not
 * applied, to tell a lost write (the key shows an older value the test did write) from a phantom
 * (a value nobody wrote for this key, or an unacknowledged write that came back after it was
 * found absent). A check classifies every key:
 * <ul>
 *   <li><b>lost</b>: an acknowledged put or delete is not there; counted once per write;
 *   <li><b>partial</b>: a batch of which some keys show the batch and others do not;
 *   <li><b>phantom</b>: a key or value no intent explains, or a resurrected dropped write;
 *   <li><b>inconsistent</b>: {@code get} and a full scan disagree about a key.
 * </ul>
 * After a clean check the in-flight writes are resolved (applied, or dropped) and the model
 * continues into the next cycle. Not thread-safe.
 */
final class CrashModel {
  private static final int MAX_REPORTED = 40;

  private final Map<String, KeyState> keys = new HashMap<>();
  private long acknowledgedWrites;
  private long keyChecks;
  private long inFlightApplied;
  private long inFlightDropped;
  private long lost;
  private long partial;
  private long phantom;
  private long inconsistent;

  /** The model of one key. */
  private static final class KeyState {
    /** The newest write known applied to the key, null when none ever was. */
    CrashLog.Write last;
    boolean deleted;
    /** Ids of every write that named the key, increasing. */
    long[] history = new long[4];
    int historySize;
    /** Ids of in-flight writes found not applied at an earlier check. */
    Set<Long> dropped;

    void remember(long id) {
      if (historySize == history.length) {
        history = Arrays.copyOf(history, historySize * 2);
      }
      history[historySize++] = id;
    }

    boolean wrote(long id) {
      return Arrays.binarySearch(history, 0, historySize, id) >= 0;
    }
  }

  /** How one key compares with the model. */
  private enum Outcome { ACKNOWLEDGED, IN_FLIGHT, EITHER, LOST, PHANTOM }

  /** The result of one check: empty {@code problems} when the store is as it must be. */
  record Verdict(List<String> problems, long lostWrites, long partialBatches, long phantoms, long inconsistent) {
    boolean clean() {
      return lostWrites == 0 && partialBatches == 0 && phantoms == 0 && inconsistent == 0;
    }
  }

  /**
   * Adds what the child of this cycle reported, then checks the reopened store {@code db} against
   * it, and, when the store passes, resolves each in-flight write as applied or dropped.
   */
  Verdict check(Strata db, CrashLog log) {
    for (CrashLog.Write w : log.acknowledged()) {
      acknowledgedWrites++;
      for (CrashLog.Op op : w.ops()) {
        KeyState k = keys.computeIfAbsent(op.key(), x -> new KeyState());
        k.remember(w.id());
        k.last = w;
        k.deleted = op.delete();
      }
    }
    Map<String, CrashLog.Write> inFlightByKey = new HashMap<>();
    Map<String, CrashLog.Op> inFlightOp = new HashMap<>();
    for (CrashLog.Write w : log.inFlight().values()) {
      for (CrashLog.Op op : w.ops()) {
        keys.computeIfAbsent(op.key(), x -> new KeyState()).remember(w.id());
        inFlightByKey.put(op.key(), w);
        inFlightOp.put(op.key(), op);
      }
    }

    List<String> problems = new ArrayList<>();
    Map<String, byte[]> scanned = scanAll(db);
    long phantoms = 0;
    long mismatches = 0;
    for (Map.Entry<String, byte[]> e : scanned.entrySet()) {
      if (!keys.containsKey(e.getKey())) {
        phantoms++;
        report(problems, "PHANTOM key " + e.getKey() + ": never written, holds " + CrashValues.describe(e.getValue()));
      }
    }
    Map<String, Outcome> outcomes = new HashMap<>();
    Set<CrashLog.Write> lostWrites = new HashSet<>();
    for (Map.Entry<String, KeyState> e : new TreeMap<>(keys).entrySet()) {
      String key = e.getKey();
      KeyState k = e.getValue();
      byte[] got = db.get(CrashValues.bytes(key));
      byte[] inScan = scanned.get(key);
      keyChecks++;
      if (!Arrays.equals(got, inScan)) {
        mismatches++;
        report(problems, "INCONSISTENT key " + key + ": get returns " + CrashValues.describe(got) + ", a scan "
            + CrashValues.describe(inScan));
      }
      byte[] expected = k.last == null || k.deleted ? null : value(k.last, key);
      CrashLog.Write flying = inFlightByKey.get(key);
      boolean matchesAcked = Arrays.equals(got, expected);
      boolean matchesFlying = flying != null
          && Arrays.equals(got, inFlightOp.get(key).delete() ? null : value(flying, key));
      Outcome o;
      if (matchesAcked || matchesFlying) {
        o = matchesAcked && matchesFlying ? Outcome.EITHER : matchesAcked ? Outcome.ACKNOWLEDGED : Outcome.IN_FLIGHT;
      } else {
        o = classifyUnexpected(key, k, got);
        String context = "key " + key + ": expected " + describeExpected(k)
            + (flying == null ? "" : " or in-flight " + flying + (inFlightOp.get(key).delete() ? " (delete)" : ""))
            + ", found " + CrashValues.describe(got);
        if (o == Outcome.LOST) {
          lostWrites.add(k.last);
          report(problems, "LOST " + context);
        } else {
          phantoms++;
          report(problems, "PHANTOM " + context);
        }
      }
      outcomes.put(key, o);
    }

    long partialBatches = checkAcknowledgedBatches(outcomes, problems) + checkInFlightBatches(log, outcomes, problems);
    lost += lostWrites.size();
    partial += partialBatches;
    phantom += phantoms;
    inconsistent += mismatches;
    Verdict v = new Verdict(problems, lostWrites.size(), partialBatches, phantoms, mismatches);
    if (v.clean()) {
      resolveInFlight(log, outcomes);
    }
    return v;
  }

  /** A value that is neither the acknowledged state nor the in-flight one: lost or phantom. */
  private static Outcome classifyUnexpected(String key, KeyState k, byte[] got) {
    if (got == null) {
      return Outcome.LOST; // the acknowledged state is a value, and it is gone
    }
    CrashValues.Origin o = CrashValues.origin(got);
    if (o == null || !o.key().equals(key)) {
      return Outcome.PHANTOM;
    }
    long id = CrashLog.packId(o.cycle(), o.write());
    if (!k.wrote(id) || (k.dropped != null && k.dropped.contains(id))) {
      return Outcome.PHANTOM;
    }
    // A value the test did write for this key, older than the acknowledged state.
    return k.last != null && id < k.last.id() ? Outcome.LOST : Outcome.PHANTOM;
  }

  /** Among the keys whose newest acknowledged write is a batch, some show it and some lost it. */
  private long checkAcknowledgedBatches(Map<String, Outcome> outcomes, List<String> problems) {
    Map<CrashLog.Write, int[]> byBatch = new LinkedHashMap<>();
    for (Map.Entry<String, Outcome> e : outcomes.entrySet()) {
      KeyState k = keys.get(e.getKey());
      if (k.last != null && k.last.isBatch() && e.getValue() != Outcome.PHANTOM) {
        int[] c = byBatch.computeIfAbsent(k.last, w -> new int[2]);
        c[e.getValue() == Outcome.LOST ? 1 : 0]++;
      }
    }
    long n = 0;
    for (Map.Entry<CrashLog.Write, int[]> e : byBatch.entrySet()) {
      int[] c = e.getValue();
      if (c[0] > 0 && c[1] > 0) {
        n++;
        report(problems, "PARTIAL acknowledged batch " + e.getKey() + ": " + c[0] + " of its current keys show it, "
            + c[1] + " lost it");
      }
    }
    return n;
  }

  /** An in-flight batch may be applied or not, but never in part. */
  private long checkInFlightBatches(CrashLog log, Map<String, Outcome> outcomes, List<String> problems) {
    long n = 0;
    for (CrashLog.Write w : log.inFlight().values()) {
      int applied = count(w, outcomes, Outcome.IN_FLIGHT);
      int notApplied = count(w, outcomes, Outcome.ACKNOWLEDGED);
      if (w.isBatch() && applied > 0 && notApplied > 0) {
        n++;
        report(problems, "PARTIAL in-flight batch " + w + ": " + applied + " keys show it, " + notApplied + " do not");
      }
    }
    return n;
  }

  private void resolveInFlight(CrashLog log, Map<String, Outcome> outcomes) {
    for (CrashLog.Write w : log.inFlight().values()) {
      boolean applied = count(w, outcomes, Outcome.IN_FLIGHT) > 0;
      if (applied) {
        inFlightApplied++;
      } else {
        inFlightDropped++;
      }
      for (CrashLog.Op op : w.ops()) {
        KeyState k = keys.get(op.key());
        if (applied) {
          k.last = w;
          k.deleted = op.delete();
        } else if (!op.delete()) {
          if (k.dropped == null) {
            k.dropped = new HashSet<>();
          }
          k.dropped.add(w.id());
        }
      }
    }
  }

  private static int count(CrashLog.Write w, Map<String, Outcome> outcomes, Outcome wanted) {
    int n = 0;
    for (CrashLog.Op op : w.ops()) {
      if (outcomes.get(op.key()) == wanted) {
        n++;
      }
    }
    return n;
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

  private static byte[] value(CrashLog.Write w, String key) {
    return CrashValues.value(w.cycle(), w.thread(), w.write(), key);
  }

  private static String describeExpected(KeyState k) {
    if (k.last == null) {
      return "absent (never acknowledged)";
    }
    return (k.deleted ? "absent (deleted by " : "the value of ") + k.last + (k.deleted ? ")" : "");
  }

  private static void report(List<String> problems, String problem) {
    if (problems.size() < MAX_REPORTED) {
      problems.add(problem);
    } else if (problems.size() == MAX_REPORTED) {
      problems.add("... (further problems not listed)");
    }
  }

  /** Keys the model holds, which is also how many a check reads. */
  int keyCount() {
    return keys.size();
  }

  String totals(int cycles) {
    return "cycles=" + cycles + " acknowledgedWritesChecked=" + acknowledgedWrites + " keyChecks=" + keyChecks
        + " inFlightApplied=" + inFlightApplied + " inFlightDropped=" + inFlightDropped + " lost=" + lost
        + " partialBatches=" + partial + " phantoms=" + phantom + " inconsistentReads=" + inconsistent;
  }

  long lost() {
    return lost;
  }

  long partial() {
    return partial;
  }

  long phantom() {
    return phantom;
  }

  long inconsistent() {
    return inconsistent;
  }
}
