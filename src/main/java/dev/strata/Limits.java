package dev.strata;

/**
 * The largest key, value and write batch a store accepts. Every write path checks them (a put, a
 * delete, a {@link WriteBatch}, a {@link Transaction}, the Akka integrations) and rejects what is
 * too large with an {@link IllegalArgumentException} that names the size and the limit; reads
 * reject a key longer than {@link #MAX_KEY_BYTES} the same way. Integrations that build keys of
 * their own, or group writes into batches, size them against these constants.
 *
 * <p>Why bounds at all: a store holds every key and value of an entry whole, in a memtable, in a
 * data block that a reader decodes as one piece and in the write-ahead log record of its batch;
 * a bound turns one oversized entry into a clear error at the API instead of a memory hazard for
 * every later reader.
 */
public final class Limits {
  /** The longest key a store accepts, in bytes: 64 KiB. The empty key is a legal key. */
  public static final int MAX_KEY_BYTES = 64 * 1024;

  /**
   * The longest value a store accepts, in bytes: 16 MiB. The empty value is a legal value, and
   * differs from an absent one.
   */
  public static final int MAX_VALUE_BYTES = 16 * 1024 * 1024;

  /**
   * The most key and value bytes one {@link WriteBatch} may carry: 256 MiB. A batch is applied
   * all or nothing and logged as one record, so it is held whole in memory until it commits.
   */
  public static final long MAX_BATCH_BYTES = 256L * 1024 * 1024;

  private Limits() {}
}
