/**
 * Strata for Akka applications: the {@link dev.strata.akka.StrataExtension} that opens configured
 * stores once per actor system and closes them at shutdown. The actor-facing protocol, the Streams
 * stages ({@code dev.strata.akka.stream}) and the Persistence plugins
 * ({@code dev.strata.akka.persistence}) build on it.
 */
package dev.strata.akka;
