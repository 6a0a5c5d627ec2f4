/**
 * Strata for Akka applications: the {@link dev.strata.akka.StrataExtension} that opens configured
 * stores once per actor system and closes them at shutdown, and the actor-facing protocol
 * ({@link dev.strata.akka.StrataCommand}, served by {@link dev.strata.akka.StrataActor}) for actors
 * that prefer messages to method calls. {@code dev.strata.akka.testkit} helps applications' own
 * tests; the Streams stages ({@code dev.strata.akka.stream}) and the Persistence plugins
 * ({@code dev.strata.akka.persistence}) build on the extension.
 */
package dev.strata.akka;
