package dev.strata;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open store's {@link StrataMXBean}, registered with the platform MBean server at open and
 * unregistered at close. The name is {@code dev.strata:type=Store,name="<directory>"}: a directory
 * holds one open store at a time (its lock), so two stores of a JVM get two names. Should the name
 * be taken all the same (a store of another class loader in the same directory, say, or something
 * registered under it by hand), an {@code instance} key makes it unique. A failure to register or
 * unregister is logged and never fails the store: monitoring is not worth an open or a close.
 *
 * <p>Thread-safe: {@link #unregister()} may race itself (close and the abort path); it runs once.
 */
final class StrataJmx implements StrataMXBean {
  private static final Logger log = LoggerFactory.getLogger(StrataJmx.class);
  static final String DOMAIN = "dev.strata";

  private final Strata store;
  private final ObjectName name;
  private final AtomicBoolean registered = new AtomicBoolean(true);

  private StrataJmx(Strata store, ObjectName name) {
    this.store = store;
    this.name = name;
  }

  /** The name a store in {@code directory} is registered under (unless it was taken). */
  static ObjectName nameOf(java.nio.file.Path directory) {
    try {
      return new ObjectName(DOMAIN + ":type=Store,name=" + ObjectName.quote(directory.toString()));
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException("a quoted directory always makes a valid name: " + directory, e);
    }
  }

  /** Registers {@code store}'s MXBean; null when the server refused it (logged). */
  static StrataJmx register(Strata store, long instance) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = nameOf(store.directory());
    try {
      try {
        return register(server, store, name);
      } catch (InstanceAlreadyExistsException e) {
        ObjectName unique = new ObjectName(name + ",instance=" + instance);
        log.warn("the MBean name {} is taken; store {} is registered as {}", name, store.directory(), unique);
        return register(server, store, unique);
      }
    } catch (JMException | RuntimeException e) {
      log.warn("store {} could not register its MBean; it runs without", store.directory(), e);
      return null;
    }
  }

  private static StrataJmx register(MBeanServer server, Strata store, ObjectName name) throws JMException {
    StrataJmx bean = new StrataJmx(store, name);
    server.registerMBean(new StandardMBean(bean, StrataMXBean.class, true), name);
    return bean;
  }

  /** The name this MBean is registered under. */
  ObjectName name() {
    return name;
  }

  /** Takes the MBean off the server; idempotent. */
  void unregister() {
    if (!registered.compareAndSet(true, false)) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // someone unregistered it by hand: nothing left to do
    } catch (JMException | RuntimeException e) {
      log.warn("store {} could not unregister its MBean {}", store.directory(), name, e);
    }
  }

  @Override
  public String getDirectory() {
    return store.directory().toString();
  }

  @Override
  public boolean isHealthy() {
    return store.isHealthy();
  }

  @Override
  public String getBackgroundError() {
    return store.stats().backgroundError();
  }

  @Override
  public boolean isBackgroundErrorRecoverable() {
    return store.stats().backgroundErrorRecoverable();
  }

  @Override
  public long getMemtableBytes() {
    return store.stats().memtableBytes();
  }

  @Override
  public int getImmutableMemtableCount() {
    return store.stats().immutableMemtables();
  }

  @Override
  public long getImmutableMemtableBytes() {
    return store.stats().immutableMemtableBytes();
  }

  @Override
  public int[] getLevelFileCounts() {
    return store.stats().levelFileCounts();
  }

  @Override
  public long[] getLevelBytes() {
    return store.stats().levelBytes();
  }

  @Override
  public long getTotalSstBytes() {
    return store.stats().totalSstBytes();
  }

  @Override
  public long getUserBytesWritten() {
    return store.stats().userBytesWritten();
  }

  @Override
  public long getFlushBytesWritten() {
    return store.stats().flushBytesWritten();
  }

  @Override
  public long getCompactionBytesWritten() {
    return store.stats().compactionBytesWritten();
  }

  @Override
  public long getWalBytesWritten() {
    return store.stats().walBytesWritten();
  }

  @Override
  public double getWriteAmplification() {
    return store.stats().writeAmplification();
  }

  @Override
  public long getWalSyncCount() {
    return store.stats().walSyncs();
  }

  @Override
  public long getBlockCacheHitCount() {
    return store.stats().blockCacheHits();
  }

  @Override
  public long getBlockCacheMissCount() {
    return store.stats().blockCacheMisses();
  }

  @Override
  public long getLastSequence() {
    return store.stats().lastSequence();
  }

  @Override
  public long getWriteStallNanos() {
    return store.stats().writeStallNanos();
  }

  @Override
  public long getLongestWriteStallNanos() {
    return store.stats().longestWriteStallNanos();
  }

  @Override
  public long getWriteStallCount() {
    return store.stats().writeStalls();
  }

  @Override
  public boolean isWritesSlowed() {
    return store.stats().writesSlowed();
  }

  @Override
  public boolean isWritesStopped() {
    return store.stats().writesStopped();
  }

  @Override
  public long getCompactionCount() {
    return store.stats().compactions();
  }

  @Override
  public long getTableIndexBytes() {
    return store.stats().tableIndexBytes();
  }

  @Override
  public long getTableFilterBytes() {
    return store.stats().tableFilterBytes();
  }

  @Override
  public long getPendingCompactionBytes() {
    return store.stats().pendingCompactionBytes();
  }

  @Override
  public int getRunningCompactionCount() {
    return store.stats().runningCompactions();
  }

  @Override
  public int getRunningFlushCount() {
    return store.stats().runningFlushes();
  }

  @Override
  public int getOpenSnapshotCount() {
    return store.stats().openSnapshots();
  }

  @Override
  public long getOldestSnapshotSequence() {
    return store.stats().oldestSnapshotSequence();
  }

  @Override
  public long getLiveWalBytes() {
    return store.stats().liveWalBytes();
  }

  @Override
  public long getEstimatedKeyCount() {
    return store.stats().estimatedKeys();
  }

  @Override
  public void flush() {
    store.flush();
  }
}
