package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient;
import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.Checkout;
import dev.sagashop.gateway.GatewayVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API of docs/API.md, through HTTP, against the whole shop and its real servers. */
class ApiTest {

  private static final String MAX = Long.toString(Long.MAX_VALUE);

  private final ShopClient shop = TestShop.client();

  private Reply post(String path) {
    return TestShop.post(path);
  }

  private Reply get(String path) {
    return TestShop.get(path);
  }

  private static void assertRefused(int status, Reply reply) {
    assertEquals(status, reply.status(), () -> "body: " + reply.body());
    assertNotNull(reply.error(), () -> "an error body names the reason: " + reply.body());
  }

  private String newItem(long price, long stock) {
    String id = post("/stock/item/create/" + price).body().getString("item_id");
    assertEquals(200, post("/stock/add/" + id + "/" + stock).status());
    return id;
  }

  private String newUser(long credit) {
    String id = post("/payment/create_user").body().getString("user_id");
    assertEquals(200, post("/payment/add_funds/" + id + "/" + credit).status());
    return id;
  }

  @Nested
  @DisplayName("stock")
  class Stock {

    @Test
    @DisplayName("an item is created with stock 0 and its price, and add/subtract change its stock")
    void lifecycle() {
      String id = post("/stock/item/create/7").body().getString("item_id");
      assertEquals(new JsonObject().put("item_id", id).put("stock", 0L).put("price", 7L),
        get("/stock/find/" + id).body());
      assertEquals(10L, post("/stock/add/" + id + "/10").body().getLong("stock"));
      assertEquals(6L, post("/stock/subtract/" + id + "/4").body().getLong("stock"));
      assertEquals(6L, get("/stock/find/" + id).body().getLong("stock"));
    }

    @Test
    @DisplayName("subtracting more than is in stock answers 400 and changes nothing")
    void subtractBelowZero() {
      String id = newItem(1, 3);
      assertRefused(400, post("/stock/subtract/" + id + "/4"));
      assertEquals(3L, get("/stock/find/" + id).body().getLong("stock"));
    }

    @Test
    @DisplayName("adding past 2^63-1 answers 400 and changes nothing")
    void addOverflow() {
      String id = newItem(1, 5);
      assertRefused(400, post("/stock/add/" + id + "/" + MAX));
      assertEquals(5L, get("/stock/find/" + id).body().getLong("stock"));
      assertEquals(200, post("/stock/add/" + id + "/" + (Long.MAX_VALUE - 5)).status());
      assertEquals(Long.MAX_VALUE, get("/stock/find/" + id).body().getLong("stock"));
    }

    @Test
    @DisplayName("unknown items answer 404 on find, add and subtract")
    void unknownItem() {
      assertRefused(404, get("/stock/find/no-such-item"));
      assertRefused(404, post("/stock/add/no-such-item/1"));
      assertRefused(404, post("/stock/subtract/no-such-item/1"));
    }

    @Test
    @DisplayName("200 parallel subtracts of 1 on stock 100: exactly 100 succeed and stock ends at 0")
    void concurrentSubtracts() {
      String id = newItem(1, 100);
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        replies.add(shop.post("/stock/subtract/" + id + "/1"));
      }
      Future.join(replies).await();
      assertEquals(100, replies.stream().filter(r -> r.result().status() == 200).count());
      assertEquals(100, replies.stream().filter(r -> r.result().status() == 400).count());
      assertEquals(0L, get("/stock/find/" + id).body().getLong("stock"));
    }

