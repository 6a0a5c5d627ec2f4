package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class LeveledPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() throws Exception {
    PickerCases.runAll("leveled.txt", CompactionOptions.leveled());
  }
}
