package dev.strata.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * How I/O failures look once they leave the file-system seam. The JDK reports an I/O error in
 * three shapes: an {@link IOException} from a channel call; an {@link UncheckedIOException} from
 * {@link java.nio.MappedByteBuffer#force()} (a failed msync, on JDK 17); and an {@link
 * InternalError} from a plain load or store into a mapped buffer whose page the kernel cannot
 * provide (SIGBUS: the file was truncated underneath, or the device failed). Above the seam there is
 * one shape, IOException, which the engine turns into a StrataException; {@link #translate} makes
 * it so. Stateless and thread-safe.
 *
 * <p>A caveat the seam cannot remove: HotSpot reports a fault on a mapped buffer in compiled code
 * asynchronously ("a fault occurred in a recent unsafe memory access operation in compiled Java
 * code"), at the thread's next safepoint check, which may come after the access's method returned
 * (a test truncating a mapped file underneath saw it thrown in the caller). So the read path also
 * turns an InternalError into a StrataException at its own boundaries. Strata's mapped writes never
 * fault for want of space (the WAL claims each segment's blocks before mapping it), and its mapped
 * reads only fault if an SST is truncated underneath or the device fails.
 */
public final class IoFailures {
  /** How ENOSPC reads in an exception message: Linux and macOS strerror, and Windows. */
  private static final String[] NO_SPACE_MESSAGES = {"no space left on device", "not enough space on the disk"};

  private IoFailures() {}

  /**
   * {@code failure} as the IOException it stands for, when it is one of the unchecked shapes of an
   * I/O error; null for anything else (a programming error stays what it is).
   */
  public static IOException translate(Throwable failure, String what) {
    if (failure instanceof IOException io) {
      return io;
    }
    if (failure instanceof UncheckedIOException unchecked) {
      return new IOException(what + " failed: " + unchecked.getCause().getMessage(), unchecked);
    }
    if (failure instanceof InternalError fault) {
      return new IOException(what + " failed: a fault on a memory-mapped file (truncated underneath, or the device"
          + " failed): " + fault.getMessage(), fault);
    }
    return null;
  }

  /**
   * Whether {@code failure}, or one of its causes, says the device is full (ENOSPC). Only a full
   * device is a failure that may go away by itself, when space is freed, without anything lost.
   */
  public static boolean isNoSpace(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null) {
        String lower = message.toLowerCase(Locale.ROOT);
        for (String m : NO_SPACE_MESSAGES) {
          if (lower.contains(m)) {
            return true;
          }
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
