package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.closeIgnoringErrors;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.scanAll;
import static dev.strata.durability.DurabilityHarness.smallOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.durability.DurabilityHarness.WriteModel;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.testing.ActorSystemPerClass;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Power loss at a chosen step rather than a random moment: the nth file-system step (a creation,
 * append, flush, sync, rename, deletion or directory sync) cuts the power, for every n of opening
 * a store (recovery: replaying and flushing WALs, a new manifest, CURRENT, deleting obsolete files)
 * and for n spread over synced writes that rotate memtables and flush them.
 */
class CrashAtEveryStepTest {
  private static final int WORKLOAD_PROBES = 40;

  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  @Test
  void aPowerLossAtAnyStepOfOpeningAStoreLosesNothing() {
    StrataOptions options = smallOptions().memtableSizeBytes(16 * 1024).build();
    TreeMap<String, String> expected = new TreeMap<>();
    InMemoryFileSystem healthy = new InMemoryFileSystem();
    buildClosedStore(healthy, options, expected);
    CrashingFileSystem counting = new CrashingFileSystem(healthy, Integer.MAX_VALUE);
    open(SYSTEM.get(), counting, options).close();
    int steps = counting.steps();

    for (int n = 1; n <= steps; n++) {
      InMemoryFileSystem mem = new InMemoryFileSystem();
      buildClosedStore(mem, options, new TreeMap<>());
      CrashingFileSystem fs = new CrashingFileSystem(mem, n);
      try {
        open(SYSTEM.get(), fs, options).close();
      } catch (RuntimeException expectedFailure) {
        // The power went at step n; the open or the close says so.
      }
      assertTrue(fs.crashed(), "step " + n + " of " + steps + " was reached");
      for (int reopen = 1; reopen <= 2; reopen++) {
        try (Strata db = open(SYSTEM.get(), mem, options)) {
          assertEquals(expected, scanAll(db), "reopen " + reopen + " after a power loss at step " + n + " of "
              + steps + " of opening and closing the store (" + fs.crashedAt() + ")");
        }
      }
    }
    System.out.printf("a power loss at each of the %d steps of opening and closing a store lost nothing%n", steps);
  }

  @Test
  void aPowerLossAtAnyStepOfSyncedWritesAndFlushesLosesNothingAcknowledged() {
    StrataOptions options = smallOptions().memtableSizeBytes(8 * 1024).syncWrites(true).build();
    InMemoryFileSystem healthy = new InMemoryFileSystem();
    open(SYSTEM.get(), healthy, options).close();
    CrashingFileSystem counting = new CrashingFileSystem(healthy, Integer.MAX_VALUE);
    try (Strata db = open(SYSTEM.get(), counting, options)) {
      workload(db, new WriteModel());
    }
    int steps = counting.steps();

    for (int p = 0; p < WORKLOAD_PROBES; p++) {
      int n = 1 + (int) ((long) p * (steps - 1) / (WORKLOAD_PROBES - 1));
      InMemoryFileSystem mem = new InMemoryFileSystem();
      open(SYSTEM.get(), mem, options).close();
      CrashingFileSystem fs = new CrashingFileSystem(mem, n);
      WriteModel model = new WriteModel();
      try {
        Strata db = open(SYSTEM.get(), fs, options);
        workload(db, model);
        closeIgnoringErrors(db);
      } catch (RuntimeException expectedFailure) {
        // The power went while opening.
      }
      try (Strata db = open(SYSTEM.get(), mem, options)) {
        model.verifyAndSettle(db, "after a power loss at step " + n + " of " + steps + " (" + fs.crashedAt() + ")");
      }
    }
  }

  /** A closed store with SSTs, a manifest of several records, and unflushed writes in a WAL. */
  private static void buildClosedStore(InMemoryFileSystem mem, StrataOptions options, TreeMap<String, String> into) {
    try (Strata db = open(SYSTEM.get(), mem, options)) {
      for (int i = 0; i < 400; i++) {
        String key = String.format("key-%05d", i);
        String value = "value-" + i + "-" + "v".repeat(i % 50);
        db.put(b(key), b(value));
        into.put(key, value);
        if (i == 299) {
          db.flush();
        }
      }
    }
  }

  /** Synced puts that rotate memtables, and two flushes; stops at the first failure, leaving it in doubt. */
  private static void workload(Strata db, WriteModel model) {
    for (int i = 0; i < 200; i++) {
      String key = String.format("k-%05d", i);
      String value = "v-" + i + "-" + "w".repeat(80);
      try {
        if (i == 70 || i == 140) {
          db.flush();
        }
        db.put(b(key), b(value));
      } catch (RuntimeException e) {
        model.inDoubt(Map.of(key, value));
        return;
      }
      model.acknowledged(Map.of(key, value));
    }
  }
}