    @Test
    @DisplayName("batch_init creates items 0..n-1 with the given stock and price, across its write chunks")
    void batchInit() {
      assertEquals(200, post("/stock/batch_init/4500/13/4").status());
      assertEquals(new JsonObject().put("item_id", "0").put("stock", 13L).put("price", 4L), get("/stock/find/0").body());
      assertEquals(13L, get("/stock/find/2000").body().getLong("stock"));
      assertEquals(13L, get("/stock/find/4499").body().getLong("stock"));
      assertRefused(404, get("/stock/find/4500"));
    }
  }

  @Nested
  @DisplayName("payment")
  class Payment {

    @Test
    @DisplayName("a user starts with credit 0; add_funds and pay change it")
    void lifecycle() {
      String id = post("/payment/create_user").body().getString("user_id");
      assertEquals(new JsonObject().put("user_id", id).put("credit", 0L), get("/payment/find_user/" + id).body());
      assertEquals(50L, post("/payment/add_funds/" + id + "/50").body().getLong("credit"));
      assertEquals(20L, post("/payment/pay/" + id + "/30").body().getLong("credit"));
    }

    @Test
    @DisplayName("paying more than the credit answers 400 and changes nothing")
    void payTooMuch() {
      String id = newUser(10);
      assertRefused(400, post("/payment/pay/" + id + "/11"));
      assertEquals(10L, get("/payment/find_user/" + id).body().getLong("credit"));
    }

    @Test
    @DisplayName("200 parallel payments of 1 on credit 100: exactly 100 succeed and credit ends at 0")
    void concurrentPayments() {
      String id = newUser(100);
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        replies.add(shop.post("/payment/pay/" + id + "/1"));
      }
      Future.join(replies).await();
      assertEquals(100, replies.stream().filter(r -> r.result().status() == 200).count());
      assertEquals(0L, get("/payment/find_user/" + id).body().getLong("credit"));
    }

    @Test
    @DisplayName("unknown users answer 404, and adding funds past 2^63-1 answers 400")
    void unknownUserAndOverflow() {
      assertRefused(404, get("/payment/find_user/nobody"));
      assertRefused(404, post("/payment/pay/nobody/1"));
      String id = newUser(1);
      assertRefused(400, post("/payment/add_funds/" + id + "/" + MAX));
      assertEquals(1L, get("/payment/find_user/" + id).body().getLong("credit"));
    }

    @Test
    @DisplayName("batch_init creates users 0..n-1 with the given credit")
    void batchInit() {
      assertEquals(200, post("/payment/batch_init/300/25").status());
      assertEquals(new JsonObject().put("user_id", "299").put("credit", 25L), get("/payment/find_user/299").body());
      assertRefused(404, get("/payment/find_user/300"));
    }
  }

  @Nested
  @DisplayName("orders")
  class Orders {

    @Test
    @DisplayName("an order holds its items with quantities adding up per item, costed at the price when added")
    void addItems() {
      String user = newUser(0);
      String cheap = newItem(3, 0);
      String dear = newItem(10, 0);
      String order = post("/orders/create/" + user).body().getString("order_id");
      assertEquals(200, post("/orders/addItem/" + order + "/" + cheap + "/2").status());
      assertEquals(200, post("/orders/addItem/" + order + "/" + dear + "/1").status());
      assertEquals(200, post("/orders/addItem/" + order + "/" + cheap + "/1").status());

      JsonObject found = get("/orders/find/" + order).body();
      assertEquals(order, found.getString("order_id"));
      assertEquals(user, found.getString("user_id"));
      assertEquals(false, found.getBoolean("paid"));
      assertEquals(19L, found.getLong("total_cost"));
      assertEquals(new JsonArray().add(new JsonArray().add(cheap).add(3)).add(new JsonArray().add(dear).add(1)),
        found.getJsonArray("items"));
    }

    @Test
    @DisplayName("an order for an unknown user, of an unknown item or to an unknown order is refused with 404")
    void unknownIds() {
      assertRefused(404, post("/orders/create/nobody"));
      String order = post("/orders/create/" + newUser(0)).body().getString("order_id");
      assertRefused(404, post("/orders/addItem/" + order + "/no-item/1"));
      assertRefused(404, post("/orders/addItem/no-order/" + newItem(1, 0) + "/1"));
      assertRefused(404, get("/orders/find/no-order"));
      assertEquals(0L, get("/orders/find/" + order).body().getLong("total_cost"));
    }

    @Test
    @DisplayName("an order holds at most 500 distinct items: the next new item is refused with 400, more of one it "
      + "holds is not, and the full order checks out")
    void distinctItemsAreBounded() {
      String user = newUser(Checkout.MAX_LINES + 1);
      String order = post("/orders/create/" + user).body().getString("order_id");
      String first = null;
      for (int i = 0; i < Checkout.MAX_LINES; i++) {
        String item = newItem(1, 2);
        first = first == null ? item : first;
        assertEquals(200, post("/orders/addItem/" + order + "/" + item + "/1").status());
      }
      assertRefused(400, post("/orders/addItem/" + order + "/" + newItem(1, 1) + "/1"));
      assertEquals(Checkout.MAX_LINES, get("/orders/find/" + order).body().getJsonArray("items").size());
      assertEquals(200, post("/orders/addItem/" + order + "/" + first + "/1").status());
      assertEquals(200, post("/orders/checkout/" + order).status());
      assertEquals(0L, get("/payment/find_user/" + user).body().getLong("credit"));
    }

    @Test
    @DisplayName("quantity 0 and a total cost past 2^63-1 are refused with 400 and change nothing")
    void quantityZeroAndOverflow() {
      String order = post("/orders/create/" + newUser(0)).body().getString("order_id");
      String dear = newItem(Long.MAX_VALUE / 2 + 1, 0);
      assertRefused(400, post("/orders/addItem/" + order + "/" + dear + "/0"));
      assertRefused(400, post("/orders/addItem/" + order + "/" + dear + "/2"));
      assertEquals(200, post("/orders/addItem/" + order + "/" + dear + "/1").status());
      assertRefused(400, post("/orders/addItem/" + order + "/" + dear + "/1"));
      JsonObject found = get("/orders/find/" + order).body();
      assertEquals(Long.MAX_VALUE / 2 + 1, found.getLong("total_cost"));
      assertEquals(1L, found.getJsonArray("items").getJsonArray(0).getLong(1));
    }

    @Test
    @DisplayName("50 parallel addItem calls on one order lose no update")
    void concurrentAddItems() {
      String order = post("/orders/create/" + newUser(0)).body().getString("order_id");
      String item = newItem(2, 0);
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        replies.add(shop.post("/orders/addItem/" + order + "/" + item + "/1"));
      }
      Future.join(replies).await();
      long added = replies.stream().filter(r -> r.result().status() == 200).count();
      assertTrue(replies.stream().allMatch(r -> r.result().status() == 200 || r.result().status() == 409));
      JsonObject found = get("/orders/find/" + order).body();
      assertEquals(added, found.getJsonArray("items").getJsonArray(0).getLong(1));
      assertEquals(2 * added, found.getLong("total_cost"));
    }

    @Test
    @DisplayName("batch_init creates orders 0..n-1 of two random items each, for users in range, costing 2*price")
    void batchInit() {
      assertEquals(200, post("/orders/batch_init/200/10/5/7").status());
      for (String id : List.of("0", "99", "199")) {
        JsonObject order = get("/orders/find/" + id).body();
        assertEquals(14L, order.getLong("total_cost"));
        assertTrue(Integer.parseInt(order.getString("user_id")) < 5);
        long units = 0;
        for (Object line : order.getJsonArray("items")) {
          assertTrue(Integer.parseInt(((JsonArray) line).getString(0)) < 10);
          units += ((JsonArray) line).getLong(1);
        }
        assertEquals(2, units);
      }
      assertRefused(404, get("/orders/find/200"));
    }
  }

  @Nested
  @DisplayName("bad input")
  class BadInput {

    @ParameterizedTest(name = "amount \"{0}\" is refused with 400")
    @ValueSource(strings = {"-1", "1.5", "abc", "1e3", "+5", "9223372036854775808", "99999999999999999999", " 1",
      "0x10"})
    void malformedAmounts(String amount) {
      String item = newItem(1, 5);
      String encoded = URLEncoder.encode(amount, StandardCharsets.UTF_8).replace("+", "%20");
      if (amount.startsWith("+")) {
        encoded = "%2B5";
      }
      assertRefused(400, post("/stock/add/" + item + "/" + encoded));
      assertRefused(400, post("/stock/subtract/" + item + "/" + encoded));
      assertRefused(400, post("/payment/add_funds/" + newUser(0) + "/" + encoded));
      assertRefused(400, post("/stock/item/create/" + encoded));
      assertEquals(5L, get("/stock/find/" + item).body().getLong("stock"));
    }

    @ParameterizedTest(name = "id \"{0}\" is refused with 400")
    @ValueSource(strings = {"$gt", "{\"$ne\":null}", "a.b", "_leading", "x y", "%", "a/../b"})
    void operatorLookingIds(String id) {
      String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
      assertRefused(400, get("/stock/find/" + encoded));
      assertRefused(400, post("/payment/pay/" + encoded + "/1"));
      assertRefused(400, get("/orders/find/" + encoded));
    }

    @Test
    @DisplayName("an id longer than 64 characters is refused with 400")
    void overlongId() {
      assertRefused(400, get("/stock/find/" + "a".repeat(65)));
    }

    @Test
    @DisplayName("batch_init beyond a million records is refused with 400")
    void batchTooBig() {
      assertRefused(400, post("/stock/batch_init/1000001/1/1"));
      assertRefused(400, post("/orders/batch_init/5/0/5/1"));
    }

    @Test
    @DisplayName("a request the HTTP decoder refuses — a request line or headers too long, or no HTTP at all — "
      + "answers 414, 431 or 400 with a JSON error")
    void undecodableRequests() throws IOException {
      String host = "Host: 127.0.0.1\r\n";
      assertRaw(414, "request line longer than", "GET /stock/find/" + "a".repeat(5_000) + " HTTP/1.1\r\n" + host
        + "\r\n");
      assertRaw(431, "request headers longer than", "GET /stock/find/0 HTTP/1.1\r\n" + host + "X-Big: "
        + "b".repeat(10_000) + "\r\n\r\n");
      assertRaw(400, "malformed HTTP request", "GARBAGE\r\n\r\n");
    }

    /** Sends {@code request} as it is and reads the whole answer (the server closes the connection after it). */
    private void assertRaw(int status, String error, String request) throws IOException {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), TestShop.shop().gatewayPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // The decoder takes what it could not read for HTTP/1.0, and so the answer is.
        assertTrue(answer.startsWith("HTTP/1.") && answer.startsWith(status + " ", 9), answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(new JsonObject(body).getString("error").startsWith(error), answer);
      }
    }

    @Test
    @DisplayName("unknown routes answer 404 and wrong methods 405, both as JSON errors")
    void unknownRoutes() {
      assertRefused(404, get("/stock/nothing"));
      assertRefused(405, get("/stock/add/x/1"));
    }
  }

  @Nested
  @DisplayName("health")
  class Health {

    @Test
    @DisplayName("live and ready answer 200 while every service reaches its database")
    void upAndReady() {
      assertEquals(200, get("/health/live").status());
      Reply ready = get("/health/ready");
      assertEquals(200, ready.status(), ready.body()::encode);
      assertEquals("UP", ready.body().getString("status"));
    }

    @Test
    @DisplayName("ready answers 503 naming each service that is not deployed")
    void notReadyWithoutServices() throws Exception {
      Vertx alone = Vertx.vertx();
      try (ServerSocket socket = new ServerSocket(0)) {
        int port = socket.getLocalPort();
        socket.close();
        alone.deployVerticle(new GatewayVerticle(), new DeploymentOptions().setConfig(new JsonObject()
          .put("GATEWAY_HOST", "127.0.0.1").put("GATEWAY_PORT", port))).await(10, TimeUnit.SECONDS);
        ShopClient lonely = new ShopClient(alone, "http://127.0.0.1:" + port, 1, 10_000);
        Reply ready = lonely.await(lonely.get("/health/ready"));
        assertRefused(503, ready);
        assertTrue(ready.error().contains("stock (the stock service is not running)"), ready.error());
        assertEquals(200, lonely.await(lonely.get("/health/live")).status());
      } finally {
        alone.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
