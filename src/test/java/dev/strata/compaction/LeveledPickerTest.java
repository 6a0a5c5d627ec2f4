package dev.strata.compaction;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;

class LeveledPickerTest {

  @Test
  void picksWhatEveryCaseInTheCaseFileExpects() {
    PickerCases.run("leveled.txt", CompactionOptions.leveled());
  }
}
