package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.testing.ActorSystemPerClass;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each open store is an MXBean on the platform MBean server, named after its directory, from open
 * to close (however the close goes), unless {@code strata.jmx-enabled} is off.
 */
class StrataJmxTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
  @RegisterExtension
  static final ActorSystemPerClass SYSTEM = new ActorSystemPerClass("strata-jmx");
  @TempDir Path dir;
  @TempDir Path other;

  private static ObjectName expectedName(Path dir) throws Exception {
    return new ObjectName("dev.strata:type=Store,name=" + ObjectName.quote(dir.toAbsolutePath().toString()));
  }

  @Test
  void anOpenStoreIsRegisteredUnderItsDirectoryAndItsAttributesAreItsStats() throws Exception {
    ObjectName name = expectedName(dir);
    try (Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
      assertTrue(SERVER.isRegistered(name), name + " is registered");
      assertTrue(JMX.isMXBeanInterface(StrataMXBean.class));
      for (int i = 0; i < 50; i++) {
        db.put(TestHarness.key(i), b("value" + i));
      }
      StrataStats s = db.stats();
      assertEquals(s.memtableBytes(), SERVER.getAttribute(name, "MemtableBytes"));
      assertEquals(s.userBytesWritten(), SERVER.getAttribute(name, "UserBytesWritten"));
      assertEquals(50L, SERVER.getAttribute(name, "EstimatedKeyCount"));
      assertEquals(s.liveWalBytes(), SERVER.getAttribute(name, "LiveWalBytes"));
      assertEquals(dir.toAbsolutePath().toString(), SERVER.getAttribute(name, "Directory"));
      assertEquals(true, SERVER.getAttribute(name, "Healthy"));
      assertEquals("", SERVER.getAttribute(name, "BackgroundError"));
      try (Snapshot snap = db.snapshot()) {
        assertEquals(1, SERVER.getAttribute(name, "OpenSnapshotCount"));
        assertEquals(snap.sequence(), SERVER.getAttribute(name, "OldestSnapshotSequence"));
      }
      SERVER.invoke(name, "flush", new Object[0], new String[0]);
      assertEquals(1, db.stats().levelFileCounts()[0], "the flush operation flushed");
      assertArrayEquals(db.stats().levelFileCounts(), (int[]) SERVER.getAttribute(name, "LevelFileCounts"));
      StrataMXBean proxy = JMX.newMXBeanProxy(SERVER, name, StrataMXBean.class);
      assertEquals(db.stats().totalSstBytes(), proxy.getTotalSstBytes());
      assertEquals(0, proxy.getPendingCompactionBytes());
    }
    assertFalse(SERVER.isRegistered(name), "close unregisters it");
  }

  @Test
  void twoStoresOfOneJvmHaveTwoNames() throws Exception {
    try (Strata a = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions());
        Strata b = Strata.open(SYSTEM.get(), other, TestHarness.smallOptions())) {
      ObjectName na = a.mbeanName().orElseThrow();
      ObjectName nb = b.mbeanName().orElseThrow();
      assertNotEquals(na, nb);
      assertEquals(expectedName(dir), na);
      assertEquals(expectedName(other), nb);
      a.put(b("k"), b("v"));
      assertTrue((Long) SERVER.getAttribute(na, "UserBytesWritten") > 0);
      assertEquals(0L, SERVER.getAttribute(nb, "UserBytesWritten"), "each MBean reads its own store");
    }
  }

  @Test
  void aStoreWithJmxOffRegistersNothing() throws Exception {
    StrataOptions off = StrataOptions.fromConfig(ConfigFactory.parseString("strata.jmx-enabled = off"));
    assertFalse(off.jmxEnabled());
    assertTrue(StrataOptions.defaults().jmxEnabled(), "on by default");
    try (Strata db = Strata.open(SYSTEM.get(), dir, off)) {
      assertFalse(SERVER.isRegistered(expectedName(dir)));
      assertTrue(db.mbeanName().isEmpty());
    }
  }

  @Test
  void aCloseThatRunsOutOfTimeUnregistersTooAndTheStoreCanBeOpenedAgain() throws Exception {
    ObjectName name = expectedName(dir);
    Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions());
    db.put(b("k"), b("v"));
    db.close(Duration.ZERO); // the abort path: the writer is stopped where it is
    assertFalse(SERVER.isRegistered(name));
    try (Strata again = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
      assertTrue(SERVER.isRegistered(name), "the reopened store takes the name again");
    }
    assertFalse(SERVER.isRegistered(name));
  }

  @Test
  void aTakenNameGetsAnInstanceKeyAndTheForeignMBeanIsLeftAlone() throws Exception {
    ObjectName name = expectedName(dir);
    StrataMXBean squatter = (StrataMXBean) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {StrataMXBean.class}, (proxy, method, args) -> {
          throw new UnsupportedOperationException(method.getName());
        });
    SERVER.registerMBean(new StandardMBean(squatter, StrataMXBean.class, true), name);
    try {
      try (Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions())) {
        ObjectName actual = db.mbeanName().orElseThrow();
        assertNotEquals(name, actual);
        assertEquals(name.getKeyProperty("name"), actual.getKeyProperty("name"));
        assertTrue(actual.getKeyProperty("instance") != null, actual.toString());
        assertTrue(SERVER.isRegistered(actual));
      }
      assertTrue(SERVER.isRegistered(name), "the store unregisters only its own MBean");
      assertEquals(1, SERVER.queryNames(new ObjectName("dev.strata:type=Store,*"), null).stream()
          .filter(n -> n.getKeyProperty("name").equals(name.getKeyProperty("name"))).count());
    } finally {
      SERVER.unregisterMBean(name);
    }
  }

  @Test
  void healthFollowsTheStoresLife() {
    Strata db = Strata.open(SYSTEM.get(), dir, TestHarness.smallOptions());
    assertTrue(db.isHealthy());
    db.close();
    assertFalse(db.isHealthy(), "a closed store is not healthy, and saying so does not throw");
  }
}
