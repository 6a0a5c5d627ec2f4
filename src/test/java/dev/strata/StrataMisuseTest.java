package dev.strata;

import static dev.strata.TestHarness.b;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every misuse gets the exception the API names, with a message that says what was wrong. */
class StrataMisuseTest {
  @TempDir Path dir;

  private static void fails(Class<? extends Throwable> type, String messagePart, Executable call) {
    Throwable t = assertThrows(type, call);
    assertTrue(t.getMessage() != null && t.getMessage().contains(messagePart),
        "message '" + t.getMessage() + "' should mention '" + messagePart + "'");
  }

  @Test
  void nullArgumentsAreNullPointerExceptions() {
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      fails(NullPointerException.class, "key", () -> db.put(null, b("v")));
      fails(NullPointerException.class, "value", () -> db.put(b("k"), null));
      fails(NullPointerException.class, "key", () -> db.get(null));
      fails(NullPointerException.class, "key", () -> db.delete(null));
      fails(NullPointerException.class, "batch", () -> db.write(null));
      fails(NullPointerException.class, "batch", () -> db.writeAsync(null));
      fails(NullPointerException.class, "key", () -> db.putAsync(null, b("v")));
      fails(NullPointerException.class, "lower", () -> db.scan(null, Bound.unbounded()));
      fails(NullPointerException.class, "upper", () -> db.scan(Bound.unbounded(), null));
      fails(NullPointerException.class, "bound", () -> Bound.included(null));
      fails(NullPointerException.class, "bound", () -> Bound.excluded(null));
      fails(NullPointerException.class, "key", () -> new WriteBatch().put(null, b("v")));
      fails(NullPointerException.class, "value", () -> new WriteBatch().put(b("k"), null));
      fails(NullPointerException.class, "key", () -> new WriteBatch().delete(null));
      fails(NullPointerException.class, "dir", () -> Strata.open(null));
      fails(NullPointerException.class, "options", () -> Strata.open(dir, null));
    }
  }

  @Test
  void oversizedKeysAndValuesAreIllegalArguments() {
    try (Strata db = Strata.open(dir, TestHarness.smallOptions())) {
      byte[] bigKey = new byte[Limits.MAX_KEY_BYTES + 1];
      byte[] bigValue = new byte[Limits.MAX_VALUE_BYTES + 1];
      fails(IllegalArgumentException.class, "key is 65537 bytes", () -> db.put(bigKey, b("v")));
      fails(IllegalArgumentException.class, "value is", () -> db.put(b("k"), bigValue));
      fails(IllegalArgumentException.class, "key is", () -> db.get(bigKey));
      fails(IllegalArgumentException.class, "key is", () -> db.delete(bigKey));
      fails(IllegalArgumentException.class, "key is", () -> new WriteBatch().put(bigKey, b("v")));
      db.put(new byte[Limits.MAX_KEY_BYTES], new byte[1]);
    }
  }

  @Test
  void everyCallOnAClosedStoreIsAnIllegalState() {
    Strata db = Strata.open(dir, TestHarness.smallOptions());
    db.close();
    fails(IllegalStateException.class, "closed", () -> db.put(b("k"), b("v")));
    fails(IllegalStateException.class, "closed", () -> db.get(b("k")));
    fails(IllegalStateException.class, "closed", () -> db.delete(b("k")));
    fails(IllegalStateException.class, "closed", () -> db.write(new WriteBatch().put(b("k"), b("v"))));
    fails(IllegalStateException.class, "closed", () -> db.putAsync(b("k"), b("v")));
    fails(IllegalStateException.class, "closed", () -> db.scan(Bound.unbounded(), Bound.unbounded()));
    fails(IllegalStateException.class, "closed", db::flush);
    fails(IllegalStateException.class, "closed", db::stats);
  }

  @Test
  void invalidOptionsAreIllegalArguments() {
    fails(IllegalArgumentException.class, "memtableSizeBytes", () -> StrataOptions.builder().memtableSizeBytes(1));
    fails(IllegalArgumentException.class, "blockSizeBytes", () -> StrataOptions.builder().blockSizeBytes(0));
    fails(IllegalArgumentException.class, "maxImmutableMemtables", () -> StrataOptions.builder().maxImmutableMemtables(0));
    fails(IllegalArgumentException.class, "bloomBitsPerKey", () -> StrataOptions.builder().bloomBitsPerKey(-1));
    fails(IllegalArgumentException.class, "blockCacheBytes", () -> StrataOptions.builder().blockCacheBytes(-1));
    fails(IllegalArgumentException.class, "walEnabled", () -> StrataOptions.builder().walEnabled(false).syncWrites(true).build());
    fails(IllegalArgumentException.class, "levelSizeMultiplier", () -> CompactionOptions.leveled().levelSizeMultiplier(1));
  }
}
