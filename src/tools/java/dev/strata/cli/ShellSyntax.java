package dev.strata.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How the shell reads and writes keys and values. Input: words separated by whitespace; double
 * quotes group words with spaces ({@code "a b"}, and {@code ""} is the empty string); text is
 * UTF-8; escapes {@code \xNN} (one byte, two hex digits), {@code \\}, {@code \"}, {@code \n},
 * {@code \t}, {@code \r} and {@code \0} work inside and outside quotes. Output uses the same
 * syntax, so what the shell prints can be typed back. Stateless.
 */
final class ShellSyntax {
  private ShellSyntax() {}

  /**
   * One word of a command line, as bytes. {@code plain} when it was written without quotes or
   * escapes, which is how an option such as {@code --limit} is told from a key spelled the same.
   */
  record Token(byte[] bytes, boolean plain) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** A line that cannot be split into tokens: the message says where and why. */
  static final class SyntaxError extends Exception {
    SyntaxError(String message) {
      super(message);
    }
  }

  static List<Token> tokenize(String line) throws SyntaxError {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && Character.isWhitespace(line.codePointAt(i))) {
        i += Character.charCount(line.codePointAt(i));
      }
      if (i == n) {
        return tokens;
      }
      ByteArrayOutputStream token = new ByteArrayOutputStream();
      boolean plain = true;
      boolean quoted = false;
      while (i < n) {
        int cp = line.codePointAt(i);
        if (!quoted && Character.isWhitespace(cp)) {
          break;
        }
        if (cp == '"') {
          quoted = !quoted;
          plain = false;
          i++;
        } else if (cp == '\\') {
          plain = false;
          i = unescape(line, i, token);
        } else {
          byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
          token.write(utf8, 0, utf8.length);
          i += Character.charCount(cp);
        }
      }
      if (quoted) {
        throw new SyntaxError("unterminated quote");
      }
      tokens.add(new Token(token.toByteArray(), plain));
    }
  }

  /** Decodes the escape at {@code line[at]} (a backslash) into {@code out}; returns the index after it. */
  private static int unescape(String line, int at, ByteArrayOutputStream out) throws SyntaxError {
    if (at + 1 >= line.length()) {
      throw new SyntaxError("the line ends in a lone backslash (write \\\\ for a backslash)");
    }
    char c = line.charAt(at + 1);
    switch (c) {
      case 'x' -> {
        int hi = at + 2 < line.length() ? Character.digit(line.charAt(at + 2), 16) : -1;
        int lo = at + 3 < line.length() ? Character.digit(line.charAt(at + 3), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new SyntaxError("\\x needs two hex digits, at column " + (at + 1));
        }
        out.write(hi << 4 | lo);
        return at + 4;
      }
      case '\\', '"' -> out.write(c);
      case 'n' -> out.write('\n');
      case 't' -> out.write('\t');
      case 'r' -> out.write('\r');
      case '0' -> out.write(0);
      default -> throw new SyntaxError("unknown escape \\" + c + " at column " + (at + 1)
          + " (known: \\xNN \\\\ \\\" \\n \\t \\r \\0)");
    }
    return at + 2;
  }

  /**
   * {@code bytes} written so that {@link #tokenize} reads them back as one token: as text when
   * they are valid UTF-8 without control characters, else with {@code \xNN} for every byte that
   * is not printable ASCII; in quotes when empty or holding whitespace.
   */
  static String format(byte[] bytes) {
    String text = strictUtf8(bytes);
    StringBuilder sb = new StringBuilder();
    boolean needsQuotes = bytes.length == 0;
    if (text != null && text.codePoints().noneMatch(Character::isISOControl)) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\\' || c == '"') {
          sb.append('\\');
        }
        needsQuotes |= Character.isWhitespace(c) || Character.isSpaceChar(c);
        sb.append(c);
      }
    } else {
      for (byte b : bytes) {
        int v = b & 0xff;
        if (v == '\\' || v == '"') {
          sb.append('\\').append((char) v);
        } else if (v >= 0x20 && v < 0x7f) {
          needsQuotes |= v == ' ';
          sb.append((char) v);
        } else {
          sb.append(String.format("\\x%02x", v));
        }
      }
    }
    return needsQuotes ? "\"" + sb + "\"" : sb.toString();
  }

  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
