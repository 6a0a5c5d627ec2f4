package dev.strata.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.cli.CliTestHarness.Capture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell's behaviour, whatever store it runs on: each subclass supplies the store. */
abstract class ShellContract {
  @TempDir
  Path dir;
  KeyValueStore store;
  private final Capture out = new Capture();

  abstract KeyValueStore openStore(Path dir);

  @BeforeEach
  void open() {
    store = openStore(dir);
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  /** Runs {@code input} through a non-interactive shell; returns its output lines. */
  List<String> session(String input) throws IOException {
    new Shell(store, new BufferedReader(new StringReader(input)), out.stream, false).run();
    return out.lines();
  }

  @Test
  void putThenGetReturnsTheValue() throws IOException {
    assertEquals(List.of("OK", "world"), session("put hello world\nget hello\n"));
  }

  @Test
  void getOfAnAbsentKeySaysNotFound() throws IOException {
    assertEquals(List.of("(not found)"), session("get nothing\n"));
  }

  @Test
  void deleteRemovesTheKey() throws IOException {
    assertEquals(List.of("OK", "OK", "(not found)"), session("put k v\ndelete k\nget k\n"));
  }

  @Test
  void anEmptyValueIsNotAbsent() throws IOException {
    assertEquals(List.of("OK", "\"\""), session("put k \"\"\nget k\n"));
  }

  @Test
  void binaryKeysAndValuesRoundTripThroughEscapes() throws IOException {
    assertEquals(List.of("OK", "\\x00\\xff", "\\x01k -> \\x00\\xff", "(1 entry)"),
        session("put \\x01k \\x00\\xff\nget \\x01k\nscan\n"));
  }

  @Test
  void quotedWordsKeepTheirSpaces() throws IOException {
    assertEquals(List.of("OK", "\"a value\""), session("put \"my key\" \"a value\"\nget \"my key\"\n"));
  }

  @Test
  void scanIncludesFromAndExcludesTo() throws IOException {
    List<String> lines = session("put a 1\nput b 2\nput c 3\nput d 4\nscan b d\n");
    assertEquals(List.of("b -> 2", "c -> 3", "(2 entries)"), lines.subList(4, lines.size()));
  }

  @Test
  void scanWithOnlyFromRunsToTheEnd() throws IOException {
    List<String> lines = session("put a 1\nput b 2\nput c 3\nscan b\n");
    assertEquals(List.of("b -> 2", "c -> 3", "(2 entries)"), lines.subList(3, lines.size()));
  }

  @Test
  void scanShowsAHundredLinesByDefault() throws IOException {
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      input.append(String.format("put k%03d v%d%n", i, i));
    }
    input.append("scan\n");
    List<String> lines = session(input.toString());
    List<String> scan = lines.subList(150, lines.size());
    assertEquals(101, scan.size());
    assertEquals("k000 -> v0", scan.get(0));
    assertEquals("k099 -> v99", scan.get(99));
    assertTrue(scan.get(100).startsWith("(100 shown; more remain"));
  }

  @Test
  void scanLimitCapsOrLiftsTheLineCount() throws IOException {
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      input.append(String.format("put k%03d v%d%n", i, i));
    }
    input.append("scan --limit 2\nscan k100 --limit 0\n");
    List<String> scans = session(input.toString());
    List<String> lines = scans.subList(150, scans.size());
    assertEquals(List.of("k000 -> v0", "k001 -> v1"), lines.subList(0, 2));
    assertTrue(lines.get(2).startsWith("(2 shown; more remain"));
    assertEquals("k149 -> v149", lines.get(lines.size() - 2));
    assertEquals("(50 entries)", lines.get(lines.size() - 1));
  }

  @Test
  void badLinesPrintAnErrorAndTheSessionGoesOn() throws IOException {
    assertEquals(List.of(
        "error: unknown command 'frob' (type help)",
        "error: usage: put KEY VALUE",
        "error: usage: get KEY",
        "error: unterminated quote",
        "error: usage: scan [FROM [TO]] [--limit N]",
        "error: --limit: 'x' is not a whole number",
        "OK",
        "v"), session("frob\nput k\nget\nget \"k\nscan a b c\nscan --limit x\nput k v\nget k\n"));
  }

  @Test
  void commandNamesAreCaseInsensitive() throws IOException {
    assertEquals(List.of("OK", "v"), session("PUT k v\nGet k\n"));
  }

  @Test
  void blankLinesAndCommentsAreIgnored() throws IOException {
    assertEquals(List.of("OK"), session("\n   \n# put a b\nput k v\n"));
  }

  @Test
  void quitEndsTheSessionAndLaterLinesAreNotRun() throws IOException {
    assertEquals(List.of("OK"), session("put k v\nquit\nput x y\n"));
    assertEquals(null, store.get(CliTestHarness.bytes("x")));
  }

  @Test
  void exitAlsoEndsTheSession() throws IOException {
    assertEquals(List.of(), session("exit\nput x y\n"));
  }

  @Test
  void flushAnswersOk() throws IOException {
    assertEquals(List.of("OK", "OK", "v"), session("put k v\nflush\nget k\n"));
  }

  @Test
  void statsPrintsTheStoreReport() throws IOException {
    List<String> lines = session("put k v\nstats\n");
    assertTrue(lines.size() > 1);
    assertFalse(lines.get(1).startsWith("error"), lines.get(1));
  }

  @Test
  void helpListsTheCommands() throws IOException {
    String text = String.join("\n", session("help\n"));
    for (String command : List.of("put", "get", "delete", "scan", "flush", "stats", "quit")) {
      assertTrue(text.contains(command), command);
    }
  }

  @Test
  void anInteractiveShellPromptsForEachLine() throws IOException {
    new Shell(store, new BufferedReader(new StringReader("put k v\n")), out.stream, true).run();
    assertEquals("strata> OK\nstrata> \n", out.text().replace(System.lineSeparator(), "\n"));
  }
}
