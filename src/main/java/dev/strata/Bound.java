package dev.strata;

import java.util.Arrays;
import java.util.Objects;

/** One end of a key range for {@code scan}: unbounded, or a key that is included or excluded. */
public final class Bound {
  /** How a bound treats its key. */
  public enum Kind { UNBOUNDED, INCLUDED, EXCLUDED }

  private static final Bound UNBOUNDED = new Bound(Kind.UNBOUNDED, null);

  private final Kind kind;
  private final byte[] key;

  private Bound(Kind kind, byte[] key) {
    this.kind = kind;
    this.key = key;
  }

  public static Bound unbounded() {
    return UNBOUNDED;
  }

  public static Bound included(byte[] key) {
    Objects.requireNonNull(key, "bound key must not be null (use Bound.unbounded() for an open end)");
    return new Bound(Kind.INCLUDED, key.clone());
  }

  public static Bound excluded(byte[] key) {
    Objects.requireNonNull(key, "bound key must not be null (use Bound.unbounded() for an open end)");
    return new Bound(Kind.EXCLUDED, key.clone());
  }

  public Kind kind() {
    return kind;
  }

  public boolean isUnbounded() {
    return kind == Kind.UNBOUNDED;
  }

  /** The bound's key; null when unbounded. The array is the bound's own: do not modify it. */
  public byte[] key() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bound b && b.kind == kind && Arrays.equals(b.key, key);
  }

  @Override
  public int hashCode() {
    return 31 * kind.hashCode() + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return kind == Kind.UNBOUNDED ? "unbounded" : kind.name().toLowerCase() + "(" + Arrays.toString(key) + ")";
  }
}
