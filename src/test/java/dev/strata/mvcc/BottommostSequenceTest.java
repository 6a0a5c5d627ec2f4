package dev.strata.mvcc;

import static dev.strata.TestHarness.b;
import static dev.strata.TestHarness.key;
import static dev.strata.TestHarness.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.Transaction;
import dev.strata.TransactionConflictException;
import dev.strata.fs.DiskFileSystem;
import dev.strata.iterator.InternalIterator;
import dev.strata.key.ValueKind;
import dev.strata.sst.TableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the bottommost data, compaction writes the version every reader sees with sequence 0, as
 * RocksDB does, so that the last level's trailers compress to almost nothing. What must not change:
 * what any snapshot reads, which commits conflict, and the order of the versions a reader may see.
 */
@Timeout(60)
class BottommostSequenceTest {
  private static final int KEYS = 400;

  @TempDir Path dir;

  private record Entry(String key, long sequence, ValueKind kind) {}

  private static StrataOptions options() {
    return StrataOptions.builder()
        .memtableSizeBytes(32 * 1024)
        .blockSizeBytes(1024)
        .compaction(CompactionOptions.none())
        .build();
  }

  /** Every entry of every SST in the store's directory, as their files hold them. */
  private List<Entry> entries() throws IOException {
    List<Entry> out = new ArrayList<>();
    List<Path> tables;
    try (Stream<Path> files = Files.list(dir)) {
      tables = files.filter(p -> p.getFileName().toString().endsWith(".sst")).sorted().toList();
    }
    for (Path path : tables) {
      try (TableReader reader = TableReader.open(DiskFileSystem.INSTANCE.openReadable(path), 1, path.toString(), null)) {
        InternalIterator it = reader.iterator();
        try {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            out.add(new Entry(s(it.userKey()), it.sequence(), it.kind()));
          }
        } finally {
          it.close();
        }
      }
    }
    return out;
  }

  private static byte[] value(int version, int i) {
    return b("v" + version + "-" + i);
  }

  @Test
  void theVersionEveryReaderSeesIsWrittenWithSequenceZero() throws IOException {
    try (Strata db = Strata.open(dir, options())) {
      for (int version = 0; version < 2; version++) {
        for (int i = 0; i < KEYS; i++) {
          db.put(key(i), value(version, i));
        }
      }
      for (int i = 0; i < KEYS; i += 8) {
        db.delete(key(i));
      }
      db.compact();
      List<Entry> entries = entries();
      assertEquals(KEYS - KEYS / 8, entries.size(), "one version of each live key, no tombstone: " + entries);
      for (Entry e : entries) {
        assertEquals(new Entry(e.key(), 0, ValueKind.PUT), e);
      }
      for (int i = 0; i < KEYS; i++) {
        if (i % 8 == 0) {
          assertNull(db.get(key(i)), "deleted key " + i);
        } else {
          assertArrayEquals(value(1, i), db.get(key(i)), "key " + i);
        }
      }
    }
    try (Strata db = Strata.open(dir, options())) { // later writes still come after every zeroed one
      db.put(key(1), value(2, 1));
      assertArrayEquals(value(2, 1), db.get(key(1)));
      db.compact();
      assertArrayEquals(value(2, 1), db.get(key(1)));
      assertArrayEquals(value(1, 3), db.get(key(3)));
    }
  }

  @Test
  void versionsASnapshotMayNotSeeKeepTheirSequencesAndTheOneItSeesIsZeroed() throws IOException {
    try (Strata db = Strata.open(dir, options())) {
      for (int i = 0; i < KEYS; i++) {
        db.put(key(i), value(0, i));
      }
      Snapshot snap = db.snapshot();
      for (int i = 0; i < KEYS; i++) {
        db.put(key(i), value(1, i));
      }
      db.compact();
      List<Entry> entries = entries();
      assertEquals(2 * KEYS, entries.size());
      for (int i = 0; i < entries.size(); i += 2) {
        Entry newer = entries.get(i);
        Entry older = entries.get(i + 1);
        assertEquals(newer.key(), older.key());
        assertTrue(newer.sequence() > snap.sequence(), newer + " is newer than the snapshot at " + snap.sequence());
        assertEquals(0, older.sequence(), older + ", the version the snapshot reads");
      }
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(0, i), snap.get(key(i)), "the snapshot reads key " + i);
        assertArrayEquals(value(1, i), db.get(key(i)), "the store reads key " + i);
      }
      snap.close();
      db.compact();
      entries = entries();
      assertEquals(KEYS, entries.size());
      assertTrue(entries.stream().allMatch(e -> e.sequence() == 0), entries.toString());
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(1, i), db.get(key(i)), "key " + i);
      }
    }
  }

  @Test
  void aTransactionStillConflictsWithAWriteCompactedIntoTheLastLevelAfterItBegan() {
    try (Strata db = Strata.open(dir, options())) {
      for (int i = 0; i < KEYS; i++) {
        db.put(key(i), value(0, i));
      }
      db.compact(); // every version zeroed
      Transaction early = db.begin();
      db.put(key(7), value(1, 7));
      db.compact(); // the new version is above the transaction's start: it keeps its sequence
      early.put(key(7), b("mine"));
      assertThrows(TransactionConflictException.class, early::commit);

      Transaction late = db.begin(); // after the write: no conflict, whatever the sequences are
      late.put(key(7), b("mine"));
      late.put(key(8), b("mine too"));
      late.commit();
      assertArrayEquals(b("mine"), db.get(key(7)));
      assertArrayEquals(b("mine too"), db.get(key(8)));
    }
  }
}
