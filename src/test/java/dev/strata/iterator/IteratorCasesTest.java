package dev.strata.iterator;

import org.junit.jupiter.api.Test;

/** The iterator case files under src/test/resources/iterator/, run by the data-driven runner. */
class IteratorCasesTest {

  @Test
  void mergingAndConcatenatingIteratorsDoWhatEveryCaseExpects() {
    IteratorCases.run("merging.txt");
  }

  @Test
  void theUsersViewShowsWhatEveryCaseExpects() {
    IteratorCases.run("user.txt");
  }
}
