package dev.strata.sst;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.key.ValueKind;
import dev.strata.util.Crc32c;
import dev.strata.util.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TableVerifier finds what opening a table cannot: keys out of order within a block and across
 * blocks, even when every checksum holds (the damaged blocks here are re-checksummed, as a buggy
 * writer would leave them), and a block that fails its checksum does not hide the others.
 */
class TableVerifierTest {
  @TempDir
  Path dir;
  private Path path;

  @BeforeEach
  void writeTable() throws IOException {
    path = dir.resolve("000007.sst");
    List<SstTestHarness.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ValueKind kind = i % 10 == 3 ? ValueKind.DELETE : ValueKind.PUT;
      entries.add(new SstTestHarness.Entry(SstTestHarness.key(i), 1000 + i, kind,
          kind == ValueKind.PUT ? SstTestHarness.bytes("v" + i) : null));
    }
    SstTestHarness.writeTable(path, entries, new TableOptions(1024, 10));
  }

  private TableVerifier.Result verify() throws IOException {
    try (TableReader reader = SstTestHarness.open(path, null)) {
      return TableVerifier.verify(reader);
    }
  }

  @Test
  void aSoundTableCountsWhatItHolds() throws IOException {
    TableVerifier.Result r = verify();
    assertEquals(List.of(), r.problems());
    assertTrue(r.dataBlocks() > 3, "blocks: " + r.dataBlocks());
    assertEquals(300, r.entries());
    assertEquals(30, r.tombstones());
    assertEquals(1000, r.minSequence());
    assertEquals(1299, r.maxSequence());
    assertArrayEquals(SstTestHarness.key(0), r.smallestUserKey());
    assertArrayEquals(SstTestHarness.key(299), r.largestUserKey());
  }

  @Test
  void keysBeforeTheLastKeyOfThePreviousBlockAreAProblemThere() throws IOException {
    long offset = rewriteBlock(1, true); // every key of block 1 now starts "kex-", before block 0's "key-"
    TableVerifier.Result r = verify();
    assertTrue(r.problems().stream().anyMatch(p -> p.startsWith("000007.sst: data block at offset " + offset + ": key kex-")
        && p.endsWith(", the last key of the block before")), r.problems().toString());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("but the index says")), r.problems().toString());
  }

  @Test
  void keysOutOfOrderWithinABlockAreAProblemThere() throws IOException {
    long offset = rewriteBlock(2, false); // only the block's first key becomes "kez-", after the rest
    TableVerifier.Result r = verify();
    assertEquals(1, r.problems().size(), r.problems().toString());
    assertTrue(r.problems().get(0).startsWith("000007.sst: data block at offset " + offset + ": key key-")
        && r.problems().get(0).contains(" is not after kez-"), r.problems().toString());
  }

  @Test
  void aBadChecksumIsReportedAndTheOtherBlocksAreStillRead() throws IOException {
    long offset;
    try (TableReader reader = SstTestHarness.open(path, null)) {
      offset = reader.index().offset(1);
    }
    SstTestHarness.flipByte(path, offset + 3, 0x10);
    TableVerifier.Result r = verify();
    assertTrue(r.problems().get(0).startsWith("000007.sst: data block at offset " + offset + ": checksum mismatch"),
        r.problems().toString());
    assertTrue(r.entries() > 200, "the other blocks' entries are counted: " + r.entries());
  }

  /**
   * Replaces "key-" in data block {@code block} by "kex-" (all of them) or its first key's by
   * "kez-", then recomputes the block's checksum; returns the block's offset.
   */
  private long rewriteBlock(int block, boolean all) throws IOException {
    long offset;
    int size;
    try (TableReader reader = SstTestHarness.open(path, null)) {
      offset = reader.index().offset(block);
      size = reader.index().size(block);
    }
    byte[] file = Files.readAllBytes(path);
    byte[] from = "key-".getBytes(StandardCharsets.US_ASCII);
    int replaced = 0;
    for (int i = (int) offset; i + from.length <= offset + size; i++) {
      if (java.util.Arrays.equals(file, i, i + from.length, from, 0, from.length)) {
        file[i + 2] = (byte) (all ? 'x' : 'z');
        replaced++;
        if (!all) {
          break;
        }
      }
    }
    assertTrue(replaced > 0);
    Bytes.putIntLE(file, (int) offset + size + 1, Crc32c.maskedOf(file, (int) offset, size + 1));
    Files.write(path, file);
    return offset;
  }
}
