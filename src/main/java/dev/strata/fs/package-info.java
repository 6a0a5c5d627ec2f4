/**
 * Internal: the file-system seam. Everything Strata reads or writes passes through
 * {@link dev.strata.fs.FileSystem}, which is what makes crash and I/O-error tests possible.
 */
package dev.strata.fs;
