package dev.strata.engine;

import dev.strata.key.InternalKey;
import dev.strata.manifest.FileMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Which level-0 tables a repair must rewrite together. A point read consults level 0 newest data
 * first (highest sequence first) and stops at the first table holding the key, which is right
 * only when, of any two tables whose key ranges overlap, one holds only newer sequences than the
 * other. Tables whose key ranges and sequence ranges both overlap are put in one group, and so is
 * any table that overlaps a group's hull (its widest key range and sequence range), until no two
 * groups' hulls overlap in both; a group of more than one table is then rewritten as one table,
 * whose ranges are within the group's hull, and the rule holds for every pair. Stateless.
 */
final class OverlapGroups {
  private OverlapGroups() {}

  /** Partitions {@code tables} into groups; each group keeps the order its tables had in the input. */
  static List<List<FileMeta>> of(List<FileMeta> tables) {
    List<Hull> hulls = new ArrayList<>();
    for (FileMeta t : tables) {
      hulls.add(new Hull(t));
    }
    for (int i = 0; i < hulls.size(); i++) {
      boolean grew = true;
      while (grew) {
        grew = false;
        for (int j = i + 1; j < hulls.size(); j++) {
          if (hulls.get(i).conflicts(hulls.get(j))) {
            hulls.get(i).absorb(hulls.remove(j));
            grew = true;
            break;
          }
        }
      }
      // A hull that grew may now conflict with an earlier one, which did not with its parts.
      for (int k = 0; k < i; k++) {
        if (hulls.get(k).conflicts(hulls.get(i))) {
          hulls.get(k).absorb(hulls.remove(i));
          i = k - 1; // re-examine the earlier hull against everything after it
          break;
        }
      }
    }
    List<List<FileMeta>> groups = new ArrayList<>();
    for (Hull h : hulls) {
      List<FileMeta> group = new ArrayList<>(h.members);
      group.sort((a, b) -> Integer.compare(tables.indexOf(a), tables.indexOf(b)));
      groups.add(group);
    }
    return groups;
  }

  /** Whether the key ranges and the sequence ranges of {@code a} and {@code b} both overlap. */
  static boolean conflict(FileMeta a, FileMeta b) {
    return new Hull(a).conflicts(new Hull(b));
  }

  private static final class Hull {
    final List<FileMeta> members = new ArrayList<>();
    byte[] smallest;
    byte[] largest;
    long minSequence;
    long maxSequence;

    Hull(FileMeta t) {
      members.add(t);
      smallest = t.smallestKey();
      largest = t.largestKey();
      minSequence = t.minSequence();
      maxSequence = t.maxSequence();
    }

    boolean conflicts(Hull o) {
      boolean keys = InternalKey.compareUserKeys(smallest, o.largest) <= 0
          && InternalKey.compareUserKeys(o.smallest, largest) <= 0;
      boolean sequences = minSequence <= o.maxSequence && o.minSequence <= maxSequence;
      return keys && sequences;
    }

    void absorb(Hull o) {
      members.addAll(o.members);
      if (InternalKey.compareUserKeys(o.smallest, smallest) < 0) {
        smallest = o.smallest;
      }
      if (InternalKey.compareUserKeys(o.largest, largest) > 0) {
        largest = o.largest;
      }
      minSequence = Math.min(minSequence, o.minSequence);
      maxSequence = Math.max(maxSequence, o.maxSequence);
    }
  }
}
