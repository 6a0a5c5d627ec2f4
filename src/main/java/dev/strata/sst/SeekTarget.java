package dev.strata.sst;

import dev.strata.key.InternalKey;

/**
 * The seek predicate every table-level search uses: is an encoded internal key at or after the
 * target (userKey, sequence) in internal-key order, that is, a greater user key, or the same user
 * key with a sequence at most {@code sequence}?
 *
 * <p>Why compare sequences rather than build a target key: a target trailer would need a made-up
 * kind code that sorts before every real one at the same sequence, and would depend on the
 * trailer comparison treating sequences near {@link InternalKey#MAX_SEQUENCE} (top bit set)
 * correctly. Sequences are 56-bit and never negative, so comparing them directly states the seek
 * contract of {@link dev.strata.iterator.InternalIterator#seek} as written. Over entries sorted in
 * internal-key order the predicate is monotone (false, then true), which is what makes binary
 * search over restarts and index entries valid.
 */
final class SeekTarget {
  private SeekTarget() {}

  static boolean isAtOrAfter(byte[] key, int off, int len, byte[] userKey, long sequence) {
    int userLen = len - InternalKey.TRAILER_BYTES;
    int c = InternalKey.compareUserKeys(key, off, userLen, userKey, 0, userKey.length);
    if (c != 0) {
      return c > 0;
    }
    return InternalKey.sequenceOf(InternalKey.readTrailer(key, off + userLen)) <= sequence;
  }
}
