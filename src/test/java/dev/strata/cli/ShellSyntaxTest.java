package dev.strata.cli;

import static dev.strata.cli.CliTestHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShellSyntaxTest {
  private static List<String> words(String line) throws ShellSyntax.SyntaxError {
    return ShellSyntax.tokenize(line).stream().map(ShellSyntax.Token::text).toList();
  }

  private static String syntaxError(String line) {
    return assertThrows(ShellSyntax.SyntaxError.class, () -> ShellSyntax.tokenize(line)).getMessage();
  }

  @Test
  void wordsAreSeparatedByWhitespace() throws Exception {
    assertEquals(List.of("put", "k", "v"), words("  put \tk   v  "));
    assertEquals(List.of(), words("   "));
  }

  @Test
  void quotesKeepSpacesTogether() throws Exception {
    assertEquals(List.of("put", "my key", "a value"), words("put \"my key\" \"a value\""));
    assertEquals(List.of("ab cd"), words("a\"b c\"d"));
  }

  @Test
  void emptyQuotesAreTheEmptyString() throws Exception {
    List<ShellSyntax.Token> tokens = ShellSyntax.tokenize("put k \"\"");
    assertEquals(3, tokens.size());
    assertEquals(0, tokens.get(2).bytes().length);
  }

  @Test
  void hexEscapesGiveArbitraryBytes() throws Exception {
    List<ShellSyntax.Token> tokens = ShellSyntax.tokenize("\\x00\\xffa\\x7F");
    assertArrayEquals(new byte[] {0, (byte) 0xff, 'a', 0x7f}, tokens.get(0).bytes());
  }

  @Test
  void namedEscapesWorkInsideAndOutsideQuotes() throws Exception {
    assertArrayEquals(bytes("a\\b\"c\nd\te\r\0"), ShellSyntax.tokenize("a\\\\b\\\"c\"\\nd\\t\"e\\r\\0").get(0).bytes());
  }

  @Test
  void textIsEncodedAsUtf8() throws Exception {
    assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xf0, (byte) 0x9f, (byte) 0x99, (byte) 0x82},
        ShellSyntax.tokenize("é🙂").get(0).bytes());
  }

  @Test
  void onlyUnquotedUnescapedWordsArePlain() throws Exception {
    List<ShellSyntax.Token> tokens = ShellSyntax.tokenize("--limit \"--limit\" \\x2d-limit");
    assertTrue(tokens.get(0).plain());
    assertFalse(tokens.get(1).plain());
    assertFalse(tokens.get(2).plain());
    assertEquals("--limit", tokens.get(2).text());
  }

  @Test
  void malformedLinesAreExplained() {
    assertEquals("unterminated quote", syntaxError("put \"k v"));
    assertEquals("\\x needs two hex digits, at column 1", syntaxError("\\x4"));
    assertEquals("\\x needs two hex digits, at column 3", syntaxError("ab\\xg0"));
    assertTrue(syntaxError("a\\q").startsWith("unknown escape \\q at column 2"));
    assertTrue(syntaxError("abc\\").startsWith("the line ends in a lone backslash"));
  }

  @Test
  void plainTextIsPrintedAsIs() {
    assertEquals("hello", ShellSyntax.format(bytes("hello")));
    assertEquals("héllo", ShellSyntax.format(bytes("héllo")));
  }

  @Test
  void emptyAndSpacedValuesArePrintedInQuotes() {
    assertEquals("\"\"", ShellSyntax.format(new byte[0]));
    assertEquals("\"a b\"", ShellSyntax.format(bytes("a b")));
  }

  @Test
  void binaryIsPrintedWithHexEscapes() {
    assertEquals("a\\x00\\xff", ShellSyntax.format(new byte[] {'a', 0, (byte) 0xff}));
    assertEquals("\\x09tab", ShellSyntax.format(bytes("\ttab")));
    assertEquals("back\\\\slash\\\"", ShellSyntax.format(bytes("back\\slash\"")));
  }

  @Test
  void whatIsPrintedReadsBackAsTheSameBytes() throws Exception {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    String alphabet = "ab \\\"\t\n\0é🙂";
    for (int round = 0; round < 2000; round++) {
      byte[] original;
      if (random.nextBoolean()) {
        original = new byte[random.nextInt(8)];
        random.nextBytes(original);
      } else {
        StringBuilder sb = new StringBuilder();
        int[] cps = alphabet.codePoints().toArray();
        for (int i = random.nextInt(8); i > 0; i--) {
          sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        original = bytes(sb.toString());
      }
      String printed = ShellSyntax.format(original);
      List<ShellSyntax.Token> tokens = ShellSyntax.tokenize(printed);
      assertEquals(1, tokens.size(), "seed " + seed + ": " + printed);
      assertArrayEquals(original, tokens.get(0).bytes(), "seed " + seed + ": " + printed);
    }
  }
}
