package dev.strata.engine;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Names of the files in a store directory. An SST is {@code NNNNNN.sst}, numbered from one
 * counter shared by every file the store creates; a file being written carries {@code .tmp}
 * until it is complete and synced.
 */
public final class FileNames {
  public static final String SST_SUFFIX = ".sst";
  public static final String TEMP_SUFFIX = ".tmp";

  private FileNames() {}

  public static Path sst(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, SST_SUFFIX));
  }

  public static Path temp(Path file) {
    return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
  }

  /** The number of an SST file name, if it is one. */
  public static OptionalLong sstNumber(String name) {
    if (!name.endsWith(SST_SUFFIX)) {
      return OptionalLong.empty();
    }
    String digits = name.substring(0, name.length() - SST_SUFFIX.length());
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(digits));
  }
}
