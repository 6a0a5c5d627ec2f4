package dev.strata.durability;

import static dev.strata.durability.DurabilityHarness.b;
import static dev.strata.durability.DurabilityHarness.open;
import static dev.strata.durability.DurabilityHarness.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.Strata;
import dev.strata.StrataOptions;
import dev.strata.fs.ForwardingFileSystem;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.fs.WritableFile;
import dev.strata.testing.ActorSystemPerClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which kind of file a store's WALs are: mapped (appends reach the operating system as they
 * return) unless every write is acknowledged only after a sync, when appends wait for the sync in
 * the process and are written with one write per sync (a sync of a mapped file costs about 2.5
 * times as much on ext4).
 */
class WalFileKindTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("durability");

  /** Records the kind of each writable file opened for a WAL. */
  private static final class Recording extends ForwardingFileSystem {
    final List<String> wals = Collections.synchronizedList(new ArrayList<>());

    Recording(InMemoryFileSystem delegate) {
      super(delegate);
    }

    private void record(String kind, Path path) {
      if (path.getFileName().toString().endsWith(".wal")) {
        wals.add(kind);
      }
    }

    @Override
    public WritableFile createMapped(Path path, int segmentBytes, Executor preparer) throws IOException {
      record("createMapped", path);
      return delegate.createMapped(path, segmentBytes, preparer);
    }

    @Override
    public WritableFile openMapped(Path path, long offset, int segmentBytes, Executor preparer) throws IOException {
      record("openMapped", path);
      return delegate.openMapped(path, offset, segmentBytes, preparer);
    }

    @Override
    public WritableFile createPreallocated(Path path, int segmentBytes, Executor preparer) throws IOException {
      record("createPreallocated", path);
      return delegate.createPreallocated(path, segmentBytes, preparer);
    }

    @Override
    public WritableFile openPreallocated(Path path, long offset, int segmentBytes, Executor preparer)
        throws IOException {
      record("openPreallocated", path);
      return delegate.openPreallocated(path, offset, segmentBytes, preparer);
    }
  }

  private static List<String> walsOpenedWriting(boolean syncWrites) {
    Recording fs = new Recording(new InMemoryFileSystem());
    StrataOptions options = DurabilityHarness.smallOptions().syncWrites(syncWrites).build();
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      db.put(b("k"), b("v1"));
    }
    try (Strata db = open(SYSTEM.get(), fs, options)) { // the WAL is kept at open and appended to
      assertEquals("v1", s(db.get(b("k"))));
      db.put(b("k"), b("v2"));
    }
    try (Strata db = open(SYSTEM.get(), fs, options)) {
      assertEquals("v2", s(db.get(b("k"))));
    }
    return fs.wals;
  }

  @Test
  void withSyncedWritesAWalsAppendsWaitForItsSyncs() {
    assertEquals(List.of("createPreallocated", "openPreallocated", "openPreallocated"), walsOpenedWriting(true));
  }

  @Test
  void withoutThemAWalIsMappedSoThatEachAppendSurvivesACrashOfTheProcess() {
    assertEquals(List.of("createMapped", "openMapped", "openMapped"), walsOpenedWriting(false));
  }
}
