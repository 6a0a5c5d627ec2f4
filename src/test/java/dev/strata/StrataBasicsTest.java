package dev.strata;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data operations of the public API, as a user sees them. */
class StrataBasicsTest {
  @TempDir Path dir;
  private Strata db;

  @BeforeEach
  void open() {
    db = Strata.open(dir, TestHarness.smallOptions());
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void getReturnsWhatWasPut() {
    db.put(b("k"), b("v"));
    assertEquals("v", s(db.get(b("k"))));
  }

  @Test
  void getOfAnAbsentKeyIsNull() {
    assertNull(db.get(b("missing")));
  }

  @Test
  void laterPutOverwrites() {
    db.put(b("k"), b("1"));
    db.put(b("k"), b("2"));
    assertEquals("2", s(db.get(b("k"))));
  }

  @Test
  void deleteHidesTheKeyAndDeletingAnAbsentKeyIsFine() {
    db.put(b("k"), b("v"));
    db.delete(b("k"));
    db.delete(b("never"));
    assertNull(db.get(b("k")));
    assertEquals(List.of(), TestHarness.scanAll(db));
  }

  @Test
  void emptyValueIsDifferentFromAbsent() {
    db.put(b("k"), new byte[0]);
    assertArrayEquals(new byte[0], db.get(b("k")));
    db.flush();
    assertArrayEquals(new byte[0], db.get(b("k")));
    assertEquals(List.of("k="), TestHarness.scanAll(db));
  }

  @Test
  void emptyKeyIsALegalKey() {
    db.put(new byte[0], b("v"));
    assertEquals("v", s(db.get(new byte[0])));
    db.flush();
    assertEquals("v", s(db.get(new byte[0])));
  }

  @Test
  void callerMayReuseItsArraysAfterAPut() {
    byte[] k = b("k");
    byte[] v = b("v");
    db.put(k, v);
    k[0] = 'x';
    v[0] = 'y';
    assertEquals("v", s(db.get(b("k"))));
    db.get(b("k"))[0] = 'z';
    assertEquals("v", s(db.get(b("k"))), "a returned value is the caller's copy");
  }

  @Test
  void batchAppliesEveryOperationInOrder() {
    db.put(b("gone"), b("x"));
    db.write(new WriteBatch().put(b("a"), b("1")).delete(b("gone")).put(b("a"), b("2")).put(b("b"), b("3")));
    assertEquals(List.of("a=2", "b=3"), TestHarness.scanAll(db));
  }

  @Test
  void asyncWritesCompleteWhenAcknowledged() throws Exception {
    db.putAsync(b("a"), b("1")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.writeAsync(new WriteBatch().put(b("b"), b("2"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of("a=1", "b=2"), TestHarness.scanAll(db));
  }

  @Test
  void keysOrderByUnsignedBytes() {
    db.put(new byte[] {(byte) 0x80}, b("high"));
    db.put(new byte[] {0x7f}, b("low"));
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      assertArrayEquals(new byte[] {0x7f}, it.key());
      it.next();
      assertArrayEquals(new byte[] {(byte) 0x80}, it.key());
    }
  }

  @Test
  void scanHonoursEveryBoundKind() {
    for (String k : List.of("a", "b", "c", "d")) {
      db.put(b(k), b(k));
    }
    db.flush();
    db.put(b("e"), b("e"));
    assertEquals(List.of("b=b", "c=c", "d=d"), TestHarness.drain(db.scan(Bound.included(b("b")), Bound.included(b("d")))));
    assertEquals(List.of("c=c"), TestHarness.drain(db.scan(Bound.excluded(b("b")), Bound.excluded(b("d")))));
    assertEquals(List.of("a=a", "b=b"), TestHarness.drain(db.scan(Bound.unbounded(), Bound.excluded(b("c")))));
    assertEquals(List.of("d=d", "e=e"), TestHarness.drain(db.scan(Bound.included(b("cc")), Bound.unbounded())));
    assertEquals(List.of(), TestHarness.drain(db.scan(Bound.included(b("x")), Bound.unbounded())));
  }

  @Test
  void scanSeesTheStoreAsItWasWhenItStarted() {
    for (int i = 0; i < 100; i++) {
      db.put(TestHarness.key(i), b("old"));
    }
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (int i = 0; i < 2000; i++) {
        db.put(TestHarness.key(i), b("new"));
      }
      db.flush();
      int count = 0;
      for (; it.isValid(); it.next()) {
        assertEquals("old", s(it.value()));
        count++;
      }
      assertEquals(100, count);
    }
  }

  @Test
  void readsFindDataInEveryLayerAfterFlushes() {
    for (int i = 0; i < 3000; i++) {
      db.put(TestHarness.key(i), b("v" + i));
    }
    db.flush();
    StrataStats stats = db.stats();
    assertTrue(stats.levelFileCounts()[0] > 1, "several L0 files: " + stats);
    for (int i = 0; i < 3000; i += 7) {
      assertEquals("v" + i, s(db.get(TestHarness.key(i))));
    }
    assertEquals(3000, TestHarness.scanAll(db).size());
  }

  @Test
  void statsCountUserAndFlushBytes() {
    db.put(b("key"), b("value"));
    db.flush();
    StrataStats stats = db.stats();
    assertEquals(8, stats.userBytesWritten());
    assertTrue(stats.flushBytesWritten() > 0);
    assertEquals(1, stats.levelFileCounts()[0]);
    assertTrue(stats.levelBytes()[0] > 0);
    assertEquals(0, stats.immutableMemtables());
    assertTrue(stats.toString().contains("L0: 1 files"), stats.toString());
  }

  @Test
  void closeThenReopenKeepsEveryAcknowledgedWrite() {
    for (int i = 0; i < 500; i++) {
      db.put(TestHarness.key(i), b("v" + i));
    }
    db.delete(TestHarness.key(7));
    db.close();
    db = Strata.open(dir, TestHarness.smallOptions());
    assertNull(db.get(TestHarness.key(7)));
    assertEquals("v499", s(db.get(TestHarness.key(499))));
    assertEquals(499, TestHarness.scanAll(db).size());
    db.put(b("after"), b("reopen"));
    assertTrue(db.stats().lastSequence() > 501, "sequence numbers continue after reopen");
  }

  @Test
  void closeIsIdempotent() {
    db.close();
    db.close();
    assertFalse(db.toString().isEmpty());
  }
}
