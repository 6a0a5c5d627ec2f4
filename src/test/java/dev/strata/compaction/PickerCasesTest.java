package dev.strata.compaction;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.CompactionOptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The harness itself: it must read every case and name the line of a failing one. */
class PickerCasesTest {

  @Test
  void everyCaseFileHoldsAtLeastSixCases() throws Exception {
    assertTrue(PickerCases.parse("simple_leveled.txt", CompactionOptions.simpleLeveled()).size() >= 6);
    assertTrue(PickerCases.parse("tiered.txt", CompactionOptions.tiered()).size() >= 6);
    assertTrue(PickerCases.parse("leveled.txt", CompactionOptions.leveled()).size() >= 6);
  }

  @Test
  void aFailingCaseIsReportedByFileAndLine() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> PickerCases.runAll("harness_wrong_expectation.txt", CompactionOptions.simpleLeveled()));
    assertTrue(e.getMessage().contains("harness_wrong_expectation.txt:4 (an empty store has nothing to do"),
        e.getMessage());
    assertTrue(e.getMessage().contains("actual:   none"), e.getMessage());
  }
}
