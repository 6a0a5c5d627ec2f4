package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class TieredPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() {
    PickerCases.run("tiered.txt", CompactionOptions.tiered());
  }
}
