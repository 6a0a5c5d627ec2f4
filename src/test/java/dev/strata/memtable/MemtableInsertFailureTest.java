package dev.strata.memtable;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static dev.strata.TestHarness.s;
import static dev.strata.TestHarness.scanAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataOptions;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A write whose memtable insert throws after its WAL record was written (an OutOfMemoryError as
 * the arena grows, injected here through {@link Memtable#insertFault}) fails the store: the write
 * and every later one get a StrataException, reads keep working and see nothing of the failed
 * write, and a reopen replays the WAL, so the failed write is then wholly present. No sequence
 * number is ever given twice, so the reopen cannot meet two versions of a key at one sequence.
 * A write refused before its WAL append consumes nothing.
 */
@Timeout(60)
class MemtableInsertFailureTest {
  @TempDir Path dir;

  @AfterEach
  void removeFault() {
    Memtable.insertFault = null;
  }

  private Strata open() {
    return open(false);
  }

  /** {@code syncWrites} sends every write through the writer actor (the queued path). */
  private Strata open(boolean syncWrites) {
    return Strata.open(dir, StrataOptions.builder()
        .memtableSizeBytes(1 << 20)
        .compaction(CompactionOptions.none())
        .serializable(true)
        .syncWrites(syncWrites)
        .build());
  }

  /** The next insert of {@code key} (and only that one) throws {@code error}. */
  private static void failNextInsertOf(byte[] key, Supplier<Throwable> error) {
    AtomicBoolean armed = new AtomicBoolean(true);
    Memtable.insertFault = k -> {
      if (Arrays.equals(k, key) && armed.compareAndSet(true, false)) {
        throwUnchecked(error.get());
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void throwUnchecked(Throwable t) throws T {
    throw (T) t;
  }

  private static Throwable outOfMemory() {
    return new OutOfMemoryError("injected: the memtable arena could not grow");
  }

  /** What the arena throws when it has handed out all its chunks. */
  private static Throwable arenaFull() {
    return new IllegalStateException("injected: memtable arena is full");
  }

  /** Closes a store that may be in its error state (its close then reports that state). */
  private static void closeFailed(Strata db) {
    try {
      db.close();
    } catch (StrataException expected) {
      // "store closed in read-only error state; reopen to recover from the WAL"
    }
  }

  @ParameterizedTest(name = "syncWrites={0}")
  @ValueSource(booleans = {false, true})
  void aPutWhoseMemtableInsertFailsFailsTheStoreAndIsWhollyPresentAfterReopenSinceItsWalRecordWasWritten(boolean syncWrites) {
    Strata db = open(syncWrites);
    db.put(b("a"), b("1"));
    db.put(b("b"), b("2"));
    long before = db.stats().lastSequence();
    failNextInsertOf(b("poison"), MemtableInsertFailureTest::outOfMemory);

    StrataException failure = assertThrows(StrataException.class, () -> db.put(b("poison"), b("p")));
    assertTrue(failure.getCause() instanceof OutOfMemoryError, failure.toString());
    assertEquals(before, db.stats().lastSequence(), "the failed write's sequence is not published");
    assertNull(db.get(b("poison")));
    assertEquals("1", s(db.get(b("a"))), "reads keep working");
    // The retry that used to take the same sequence, putting the key into the WAL twice at it.
    assertThrows(StrataException.class, () -> db.put(b("poison"), b("p")));
    assertThrows(StrataException.class, () -> db.put(b("c"), b("3")));
    assertThrows(StrataException.class, () -> db.write(new WriteBatch().put(b("d"), b("4"))));
    closeFailed(db);

    try (Strata reopened = open()) {
      assertEquals(List.of("a=1", "b=2", "poison=p"), scanAll(reopened));
      assertEquals(before + 1, reopened.stats().lastSequence(), "the WAL record took exactly one sequence");
      reopened.put(b("c"), b("3"));
      reopened.flush();
    }
    try (Strata again = open()) {
      assertEquals(List.of("a=1", "b=2", "c=3", "poison=p"), scanAll(again));
    }
  }

  @ParameterizedTest(name = "syncWrites={0}")
  @ValueSource(booleans = {false, true})
  void aBatchThatFailsHalfWayIsNeverPartlyVisibleAndIsWhollyPresentAfterReopenSinceItsWalRecordWasWritten(boolean syncWrites) {
    Strata db = open(syncWrites);
    db.put(b("k0"), b("old"));
    long before = db.stats().lastSequence();
    Snapshot earlier = db.snapshot();
    Transaction reading = db.begin();
    assertEquals("old", s(reading.get(b("k0"))));
    WriteBatch batch = new WriteBatch();
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.put(b("k" + i), b("new" + i));
      written.add("k" + i + "=new" + i);
    }
    failNextInsertOf(b("k6"), MemtableInsertFailureTest::arenaFull); // k0..k5 reach the memtable, k6..k9 do not

    assertThrows(StrataException.class, () -> db.write(batch));

    assertEquals(before, db.stats().lastSequence());
    for (int i = 0; i < 10; i++) {
      assertEquals(i == 0 ? "old" : null, s(db.get(b("k" + i))), "get of k" + i);
      assertEquals(i == 0 ? "old" : null, s(earlier.get(b("k" + i))), "snapshot get of k" + i);
    }
    assertEquals(List.of("k0=old"), scanAll(db));
    assertEquals(List.of("k0=old"), drain(earlier.scan(Bound.unbounded(), Bound.unbounded())));
    try (Snapshot later = db.snapshot()) {
      assertEquals(List.of("k0=old"), drain(later.scan(Bound.unbounded(), Bound.unbounded())));
      assertEquals("old", s(later.get(b("k0"))));
    }
    try (Transaction t = db.begin()) {
      assertEquals(List.of("k0=old"), drain(t.scan(Bound.unbounded(), Bound.unbounded())));
      assertNull(t.get(b("k3")));
    }
    // A transaction that read k0 before the batch: the batch never committed, so this is no
    // conflict; the commit fails only because the store refuses writes now.
    reading.put(b("t"), b("x"));
    StrataException refused = assertThrows(StrataException.class, reading::commit);
    assertTrue(!(refused instanceof TransactionConflictException), refused.toString());
    reading.close();
    earlier.close();
    closeFailed(db);

    try (Strata reopened = open()) {
      assertEquals(written, scanAll(reopened));
      assertEquals(before + 10, reopened.stats().lastSequence());
    }
  }

  @Test
  void aWriteRefusedBeforeItsWalAppendConsumesNoSequenceAndLeavesTheStoreWritable() {
    try (Strata db = open()) {
      db.put(b("x"), b("0"));
      Transaction loser = db.begin();
      assertNull(loser.get(b("y")));
      db.put(b("y"), b("winner"));
      long before = db.stats().lastSequence();
      loser.put(b("x"), b("loser"));
      assertThrows(TransactionConflictException.class, loser::commit);

      db.put(b("z"), b("1"));
      assertEquals(before + 1, db.stats().lastSequence());
      assertEquals(List.of("x=0", "y=winner", "z=1"), scanAll(db));
    }
    try (Strata reopened = open()) {
      assertEquals(List.of("x=0", "y=winner", "z=1"), scanAll(reopened));
    }
  }
}
