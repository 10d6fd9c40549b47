package dev.sagashop.launcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.sagashop.launcher.Ledger.awaitSagaFinished;
import static dev.sagashop.launcher.Ledger.checkout;
import static dev.sagashop.launcher.Ledger.sagaOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The saga inspector page in a real headless browser (Debian's chromium; {@code .ci/run} installs it): what a person
 * sees after its scripts ran against the test shop — the counts, a filtered list, one saga's steps and timeline.
 * A screenshot is kept as {@code target/inspector.png}.
 */
class InspectorPageTest {

  private static final Ledger ledger = new Ledger();
  private static String completedSaga;
  private static String abortedSaga;
  private static String abortedOrder;
  private static String item;

  @BeforeAll
  static void sagasOfEachOutcome() {
    item = ledger.item(2, 1);
    String paid = ledger.order(ledger.user(10), item, 1);
    abortedOrder = ledger.order(ledger.user(10), item, 1);
    assertEquals(200, checkout(paid).status());
    assertEquals(400, checkout(abortedOrder).status());
    awaitSagaFinished(paid);
    awaitSagaFinished(abortedOrder);
    completedSaga = sagaOf(paid).getString("saga_id");
    abortedSaga = sagaOf(abortedOrder).getString("saga_id");
  }

  @Test
  @DisplayName("the inspector shows the counts, the aborted sagas when filtered so, and an aborted saga's timeline")
  void inspectorInABrowser() throws Exception {
    String url = "http://127.0.0.1:" + TestShop.shop().gatewayPort() + "/ui/?status=ABORTED&saga=" + abortedSaga;
    String dom = chromium("--dump-dom", url);

    Matcher completed = Pattern.compile("data-status=\"COMPLETED\"><b>(\\d+)</b>").matcher(dom);
    assertTrue(completed.find(), "the count of completed sagas is shown:\n" + dom);
    assertTrue(Long.parseLong(completed.group(1)) >= 1);
    Matcher aborted = Pattern.compile("data-status=\"ABORTED\"><b>(\\d+)</b>").matcher(dom);
    assertTrue(aborted.find() && Long.parseLong(aborted.group(1)) >= 1, "aborted sagas are counted");

    String list = section(dom, "<tbody>", "</tbody>");
    assertTrue(list.contains("\u2026" + abortedSaga.substring(abortedSaga.length() - 12)),
      "the aborted saga is listed:\n" + list);
    assertFalse(list.contains(completedSaga.substring(completedSaga.length() - 12)),
      "the completed one is filtered out:\n" + list);
    List<String> statuses = new ArrayList<>();
    Pattern.compile("class=\"status (\\w+)\"").matcher(list).results().forEach(found -> statuses.add(found.group(1)));
    assertFalse(statuses.isEmpty());
    assertTrue(statuses.stream().allMatch("ABORTED"::equals), statuses::toString);

    String detail = section(dom, "<section id=\"detail\"", "</section>");
    assertTrue(detail.contains(abortedSaga), detail);
    assertTrue(detail.contains("reason: insufficient stock: item " + item), detail);
    assertTrue(detail.contains("order " + abortedOrder + " of user"), detail);
    assertTrue(detail.contains("<td>reserve-stock</td><td>ReserveStock</td><td>REFUSED"), detail);
    assertTrue(detail.contains("<td>charge-credit</td><td>ChargeCredit</td>"), detail);
    assertTrue(detail.contains("RefundCredit"), "the refund of the charge shows: " + detail);
    for (String event : List.of("saga STARTED", "reserve-stock REFUSED", "lock-order COMPENSATION_SENT",
      "saga ABORTED")) {
      assertTrue(detail.contains(event), event + " in the timeline: " + detail);
    }

    Path screenshot = Path.of("target", "inspector.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium("--screenshot=" + screenshot, "--window-size=1400,900", url);
    assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page at " + screenshot);
  }

  private static String section(String dom, String from, String to) {
    int start = dom.indexOf(from);
    assertTrue(start >= 0, from + " in\n" + dom);
    return dom.substring(start, dom.indexOf(to, start));
  }

  /** Runs headless chromium on {@code url}, letting its scripts and fetches run for up to 10 s; its stdout. */
  private static String chromium(String... arguments) throws Exception {
    String binary = Stream.of("chromium", "chromium-browser", "google-chrome")
      .flatMap(name -> Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(dir -> Path.of(dir, name)))
      .filter(Files::isExecutable).findFirst().map(Path::toString).orElse(null);
    assertNotNull(binary, "needs Debian's chromium on the PATH (apt-get install chromium; .ci/run installs it)");
    // A profile of its own per run, so no other chromium's state leaks in; deleted after, as it is megabytes.
    Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile");
    List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=10000"));
    command.addAll(List.of(arguments));
    Path log = Path.of("target", "chromium.log");
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    String out;
    try {
      out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "chromium finished");
    } finally {
      process.destroyForcibly();
      try (Stream<Path> paths = Files.walk(profile)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
    assertEquals(0, process.exitValue(), () -> "chromium failed; its log: " + log.toAbsolutePath());
    assertFalse(out.isBlank() && arguments[0].equals("--dump-dom"), () -> "chromium printed no page: " + String.join(
      " ", command) + "; its log: " + log.toAbsolutePath());
    return out;
  }
}
