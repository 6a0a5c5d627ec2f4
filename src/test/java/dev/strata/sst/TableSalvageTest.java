package dev.strata.sst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.key.ValueKind;
import dev.strata.util.Bytes;
import dev.strata.util.Crc32c;
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
 * TableSalvage hands over every entry of every sound block, in order, and nothing of a block that
 * fails its checksum; an entry that would break the order is dropped alone.
 */
class TableSalvageTest {
  @TempDir
  Path dir;
  private Path path;
  private final List<SstTestHarness.Entry> entries = new ArrayList<>();

  @BeforeEach
  void writeTable() throws IOException {
    path = dir.resolve("000009.sst");
    for (int i = 0; i < 300; i++) {
      ValueKind kind = i % 10 == 3 ? ValueKind.DELETE : ValueKind.PUT;
      entries.add(new SstTestHarness.Entry(SstTestHarness.key(i), 1000 + i, kind,
          kind == ValueKind.PUT ? SstTestHarness.bytes("v" + i) : new byte[0]));
    }
    SstTestHarness.writeTable(path, entries, new TableOptions(1024, 10));
  }

  private record Salvaged(TableSalvage.Result result, List<String> entries) {}

  private Salvaged salvage() throws IOException {
    List<String> got = new ArrayList<>();
    try (TableReader reader = SstTestHarness.open(path, null)) {
      TableSalvage.Result r = TableSalvage.salvage(reader,
          (key, sequence, kind, value) -> got.add(describe(key, sequence, kind, value)));
      return new Salvaged(r, got);
    }
  }

  private static String describe(byte[] key, long sequence, ValueKind kind, byte[] value) {
    return new String(key, StandardCharsets.UTF_8) + "@" + sequence + " " + kind + " "
        + new String(value, StandardCharsets.UTF_8);
  }

  private List<String> describeAll(List<SstTestHarness.Entry> list) {
    return list.stream().map(e -> describe(e.userKey(), e.sequence(), e.kind(), e.value())).toList();
  }

  @Test
  void aSoundTableGivesEveryEntryBack() throws IOException {
    Salvaged s = salvage();
    assertEquals(describeAll(entries), s.entries());
    assertEquals(0, s.result().blocksDropped());
    assertEquals(List.of(), s.result().problems());
  }

  @Test
  void aBlockThatFailsItsChecksumIsDroppedWholeAndEveryOtherEntryComesBackInOrder() throws IOException {
    List<String> inBlock1;
    long offset;
    try (TableReader reader = SstTestHarness.open(path, null)) {
      offset = reader.index().offset(1);
      inBlock1 = new ArrayList<>();
      BlockIterator it = reader.readDataBlock(1).iterator();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        inBlock1.add(describe(it.userKey(), it.sequence(), it.kind(), it.value()));
      }
    }
    SstTestHarness.flipByte(path, offset + 5, 0x20);

    Salvaged s = salvage();

    List<String> expected = new ArrayList<>(describeAll(entries));
    expected.removeAll(inBlock1);
    assertTrue(inBlock1.size() > 5 && expected.size() > 200, inBlock1.size() + " / " + expected.size());
    assertEquals(expected, s.entries());
    assertEquals(1, s.result().blocksDropped());
    assertEquals(expected.size(), s.result().entries());
    assertTrue(s.result().problems().get(0).startsWith("000009.sst: data block at offset " + offset + ": checksum"),
        s.result().problems().toString());
  }

  @Test
  void entriesOfAReChecksummedBlockThatGoBackwardsAreDroppedAndTheRestKept() throws IOException {
    long offset;
    int size;
    int block1Entries = 0;
    try (TableReader reader = SstTestHarness.open(path, null)) {
      offset = reader.index().offset(1);
      size = reader.index().size(1);
      BlockIterator it = reader.readDataBlock(1).iterator();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        block1Entries++;
      }
    }
    // Every "key-" of block 1 becomes "kex-", before block 0's keys; the checksum is made to match.
    byte[] file = Files.readAllBytes(path);
    byte[] from = "key-".getBytes(StandardCharsets.US_ASCII);
    for (int i = (int) offset; i + from.length <= offset + size; i++) {
      if (java.util.Arrays.equals(file, i, i + from.length, from, 0, from.length)) {
        file[i + 2] = 'x';
      }
    }
    Bytes.putIntLE(file, (int) offset + size + 1, Crc32c.maskedOf(file, (int) offset, size + 1));
    Files.write(path, file);

    Salvaged s = salvage();

    assertEquals(0, s.result().blocksDropped());
    assertEquals(block1Entries, s.result().entriesDropped());
    assertEquals(300 - block1Entries, s.entries().size());
    assertTrue(s.entries().stream().allMatch(e -> e.startsWith("key-")), s.entries().toString());
    assertTrue(s.result().problems().get(0).contains("is not after"), s.result().problems().toString());
  }
}
