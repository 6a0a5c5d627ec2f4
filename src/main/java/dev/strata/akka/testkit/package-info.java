/**
 * Help for applications' own tests of code that uses Strata inside an Akka application:
 * {@link dev.strata.akka.testkit.StrataTestKit} opens a store in a fresh temporary directory of a
 * test's {@code ActorSystem} and removes it afterwards. Public API; it depends on nothing from
 * Akka's test kits, so any test framework can use it.
 */
package dev.strata.akka.testkit;
