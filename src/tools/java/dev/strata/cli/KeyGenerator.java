package dev.strata.cli;

/**
 * The benchmark's keys: fixed-width, zero-padded decimal numbers, so that they read well in the
 * shell and in {@code dump-sst}, and ascending indexes give ascending keys. Key {@code i} of the
 * key space is the even number {@code 2i}; the missing key {@code i} is the odd number
 * {@code 2i + 1}, which no present key can equal and which sorts right after present key
 * {@code i}, so missing lookups land between real keys (the case bloom filters are for) rather
 * than beyond them. Immutable and thread-safe; every call returns a new array, since a store may
 * keep the arrays it is given.
 */
final class KeyGenerator {
  private final int keySize;

  KeyGenerator(int keySize) {
    if (keySize < 1) {
      throw new IllegalArgumentException("key size must be positive, got " + keySize);
    }
    this.keySize = keySize;
  }

  /** Digits a key needs so that a key space of {@code num} keys, and its missing keys, fit. */
  static int digitsNeeded(long num) {
    if (num < 1) {
      throw new IllegalArgumentException("key space must hold at least one key, got " + num);
    }
    return Long.toString(2 * num - 1).length();
  }

  int keySize() {
    return keySize;
  }

  /** The key of index {@code i}, present once a fill has run. */
  byte[] key(long index) {
    return encode(2 * index);
  }

  /** A key that sorts right after {@code key(index)} and that no fill ever writes. */
  byte[] missingKey(long index) {
    return encode(2 * index + 1);
  }

  private byte[] encode(long number) {
    if (number < 0) {
      throw new IllegalArgumentException("key index out of range: " + number / 2);
    }
    byte[] key = new byte[keySize];
    long n = number;
    for (int i = keySize - 1; i >= 0; i--) {
      key[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    if (n != 0) {
      throw new IllegalArgumentException("key number " + number + " does not fit in " + keySize + " digits");
    }
    return key;
  }
}
