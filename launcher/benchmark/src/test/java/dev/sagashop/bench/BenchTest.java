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

  @Test
  @DisplayName("a misspelt option is refused, naming the options the command takes")
  void misspelt() throws Exception {
    assertEquals(2, bench("soak", "--duraton", "1m"));
    assertTrue(printed().startsWith("unknown option --duraton (this command takes --duration, --every, "), printed());
  }

  @Test
  @DisplayName("an option of another command is refused")
  void otherCommandsOption() throws Exception {
    assertEquals(2, bench("consistency", "--concurrency", "8"));
    assertTrue(printed().startsWith("unknown option --concurrency"), printed());
  }

  @Test
  @DisplayName("a count, a duration, a seed or an address that does not parse is refused with what it takes")
  void malformedValues() throws Exception {
    assertEquals(2, bench("stress", "--concurrency", "many"));
    assertEquals(2, bench("stress", "--duration", "5x"));
    assertEquals(2, bench("soak", "--seed", "12345678901234567890"));
    assertEquals(2, bench("stress", "--shop-pids", "12,x"));
    assertEquals(2, bench("consistency", "--url", "127.0.0.1:8000"));
    assertTrue(printed().contains("--concurrency takes a whole number of at least 1, not many"), printed());
    assertTrue(printed().contains("--duration takes a duration such as 30s, 2m or 500ms, not 5x"), printed());
    assertTrue(printed().contains("--seed takes a whole number, not 12345678901234567890"), printed());
    assertTrue(printed().contains("--shop-pids takes whole numbers separated by commas, not 12,x"), printed());
    assertTrue(printed().contains("--url takes an address such as http://127.0.0.1:8000, not 127.0.0.1:8000"),
      printed());
  }

  @Test
  @DisplayName("zero, negative and overflowing amounts are refused")
  void outOfRange() throws Exception {
    assertEquals(2, bench("stress", "--concurrency", "0"));
    assertEquals(2, bench("soak", "--every", "0s"));
    assertEquals(2, bench("stress", "--warmup", "-1s"));
    assertEquals(2, bench("soak", "--duration", "99999999999999999m"));
    assertEquals(2, bench("soak", "--duration", "2000m"));
    assertTrue(printed().contains("--concurrency must be at least 1, not 0"), printed());
    assertTrue(printed().contains("--every must be longer than zero and a day at most, not 0s"), printed());
    assertTrue(printed().contains("--warmup must be zero or more and a day at most, not -1s"), printed());
    assertTrue(printed().contains("--duration must be longer than zero and a day at most, not 2000m"), printed());
  }

  @Test
  @DisplayName("a flag takes no value, and an option that needs one says so")
  void flagsAndValues() throws Exception {
    assertEquals(2, bench("consistency", "--both", "yes"));
    assertEquals(2, bench("stress", "--records"));
    assertTrue(printed().startsWith("unexpected argument yes"), printed());
    assertTrue(printed().contains("--records needs a value"), printed());
  }

  @Test
  @DisplayName("a fault or a victim the soak does not know is refused before any process starts")
  void unknownFaultOrVictim() throws Exception {
    assertEquals(2, bench("soak", "--faults", "kill,flood"));
    assertEquals(2, bench("soak", "--victims", "infra,order-3", "--work", "/nonexistent/never-made"));
    assertTrue(printed().contains("--faults takes kill, freeze and restart, not flood"), printed());
    assertTrue(printed().contains("--victims names processes of [infra, order-1, order-2, "), printed());
  }

  @Test
  @DisplayName("an unknown command prints the usage")
  void unknownCommand() throws Exception {
    assertEquals(2, bench("load"));
    assertTrue(printed().startsWith("unknown bench command load\nusage: "), printed());
  }
}
