package dev.strata;

/**
 * A forward cursor over user keys in ascending unsigned byte order. It sees the store as it was
 * when it was created and never yields a deleted key. Not thread-safe: one thread at a time.
 * An open iterator pins the files it reads; close it to let them go.
 */
public interface StrataIterator extends AutoCloseable {
  /** True while the cursor stands on an entry. */
  boolean isValid();

  /** The current key. Throws {@link IllegalStateException} when not valid. */
  byte[] key();

  /** The current value (possibly empty, never null). Throws {@link IllegalStateException} when not valid. */
  byte[] value();

  /** Moves to the next key. Throws {@link IllegalStateException} when not valid. */
  void next();

  /** Releases what the iterator pins; idempotent. */
  @Override
  void close();
}
