package dev.strata.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.StrataException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The two severities of the read-only error state, and which one a retry may clear. */
class ErrorStateTest {
  private final ErrorState errors = new ErrorState("test-store");
  private final IOException noSpace = new IOException("No space left on device");
  private final IOException eio = new IOException("Input/output error");

  @Test
  void aHealthyStoreAcceptsWritesAndHasNoCause() {
    assertNull(errors.cause());
    assertDoesNotThrow(errors::check);
    assertFalse(errors.recover());
  }

  @Test
  void aHardErrorRefusesWritesWithItsCauseAndNoRetryClearsIt() {
    errors.fail(eio);
    StrataException e = assertThrows(StrataException.class, errors::check);
    assertSame(eio, e.getCause());
    assertTrue(e.getMessage().contains("until it is reopened"), e.getMessage());
    assertFalse(errors.recover());
    assertSame(eio, errors.cause());
  }

  @Test
  void aRecoverableErrorRefusesWritesUntilARetrySucceeds() {
    assertTrue(errors.failRecoverable(noSpace));
    assertTrue(errors.isRecoverable());
    StrataException e = assertThrows(StrataException.class, errors::check);
    assertTrue(e.getMessage().contains("recoverable"), e.getMessage());
    assertTrue(errors.recover());
    assertNull(errors.cause());
    assertDoesNotThrow(errors::check);
  }

  @Test
  void aHardErrorReplacesARecoverableOne() {
    errors.failRecoverable(noSpace);
    errors.fail(eio);
    assertSame(eio, errors.cause());
    assertFalse(errors.isRecoverable());
    assertFalse(errors.recover());
  }

  @Test
  void aRecoverableErrorNeverReplacesAHardOne() {
    errors.fail(eio);
    assertFalse(errors.failRecoverable(noSpace), "no retry for a store that needs a reopen");
    assertSame(eio, errors.cause());
  }

  @Test
  void onlyTheFirstHardCauseIsKept() {
    IOException later = new IOException("later");
    errors.fail(eio);
    errors.fail(later);
    assertSame(eio, errors.cause());
  }
}
