package dev.strata;

import java.util.Locale;

/**
 * How the data blocks of an SST are compressed, chosen per level in {@link StrataOptions}. Each
 * block records the codec it was written with, so files written under different settings mix in
 * one store and a store may be reopened with any setting. A block that a codec does not shrink by
 * at least 1/8 is stored uncompressed, as LevelDB does: reading it back then costs nothing extra.
 */
public enum Compression {
  /** Blocks are stored as they are. */
  NONE("none"),
  /**
   * LZ4 (block format), through lz4-java's pure-Java implementation: no native library is loaded.
   * Fast to decompress; on values half made of repeated bytes, tables about half the size.
   */
  LZ4("lz4");

  private final String configName;

  Compression(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration ({@code reference.conf}) and the OPTIONS file: none, lz4. */
  public String configName() {
    return configName;
  }

  /**
   * The codec named {@code name} (none, lz4; any case).
   *
   * @throws IllegalArgumentException naming the known codecs when {@code name} is none of them
   */
  public static Compression fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Compression c : values()) {
      if (c.configName.equals(n)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + name + "': expected one of none, lz4");
  }
}
