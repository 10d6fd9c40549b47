package dev.sagashop.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command line a bench command cannot run with is refused before anything starts. */
@Timeout(10) // a command line taken as valid would start a run, or a half-hour soak, and hang here
class BenchTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private int bench(String... args) throws Exception {
    return Bench.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("--help prints the usage and starts nothing, after a command too")
  void help() throws Exception {
    assertEquals(0, bench("soak", "--help"));
    assertTrue(printed().startsWith("usage: "), printed());
  }

  /** Runs the command line; it must be refused (exit 2) with a first line that starts with {@code said}. */
  private void assertRefused(String said, String... args) throws Exception {
    printed.reset();
    assertEquals(2, bench(args), printed());
    assertTrue(printed().startsWith(said), () -> "expected '" + said + "', printed:\n" + printed());
    assertTrue(printed().contains("\nusage: "), printed());
  }

  @Test
  @DisplayName("a misspelt option is refused, naming the options the command takes")
  void misspelt() throws Exception {
    assertRefused("unknown option --duraton (this command takes --duration, --every, ", "soak", "--duraton", "1m");
  }

  @Test
  @DisplayName("an option of another command is refused")
  void otherCommandsOption() throws Exception {
    assertRefused("unknown option --concurrency", "consistency", "--concurrency", "8");
  }

  @Test
  @DisplayName("a count, a duration, a seed or an address that does not parse is refused with what it takes")
  void malformedValues() throws Exception {
    assertRefused("--concurrency takes a whole number of at least 1, not many", "stress", "--concurrency", "many");
    assertRefused("--duration takes a duration such as 30s, 2m or 500ms, not 5x", "stress", "--duration", "5x");
    assertRefused("--seed takes a whole number, not 12345678901234567890", "soak", "--seed", "12345678901234567890");
    assertRefused("--shop-pids takes whole numbers separated by commas, not 12,x", "stress", "--shop-pids", "12,x");
    assertRefused("--url takes an address such as http://127.0.0.1:8000, not 127.0.0.1:8000",
      "consistency", "--url", "127.0.0.1:8000");
  }

  @Test
  @DisplayName("zero, negative and overflowing amounts are refused")
  void outOfRange() throws Exception {
    assertRefused("--concurrency must be at least 1, not 0", "stress", "--concurrency", "0");
    assertRefused("--every must be longer than zero and a day at most, not 0s", "soak", "--every", "0s");
    assertRefused("--warmup must be zero or more and a day at most, not -1s", "stress", "--warmup", "-1s");
    assertRefused("--duration must be longer than zero and a day at most, not 2000m", "soak", "--duration", "2000m");
    assertRefused("--duration takes a duration such as 30s, 2m or 500ms, not 200000000000000000m", "soak", "--duration",
      "200000000000000000m");
  }

  @Test
  @DisplayName("a flag takes no value, and an option that needs one says so")
  void flagsAndValues() throws Exception {
    assertRefused("unexpected argument yes", "consistency", "--both", "yes");
    assertRefused("--records needs a value", "stress", "--records");
  }

  @Test
  @DisplayName("a fault or a victim the soak does not know is refused before any process starts")
  void unknownFaultOrVictim() throws Exception {
    assertRefused("--faults takes kill, freeze and restart, not flood", "soak", "--faults", "kill,flood");
    assertRefused("--victims names processes of [infra, order-1, order-2, ",
      "soak", "--victims", "infra,order-3", "--work", "/nonexistent/never-made");
  }

  @Test
  @DisplayName("an unknown command is refused with the usage")
  void unknownCommand() throws Exception {
    assertRefused("unknown bench command load", "load");
  }
}
