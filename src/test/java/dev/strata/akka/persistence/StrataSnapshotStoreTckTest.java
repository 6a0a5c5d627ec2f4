package dev.strata.akka.persistence;

import akka.persistence.CapabilityFlag;
import akka.persistence.japi.snapshot.JavaSnapshotStoreSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Akka's snapshot store plugin test kit (akka-persistence-tck's SnapshotStoreSpec) against {@link
 * StrataSnapshotStore}, on a fresh store directory deleted afterwards; surefire reports each case by
 * name.
 */
class StrataSnapshotStoreTckTest {

  @TestFactory
  Stream<DynamicTest> snapshotStoreSpec() {
    return ScalaTestCases.run(new Spec());
  }

  /** Akka's spec, with Strata's snapshot store and its honest capability flags. */
  public static final class Spec extends JavaSnapshotStoreSpec {
    public Spec() {
      super(PersistenceHarness.pluginConfig(PersistenceHarness.newStoreDir("strata-snapshot-tck")));
    }

    /** Snapshots go through Akka serialization, with the actor system's transport information set. */
    @Override
    public CapabilityFlag supportsSerialization() {
      return CapabilityFlag.on();
    }

    /** SnapshotMetadata.metadata is serialized beside the snapshot and returned on load. */
    @Override
    public CapabilityFlag supportsMetadata() {
      return CapabilityFlag.on();
    }

    @Override
    public void afterAll() {
      try {
        super.afterAll(); // terminates the system: CoordinatedShutdown closes the store
      } finally {
        PersistenceHarness.deleteStoreDir(config());
      }
    }
  }
}
