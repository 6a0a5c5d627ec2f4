package dev.strata;

import java.util.List;

/**
 * A compaction about to start, as {@link StrataListener#onCompactionBegin} hears of it. With the
 * default blocking dispatcher (two threads) compactions run one at a time, so each is followed by
 * its {@link StrataListener#onCompactionCompleted} before the next one begins, unless it fails
 * ({@link StrataListener#onBackgroundError}) or {@code close()} cancels it (no event: its outputs
 * are deleted, its inputs stay). With more threads, leveled compactions of disjoint files and key
 * ranges may run side by side (the dispatcher's threads less one at most): match a completion to
 * its begin by {@code inputFileNumbers}, which no two running compactions share.
 *
 * @param inputFileNumbers the SSTs it will replace (in the order of {@code inputLevels})
 * @param inputLevels the level each input sits at
 * @param outputLevel the level its outputs go to
 * @param inputBytes the sizes of the inputs
 * @param reason why it runs, for people: the strategy's trigger (e.g. {@code "L0 file count 4 >= 4"}),
 *     a full compaction ({@code compact()}), or lookups that kept consulting a file in vain
 * @param trivialMove true when the inputs will be moved to the output level without being rewritten
 */
public record CompactionBeginInfo(List<Long> inputFileNumbers, List<Integer> inputLevels, int outputLevel,
    long inputBytes, String reason, boolean trivialMove) {
  public CompactionBeginInfo {
    inputFileNumbers = List.copyOf(inputFileNumbers);
    inputLevels = List.copyOf(inputLevels);
  }
}
