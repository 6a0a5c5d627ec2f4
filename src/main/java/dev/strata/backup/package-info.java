/**
 * Public: incremental backups of a store, after RocksDB's {@code BackupEngine}. {@link
 * dev.strata.backup.StrataBackups} keeps any number of backups in one directory; SSTs unchanged
 * between backups are stored once and shared, so each backup after the first costs only the SSTs
 * written since, plus its manifest and WALs. Every file of a backup carries a CRC32C, checked by
 * {@link dev.strata.backup.StrataBackups#verify} and on every restore. {@link
 * dev.strata.backup.BackupInfo} and {@link dev.strata.backup.VerifyReport} are the values it
 * hands back; the other classes here are its internals.
 */
package dev.strata.backup;
