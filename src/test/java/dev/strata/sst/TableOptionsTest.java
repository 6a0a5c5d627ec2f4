package dev.strata.sst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TableOptionsTest {
  @Test
  void theDefaultsAreFourKibBlocksTenBloomBitsAndRestartsEvery16() {
    TableOptions o = TableOptions.defaults();
    assertEquals(4096, o.blockSizeBytes());
    assertEquals(10, o.bloomBitsPerKey());
    assertEquals(16, o.restartInterval());
    assertEquals(16, new TableOptions(1024, 0).restartInterval());
  }

  @Test
  void outOfRangeValuesAreRejectedNamingTheOption() {
    assertMessage("blockSizeBytes", () -> new TableOptions(0, 10));
    assertMessage("bloomBitsPerKey", () -> new TableOptions(4096, -1));
    assertMessage("bloomBitsPerKey", () -> new TableOptions(4096, 65));
    assertMessage("restartInterval", () -> new TableOptions(4096, 10, 0));
  }

  private static void assertMessage(String option, Executable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(e.getMessage().contains(option), e.getMessage());
  }
}
