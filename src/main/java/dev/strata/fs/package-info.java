/**
 * Internal: the file-system seam. Everything Strata reads or writes passes through
 * {@link dev.strata.fs.FileSystem}, which is what makes crash and I/O-error tests possible:
 * {@link dev.strata.fs.DiskFileSystem} is the real one, {@link dev.strata.fs.InMemoryFileSystem}
 * simulates power loss, and {@link dev.strata.fs.FaultInjectingFileSystem} fails chosen calls.
 */
package dev.strata.fs;
