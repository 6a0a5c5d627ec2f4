/**
 * Internal: small byte-level helpers shared by the on-disk formats (varints, a growable byte
 * buffer and its reading cursor, masked CRC32C, a 64-bit hash). Not part of the public API.
 */
package dev.strata.util;
