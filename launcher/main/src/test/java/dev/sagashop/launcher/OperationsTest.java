package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import dev.sagashop.contracts.Topics;
import dev.sagashop.gateway.GatewayVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.sagashop.launcher.Ledger.awaitSagaFinished;
import static dev.sagashop.launcher.Ledger.checkout;
import static dev.sagashop.launcher.Ledger.credit;
import static dev.sagashop.launcher.Ledger.events;
import static dev.sagashop.launcher.Ledger.findOrder;
import static dev.sagashop.launcher.Ledger.sagaOf;
import static dev.sagashop.launcher.Ledger.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operating the sagas through HTTP: queries, stats, an operator's abort and retry, and step deadlines. */
class OperationsTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Ledger ledger = new Ledger();

  @Test
  @DisplayName("saga queries list the newest first, page through a cursor, filter by status, order, reason and time")
  void queriesPageAndFilter() {
    String item = ledger.item(1, 2);
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      orders.add(ledger.order(ledger.user(10), item, 1));
    }
    List<String> sagas = new ArrayList<>();
    for (String order : orders) {
      checkout(order);
      awaitSagaFinished(order);
      sagas.add(sagaOf(order).getString("saga_id"));
    }

    JsonObject byOrder = query("order_id=" + orders.get(0));
    assertEquals(1, byOrder.getJsonArray("sagas").size());
    assertEquals("COMPLETED", byOrder.getJsonArray("sagas").getJsonObject(0).getString("status"));
    assertNull(byOrder.getString("next"));

    JsonObject first = query("limit=2");
    JsonObject second = query("limit=2&after=" + first.getString("next"));
    List<String> newest = new ArrayList<>(ids(first));
    newest.addAll(ids(second));
    assertEquals(List.of(sagas.get(2), sagas.get(1), sagas.get(0)), newest.subList(0, 3), "newest first, across pages");
    assertTrue(instants(first).get(1).compareTo(instants(second).get(0)) >= 0);

    JsonArray aborted = query("status=aborted&reason=" + encode("insufficient stock: item " + item))
      .getJsonArray("sagas");
    assertEquals(List.of(sagas.get(2)), ids(new JsonObject().put("sagas", aborted)), "the third found no stock");
    assertEquals(0, query("since=" + Instant.now().plusSeconds(60)).getJsonArray("sagas").size());
    assertEquals(sagas.get(2), ids(query("limit=1&until=" + Instant.now().plusSeconds(1).toEpochMilli())).get(0));

    for (String bad : List.of("status=bogus", "limit=0", "limit=501", "limit=x", "since=yesterday", "after=zzz",
      "order_id=a%20b", "colour=red", "limit=1&limit=2", "since=2026-12-05T10:00:00Z&until=2026-12-04T10:00:00Z")) {
      Reply refused = TestShop.get("/sagas?" + bad);
      assertEquals(400, refused.status(), bad + ": " + refused.body().encode());
      assertFalse(refused.error().isBlank(), bad);
    }
  }

  @Test
  @DisplayName("stats count the window's sagas by status and abort reason, and the sagas in flight")
  void stats() {
    Instant start = Instant.now();
    String item = ledger.item(1, 1);
    for (int i = 0; i < 2; i++) {
      String order = ledger.order(ledger.user(10), item, 1);
      checkout(order);
      awaitSagaFinished(order);
    }
    JsonObject after = TestShop.get("/sagas/stats?since=" + start).body();
    assertEquals(1, count(after, "by_status", "COMPLETED"), after::encode);
    assertEquals(1, count(after, "by_status", "ABORTED"), after::encode);
    assertEquals(1, count(after, "aborted_by_reason", "insufficient stock"), after::encode);
    assertTrue(count(TestShop.get("/sagas/stats").body(), "by_status", "COMPLETED") >= 1, "the last hour by default");
    assertNotNull(after.getJsonObject("in_flight").getLong("count"));
    assertEquals(0, count(TestShop.get("/sagas/stats?since=" + Instant.now().plusSeconds(60) + "&until="
      + Instant.now().plusSeconds(120)).body(), "by_status", "COMPLETED"));
    assertEquals(400, TestShop.get("/sagas/stats?since=soon").status());
    assertEquals(400, TestShop.get("/sagas/stats?limit=3").status());
  }

  @Test
  @DisplayName("admin routes answer 403 with no token configured, 401 without or with a wrong token, 202 with it")
  void adminRoutesNeedTheToken() throws Exception {
    String order = ledger.order(ledger.user(10), ledger.item(1, 5), 1);
    assertEquals(200, checkout(order).status());
    // Paid is told once the order is; the saga completes a moment later, when its confirmations are delivered.
    awaitSagaFinished(order);
    String saga = sagaOf(order).getString("saga_id");
    String base = base();

    assertEquals(401, admin(base, saga, "abort", null).statusCode());
    HttpResponse<String> wrong = admin(base, saga, "abort", "not-the-token");
    assertEquals(401, wrong.statusCode());
    assertTrue(new JsonObject(wrong.body()).getString("error").contains("wrong"), wrong.body());
    HttpResponse<String> past = admin(base, saga, "abort", TestShop.ADMIN_TOKEN);
    assertEquals(409, past.statusCode(), "a completed saga is past its pivot: " + past.body());
    assertEquals(409, admin(base, saga, "retry", TestShop.ADMIN_TOKEN).statusCode(), "nothing to retry");
    assertEquals(404, admin(base, "no-such-saga", "retry", TestShop.ADMIN_TOKEN).statusCode());

    int port = LoopbackPorts.orFree(0);
    JsonObject noToken = TestShop.shop().config().copy().put(ConfigKeys.GATEWAY_PORT, port);
    noToken.remove(ConfigKeys.ADMIN_TOKEN);
    String deployment = TestShop.shop().vertx().deployVerticle(new GatewayVerticle(),
      new DeploymentOptions().setConfig(noToken)).await(30, TimeUnit.SECONDS);
    try {
      HttpResponse<String> off = admin("http://127.0.0.1:" + port, saga, "abort", TestShop.ADMIN_TOKEN);
      assertEquals(403, off.statusCode());
      assertTrue(new JsonObject(off.body()).getString("error").contains(ConfigKeys.ADMIN_TOKEN), off.body());
    } finally {
      TestShop.shop().vertx().undeploy(deployment).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("an operator's abort before the pivot compensates: the caller is told why; stock, credit, order as "
    + "before")
  void abortBeforeThePivot() throws Exception {
    String item = ledger.item(4, 10);
    String user = ledger.user(20);
    String order = ledger.order(user, item, 2);
    // The charge and then its refund wait for the payment service.
    PaymentAway away = PaymentAway.checkout(order, saga -> {
      HttpResponse<String> accepted = admin(base(), saga, "abort", TestShop.ADMIN_TOKEN);
      assertEquals(202, accepted.statusCode(), accepted.body());
      PaymentAway.awaitSaga(order, "COMPENSATING");
    });
    String saga = away.saga();
    Future<Reply> pending = away.checkout();
    Reply refused = TestShop.client().await(pending);
    assertEquals(400, refused.status(), refused.body()::encode);
    assertTrue(refused.error().contains("aborted by an operator: admin@"), refused.error());
    assertEquals("ABORTED", awaitSagaFinished(order));
    assertEquals(10, stock(item));
    assertEquals(20, credit(user));
    assertEquals("OPEN", findOrder(order).getString("status"));
    assertTrue(events(saga).contains("saga:ABORT_REQUESTED"), events(saga)::toString);
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("an operator's retry re-sends at once what a saga waits on: a command lost from Kafka goes out again "
    + "before the backoff's next re-send, and the saga completes")
  void retryBeatsTheBackoff() throws Exception {
    String item = ledger.item(3, 10);
    String user = ledger.user(20);
    String order = ledger.order(user, item, 1);
    Future<Reply> pending = PaymentAway.checkout(order, saga -> {
      Instant started = Instant.parse(TestShop.get("/sagas/" + saga).body().getString("created_at"));
      // Re-sends go out 2, 6 and 14 s after the start (SAGA_RESEND_AFTER_MS, doubling; each up to a second late):
      // after the second, every copy of the charge is taken out of Kafka, as if lost.
      sleepUntil(started.plusMillis(8_500));
      loseEveryCommandOf("payment");
    }).checkout();
    String saga = sagaOf(order).getString("saga_id");
    Instant started = Instant.parse(TestShop.get("/sagas/" + saga).body().getString("created_at"));
    Thread.sleep(1_000);
    assertEquals("RUNNING", sagaOf(order).getString("status"), "nothing is left to deliver before the retry");

    HttpResponse<String> accepted = admin(base(), saga, "retry", TestShop.ADMIN_TOKEN);
    assertEquals(202, accepted.statusCode(), accepted.body());
    assertEquals(200, TestShop.client().await(pending).status());
    assertTrue(Instant.now().isBefore(started.plusSeconds(13)), "done before the backoff's third re-send");
    assertEquals("COMPLETED", awaitSagaFinished(order));
    assertTrue(events(saga).contains("saga:RETRY_REQUESTED"), events(saga)::toString);
    assertEquals(17, credit(user), "charged once");
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("a step unanswered past its deadline aborts the saga; the participant's late charge is refunded")
  void stepDeadline() throws Exception {
    String item = ledger.item(5, 10);
    String user = ledger.user(30);
    String order = ledger.order(user, item, 1);
    // Back late: it takes the charge, answers it, then takes the refund sent behind it.
    PaymentAway away = PaymentAway.checkout(order, saga -> {
      Thread.sleep(TestShop.STEP_DEADLINE_MS);
      PaymentAway.awaitSaga(order, "COMPENSATING");
    });
    String saga = away.saga();
    Future<Reply> pending = away.checkout();
    Reply refused = TestShop.client().await(pending);
    assertEquals(400, refused.status(), refused.body()::encode);
    assertTrue(refused.error().contains("timed out: no reply to charge-credit within " + TestShop.STEP_DEADLINE_MS),
      refused.error());
    assertEquals("ABORTED", awaitSagaFinished(order));
    assertEquals(30, credit(user));
    assertEquals(10, stock(item));
    assertTrue(events(saga).contains("saga:TIMED_OUT"), events(saga)::toString);
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("/metrics names what people expect, and its counts follow what was done")
  void metrics() {
    String item = ledger.item(2, 1);
    String paid = ledger.order(ledger.user(10), item, 1);
    String refused = ledger.order(ledger.user(10), item, 1);
    String before = scrape();
    assertEquals(200, checkout(paid).status());
    assertEquals(400, checkout(refused).status());
    awaitSagaFinished(paid);
    awaitSagaFinished(refused);
    String after = scrape();

    assertEquals(2, metric(after, "saga_shop_sagas_started_total") - metric(before, "saga_shop_sagas_started_total"));
    String completed = "status=\"COMPLETED\"";
    String outOfStock = "reason=\"insufficient stock\"";
    assertEquals(1, metric(after, "saga_shop_sagas_finished_total", completed)
      - metric(before, "saga_shop_sagas_finished_total", completed));
    assertEquals(1, metric(after, "saga_shop_sagas_finished_total", outOfStock)
      - metric(before, "saga_shop_sagas_finished_total", outOfStock));
    String checkoutRoute = "route=\"/orders/checkout/:order_id\"";
    for (String code : List.of("code=\"200\"", "code=\"400\"")) {
      assertEquals(1, metric(after, "vertx_http_server_requests_total", checkoutRoute, code)
        - metric(before, "vertx_http_server_requests_total", checkoutRoute, code), code);
    }
    assertTrue(metric(after, "saga_shop_saga_duration_seconds_count", completed) >= 1);
    assertTrue(metric(after, "saga_shop_step_latency_seconds_count", "step=\"reserve-stock\"") >= 2);
    for (String name : List.of("vertx_http_server_response_time_seconds_bucket", "saga_shop_sagas_in_flight",
      "saga_shop_saga_resends_total", "saga_shop_kafka_consumer_lag", "saga_shop_journal_batch_sagas_count",
      "saga_shop_event_loop_delay_seconds_bucket", "saga_shop_verticle_up", "saga_shop_verticle_restarts_total",
      "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_bucket")) {
      assertTrue(after.lines().anyMatch(line -> line.startsWith(name)), name + " in\n" + after);
    }
  }

  private static String scrape() {
    try {
      return TestShop.client().getText("/metrics").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("/metrics", e);
    }
  }

  /** The sum of a metric's samples whose labels include each of {@code labels} (name="value"). */
  static long metric(String scrape, String name, String... labels) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        String head = line.substring(0, line.lastIndexOf(' '));
        if (List.of(labels).stream().allMatch(head::contains)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return Math.round(sum);
  }

  private static void sleepUntil(Instant when) throws InterruptedException {
    long ms = Duration.between(Instant.now(), when).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  /** Deletes every record of a service's command topic, as a topic purged or a broker that lost them would. */
  private static void loseEveryCommandOf(String service) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
      TestShop.shop().config().getString(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)))) {
      String topic = Topics.commands(service);
      Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
      TopicEnds.of(admin, topic).forEach((partition, end) -> delete.put(partition, RecordsToDelete.beforeOffset(end)));
      admin.deleteRecords(delete).all().get(10, TimeUnit.SECONDS);
    }
  }

  private static String base() {
    return "http://127.0.0.1:" + TestShop.shop().gatewayPort();
  }

  private static JsonObject query(String parameters) {
    Reply reply = TestShop.get("/sagas?" + parameters);
    assertEquals(200, reply.status(), () -> parameters + ": " + reply.body().encode());
    return reply.body();
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("sagas").stream().map(saga -> ((JsonObject) saga).getString("saga_id")).toList();
  }

  private static List<String> instants(JsonObject page) {
    return page.getJsonArray("sagas").stream().map(saga -> ((JsonObject) saga).getString("created_at")).toList();
  }

  private static long count(JsonObject stats, String group, String key) {
    return stats.getJsonObject(group).getLong(key, 0L);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static void awaitEvent(String saga, String event) throws InterruptedException {
    for (int i = 0; i < 200 && !events(saga).contains(event); i++) {
      Thread.sleep(50);
    }
    assertTrue(events(saga).contains(event), events(saga)::toString);
  }

  private static HttpResponse<String> admin(String base, String saga, String action, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/sagas/" + saga + "/" + action))
      .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
