package dev.strata.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.Bound;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores written by earlier versions of Strata stay readable. Each directory
 * {@code src/test/resources/compat/v<N>/} holds a store written by the code of on-disk format
 * version N ({@code store/}: SSTs in more than one level, tombstones over compacted values, an
 * empty value, a manifest, and a WAL with writes that were never flushed) and the contents it
 * holds ({@code expected.txt}, one line per key the generator wrote: {@code key<TAB>value}, or the
 * key alone when it is deleted). {@link CompatFixtureGenerator} wrote them.
 *
 * <p><b>Every later change to a file format (SST, block, bloom filter, WAL record, manifest record,
 * CURRENT) must keep these tests passing</b>: a new version may write a new format, but it must
 * still open a store of every version here, replay its WAL and answer every read exactly as
 * {@code expected.txt} says. Never regenerate an existing fixture to make this test pass; when the
 * format changes, add {@code compat/v<N+1>/} from the new code beside the old ones and a test for it.
 *
 * <p>The test opens a copy (opening recovers the WAL into a new SST and rewrites the manifest, so
 * the committed fixture itself is never opened), reads every key through {@code get} and through
 * one full scan, then closes and reopens the copy and reads again: the files the new code wrote
 * over the old ones must read back the same.
 */
class FormatCompatibilityTest {
  @TempDir
  Path dir;

  @Test
  void version1StoreOpensAndReadsEveryKeyAsWritten() throws Exception {
    Path fixture = fixture("v1");
    Map<String, String> expected = expectedContents(fixture.resolve("expected.txt"));
    Path store = copy(fixture.resolve("store"), dir.resolve("store"));
    assertHoldsEveryFileKind(store);

    try (Strata db = Strata.open(store)) {
      assertReads(db, expected, "the version 1 store as opened");
    }
    try (Strata db = Strata.open(store)) {
      assertReads(db, expected, "the version 1 store after one open and close by today's code");
    }
  }

  /**
   * SST format version 2: level-0 tables raw, the compacted ones with LZ4 data blocks. Named after
   * the format it adds rather than as v2, since the store's other formats are still version 1.
   */
  @Test
  void sstVersion2StoreWithCompressedTablesOpensAndReadsEveryKeyAsWritten() throws Exception {
    Path fixture = fixture("sst-v2");
    Map<String, String> expected = expectedContents(fixture.resolve("expected.txt"));
    Path store = copy(fixture.resolve("store"), dir.resolve("store"));
    assertHoldsEveryFileKind(store);

    try (Strata db = Strata.open(store, dev.strata.StrataOptions.builder().compression(dev.strata.Compression.NONE)
        .compressionPerLevel(List.of()).build())) {
      assertTrue(db.stats().compressionRatio() > 1.2, "the fixture's tables are compressed: " + db.stats());
      assertReads(db, expected, "the SST version 2 store as opened");
      db.compact();
      assertReads(db, expected, "the SST version 2 store rewritten without compression");
    }
    try (Strata db = Strata.open(store)) {
      assertReads(db, expected, "the SST version 2 store after one open and close by today's code");
    }
  }

  /** The fixture still covers what it claims to: several SSTs, a manifest, an unflushed WAL. */
  private static void assertHoldsEveryFileKind(Path store) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(store)) {
      files.forEach(p -> names.add(p.getFileName().toString()));
    }
    assertTrue(names.stream().filter(n -> n.endsWith(".sst")).count() >= 5, "SSTs in the fixture: " + names);
    assertTrue(names.stream().anyMatch(n -> n.startsWith("MANIFEST-")), "a manifest in the fixture: " + names);
    assertTrue(names.contains("CURRENT"), "CURRENT in the fixture: " + names);
    Path wal = names.stream().filter(n -> n.endsWith(".wal")).map(store::resolve).findFirst()
        .orElseThrow(() -> new AssertionError("no WAL in the fixture: " + names));
    assertTrue(Files.size(wal) > 0, wal + " is empty");
  }

  private static void assertReads(Strata db, Map<String, String> expected, String what) {
    Map<String, String> live = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      byte[] got = db.get(bytes(e.getKey()));
      if (e.getValue() == null) {
        assertNull(got, what + ": key " + e.getKey() + " was deleted, get returns " + string(got));
      } else {
        assertArrayEquals(bytes(e.getValue()), got, what + ": get of " + e.getKey());
        live.put(e.getKey(), e.getValue());
      }
    }
    Map<String, String> scanned = new LinkedHashMap<>();
    try (StrataIterator it = db.scan(Bound.unbounded(), Bound.unbounded())) {
      for (; it.isValid(); it.next()) {
        scanned.put(string(it.key()), string(it.value()));
      }
    }
    // Equal as ordered maps: the same keys, in the same (byte) order, with the same values.
    assertEquals(new ArrayList<>(live.entrySet()), new ArrayList<>(scanned.entrySet()), what + ": a full scan");
  }

  /** Reads expected.txt: '#' comments, then 'key<TAB>value' (live) or 'key' (deleted) in key order. */
  static Map<String, String> expectedContents(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("#")) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab < 0) {
        out.put(line, null);
      } else {
        out.put(line.substring(0, tab), line.substring(tab + 1));
      }
    }
    assertTrue(out.size() > 100, file + " lists only " + out.size() + " keys");
    return out;
  }

  private static Path fixture(String version) throws URISyntaxException {
    URL url = FormatCompatibilityTest.class.getResource("/compat/" + version + "/expected.txt");
    if (url == null) {
      throw new AssertionError("fixture compat/" + version + " is not on the test class path");
    }
    return Path.of(url.toURI()).getParent();
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
  }
}
