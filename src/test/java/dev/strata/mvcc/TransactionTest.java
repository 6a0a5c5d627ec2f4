package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.drain;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.Bound;
import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transactions: a transaction reads its snapshot plus its own writes; its writes stay private
 * until commit and then appear all at once; rollback and close-without-commit discard them.
 * Snapshot isolation refuses the second of two concurrent writers of one key (no lost update) but
 * allows write skew and phantoms; serializable also refuses a commit whose reads or scanned ranges
 * were written after it began. A refused commit leaves no trace.
 */
@Timeout(60)
class TransactionTest {
  @TempDir Path dir;

  private Strata open(boolean serializable) {
    return open(serializable, false);
  }

  /**
   * A 64 KiB memtable; {@code syncWrites(true)} sends every commit through the writer actor (the
   * queued path), {@code false} lets it commit on the caller's thread (the fast path).
   */
  private Strata open(boolean serializable, boolean syncWrites) {
    return Strata.open(dir, StrataOptions.builder()
        .memtableSizeBytes(64 * 1024)
        .blockSizeBytes(1024)
        .maxImmutableMemtables(2)
        .compaction(CompactionOptions.leveled().level0FileTrigger(2))
        .serializable(serializable)
        .syncWrites(syncWrites)
        .build());
  }

  private static List<String> scanAll(Transaction t) {
    return drain(t.scan(Bound.unbounded(), Bound.unbounded()));
  }

  private static List<String> scanAll(Strata db) {
    return drain(db.scan(Bound.unbounded(), Bound.unbounded()));
  }

  // ------------------------------------------------------------------ own writes

  @Test
  void getSeesOwnPutsAndDeletesOverTheSnapshot() {
    try (Strata db = open(false)) {
      db.put(b("a"), b("1"));
      db.put(b("b"), b("2"));
      try (Transaction t = db.begin()) {
        t.put(b("a"), b("1'"));
        t.delete(b("b"));
        t.put(b("c"), b("3"));
        t.put(b("d"), b("4"));
        t.delete(b("d")); // put then delete: deleted
        t.delete(b("e"));
        t.put(b("e"), b("")); // delete then put of an empty value: present and empty
        assertEquals("1'", s(t.get(b("a"))));
        assertNull(t.get(b("b")), "an own delete hides the snapshot's value");
        assertEquals("3", s(t.get(b("c"))));
        assertNull(t.get(b("d")));
        assertEquals("", s(t.get(b("e"))));
        assertNull(t.get(b("zzz")));
      }
    }
  }

  @Test
  void scanMergesOwnWritesIntoTheSnapshotInKeyOrder() {
    try (Strata db = open(false)) {
      for (String k : new String[] {"b", "d", "f", "h"}) {
        db.put(b(k), b(k.toUpperCase()));
      }
      db.flush(); // half the snapshot in an SST, half in the memtable
      db.put(b("j"), b("J"));
      try (Transaction t = db.begin()) {
        t.put(b("a"), b("own-a")); // before the first snapshot key
        t.put(b("c"), b("own-c")); // between snapshot keys
        t.put(b("f"), b("own-f")); // overwrites a snapshot key
        t.delete(b("d")); // hides a snapshot key
        t.delete(b("e")); // deletes an absent key
        t.put(b("k"), b("own-k")); // past the last snapshot key
        t.delete(b("j")); // hides the last snapshot key
        assertEquals(List.of("a=own-a", "b=B", "c=own-c", "f=own-f", "h=H", "k=own-k"), scanAll(t));
        assertEquals(List.of("c=own-c", "f=own-f"), drain(t.scan(Bound.included(b("c")), Bound.excluded(b("h")))));
        assertEquals(List.of("f=own-f", "h=H"), drain(t.scan(Bound.excluded(b("c")), Bound.included(b("h")))));
        assertEquals(List.of("a=own-a", "b=B"), drain(t.scan(Bound.unbounded(), Bound.excluded(b("c")))));
        assertEquals(List.of("h=H", "k=own-k"), drain(t.scan(Bound.included(b("g")), Bound.unbounded())));
        assertEquals(List.of(), drain(t.scan(Bound.included(b("d")), Bound.included(b("e")))),
            "a range holding only own deletes is empty");
        assertEquals(List.of("k=own-k"), drain(t.scan(Bound.excluded(b("j")), Bound.unbounded())));
      }
    }
  }

