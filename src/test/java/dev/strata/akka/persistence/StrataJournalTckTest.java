package dev.strata.akka.persistence;

import akka.persistence.CapabilityFlag;
import akka.persistence.japi.journal.JavaJournalSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Akka's journal plugin test kit (akka-persistence-tck's JournalSpec) against {@link StrataJournal},
 * on a fresh store directory deleted afterwards; surefire reports each case by name.
 */
class StrataJournalTckTest {

  @TestFactory
  Stream<DynamicTest> journalSpec() {
    return ScalaTestCases.run(new Spec());
  }

  /** Akka's spec, with Strata's journal and its honest capability flags. */
  public static final class Spec extends JavaJournalSpec {
    public Spec() {
      super(PersistenceHarness.pluginConfig(PersistenceHarness.newStoreDir("strata-journal-tck")));
    }

    /** Akka serialization's failure for an event rejects that AtomicWrite alone. */
    @Override
    public CapabilityFlag supportsRejectingNonSerializableObjects() {
      return CapabilityFlag.on();
    }

    /** Events go through Akka serialization, with the actor system's transport information set. */
    @Override
    public CapabilityFlag supportsSerialization() {
      return CapabilityFlag.on();
    }

    /** PersistentRepr.metadata is part of what Akka's MessageSerializer writes, so it comes back on replay. */
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
