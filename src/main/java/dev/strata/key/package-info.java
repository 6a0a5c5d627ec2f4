/**
 * Internal: the internal key encoding, value kinds and size limits. Everything that orders or
 * bounds entries starts here. Not part of the public API.
 */
package dev.strata.key;
