package dev.strata;

import java.time.Duration;
import java.util.List;

/**
 * A completed compaction, as {@link StrataListener#onCompactionCompleted} hears of it.
 *
 * @param inputFileNumbers the SSTs it replaced (in the order of {@code inputLevels})
 * @param inputLevels the level each input sat at
 * @param outputFileNumbers the SSTs it installed (for a trivial move, the inputs themselves)
 * @param outputLevel the level the outputs were installed at
 * @param bytesRead the sizes of the inputs; 0 for a trivial move, which reads nothing
 * @param bytesWritten the sizes of the new SSTs; 0 for a trivial move, which writes nothing. What it
 *     added to {@link StrataStats#compactionBytesWritten()}, which also counts the outputs of
 *     compactions that failed or were cancelled by {@code close()} and so were never installed
 * @param duration from the start of the compaction to its installation
 * @param trivialMove true when the inputs were moved to the output level without being rewritten
 */
public record CompactionInfo(List<Long> inputFileNumbers, List<Integer> inputLevels, List<Long> outputFileNumbers,
    int outputLevel, long bytesRead, long bytesWritten, Duration duration, boolean trivialMove) {
  public CompactionInfo {
    inputFileNumbers = List.copyOf(inputFileNumbers);
    inputLevels = List.copyOf(inputLevels);
    outputFileNumbers = List.copyOf(outputFileNumbers);
  }
}
