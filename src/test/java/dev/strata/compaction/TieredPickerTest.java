package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class TieredPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() throws Exception {
    PickerCases.runAll("tiered.txt", CompactionOptions.tiered());
  }
}
