package dev.sagashop.launcher;

import dev.sagashop.contracts.LoopbackPorts;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** LOG_FORMAT=json: the jar prints one JSON object per line, and lines about a saga carry its id as a field. */
class LogFormatIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path work;

  @Test
  @DisplayName("with LOG_FORMAT=json every line on stdout is a JSON object, through the shop's stop too, and a saga's "
    + "lines carry saga_id in their MDC")
  void jsonLines() throws Exception {
    int port = LoopbackPorts.orFree(0);
    Path log = work.resolve("shop.log");
    // The coordinator logs each saga's end at DEBUG.
    Process shop = ShopJar.start(work, port, log, work.resolve("stderr.log"),
      Map.of("LOG_FORMAT", "json", "LOG_LEVEL", "DEBUG"));
    try {
      String base = "http://127.0.0.1:" + port;
      awaitReady(base, log);
      String item = post(base + "/stock/item/create/1").getString("item_id");
      post(base + "/stock/add/" + item + "/5");
      String user = post(base + "/payment/create_user").getString("user_id");
      post(base + "/payment/add_funds/" + user + "/5");
      String order = post(base + "/orders/create/" + user).getString("order_id");
      post(base + "/orders/addItem/" + order + "/" + item + "/1");
      post(base + "/orders/checkout/" + order);
      String saga = get(base + "/orders/" + order + "/saga").getString("saga_id");

      boolean tagged = false;
      for (int attempt = 0; attempt < 50 && !tagged; attempt++) {
        Thread.sleep(100);
        List<String> lines = Files.readAllLines(log);
        for (String line : lines) {
          JsonObject event = jsonLine(line, "not a JSON line: ");
          JsonObject mdc = event.getJsonObject("mdc", new JsonObject());
          tagged |= saga.equals(mdc.getString("saga_id")) && event.getString("formattedMessage", "").contains(saga);
        }
      }
      assertTrue(tagged, () -> "no line about saga " + saga + " carries it in its MDC:\n" + read(log));

      // A java -jar that records for an AOT cache (a JDK 25 beside, no cache yet) has the JVM say so as it exits.
      shop.destroy();
      assertTrue(shop.waitFor(90, TimeUnit.SECONDS), "the shop stopped");
      for (String line : Files.readAllLines(log)) {
        jsonLine(line, "not a JSON line, once the shop had stopped: ");
      }
    } finally {
      shop.destroyForcibly();
      shop.waitFor();
    }
  }

  /** The line as a JSON object; fails the test, saying {@code notJson} and the line, where it is not one. */
  private static JsonObject jsonLine(String line, String notJson) {
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      return fail(notJson + line);
    }
  }

  private static void awaitReady(String base, Path log) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (Exception notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    fail("the shop did not get ready; its log:\n" + read(log));
  }

  private static JsonObject post(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  private static JsonObject get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).build());
  }

  private static JsonObject send(HttpRequest request) throws Exception {
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), () -> request.uri() + ": " + response.body());
    return new JsonObject(response.body());
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }
}
