package dev.strata.metrics;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.DurabilityAccess;
import dev.strata.Strata;
import dev.strata.StrataException;
import dev.strata.StrataStats;
import dev.strata.TestHarness;
import dev.strata.fs.DiskFileSystem;
import dev.strata.fs.FaultInjectingFileSystem;
import dev.strata.fs.FaultInjectingFileSystem.Kind;
import dev.strata.fs.FaultInjectingFileSystem.Op;
import dev.strata.testing.ActorSystemPerClass;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A store bound to a Micrometer registry: its gauges and counters read what its stats say, tagged with the store. */
class StrataMetricsTest {
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("strata-metrics");
  @TempDir Path dir;
  @TempDir Path other;

  private static double gauge(SimpleMeterRegistry r, String name, String store, String... tags) {
    return r.get(name).tag("store", store).tags(tags).gauge().value();
  }

  private static double counter(SimpleMeterRegistry r, String name, String store, String... tags) {
    return r.get(name).tag("store", store).tags(tags).functionCounter().count();
  }

  private static void fill(Strata db, int from, int count) {
    for (int i = from; i < from + count; i++) {
      db.put(TestHarness.key(i), b("value" + i));
    }
  }

  @Test
  void gaugesFollowTheLayersOfTheStore() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
      new StrataMetrics(db, "orders").bindTo(registry);
      assertEquals(0, gauge(registry, "strata.memtable.size", "orders", "memtable", "mutable"));
      fill(db, 0, 50);
      assertEquals(db.stats().memtableBytes(), gauge(registry, "strata.memtable.size", "orders", "memtable", "mutable"));
      assertEquals(50, gauge(registry, "strata.keys.estimated", "orders"));
      assertTrue(gauge(registry, "strata.wal.live", "orders") > 0);
      for (int i = 0; i < 5; i++) {
        fill(db, 100 * i, 50);
        db.flush();
      }
      StrataStats s = db.stats();
      assertEquals(5, gauge(registry, "strata.level.files", "orders", "level", "0"));
      assertEquals(s.levelBytes()[0], gauge(registry, "strata.level.size", "orders", "level", "0"));
      assertEquals(0, gauge(registry, "strata.level.files", "orders", "level", "7"), "every level has its gauge");
      assertEquals(s.pendingCompactionBytes(), gauge(registry, "strata.compaction.pending", "orders"));
      assertTrue(gauge(registry, "strata.compaction.pending", "orders") > 0, "5 L0 files, trigger 4, none()");
      assertEquals(s.tableFilterBytes(), gauge(registry, "strata.sst.memory", "orders", "part", "filter"));
      try (var snap = db.snapshot()) {
        assertEquals(1, gauge(registry, "strata.snapshots.open", "orders"));
      }
      db.compact();
      assertEquals(0, gauge(registry, "strata.level.files", "orders", "level", "0"));
      int[] files = db.stats().levelFileCounts();
      for (int level = 0; level < files.length; level++) {
        assertEquals(files[level], gauge(registry, "strata.level.files", "orders", "level", String.valueOf(level)));
      }
      assertTrue(files.length > 1 && files[files.length - 1] > 0, "the compaction's output is below L0");
      assertEquals(0, gauge(registry, "strata.compaction.pending", "orders"));
      assertEquals(1, gauge(registry, "strata.healthy", "orders"));
      assertEquals(0, gauge(registry, "strata.error", "orders"));
    }
  }

  @Test
  void countersAreTheBytesAndEventsSinceOpen() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
      new StrataMetrics(db, "orders").bindTo(registry);
      fill(db, 0, 200);
      db.flush();
      StrataStats s = db.stats();
      assertEquals(s.userBytesWritten(), counter(registry, "strata.bytes.written", "orders", "kind", "user"));
      assertEquals(s.walBytesWritten(), counter(registry, "strata.bytes.written", "orders", "kind", "wal"));
      assertEquals(s.flushBytesWritten(), counter(registry, "strata.bytes.written", "orders", "kind", "flush"));
      assertTrue(counter(registry, "strata.bytes.written", "orders", "kind", "flush") > 0);
      assertEquals(0, counter(registry, "strata.bytes.written", "orders", "kind", "compaction"));
      db.compact();
      assertEquals(db.stats().compactionBytesWritten(),
          counter(registry, "strata.bytes.written", "orders", "kind", "compaction"));
      assertEquals(db.stats().compactions(), counter(registry, "strata.compactions", "orders"));
      assertTrue(counter(registry, "strata.compactions", "orders") >= 1);
      assertEquals("bytes", registry.get("strata.bytes.written").tag("kind", "user").functionCounter().getId()
          .getBaseUnit());
    }
  }

  @Test
  void twoStoresInOneRegistryAreToldApartByTheirTagTheDirectoryByDefault() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Strata a = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions());
        Strata c = Strata.open(SYSTEM.get(), other, TestHarness.smallOptions())) {
      new StrataMetrics(a).bindTo(registry);
      new StrataMetrics(c, "c", Tags.of("region", "eu")).bindTo(registry);
      fill(a, 0, 10);
      String aTag = a.directory().toString();
      assertEquals(a.stats().userBytesWritten(), counter(registry, "strata.bytes.written", aTag, "kind", "user"));
      assertEquals(0, counter(registry, "strata.bytes.written", "c", "kind", "user", "region", "eu"));
    }
  }

  @Test
  void theErrorGaugeRisesWithTheErrorState() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(DiskFileSystem.INSTANCE);
    Strata db = DurabilityAccess.open(SYSTEM.get(), dir, TestHarness.smallOptions(), fs);
    try {
      new StrataMetrics(db, "s").bindTo(registry);
      db.put(b("k"), b("v"));
      assertEquals(0, gauge(registry, "strata.error", "s"));
      fs.failAlways(Op.CREATE, Kind.IO_EXCEPTION, path -> path.getFileName().toString().endsWith(".sst.tmp"));
      assertThrows(StrataException.class, db::flush);
      assertEquals(1, gauge(registry, "strata.error", "s"));
      assertEquals(0, gauge(registry, "strata.healthy", "s"));
    } finally {
      fs.clearFailures();
      try {
        db.close();
      } catch (RuntimeException ignored) {
        // closing a store in its error state may report that error again
      }
    }
  }

  @Test
  void aClosedStoreKeepsItsLastFiguresAndIsNotHealthy() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions());
    new StrataMetrics(db, "s").bindTo(registry);
    fill(db, 0, 20);
    double written = counter(registry, "strata.bytes.written", "s", "kind", "user");
    assertTrue(written > 0);
    db.close();
    assertEquals(written, counter(registry, "strata.bytes.written", "s", "kind", "user"), "a counter never goes back");
    assertEquals(0, gauge(registry, "strata.healthy", "s"));
  }

  @Test
  void anEmptyStoreNameIsRefused() {
    try (Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StrataMetrics(db, ""));
      assertTrue(e.getMessage().contains("storeName"), e.getMessage());
      assertThrows(NullPointerException.class, () -> new StrataMetrics(null));
    }
  }
}
