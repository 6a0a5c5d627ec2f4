package dev.strata.cli;

import java.nio.file.Path;

/** The shell's contract on the in-memory store: its own logic, independent of the engine. */
class ShellOnMemoryStoreTest extends ShellContract {
  @Override
  KeyValueStore openStore(Path dir) {
    return new CliTestHarness.MemoryStore();
  }
}
