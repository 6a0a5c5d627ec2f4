package dev.strata.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian fixed-width integers in byte arrays, through VarHandles so the JIT emits one load. */
public final class Bytes {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Bytes() {}

  public static int getIntLE(byte[] b, int off) {
    return (int) INT_LE.get(b, off);
  }

  public static long getLongLE(byte[] b, int off) {
    return (long) LONG_LE.get(b, off);
  }

  public static void putIntLE(byte[] b, int off, int value) {
    INT_LE.set(b, off, value);
  }

  public static void putLongLE(byte[] b, int off, long value) {
    LONG_LE.set(b, off, value);
  }
}
