package dev.strata.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The most heap the JVM held right after a garbage collection, over a run. Heap in use between
 * collections is mostly garbage; right after one it is an upper bound on the live set, and with
 * G1 a loose one: a young collection leaves the old generation as it is, garbage and all, until a
 * concurrent cycle and its mixed collections reclaim it (benchmarks.md compares it with class
 * histograms). Collections are reported by the JVM's GC notifications. Thread-safe.
 */
final class HeapWatch {
  private final AtomicLong peak = new AtomicLong(-1);
  private final Set<String> heapPools = new HashSet<>();

  /** Starts watching; collections before this call are not counted. */
  static HeapWatch start() {
    HeapWatch watch = new HeapWatch();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        watch.heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            watch.record(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                .getGcInfo().getMemoryUsageAfterGc());
          }
        }, null, null);
      }
    }
    return watch;
  }

  private void record(Map<String, MemoryUsage> afterGc) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : afterGc.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  }

  /** The peak heap after a collection so far; -1 when no collection ran. */
  long peakAfterGcBytes() {
    return peak.get();
  }
}
