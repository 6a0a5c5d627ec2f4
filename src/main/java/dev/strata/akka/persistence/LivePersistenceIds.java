package dev.strata.akka.persistence;

import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.javadsl.Source;
import dev.strata.Bound;
import dev.strata.Snapshot;
import dev.strata.Strata;
import dev.strata.StrataIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The live {@code persistenceIds} query, each id once: first the ids listed (the highest sequence
 * number keys, in id order, a page per short-lived snapshot), then the ids whose first event the
 * ordering log records later.
 *
 * <p>Why the bookkeeping: an id created while the listing runs may be listed or not, depending on
 * whether the page holding its key was read before or after its first event. Each page records the
 * highest ordering its snapshot saw and the last key it read (one small mark per page, not a set of
 * ids). The follow phase reads the ordering log after the first page's highest ordering, and skips a
 * new id exactly when the page covering its key saw its first event: the listing has it already.
 *
 * <p>Each materialization has its own marks; they are written by the listing and read by the
 * follow phase only after the listing completed (the stream orders the two). Thread-safe.
 */
final class LivePersistenceIds {
  /** A page of the listing: the keys after the previous page's last key up to {@code lastKey}, read at {@code seen}. */
  private record Mark(byte[] lastKey, long seen) {}

  private final Strata store;
  private final PagedQuery pages;
  private final int pageSize;

  LivePersistenceIds(Strata store, PagedQuery pages, int pageSize) {
    this.store = store;
    this.pages = pages;
    this.pageSize = pageSize;
  }

  Source<String, NotUsed> source() {
    return Source.lazySource(() -> {
      List<Mark> marks = new ArrayList<>();
      return listing(marks).concatLazy(Source.lazySource(() -> follow(marks)))
          .mapMaterializedValue(m -> NotUsed.getInstance());
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private Source<String, NotUsed> listing(List<Mark> marks) {
    Bound start = Bound.included(PersistenceKeys.kindStart(PersistenceKeys.HIGHEST_SEQUENCE_NR));
    Bound end = Bound.excluded(PersistenceKeys.kindStart(PersistenceKeys.SNAPSHOT));
    return Source.<Optional<Bound>, List<String>>unfoldAsync(Optional.of(start), lower -> lower.isEmpty()
        ? CompletableFuture.completedFuture(Optional.empty())
        : CompletableFuture.supplyAsync(() -> Optional.of(listPage(lower.get(), end, marks)), pages.executor()))
        .mapConcat(ids -> ids);
  }

  private Pair<Optional<Bound>, List<String>> listPage(Bound lower, Bound end, List<Mark> marks) {
    List<String> ids = new ArrayList<>();
    byte[] last = null;
    long seen;
    try (Snapshot snapshot = store.snapshot(); StrataIterator it = snapshot.scan(lower, end)) {
      byte[] highest = snapshot.get(PersistenceKeys.highestOrdering());
      seen = highest == null ? 0 : JournalRecords.readHighestOrdering(highest);
      for (; it.isValid() && ids.size() < pageSize; it.next()) {
        last = it.key();
        ids.add(PersistenceKeys.persistenceIdOf(last));
      }
    }
    boolean more = ids.size() == pageSize;
    synchronized (marks) {
      marks.add(new Mark(more ? last : null, seen)); // the last page covers the rest of the range
    }
    return Pair.create(more ? Optional.of(Bound.excluded(last)) : Optional.empty(), ids);
  }

  private Source<String, NotUsed> follow(List<Mark> marks) {
    List<Mark> done;
    synchronized (marks) {
      done = List.copyOf(marks);
    }
    return pages.source(Bound.included(PersistenceKeys.ordering(done.get(0).seen() + 1)),
        () -> Optional.of(Bound.excluded(PersistenceKeys.kindStart(PersistenceKeys.TAG))), true, (key, value) -> {
          JournalRecords.OrderingEntry entry = JournalRecords.readOrderingEntry(value);
          if (!entry.firstOfId() || listed(done, entry.persistenceId(), PersistenceKeys.orderingOf(key))) {
            return null;
          }
          return entry.persistenceId();
        });
  }

  /** Whether the listing had {@code id}, first written at {@code ordering}: the page covering its key saw that write. */
  private static boolean listed(List<Mark> marks, String id, long ordering) {
    byte[] key = PersistenceKeys.highestSequenceNr(id);
    for (Mark mark : marks) { // pages in key order; a binary search would do, but marks are few
      if (mark.lastKey() == null || Arrays.compareUnsigned(key, mark.lastKey()) <= 0) {
        return mark.seen() >= ordering;
      }
    }
    return false;
  }
}
