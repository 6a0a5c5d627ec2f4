package dev.strata.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/** Parsing of option values, with messages that name the option. Stateless. */
final class ArgParsing {
  private ArgParsing() {}

  /**
   * The value of the option {@code args[i]}, named {@code option}: what follows its '=' when
   * {@code eq} (the index of '=' in it) is not negative, else the next argument. The caller moves
   * past that next argument itself ({@code if (eq < 0) i++}).
   */
  static String optionValue(List<String> args, int i, String option, int eq) throws UsageException {
    if (eq >= 0) {
      return args.get(i).substring(eq + 1);
    }
    if (i + 1 < args.size()) {
      return args.get(i + 1);
    }
    throw new UsageException(option + " needs a value");
  }

  /** A whole number (underscores allowed as digit separators) between min and max. */
  static long parseLong(String option, String text, long min, long max) throws UsageException {
    long value;
    try {
      value = Long.parseLong(text.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException(option + ": '" + text + "' is not a whole number");
    }
    return inRange(option, value, min, max);
  }

  static int parseInt(String option, String text, int min, int max) throws UsageException {
    return (int) parseLong(option, text, min, max);
  }

  /**
   * A size in bytes between min and max, written as in application.conf: a plain number of
   * bytes, or a number with a unit (64KiB, 64MiB, 1GiB, 4 KB...), so the two read alike.
   */
  static long parseBytes(String option, String text, long min, long max) throws UsageException {
    long value;
    try {
      value = ConfigFactory.empty().withValue("size", ConfigValueFactory.fromAnyRef(text.strip())).getBytes("size");
    } catch (ConfigException e) {
      throw new UsageException(option + ": '" + text + "' is not a size (examples: 65536, 64KiB, 64MiB, 1GiB)");
    }
    return inRange(option, value, min, max);
  }

  private static long inRange(String option, long value, long min, long max) throws UsageException {
    if (value < min || value > max) {
      throw new UsageException(option + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
