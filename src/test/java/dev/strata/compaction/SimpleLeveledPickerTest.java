package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class SimpleLeveledPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() throws Exception {
    PickerCases.runAll("simple_leveled.txt", CompactionOptions.simpleLeveled());
  }
}
