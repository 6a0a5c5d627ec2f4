package dev.strata.cli;

import dev.strata.CompactionOptions;
import dev.strata.akka.stream.StrataWriteSettings;
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
        bench ingest [options]         the same fill through the synchronous API and through StrataFlow
        bench persistence [options]    Akka Persistence: persist, persistAll, recovery, eventsByTag
        bench cluster [options]        a cluster keyspace on 1, 3, 5 local nodes against one embedded store
        shell [--read-only] DIR        an interactive prompt on the store in DIR
        check DIR                      verifies every file of a store, read-only
        checkpoint DIR TARGET          an openable copy of the store in DIR, written to TARGET
        backup DIR BACKUPDIR           an incremental backup of the store in DIR, kept in BACKUPDIR
        restore BACKUPDIR ID DIR       restores backup ID into DIR, a new store
        verify BACKUPDIR [ID]          checks every file of every backup (or of backup ID)
        backups BACKUPDIR              lists the backups in BACKUPDIR
        purge-backups BACKUPDIR --keep N
                                       deletes all but the newest N backups of BACKUPDIR
        repair DIR                     rebuilds a damaged store in DIR; what it cannot use goes to lost/
        lsm [options] DIR              the tree's levels, files, key ranges and compaction debt
        compact DIR                    compacts the whole store in DIR into one sorted run
        dump-manifest DIR|FILE         every record of a manifest, then the state they fold to
        dump-wal [--values] FILE       every record of one WAL, and how the log ends
        dump-sst [options] FILE        the footer, index and entries of one SST, checksums verified
        compaction-sim [options]       replays a compaction strategy over synthetic flushes, no I/O
        help [COMMAND]                 this text, or one command's

      Store options come from conf/application.conf (its `strata` block, over the library's
      reference.conf) when it exists in the working directory; bench's flags override them.
      Logging is configured by conf/logback.xml when it exists.
      Exit codes: 0 success, 1 failure (storage error, corrupt file), 2 bad usage.
      """;

  static final String BENCH = """
      Usage: strata bench [options]
             strata bench ingest [options]   (see strata bench ingest --help)
             strata bench persistence [options]   (see strata bench persistence --help)
             strata bench cluster [options]   (see strata bench cluster --help)

      Runs db_bench-style workloads through the public synchronous API (put, get, delete, scan)
      and prints one line per workload: operations, ops/s, MB/s of key and value bytes, p50, p99
      and max latency in microseconds, and for reads the keys found. Then the store's statistics.

      Workloads, in this order (* = in the default run, db_bench's eight):
      %s
      Fills run on a fresh store; every other workload runs on the store the previous one left,
      with no flush in between. Reads of a subset without a fill find nothing: the store is empty.
      readrandom must find every key after a fill and readmissing none; a WARNING line says otherwise.
      readwhilewriting's line adds its writer's puts and their rate. The YCSB mixes (ycsba ... ycsbf,
      also ycsb-a) choose keys scrambled-zipfian (constant 0.99) and count their operations by kind;
      run them after a fill: --workloads fillrandom,ycsba,ycsbb,ycsbc,ycsbf,ycsbe. Run syncfloor
      beside fillsync at the same --threads to read synced writes against the machine's ceiling:
        --workloads fillsync,syncfloor --threads 64

      Options:
        --num N                operations per workload, and keys in the key space  [1000000]
        --seed S               seed of the random key order and of the values      [301]
        --threads T            threads sharing each workload's operations          [1]
        --dir DIR              keep the store in DIR, which must be new or empty; without it a
                               temporary directory is used and deleted at the end
        --key-size BYTES       key length; keys are zero-padded decimal numbers    [16]
        --value-size BYTES     value length                                        [100]
        --compression-ratio R  values compress to about R of their size, as db_bench's
                               --compression_ratio makes them (R random bytes in each 100,
                               repeated); the same values for every engine; 1 = random   [0.5]
        --workloads a,b,c      the workloads to run, in order (repeats allowed)
        --seek-nexts N         next() calls after each seek of seekrandom          [100]
        --memtable-size SIZE   memtable size                                       [config]
        --block-cache SIZE     block cache size; 0 disables it                     [config]
        --bloom-bits N         bloom filter bits per key, 0-32; 0 disables them    [config]
        --compaction STRATEGY  leveled | tiered | simple-leveled | none            [config]
        --compression CODEC    none | lz4 for the SST data blocks of every level; without it the
                               configuration's compression and compression-per-level (none by
                               default; compression = lz4 compresses L2 and below)  [config]
        --no-wal               no write-ahead log
        --sync                 fsync the write-ahead log before acknowledging each write
        --compare              run the workloads against Strata, RocksDB and LevelDB, each in
                               its own JVM (same java binary, JVM flags and classpath), one after
                               the other, and print one table: ops/s per engine and workload with
                               Strata's ratio to the best peer, then bytes on disk and write
                               amplification (bytes the JVM wrote, write_bytes of /proc/self/io,
                               or wchar where the file system leaves write_bytes at 0, over the
                               key and value bytes put and key bytes deleted). Every engine runs
                               with its default options, WAL on and no sync, so the flags that
                               tune Strata (--memtable-size ... --sync) are refused; fillsync
                               opens each engine with its own sync write option. Every workload
                               but compact, readsnapshot and txnrmw (Strata's API alone) is
                               taken. With --dir, engine E's store is DIR/E. The table adds
                               readwhilewriting's writer and, with fillsync and syncfloor,
                               fillsync / syncfloor per engine. The peers are in strata.jar only
                               when it is built with
                                 mvn -B -q -Ppeers -DskipTests package
                               (RocksDB: org.rocksdb:rocksdbjni with its default options plus
                               create-if-missing; LevelDB: org.iq80.leveldb:leveldb 0.12, pure Java)
        --engines a,b          with --compare: the engines, in order       [strata,rocksdb,leveldb]
        --versus "OPTIONS"     an A/B run: A is the bench as given, B the same plus OPTIONS (the
                               last of a repeated option wins); A and B alternate (A B, B A, ...),
                               each in its own JVM and temporary store, and one table gives each
                               round's ops/s and A/B ratio per workload and the median ratio:
                                 --workloads fillrandom --versus "--no-wal" --rounds 6
                                 --workloads fillsync --threads 64 --versus "--threads 1"
        --rounds N             with --versus: rounds of one A and one B run                 [3]
        --engine E             run one engine in this JVM: strata | rocksdb | leveldb   [strata]
        --results-file FILE    write the run's figures to FILE (how --compare's JVMs report back)
        -h, --help             this text
      SIZE is a number of bytes or a number with a unit: 65536, 64KiB, 64MiB, 1GiB.
      Options take their value as the next argument or after '=': --num 1000 or --num=1000.
      """.formatted(workloadList());

  static final String BENCH_INGEST = """
      Usage: strata bench ingest [options]

      Writes fillrandom's N keys and values twice per round, each time into a fresh store of its
      own with the WAL on: with synchronous puts from one thread, and as a stream of KeyValue
      elements through StrataFlow into StrataSink (write batches, several in flight); rounds
      alternate which goes first. Each fill is timed from the first write to the last
      acknowledgement. Prints elements/s, MB/s and the process's CPU time for each fill, the
      medians, and the ratio of the stream's median elements/s to the synchronous API's.

      Options:
        --num N                elements, and keys in the key space                 [1000000]
        --seed S               seed of the random key order and of the values      [301]
        --dir DIR              keep the stores in DIR/sync and DIR/stream (each deleted after its
                               fill); DIR must be new or empty; default: a temporary directory
        --key-size BYTES       key length; keys are zero-padded decimal numbers    [16]
        --value-size BYTES     value length                                        [100]
        --compression-ratio R  values compress to about R of their size, as in bench    [0.5]
        --memtable-size SIZE   memtable size                                       [config]
        --block-cache SIZE     block cache size; 0 disables it                     [config]
        --bloom-bits N         bloom filter bits per key, 0-32; 0 disables them    [config]
        --compaction STRATEGY  leveled | tiered | simple-leveled | none            [config]
        --compression CODEC    none | lz4 for the SST data blocks of every level   [config]
        --sync                 fsync the WAL before acknowledging each write (both fills)
        --batch-size N         elements per write batch                            [%d]
        --batch-window TIME    longest the first element waits for its batch       [%dms]
        --max-batch-bytes SIZE key and value bytes per write batch at most         [%s]
        --parallelism N        write batches in flight at once                     [%d]
        --rounds N             run both fills N times, alternating which goes first, and
                               report the medians (round 1 is JIT warm-up)        [%d]
        --stream-first         run the stream fill first (in the first round)
        -h, --help             this text
      Stream defaults come from strata.stream in conf/application.conf over reference.conf.
      SIZE is a number of bytes or a number with a unit: 65536, 64KiB, 64MiB, 1GiB.
      TIME is a duration: 5ms, 250us, 1s.
      Options take their value as the next argument or after '=': --num 1000 or --num=1000.
      """.formatted(StrataWriteSettings.create().batchSize(), StrataWriteSettings.create().batchWindow().toMillis(),
      StrataWriteSettings.create().maxBatchBytes() + " B", StrataWriteSettings.create().parallelism(),
      IngestArgs.DEFAULT_ROUNDS);

  static final String BENCH_PERSISTENCE = """
      Usage: strata bench persistence [options]

      Akka Persistence through classic persistent actors: N actors each persist their events one at
      a time (persist), then in groups (persistAll), each command only after the last was written;
      then every actor recovers in a fresh ActorSystem (the in-memory journal: fresh actors in the
      same system, since its events die with it), timed once the journal's plugin has started (an
      actor without events recovers first: the store or database is open); then currentEventsByTag
      reads every event back where the journal has a read journal; for Strata, a plain
      StrataSource.scan of that tag's index keys follows (tagScan, the query's ceiling); both read
      3 times, the last reported (a warm store). Prints events/s and the process's CPU time per
      event (all threads) for each phase. Every event is checked: a recovery or a query that
      returns a different count fails the run.

      Journals: strata (Strata's plugins), leveldb (Akka's own LevelDB journal on iq80's pure-Java
      LevelDB, native = off), jdbc (akka-persistence-jdbc on an embedded H2 file database, which
      never fsyncs), inmem (Akka's in-memory journal, the ceiling: Akka's own cost per event bounds
      every journal). leveldb and jdbc are built in with -Ppeers.

      Options:
        --actors N             persistent actors                                   [100]
        --events N             events each actor persists in each of the two phases [1000]
        --group N              events per persistAll                               [10]
        --event-bytes N        bytes of each event's payload (a string)            [100]
        --sync | --no-sync     every journal fsyncs each write before acknowledging it, or none
                               does (the table prints each journal's setting)     [--sync]
        --journal J            the journal to run in this JVM                      [strata]
        --compare              run every journal, each in a JVM of its own (this JVM's flags),
                               then print one table and Strata's ratio to each
        --journals a,b         the journals --compare runs   [strata,leveldb,jdbc,inmem]
        --floor                instead of a journal, the floor of Strata's: one thread serializes
                               the events and writes them with plain Strata.write calls of the
                               journal's batch shape (no Akka Persistence), per event and per group
        --dir DIR              keep the stores in DIR, which must be new or empty; without it a
                               temporary directory is used and deleted at the end
        -h, --help             this text
      Options take their value as the next argument or after '=': --actors 10 or --actors=10.
      """;

  static final String BENCH_CLUSTER = """
      Usage: strata bench cluster [options]

      The cost per operation of the cluster keyspace (dev.strata.cluster). The same closed-loop
      load (N clients, each with one operation in flight: puts of random keys, then gets of random
      keys) runs against one embedded store in this JVM, then against a keyspace on 1, 3 and 5
      local nodes, each a JVM of its own on 127.0.0.1 (this JVM's classpath), at replication
      factor 1 and 3 (a factor above the node count is skipped). On a cluster the load runs in
      node 0, as an application's would: each operation goes to its shard's leader, on whichever
      node, and on to the leader's followers. Prints put/s and get/s with p50 and p99 latency per
      setup. On one machine the nodes share its cores: the figures show the cost of each hop,
      not a speed-up.

      Options:
        --nodes a,b            node counts to run                                  [1,3,5]
        --replication a,b      replication factors to run                          [1,3]
        --ops N                puts, and then gets, per setup                      [20000]
        --concurrency N        clients, each with one operation in flight          [16]
        --keys N               distinct keys                                       [10000]
        --value-size N         bytes per value                                     [100]
        --shards N             shards of the keyspace                              [16]
        --sync | --no-sync     sync-writes of the embedded store and of every shard store [--no-sync]
        --dir DIR              keep the stores and the nodes' logs in DIR, which must be new or
                               empty; without it a temporary directory is used and deleted
        -h, --help             this text
      Options take their value as the next argument or after '=': --ops 1000 or --ops=1000.
      """;

  static final String SHELL = """
      Usage: strata shell [--read-only] DIR

      Opens (creating when missing) the store in DIR and reads commands from standard input, one
      per line; a prompt is shown when standard input is a terminal. End of input closes the store.

      Options:
        --read-only   open the existing store read-only: no LOCK taken, no file created, changed
                      or deleted, so it can run beside the process that writes the store. It sees
                      the store as it was when opened (WALs included); get, scan and stats work,
                      put, delete and flush answer with an error.
        -h, --help    this text
      """ + Shell.HELP;

  static final String DUMP_SST = """
      Usage: strata dump-sst [--no-entries | --verify-only] [--from KEY] [--to KEY] FILE

      Prints the footer, the index and (unless --no-entries) every entry of one SST file,
      verifying every checksum. A corrupt file prints what is wrong and exits with code 1.

      Options:
        --no-entries      leave the entries out (every block is still read and verified)
        --verify-only     print nothing but a one-line verdict: every block's checksum, key order
                          within and across blocks, and the properties against the contents;
                          exit code 1 on damage, each problem named with its offset on stderr
        --from KEY        print only entries whose user key is >= KEY (inclusive)
        --to KEY          print only entries whose user key is < KEY (exclusive)
        -h, --help        this text
      KEY is taken as its UTF-8 bytes, or as hex when written 0x...: --from 0x00ff.
      The range narrows what is printed, never what is verified.
      """;

  static final String CHECK = """
      Usage: strata check DIR

      Verifies the store in DIR without opening it: CURRENT; every record of the manifest it
      names (checksum and format) and their fold; every SST the manifest lists (every block's
      checksum, key order within and across blocks, entry count, smallest and largest key and
      sequence range against the properties and against the manifest, file size); every live WAL
      (every record's checksum and contents; damage before the sync point the manifest records
      loses synced writes); and that the directory holds what the manifest lists.

      Prints one line per problem ("problem: FILE at offset N: ...") and per note ("note: ..."),
      then a summary: files and bytes checked, SST entries, WAL records, problems, notes.
      Problems: damage anywhere, a listed file missing, a disagreement between a file and the
      manifest. Notes (the store copes with them): a torn tail of a WAL or manifest past its sync
      point, an orphan .sst or .wal the manifest does not list, an older manifest, a .tmp file,
      the WALs kept in lost/.

      Read-only: files are opened for reading only; the LOCK is not taken, so it can run beside an
      open store (whose newest files it may then see mid-write); no recovery runs and no file is
      created or deleted. Exit code 0 when everything checked is sound, 1 on any problem, 2 for
      bad usage.
      """;

  static final String CHECKPOINT = """
      Usage: strata checkpoint DIR TARGET

      Opens the store in DIR (recovering it, as any open does; no other process may hold it),
      writes a checkpoint of it into TARGET, and closes it. TARGET must not exist; it becomes a
      store of its own, openable like any other, holding what DIR held. SSTs are hard-linked when
      TARGET is on the same file system as DIR (no data is copied; the store's later compactions
      do not touch the checkpoint), copied otherwise; the WALs of unflushed memtables are copied.

      Exit code 0 when the checkpoint is written, 1 when DIR holds no store, TARGET exists, or
      the store or the copy fails, 2 for bad usage.
      """;

  static final String COMPACT = """
      Usage: strata compact DIR

      Opens the store in DIR (recovering it, as any open does; no other process may hold it; a
      directory without a store is an error, nothing is created), flushes what recovery left in
      memtables, compacts every SST into one sorted run at the bottom level (Strata.compact():
      overwritten versions and tombstones are dropped), and closes it. Prints the levels' files
      and bytes before and after, and the bytes the flush and the compaction wrote. Uses the
      library's default options.

      Exit code 0 when the compaction is installed, 1 when DIR holds no store or the store or
      the compaction fails, 2 for bad usage.
      """;

  static final String BACKUP = """
      Usage: strata backup DIR BACKUPDIR

      Opens the store in DIR (it must exist; it is recovered as any open does, with the options
      of its OPTIONS file, and no other process may hold it), adds a backup of it to BACKUPDIR
      (created when missing), closes it, and prints the backup's id, time, files, bytes, new
      bytes and last sequence.

      A backup is incremental: BACKUPDIR/shared/ keeps each SST once, named by its number,
      CRC32C and size, for every backup that holds it, so a backup copies only the SSTs no earlier
      backup holds, plus the store's manifest, WALs, OPTIONS and CURRENT (BACKUPDIR/private/ID/).
      It is consistent: it holds every write acknowledged before it started. It exists once its
      meta file BACKUPDIR/meta/ID (every file's path, size and CRC32C) is in place, which is
      written last; what an interrupted backup left is removed the next time BACKUPDIR is opened.

      Exit code 0 when the backup is made, 1 when DIR holds no store or the store or the backup
      fails, 2 for bad usage.
      """;

  static final String RESTORE = """
      Usage: strata restore BACKUPDIR ID DIR

      Restores backup ID of BACKUPDIR into DIR, which must not exist or be empty; DIR becomes a
      store of its own holding exactly what the backup holds. Every file is copied (never linked)
      and its size and CRC32C checked as it is; a damaged file fails the restore, naming it, and
      a failed restore removes what it wrote, so it never leaves a store that opens.

      Exit code 0 when the backup is restored, 1 when there is no such backup, DIR is not empty,
      or a file is damaged or cannot be copied, 2 for bad usage.
      """;

  static final String VERIFY = """
      Usage: strata verify BACKUPDIR [ID]

      Reads every file of every backup in BACKUPDIR (or of backup ID) and recomputes its CRC32C
      against the backup's meta file, without restoring anything. Prints one line per backup,
      one "problem:" line per missing, resized or damaged file (or unreadable meta file), then a
      summary. Exit code 0 only when every backup checked is sound, 1 otherwise, 2 for bad usage.
      """;

  static final String BACKUPS = """
      Usage: strata backups BACKUPDIR

      Lists the backups in BACKUPDIR, oldest first: id, time, files, bytes (what a restore
      writes), new bytes (what the backup added to BACKUPDIR) and last sequence. Exit code 1 when
      a meta file is damaged (strata verify names it), 2 for bad usage.
      """;

  static final String PURGE_BACKUPS = """
      Usage: strata purge-backups BACKUPDIR --keep N

      Deletes all but the newest N backups (N at least 1) of BACKUPDIR, and every shared SST no
      remaining backup holds. Prints the ids deleted and kept. Exit code 1 when BACKUPDIR cannot
      be changed, 2 for bad usage.

      Options:
        --keep N      the number of newest backups to keep (required)
        -h, --help    this text
      """;

  static final String REPAIR = """
      Usage: strata repair DIR

      Rebuilds the store in DIR so that it opens again, holding every write whose data can still
      be read, as LevelDB's RepairDB does. It WRITES to DIR: the store must not be open (the
      repair takes its LOCK, and fails when another process or Strata holds it). Make a copy of
      DIR first if the files matter to you.

      What it does: finds the manifest (the one CURRENT names, else the newest present) and, when
      it reads whole, takes the SSTs and WALs it lists; without one, every SST and WAL in DIR.
      Every SST is verified block by block: a whole one is kept as it is, where it was; a damaged
      one has the entries of its sound blocks written into a new SST (blocks that fail their
      checksum are dropped). Every WAL is replayed skipping damaged records (as the recovery mode
      SKIP_ANY_CORRUPTED_RECORDS does) into a new SST. Without a manifest every table goes to level
      0, and tables whose key and sequence ranges overlap are merged into one. Then a fresh
      manifest (next file number and last sequence beyond every one seen) and CURRENT are written.

      Nothing is deleted: every file the repaired store does not use (damaged SSTs, the WALs it
      replayed, old manifests, SSTs and WALs the manifest does not list, temporary files, an
      unreadable OPTIONS file) is moved into DIR/lost/repair-N, N the new manifest's number. A
      readable OPTIONS file is kept.

      Prints one line per table kept, table salvaged (entries recovered, blocks dropped), WAL
      replayed (records recovered, bytes dropped), merge, file moved and note, then runs
      "strata check DIR" on the result. Exit code 0 when the repair is committed and the store
      checks sound, 1 when the repair fails (the store is left as it was) or the result does not
      check sound, 2 for bad usage.
      """;

  static final String LSM = """
      Usage: strata lsm [options] DIR

      The shape of the tree in DIR, from its manifest (read-only; no SST is opened): per level,
      the files with their sizes, key ranges and sequence ranges, whether files of the level
      overlap (L0's may, by design; below L0 an overlap is a bug), the level's target and its
      compaction debt, then the totals.

      Targets and debt follow the leveled picker's dynamic level sizes: the last level's target
      is max(its size, base level bytes), each level above gets the one below's target divided by
      the multiplier while that stays above the base level bytes, and 0 above that (the base level
      is the shallowest with a non-zero target). A level's debt is its bytes over its target; L0's
      is all of L0 once it holds the file trigger's count. The store's options are not on disk:
      give the ones it runs with.

      Options:
        --max-levels N              [%d]
        --level-size-multiplier N   [%d]
        --base-level-bytes SIZE     [%d]
        --level0-file-trigger N     [%d]
        -h, --help                  this text
      """.formatted(CompactionOptions.leveled().maxLevels(), CompactionOptions.leveled().levelSizeMultiplier(),
      CompactionOptions.leveled().baseLevelBytes(), CompactionOptions.leveled().level0FileTrigger());

  static final String DUMP_MANIFEST = """
      Usage: strata dump-manifest DIR|FILE

      Prints every record of a manifest, one per line with its offset, kind and fields (Snapshot,
      WalCreated, WalRetired, WalSynced, FlushCompleted, CompactionCompleted, NextFileNumber; the
      SSTs a record names on the lines under it), how the log ends (clean end, torn tail at offset
      X, damage at offset X), then the state the records fold to: next file number, last
      sequence, live WALs with their sync points, the SSTs of every level. Given a store
      directory, the manifest its CURRENT names. Read-only. Exit code 1 on damage.
      """;

  static final String DUMP_WAL = """
      Usage: strata dump-wal [--values] FILE

      Prints every record of one WAL: its offset, its sequence range and its operations (put KEY =
      VALUE, delete KEY), then how the log ends: clean end, zero tail (the records end at offset X,
      zeros follow: a memory-mapped WAL's unwritten end), torn tail at offset X (an unfinished last
      record, which recovery drops), or damage at offset X (reading resumes at the next 32 KiB log
      block, and every damaged region is listed). Keys and values are printed in double quotes when
      they are printable ASCII, else as 0x and hex digits; values are cut at %d bytes unless
      --values is given. Read-only. Exit code 1 on damage.
      """.formatted(Printable.VALUE_PREVIEW_BYTES);

  static final String COMPACTION_SIM = """
      Usage: strata compaction-sim [options]

      Replays a compaction strategy's picker over synthetic flushes, with no I/O, and prints one
      line per step (a flush, then every compaction the picker asks for): the running write
      amplification, the levels after the step (files/size; for tiered, the sorted runs newest
      first) and the compactions applied. Then the totals: write amplification, most L0 files
      seen, and space amplification.

      The model: --live-mb of live data is spread evenly over --keys keys. Each flush adds one L0
      file of --flush-mb covering the whole key space. A compaction keeps, on every stretch of
      keys, min(sum of its inputs' bytes there, the live data there), cut into files of
      --target-sst-mb below L0; a trivial move (marked "(move)") changes levels and writes
      nothing, as in the engine. Write amplification = (flushed + compaction bytes) / flushed;
      space amplification = bytes in the tree / min(flushed, --live-mb).

      Options:
        --strategy NAME                        leveled | tiered | simple-leveled   [leveled]
        --steps N                              flushes to simulate                 [50]
        --keys N                               keys in the key space               [%d]
        --flush-mb MIB                         size of each flush                  [%d]
        --live-mb MIB                          live data                           [%d]
        --target-sst-mb MIB                    outputs below L0 are cut at this    [%d]
        -h, --help                             this text
      Strategy knobs; unset ones keep the strategy's default, and one the strategy ignores is
      an error:
        --level0-file-trigger N                leveled, simple-leveled             [%d]
        --max-levels N                         leveled, simple-leveled             [%d]
        --level-size-multiplier N              leveled                             [%d]
        --base-level-mb MIB                    leveled                             [%d]
        --num-tiers N                          tiered                              [%d]
        --max-size-amplification-percent P     tiered                              [%d]
        --size-ratio-percent P                 simple-leveled [%d], tiered [%d]
        --min-merge-width N                    tiered                              [%d]
        --max-merge-width N                    tiered                              [unbounded]
      Options take their value as the next argument or after '=': --steps 20 or --steps=20.
      """.formatted(CompactionSimulator.Model.DEFAULT.keys(),
      CompactionSimulator.Model.DEFAULT.flushBytes() / CompactionSimulator.MIB,
      CompactionSimulator.Model.DEFAULT.liveBytes() / CompactionSimulator.MIB,
      CompactionSimulator.Model.DEFAULT.targetSstBytes() / CompactionSimulator.MIB,
      CompactionOptions.leveled().level0FileTrigger(), CompactionOptions.leveled().maxLevels(),
      CompactionOptions.leveled().levelSizeMultiplier(),
      CompactionOptions.leveled().baseLevelBytes() / CompactionSimulator.MIB,
      CompactionOptions.tiered().numTiers(), CompactionOptions.tiered().maxSizeAmplificationPercent(),
      CompactionOptions.simpleLeveled().sizeRatioPercent(), CompactionOptions.tiered().sizeRatioPercent(),
      CompactionOptions.tiered().minMergeWidth());

  /** The usage text of {@code command}, if it is one. */
  static Optional<String> of(String command) {
    return switch (command) {
      case "bench" -> Optional.of(BENCH);
      case "bench persistence" -> Optional.of(BENCH_PERSISTENCE);
      case "bench cluster" -> Optional.of(BENCH_CLUSTER);
      case "shell" -> Optional.of(SHELL);
      case "dump-sst" -> Optional.of(DUMP_SST);
      case "check" -> Optional.of(CHECK);
      case "checkpoint" -> Optional.of(CHECKPOINT);
      case "backup" -> Optional.of(BACKUP);
      case "restore" -> Optional.of(RESTORE);
      case "verify" -> Optional.of(VERIFY);
      case "backups" -> Optional.of(BACKUPS);
      case "purge-backups" -> Optional.of(PURGE_BACKUPS);
      case "repair" -> Optional.of(REPAIR);
      case "lsm" -> Optional.of(LSM);
      case "compact" -> Optional.of(COMPACT);
      case "dump-manifest" -> Optional.of(DUMP_MANIFEST);
      case "dump-wal" -> Optional.of(DUMP_WAL);
      case "compaction-sim" -> Optional.of(COMPACTION_SIM);
      case "help" -> Optional.of(MAIN);
      default -> Optional.empty();
    };
  }

  private static String workloadList() {
    return Arrays.stream(Workload.values())
        .map(w -> String.format(Locale.ROOT, "  %-16s %s %s%n", w.benchName(),
            Workload.defaults().contains(w) ? "*" : " ", w.description()))
        .collect(Collectors.joining());
  }
}
