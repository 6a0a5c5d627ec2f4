package dev.strata.cluster.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where transfers keep their files beside a store, and how a node clears what a killed one left. */
class TransferDirectoriesTest {
  @TempDir
  Path root;

  @Test
  void scratchAndStagingAreFreshSiblingsOfTheStoreThatNoShardNumberCanBe() {
    Path store = root.resolve("17");
    Path scratch = TransferDirectories.scratchFor(store);
    Path staging = TransferDirectories.stagingFor(store);

    assertEquals(root, scratch.getParent());
    assertTrue(scratch.getFileName().toString().startsWith("17.transfer-out-"), scratch.toString());
    assertTrue(staging.getFileName().toString().startsWith("17.transfer-in-"), staging.toString());
    assertTrue(!scratch.equals(TransferDirectories.scratchFor(store)), "a second transfer gets its own");
  }

  @Test
  void deleteLeftoversRemovesOnlyThatStoresTransferDirectories() throws Exception {
    Path store = Files.createDirectories(root.resolve("17"));
    Files.writeString(store.resolve("CURRENT"), "MANIFEST-000001\n");
    Path scratch = Files.createDirectories(TransferDirectories.scratchFor(store));
    Files.writeString(scratch.resolve("000001.sst"), "sst");
    Files.createDirectories(TransferDirectories.stagingFor(store));
    Path otherShards = Files.createDirectories(TransferDirectories.stagingFor(root.resolve("170")));
    Files.createDirectories(root.resolve("170"));

    int deleted = CheckpointTransfer.deleteLeftovers(store);

    assertEquals(2, deleted);
    assertEquals(List.of("17", "170", otherShards.getFileName().toString()), TransferHarness.names(root));
    assertEquals(List.of("CURRENT"), TransferHarness.names(store));
  }
}