  /** Found by the metamorphic test: with own writes, crossed bounds threw "toKey out of range". */
  @Test
  void scanWithCrossedBoundsIsEmptyAsAStoreScanIs() {
    try (Strata db = open(false)) {
      db.put(b("b"), b("B"));
      db.put(b("y"), b("Y"));
      try (Transaction t = db.begin()) {
        t.put(b("c"), b("own-c"));
        t.put(b("x"), b("own-x"));
        assertEquals(List.of(), drain(db.scan(Bound.included(b("x")), Bound.excluded(b("c")))));
        assertEquals(List.of(), drain(t.scan(Bound.included(b("x")), Bound.excluded(b("c")))));
        assertEquals(List.of(), drain(t.scan(Bound.excluded(b("x")), Bound.included(b("x")))));
        assertEquals(List.of("x=own-x"), drain(t.scan(Bound.included(b("x")), Bound.included(b("x")))));
      }
    }
  }

  @Test
  void scanOfAnEmptyStoreShowsOnlyOwnWrites() {
    try (Strata db = open(false)) {
      try (Transaction t = db.begin()) {
        t.put(b("y"), b("2"));
        t.put(b("x"), b("1"));
        t.delete(b("z"));
        assertEquals(List.of("x=1", "y=2"), scanAll(t));
      }
    }
  }

  @Test
  void transactionReadsItsSnapshotNotLaterCommits() {
    try (Strata db = open(false)) {
      db.put(b("a"), b("1"));
      try (Transaction t = db.begin()) {
        db.put(b("a"), b("2"));
        db.put(b("b"), b("new"));
        db.flush();
        assertEquals("1", s(t.get(b("a"))));
        assertNull(t.get(b("b")));
        assertEquals(List.of("a=1"), scanAll(t));
      }
    }
  }

  // ------------------------------------------------------------------ visibility and atomicity

  @Test
  void writesAreInvisibleToOthersUntilCommitThenAllVisible() {
    try (Strata db = open(false)) {
      db.put(b("k00"), b("old"));
      Transaction t = db.begin();
      for (int i = 0; i < 50; i++) {
        t.put(b(String.format("k%02d", i)), b("txn"));
      }
      try (Transaction other = db.begin()) {
        assertEquals("old", s(db.get(b("k00"))));
        assertNull(db.get(b("k01")));
        assertEquals(List.of("k00=old"), scanAll(db));
        assertEquals(List.of("k00=old"), scanAll(other));
        Snapshot before = db.snapshot();
        t.commit();
        assertEquals(50, scanAll(db).size());
        for (int i = 0; i < 50; i++) {
          assertEquals("txn", s(db.get(b(String.format("k%02d", i)))));
        }
        assertEquals(List.of("k00=old"), scanAll(other), "a transaction begun before the commit does not see it");
        assertEquals(List.of("k00=old"), drain(before.scan(Bound.unbounded(), Bound.unbounded())));
        before.close();
      }
    }
  }

