package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import dev.strata.StrataOptions;
import dev.strata.fs.InMemoryFileSystem;
import dev.strata.memtable.Memtable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A manifest past its size limit is replaced by a snapshot in a new one, and CURRENT follows. */
class ManifestRollTest {
  private static final Path DIR = Path.of("/roll");

  private static long manifests(InMemoryFileSystem fs) throws Exception {
    List<String> names = fs.list(DIR);
    return names.stream().filter(n -> n.startsWith(FileNames.MANIFEST_PREFIX)).count();
  }

  @Test
  void manyFlushesRollTheManifestAndTheStoreReopensFromTheNewOne() throws Exception {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    StrataOptions options = StrataOptions.builder().compaction(CompactionOptions.none()).build();
    StoreEngine engine = StoreEngine.open(DIR, options, fs, 512);
    WriterControl control = engine.writerControl();
    String firstManifest = CurrentFile.read(fs, DIR).orElseThrow();
    for (int i = 0; i < 40; i++) {
      byte[] key = ("key" + i).getBytes();
      assertTrue(engine.tryPut(key, ("v" + i).getBytes()));
      // What the writer actor does on a flush, step by step.
      Memtable frozen = control.rotate();
      control.installFlush(frozen, control.writeSst(frozen));
    }
    String current = CurrentFile.read(fs, DIR).orElseThrow();
    assertTrue(!current.equals(firstManifest), "CURRENT moved to a new manifest");
    assertEquals(1, manifests(fs), "the old manifests were deleted");
    engine.releaseResources();

    fs.crash();
    engine = StoreEngine.open(DIR, options, fs, 512);
    assertEquals(40, engine.stats().levelFileCounts()[0]);
    for (int i = 0; i < 40; i++) {
      assertArrayEquals(("v" + i).getBytes(), engine.get(("key" + i).getBytes()));
    }
    engine.releaseResources();
  }
}
