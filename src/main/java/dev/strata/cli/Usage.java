package dev.strata.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The usage texts of {@code strata} and its commands. */
final class Usage {
  private Usage() {}

  static final String MAIN = """
      Usage: strata <command> [arguments]

      Commands:
        bench [options]                db_bench-style workloads against a fresh store
        shell DIR                      an interactive prompt on the store in DIR
        dump-sst [--no-entries] FILE   the footer, index and entries of one SST, checksums verified
        help [COMMAND]                 this text, or one command's

      Store options come from conf/application.conf (its `strata` block, over the library's
      reference.conf) when it exists in the working directory; bench's flags override them.
      Logging is configured by conf/logback.xml when it exists.
      Exit codes: 0 success, 1 failure (storage error, corrupt file), 2 bad usage.
      """;

  static final String BENCH = """
      Usage: strata bench [options]

      Runs db_bench-style workloads through the public synchronous API (put, get, delete, scan)
      and prints one line per workload: operations, ops/s, MB/s of key and value bytes, p50, p99
      and max latency in microseconds, and for reads the keys found. Then the store's statistics.

      Workloads (default: all, in this order):
      %s
      Fills run on a fresh store; every other workload runs on the store the previous one left,
      with no flush in between. Reads of a subset without a fill find nothing: the store is empty.
      readrandom must find every key after a fill and readmissing none; a WARNING line says otherwise.

      Options:
        --num N                operations per workload, and keys in the key space  [1000000]
        --seed S               seed of the random key order and of the values      [301]
        --threads T            threads sharing each workload's operations          [1]
        --dir DIR              keep the store in DIR, which must be new or empty; without it a
                               temporary directory is used and deleted at the end
        --key-size BYTES       key length; keys are zero-padded decimal numbers    [16]
        --value-size BYTES     value length                                        [100]
        --workloads a,b,c      the workloads to run, in order (repeats allowed)
        --seek-nexts N         next() calls after each seek of seekrandom          [100]
        --memtable-size SIZE   memtable size                                       [config]
        --block-cache SIZE     block cache size; 0 disables it                     [config]
        --bloom-bits N         bloom filter bits per key, 0-32; 0 disables them    [config]
        --compaction STRATEGY  leveled | tiered | simple-leveled | none            [config]
        --no-wal               no write-ahead log
        --sync                 fsync the write-ahead log before acknowledging each write
        -h, --help             this text
      SIZE is a number of bytes or a number with a unit: 65536, 64KiB, 64MiB, 1GiB.
      Options take their value as the next argument or after '=': --num 1000 or --num=1000.
      """.formatted(workloadList());

  static final String SHELL = """
      Usage: strata shell DIR

      Opens (creating when missing) the store in DIR and reads commands from standard input, one
      per line; a prompt is shown when standard input is a terminal. End of input closes the store.
      """ + Shell.HELP;

  static final String DUMP_SST = """
      Usage: strata dump-sst [--no-entries] FILE

      Prints the footer, the index and (unless --no-entries) every entry of one SST file,
      verifying every checksum. A corrupt file prints what is wrong and exits with code 1.
      """;

  /** The usage text of {@code command}, if it is one. */
  static Optional<String> of(String command) {
    return switch (command) {
      case "bench" -> Optional.of(BENCH);
      case "shell" -> Optional.of(SHELL);
      case "dump-sst" -> Optional.of(DUMP_SST);
      case "help" -> Optional.of(MAIN);
      default -> Optional.empty();
    };
  }

  private static String workloadList() {
    return Arrays.stream(Workload.values())
        .map(w -> String.format(Locale.ROOT, "  %-13s %s%n", w.benchName(), w.description()))
        .collect(Collectors.joining());
  }
}
