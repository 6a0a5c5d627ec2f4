package dev.strata.akka.persistence;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.TestAbortedException;
import org.scalatest.Args;
import org.scalatest.Args$;
import org.scalatest.Filter$;
import org.scalatest.Reporter;
import org.scalatest.Suite;
import org.scalatest.events.Event;
import org.scalatest.events.RunAborted;
import org.scalatest.events.SuiteAborted;
import org.scalatest.events.TestCanceled;
import org.scalatest.events.TestFailed;
import org.scalatest.events.TestIgnored;
import org.scalatest.events.TestPending;
import org.scalatest.events.TestSucceeded;
import scala.Option;

/**
 * Runs a ScalaTest suite (Akka's plugin test kits are ScalaTest suites) from a JUnit 5
 * {@code @TestFactory}, and hands back one dynamic test per case, named as the suite names it, that
 * passes, fails (the case's name leading the message) or is skipped as the case did, so surefire
 * counts every case and a failure says which. Through ScalaTest's JUnit 4 runner and the vintage
 * engine surefire would count them too, but report every case with an empty name and a failure
 * without it: a case is no Java method, so the vintage engine gives it only its class as source.
 */
final class ScalaTestCases {
  private ScalaTestCases() {}

  /** Runs {@code suite} now, then replays each case's outcome as a dynamic test. */
  static Stream<DynamicTest> run(Suite suite) {
    List<Event> events = Collections.synchronizedList(new ArrayList<>());
    Reporter reporter = new Reporter() {
      @Override
      public void apply(Event event) {
        events.add(event);
      }
    };
    Args$ a = Args$.MODULE$;
    Args args = a.apply(reporter, a.apply$default$2(), a.apply$default$3(), a.apply$default$4(), a.apply$default$5(),
        a.apply$default$6(), a.apply$default$7(), a.apply$default$8(), a.apply$default$9(), a.apply$default$10());
    suite.run(Option.empty(), args).waitUntilCompleted();

    List<DynamicTest> cases = new ArrayList<>();
    for (Event event : List.copyOf(events)) {
      if (event instanceof TestSucceeded e) {
        cases.add(test(suite, e.testName(), () -> {}));
      } else if (event instanceof TestFailed e) {
        cases.add(test(suite, e.testName(), () -> {
          throw failure(e.testName(), e.message(), e.throwable());
        }));
      } else if (event instanceof TestCanceled e) {
        cases.add(test(suite, e.testName(), () -> {
          throw new TestAbortedException(e.testName() + ": canceled: " + e.message());
        }));
      } else if (event instanceof TestPending e) {
        cases.add(test(suite, e.testName(), () -> {
          throw new TestAbortedException(e.testName() + ": pending");
        }));
      } else if (event instanceof TestIgnored e) {
        cases.add(test(suite, e.testName(), () -> {
          throw new TestAbortedException(e.testName() + ": ignored");
        }));
      } else if (event instanceof SuiteAborted e) {
        cases.add(test(suite, suite.suiteName() + " aborted", () -> {
          throw failure(suite.suiteName() + " aborted", e.message(), e.throwable());
        }));
      } else if (event instanceof RunAborted e) {
        cases.add(test(suite, "run aborted", () -> {
          throw failure("run aborted", e.message(), e.throwable());
        }));
      }
    }
    Filter$ f = Filter$.MODULE$;
    int expected = suite.expectedTestCount(f.apply(f.apply$default$1(), f.apply$default$2(), f.apply$default$3(),
        f.apply$default$4()));
    int reported = cases.size();
    cases.add(test(suite, "every case of " + suite.suiteName() + " ran", () -> {
      if (reported < expected) {
        throw new AssertionError(expected + " cases expected, " + reported + " reported");
      }
    }));
    return cases.stream();
  }

  /**
   * The failure of a case, its name first: surefire's report names a dynamic test by its factory
   * method and index, so the name must travel in the message.
   */
  private static AssertionError failure(String name, String message, Option<Throwable> cause) {
    return new AssertionError(name + ": " + message, cause.isDefined() ? cause.get() : null);
  }

  /**
   * A dynamic test whose source names the case as a method of the suite's class, for IDEs and
   * launchers that show it.
   */
  private static DynamicTest test(Suite suite, String name, Executable body) {
    String enclosing = suite.getClass().getEnclosingClass() != null ? suite.getClass().getEnclosingClass().getName()
        : suite.getClass().getName();
    try {
      return DynamicTest.dynamicTest(name, new URI("method", enclosing, name), body);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