  /** Readers racing with commits see each transaction's 100 keys all or none, never a part. */
  @Test
  void concurrentReadersSeeEachCommitWholeOrNotAtAll() throws Exception {
    try (Strata db = open(false)) {
      int keys = 100;
      int commits = 300;
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<String> problem = new AtomicReference<>();
      AtomicInteger scans = new AtomicInteger();
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        Thread reader = new Thread(() -> {
          while (!done.get() && problem.get() == null) {
            List<String> seen = scanAll(db);
            scans.incrementAndGet();
            if (seen.isEmpty()) {
              continue;
            }
            String version = seen.get(0).substring(seen.get(0).indexOf('=') + 1);
            if (seen.size() != keys || !seen.stream().allMatch(l -> l.endsWith("=" + version))) {
              problem.compareAndSet(null, "a scan saw a partial commit: " + seen.size() + " keys " + seen);
            }
          }
        }, "reader-" + r);
        readers.add(reader);
        reader.start();
      }
      try {
        for (int c = 0; c < commits && problem.get() == null; c++) {
          try (Transaction t = db.begin()) {
            for (int i = 0; i < keys; i++) {
              t.put(b(String.format("k%03d", i)), b("c" + c));
            }
            t.commit();
          }
        }
      } finally {
        done.set(true);
        for (Thread reader : readers) {
          reader.join(10_000);
        }
      }
      if (problem.get() != null) {
        fail(problem.get());
      }
      assertTrue(scans.get() > 0);
    }
  }

  @Test
  void rollbackDiscardsEveryWrite() {
    try (Strata db = open(false)) {
      db.put(b("a"), b("1"));
      long sequence = db.stats().lastSequence();
      Transaction t = db.begin();
      t.put(b("a"), b("2"));
      t.put(b("b"), b("2"));
      t.delete(b("a"));
      t.rollback();
      assertEquals(List.of("a=1"), scanAll(db));
      assertEquals(sequence, db.stats().lastSequence(), "a rollback writes nothing");
    }
  }

  @Test
  void closeWithoutCommitDiscardsEveryWrite() {
    try (Strata db = open(false)) {
      db.put(b("a"), b("1"));
      try (Transaction t = db.begin()) {
        t.put(b("a"), b("2"));
        t.put(b("b"), b("2"));
      }
      assertEquals(List.of("a=1"), scanAll(db));
      db.close();
    }
    try (Strata db = open(false)) {
      assertEquals(List.of("a=1"), scanAll(db), "after a reopen too");
    }
  }

  // ------------------------------------------------------------------ lifecycle

  private static List<Executable> everyCall(Transaction t) {
    return List.of(
        () -> t.get(b("a")),
        () -> t.scan(Bound.unbounded(), Bound.unbounded()),
        () -> t.put(b("a"), b("x")),
        () -> t.delete(b("a")),
        t::commit,
        t::rollback);
  }

  private static void assertEveryCallThrows(Transaction t, String after) {
    for (Executable call : everyCall(t)) {
      assertThrows(IllegalStateException.class, call, "a call after " + after);
    }
    assertDoesNotThrow(t::close, "close after " + after);
    assertDoesNotThrow(t::close, "a second close after " + after);
  }

  @Test
  void everyCallAfterCommitThrowsButClose() {
    try (Strata db = open(false)) {
      Transaction t = db.begin();
      t.put(b("a"), b("1"));
      t.commit();
      assertEveryCallThrows(t, "commit");
      assertEquals("1", s(db.get(b("a"))), "the close after commit does not undo it");
    }
  }

  @Test
  void everyCallAfterARollbackThrowsButClose() {
    try (Strata db = open(false)) {
      Transaction t = db.begin();
      t.put(b("a"), b("1"));
      t.rollback();
      assertEveryCallThrows(t, "rollback");
    }
  }

  @Test
  void everyCallAfterAnEmptyCommitThrowsButClose() {
    try (Strata db = open(true)) {
      Transaction t = db.begin();
      t.get(b("a"));
      t.commit();
      assertEveryCallThrows(t, "a read-only commit");
    }
  }

  @Test
  void everyCallAfterAFailedCommitThrowsButClose() {
    try (Strata db = open(false)) {
      Transaction t = db.begin();
      t.put(b("a"), b("1"));
      db.put(b("a"), b("other"));
      assertThrows(TransactionConflictException.class, t::commit);
      assertEveryCallThrows(t, "a failed commit");
    }
  }

  @Test
  void everyCallOnAClosedStoreThrowsButClose() {
    Strata db = open(false);
    Transaction t = db.begin();
    t.put(b("a"), b("1"));
    db.close();
    for (Executable call : everyCall(t)) {
      assertThrows(IllegalStateException.class, call, "a call on a closed store");
    }
    assertThrows(IllegalStateException.class, db::begin);
    // Like Snapshot.close() and Strata.close(), closing what is left over must not throw: a
    // try-with-resources around a store that closed meanwhile would hide the real exception.
    assertDoesNotThrow(t::close, "close of a transaction left open when the store closed");
  }

  // ------------------------------------------------------------------ anomalies

  /**
   * Write skew: the invariant "x + y >= 1" holds in each transaction's snapshot, each sets a
   * different one to 0. Snapshot isolation commits both (and breaks the invariant).
   */
  @Test
  void writeSkewCommitsBothUnderSnapshotIsolation() {
    try (Strata db = open(false)) {
      db.put(b("x"), b("1"));
      db.put(b("y"), b("1"));
      Transaction a = db.begin();
      Transaction c = db.begin();
      assertEquals(2, Integer.parseInt(s(a.get(b("x")))) + Integer.parseInt(s(a.get(b("y")))));
      assertEquals(2, Integer.parseInt(s(c.get(b("x")))) + Integer.parseInt(s(c.get(b("y")))));
      a.put(b("x"), b("0"));
      c.put(b("y"), b("0"));
      a.commit();
      c.commit();
      assertEquals("0", s(db.get(b("x"))));
      assertEquals("0", s(db.get(b("y"))));
    }
  }

  /** The same write skew under serializable: exactly one commits, the invariant holds. */
  @Test
  void writeSkewCommitsExactlyOneUnderSerializable() {
    try (Strata db = open(true)) {
      db.put(b("x"), b("1"));
      db.put(b("y"), b("1"));
      Transaction a = db.begin();
      Transaction c = db.begin();
      a.get(b("x"));
      a.get(b("y"));
      c.get(b("x"));
      c.get(b("y"));
      a.put(b("x"), b("0"));
      c.put(b("y"), b("0"));
      int committed = 0;
      for (Transaction t : new Transaction[] {a, c}) {
        try {
          t.commit();
          committed++;
        } catch (TransactionConflictException e) {
          assertTrue(e.getMessage().contains("'x'"), "the conflict names the key read: " + e.getMessage());
        }
      }
      assertEquals(1, committed);
      assertEquals("0", s(db.get(b("x"))));
      assertEquals("1", s(db.get(b("y"))), "the loser's write is not there");
    }
  }

  /** Lost update: two read-modify-write increments of one counter; the second to commit fails and retries. */
  @ParameterizedTest(name = "serializable={0}")
  @ValueSource(booleans = {false, true})
  void secondCommitOfAConcurrentWriteToTheSameKeyFails(boolean serializable) {
    try (Strata db = open(serializable)) {
      db.put(b("counter"), b("10"));
      Transaction a = db.begin();
      Transaction c = db.begin();
      a.put(b("counter"), b(String.valueOf(Integer.parseInt(s(a.get(b("counter")))) + 1)));
      c.put(b("counter"), b(String.valueOf(Integer.parseInt(s(c.get(b("counter")))) + 1)));
      a.commit();
      assertThrows(TransactionConflictException.class, c::commit);
      assertEquals("11", s(db.get(b("counter"))));
      try (Transaction retry = db.begin()) {
        retry.put(b("counter"), b(String.valueOf(Integer.parseInt(s(retry.get(b("counter")))) + 1)));
        retry.commit();
      }
      assertEquals("12", s(db.get(b("counter"))), "no increment is lost");
    }
  }

  /** First committer wins against a plain put too, and against a delete. */
  @ParameterizedTest(name = "delete={0}")
  @ValueSource(booleans = {false, true})
  void commitFailsWhenAPlainWriteChangedAWrittenKeyAfterBegin(boolean delete) {
    try (Strata db = open(false)) {
      db.put(b("k"), b("1"));
      Transaction t = db.begin();
      t.put(b("k"), b("txn"));
      if (delete) {
        db.delete(b("k"));
      } else {
        db.put(b("k"), b("plain"));
      }
      db.flush(); // the newer version is found in an SST, not only in the memtable
      assertThrows(TransactionConflictException.class, t::commit);
      assertEquals(delete ? null : "plain", s(db.get(b("k"))));
    }
  }

  @ParameterizedTest(name = "serializable={0}")
  @ValueSource(booleans = {false, true})
  void transactionsWritingDisjointKeysBothCommit(boolean serializable) {
    try (Strata db = open(serializable)) {
      Transaction a = db.begin();
      Transaction c = db.begin();
      a.put(b("a"), b("1"));
      c.put(b("c"), b("2"));
      a.commit();
      c.commit();
      assertEquals(List.of("a=1", "c=2"), scanAll(db));
    }
  }

  /**
   * Phantom: A scans a range, B inserts (or deletes) a key inside it and commits, A writes
   * elsewhere and commits. Serializable refuses A; snapshot isolation lets it through.
   */
  @ParameterizedTest(name = "serializable={0}, range empty={1}, B deletes={2}")
  @CsvSource({
      "true, true, false",
      "true, false, false",
      "true, false, true",
      "false, true, false",
      "false, false, false",
      "false, false, true"})
  void phantomInAScannedRange(boolean serializable, boolean rangeEmpty, boolean bDeletes) {
    try (Strata db = open(serializable)) {
      db.put(b("a"), b("outside"));
      db.put(b("z"), b("outside"));
      if (!rangeEmpty) {
        db.put(b("m/1"), b("1"));
        db.put(b("m/9"), b("9"));
      }
      Transaction a = db.begin();
      List<String> seen = drain(a.scan(Bound.included(b("m/")), Bound.excluded(b("m0"))));
      assertEquals(rangeEmpty ? List.of() : List.of("m/1=1", "m/9=9"), seen);
      try (Transaction c = db.begin()) {
        if (bDeletes) {
          c.delete(b("m/9"));
        } else {
          c.put(b("m/5"), b("5"));
        }
        c.commit();
      }
      a.put(b("count"), b(String.valueOf(seen.size())));
      if (serializable) {
        assertThrows(TransactionConflictException.class, a::commit);
        assertNull(db.get(b("count")));
      } else {
        a.commit();
        assertEquals(String.valueOf(seen.size()), s(db.get(b("count"))));
      }
    }
  }

  /** Reading a key as absent is a read too: its later insert fails a serializable commit, not a snapshot-isolated one. */
  @ParameterizedTest(name = "serializable={0}")
  @ValueSource(booleans = {false, true})
  void insertOfAKeyReadAsAbsent(boolean serializable) {
    try (Strata db = open(serializable)) {
      Transaction a = db.begin();
      assertNull(a.get(b("reserved")));
      db.put(b("reserved"), b("taken"));
      a.put(b("claim"), b("mine"));
      if (serializable) {
        assertThrows(TransactionConflictException.class, a::commit);
        assertNull(db.get(b("claim")));
      } else {
        a.commit();
        assertEquals("mine", s(db.get(b("claim"))));
      }
    }
  }

  /** A write outside every range scanned and key read does not fail a serializable commit. */
  @Test
  void writeOutsideTheScannedRangeDoesNotConflict() {
    try (Strata db = open(true)) {
      db.put(b("m/1"), b("1"));
      Transaction a = db.begin();
      drain(a.scan(Bound.included(b("m/")), Bound.excluded(b("m0"))));
      a.get(b("q"));
      db.put(b("m0"), b("just past the upper bound"));
      db.put(b("l"), b("below the lower bound"));
      db.put(b("r"), b("a key not read"));
      a.put(b("count"), b("1"));
      assertDoesNotThrow(a::commit);
    }
  }

  @ParameterizedTest(name = "serializable={0}")
  @ValueSource(booleans = {false, true})
  void readOnlyTransactionAlwaysCommits(boolean serializable) {
    try (Strata db = open(serializable)) {
      db.put(b("x"), b("1"));
      Transaction t = db.begin();
      assertEquals("1", s(t.get(b("x"))));
      assertEquals(List.of("x=1"), scanAll(t));
      db.put(b("x"), b("2"));
      db.put(b("new"), b("phantom"));
      db.delete(b("x"));
      long sequence = db.stats().lastSequence();
      assertDoesNotThrow(t::commit);
      assertEquals(sequence, db.stats().lastSequence(), "an empty commit writes nothing");
      try (Transaction empty = db.begin()) {
        assertDoesNotThrow(empty::commit);
      }
    }
  }

  /**
   * The loser of a conflict, whether it commits on the caller's thread or through the writer
   * actor ({@code syncWrites}), writes nothing: no key, no sequence number, nothing after reopen.
   */
  @ParameterizedTest(name = "serializable={0}, syncWrites={1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void failedCommitLeavesNoTrace(boolean serializable, boolean syncWrites) {
    List<String> expected = List.of("hot=winner", "x=1", "y=1");
    try (Strata db = open(serializable, syncWrites)) {
      db.put(b("x"), b("1"));
      db.put(b("y"), b("1"));
      db.put(b("hot"), b("0"));
      Transaction loser = db.begin();
      loser.put(b("hot"), b("loser"));
      for (int i = 0; i < 5; i++) {
        loser.put(b("loser/" + i), b("v"));
      }
      loser.put(b("x"), b("loser"));
      loser.delete(b("y"));
      try (Transaction winner = db.begin()) {
        winner.put(b("hot"), b("winner"));
        winner.commit();
      }
      long sequence = db.stats().lastSequence();
      assertThrows(TransactionConflictException.class, loser::commit);
      assertEquals(expected, scanAll(db));
      assertNull(db.get(b("loser/0")));
      assertEquals(sequence, db.stats().lastSequence(), "the refused commit took no sequence number");
      // The store keeps working after a refused commit, on the same path.
      try (Transaction next = db.begin()) {
        next.put(b("after"), b("ok"));
        next.commit();
      }
      assertEquals("ok", s(db.get(b("after"))));
    }
    try (Strata db = open(serializable, syncWrites)) {
      List<String> after = new ArrayList<>(expected);
      after.add(0, "after=ok");
      assertEquals(after, scanAll(db), "after a reopen (WAL replay)");
    }
  }
}
