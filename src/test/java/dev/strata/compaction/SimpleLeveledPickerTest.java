package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class SimpleLeveledPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() {
    PickerCases.run("simple_leveled.txt", CompactionOptions.simpleLeveled());
  }
}
