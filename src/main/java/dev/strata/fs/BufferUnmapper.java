package dev.strata.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmaps a {@link MappedByteBuffer} now rather than when the garbage collector gets to it, through
 * {@code sun.misc.Unsafe#invokeCleaner} (module jdk.unsupported, usable on Java 17 without flags).
 * Without it a deleted log file keeps its disk space, and its address space, until a GC. Reached
 * by reflection so that the code compiles without warnings about internal API. If the method is
 * missing, unmapping is left to the GC and a warning is logged once.
 *
 * <p>The caller must guarantee that nothing touches the buffer afterwards: an access to an
 * unmapped buffer crashes the JVM instead of throwing. Thread-safe.
 */
final class BufferUnmapper {
  private static final Logger log = LoggerFactory.getLogger(BufferUnmapper.class);
  private static final MethodHandle INVOKE_CLEANER = findInvokeCleaner();

  private BufferUnmapper() {}

  private static MethodHandle findInvokeCleaner() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
      theUnsafe.setAccessible(true);
      Object unsafe = theUnsafe.get(null);
      return MethodHandles.lookup()
          .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot unmap memory-mapped files explicitly; deleted log files hold disk space until a GC", e);
      return null;
    }
  }

  static void unmap(MappedByteBuffer buffer) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("invokeCleaner failed", t);
    }
  }
}
