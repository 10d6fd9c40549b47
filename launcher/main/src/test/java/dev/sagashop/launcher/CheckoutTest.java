package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.StockApi;
import dev.sagashop.contracts.Topics;
import dev.sagashop.messaging.KafkaSettings;
import dev.sagashop.messaging.Participant;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sagashop.launcher.Ledger.awaitSagaFinished;
import static dev.sagashop.launcher.Ledger.checkout;
import static dev.sagashop.launcher.Ledger.credit;
import static dev.sagashop.launcher.Ledger.events;
import static dev.sagashop.launcher.Ledger.findOrder;
import static dev.sagashop.launcher.Ledger.sagaOf;
import static dev.sagashop.launcher.Ledger.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkout saga end to end: HTTP, Kafka, the three participants, the coordinator and its MySQL journal. */
class CheckoutTest {

  private final Ledger ledger = new Ledger();

  @Test
  @DisplayName("a checkout pays the order, takes the stock and charges the credit, and the journal shows each step")
  void success() {
    String apple = ledger.item(3, 10);
    String pear = ledger.item(5, 10);
    String user = ledger.user(100);
    String order = ledger.order(user, apple, 2, pear, 1);

    Reply reply = checkout(order);
    assertEquals(200, reply.status(), reply.body()::encode);
    assertTrue(reply.body().getBoolean("paid"));
    assertTrue(findOrder(order).getBoolean("paid"), "a GET right after the 200 sees the order paid");
    assertEquals(8, stock(apple));
    assertEquals(9, stock(pear));
    assertEquals(89, credit(user));

    // The caller is answered at the pivot (order paid); the confirmations finish the saga just after.
    assertEquals("COMPLETED", awaitSagaFinished(order));
    List<String> events = events(sagaOf(order).getString("saga_id"));
    assertTrue(events.containsAll(List.of("saga:STARTED", "reserve-stock:DONE", "charge-credit:DONE",
      "reserve-stock:CONFIRMATION_SENT", "charge-credit:CONFIRMATION_SENT", "mark-paid:SENT", "saga:COMPLETED")),
      events::toString);
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("out of stock on the second of three items: 400 naming it, the first released, and a retry works later")
  void outOfStockOnSecondItem() {
    String first = ledger.item(1, 5);
    String second = ledger.item(1, 1);
    String third = ledger.item(1, 5);
    String user = ledger.user(100);
    String order = ledger.order(user, first, 1, second, 2, third, 1);

    Reply refused = checkout(order);
    assertEquals(400, refused.status(), refused.body()::encode);
    assertTrue(refused.error().contains("item " + second), refused.error());
    assertEquals(5, stock(first), "the first item's reservation was released");
    assertEquals(1, stock(second));
    assertEquals(5, stock(third));
    assertEquals(100, credit(user));
    JsonObject found = findOrder(order);
    assertFalse(found.getBoolean("paid"));
    assertEquals("OPEN", found.getString("status"));
    assertEquals("ABORTED", awaitSagaFinished(order));

    ledger.addStock(second, 1);
    assertEquals(200, checkout(order).status(), "retryable once the stock is there");
    assertEquals(1, sagaOf(order).getJsonArray("earlier_sagas").size());
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("out of credit: 400 naming the credit, every item's stock released, and a retry works after add_funds")
  void outOfCredit() {
    String a = ledger.item(10, 3);
    String b = ledger.item(20, 3);
    String user = ledger.user(29);
    String order = ledger.order(user, a, 1, b, 1);

    Reply refused = checkout(order);
    assertEquals(400, refused.status(), refused.body()::encode);
    assertTrue(refused.error().contains("credit"), refused.error());
    assertEquals(3, stock(a));
    assertEquals(3, stock(b));
    assertEquals(29, credit(user));

    ledger.addCredit(user, 1);
    assertEquals(200, checkout(order).status());
    assertEquals(0, credit(user));
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("checking out a paid order answers 200 and charges nothing again")
  void paidOrderIsNotChargedTwice() {
    String user = ledger.user(50);
    String order = ledger.order(user, ledger.item(7, 5), 1);
    assertEquals(200, checkout(order).status());
    assertEquals(200, checkout(order).status());
    assertEquals(200, checkout(order).status());
    assertEquals(43, credit(user));
    assertEquals(0, sagaOf(order).getJsonArray("earlier_sagas").size(), "one saga only");
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("twenty concurrent checkouts of one order run one saga, and every caller gets its outcome")
  void concurrentCheckoutsJoinOneSaga() {
    String user = ledger.user(50);
    String order = ledger.order(user, ledger.item(5, 5), 2);
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(TestShop.client().post("/orders/checkout/" + order));
    }
    Future.join(replies).await();
    replies.forEach(reply -> assertEquals(200, reply.result().status(), reply.result().body()::encode));
    assertEquals(40, credit(user));
    assertEquals(0, sagaOf(order).getJsonArray("earlier_sagas").size());
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("an empty order cannot be checked out, and unknown orders and sagas answer 404")
  void emptyAndUnknown() {
    String order = ledger.order(ledger.user(5));
    assertEquals(400, checkout(order).status());
    assertEquals(404, checkout("no-such-order").status());
    assertEquals(404, TestShop.get("/sagas/no-such-saga").status());
    assertEquals(404, TestShop.get("/orders/" + order + "/saga").status());
  }

  @Test
  @DisplayName("while the payment service is down a checkout waits, addItem is refused with 409, and it finishes after")
  void lockedOrderRefusesAddItemAndWaitsForAParticipant() throws Exception {
    String item = ledger.item(2, 10);
    String order = ledger.order(ledger.user(10), item, 1);
    PaymentAway away = PaymentAway.checkout(order, saga -> {
      assertEquals("CHECKING_OUT", findOrder(order).getString("status"));
      Reply refused = TestShop.post("/orders/addItem/" + order + "/" + item + "/1");
      assertEquals(409, refused.status(), refused.body()::encode);
    });
    assertEquals(200, away.answer().status());
    assertEquals(409, TestShop.post("/orders/addItem/" + order + "/" + item + "/1").status(), "paid orders are final");
    assertEquals(9, stock(item));
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("while a checkout holds stock, adding more than the hold leaves room for is refused, so the saga's "
    + "refusal can give every unit back")
  void addLeavesRoomForAHeldReservation() throws Exception {
    String item = ledger.item(2, 10);
    String order = ledger.order(ledger.user(1), item, 1);
    PaymentAway away = PaymentAway.checkout(order, saga -> {
      for (int i = 0; i < 100 && stock(item) != 9; i++) {
        Thread.sleep(50);
      }
      assertEquals(9, stock(item), "the saga's reservation holds one unit");
      Reply refused = TestShop.post("/stock/add/" + item + "/" + (Long.MAX_VALUE - 9));
      assertEquals(400, refused.status(), refused.body()::encode);
      assertEquals(9, stock(item), "the refused add changed nothing");
      ledger.addStock(item, Long.MAX_VALUE - 10);
    });
    Reply outcome = away.answer();
    assertEquals(400, outcome.status(), outcome.body()::encode);
    assertTrue(outcome.error().contains("credit"), outcome.error());
    assertEquals(Long.MAX_VALUE, stock(item), "the reservation was given back");
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("sagas asked for with a payload larger than the journal holds, or without a valid order id, are "
    + "dead-lettered, and the sagas after them run: the coordinator does not retry a poll that can never be written")
  void anOversizedSagaDoesNotHoldTheOthers() throws Exception {
    JsonArray lines = new JsonArray();
    for (int i = 0; i < 2_000; i++) {
      lines.add(new JsonArray().add("item-" + "x".repeat(50) + i).add(Long.MAX_VALUE));
    }
    String oversized = Ids.newOrderedId();
    String keyless = Ids.newOrderedId();
    JsonObject payload = new JsonObject().put("order_id", "oversized").put("user_id", "someone").put("items", lines)
      .put("total_cost", 1L);
    KafkaProducer<String, String> producer = KafkaProducer.create(TestShop.shop().vertx(),
      KafkaSettings.producer(TestShop.shop().config(), "unjournallable"));
    try {
      producer.send(KafkaProducerRecord.create(Topics.SAGA_REPLIES, oversized,
        SagaMessage.command(oversized, 0, MessageTypes.CHECKOUT_STARTED, payload).encode()))
        .await(30, TimeUnit.SECONDS);
      producer.send(KafkaProducerRecord.create(Topics.SAGA_REPLIES, keyless, SagaMessage.command(keyless, 0,
          MessageTypes.CHECKOUT_STARTED, new JsonObject().put("order_id", "x".repeat(65))).encode()))
        .await(30, TimeUnit.SECONDS);
    } finally {
      producer.close().await(30, TimeUnit.SECONDS);
    }
    String item = ledger.item(1, 1);
    String order = ledger.order(ledger.user(1), item, 1);
    Reply paid = checkout(order);
    assertEquals(200, paid.status(), paid.body()::encode);
    assertEquals(404, TestShop.get("/sagas/" + oversized).status(), "the oversized saga was never journalled");
    assertEquals(404, TestShop.get("/sagas/" + keyless).status(), "nor the one without a valid order id");
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("with every participant command delivered twice, no stock or credit is taken twice")
  void everyCommandDeliveredTwice() throws Exception {
    Duplicator duplicator = Duplicator.start(true);
    try {
      String scarce = ledger.item(1, 6);
      String plenty = ledger.item(2, 100);
      List<String> users = List.of(ledger.user(10), ledger.user(3), ledger.user(100));
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        orders.add(ledger.order(users.get(i % 3), scarce, 1, plenty, 1 + i % 2));
      }
      List<Future<Reply>> replies = orders.stream().map(o -> TestShop.client().post("/orders/checkout/" + o)).toList();
      Future.join(replies).await();
      for (Future<Reply> reply : replies) {
        assertTrue(Set.of(200, 400).contains(reply.result().status()), reply.result().body()::encode);
      }
      assertTrue(duplicator.duplicated() > 0, "commands were delivered twice");
      for (String order : orders) {
        awaitSagaFinished(order);
      }
      ledger.assertConsistent();
    } finally {
      duplicator.stop();
    }
  }

  @Test
  @DisplayName("the coordinator undeployed mid-saga and deployed again: every saga finishes, nothing lost or doubled")
  void coordinatorRestartsMidSaga() throws Exception {
    String item = ledger.item(3, 8);
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      orders.add(ledger.order(ledger.user(i % 4 == 0 ? 1 : 10), item, 1));
    }
    List<Future<Reply>> replies = orders.stream().map(o -> TestShop.client().post("/orders/checkout/" + o)).toList();
    Thread.sleep(40);
    TestShop.shop().undeploy(Role.SAGA).await(30, TimeUnit.SECONDS);
    Thread.sleep(500);
    TestShop.shop().deploy(Role.SAGA).await(30, TimeUnit.SECONDS);

    Future.join(replies).await(60, TimeUnit.SECONDS);
    for (Future<Reply> reply : replies) {
      assertTrue(Set.of(200, 400).contains(reply.result().status()), reply.result().body()::encode);
    }
    for (String order : orders) {
      String status = awaitSagaFinished(order);
      assertEquals(findOrder(order).getBoolean("paid"), status.equals("COMPLETED"), order);
    }
    assertEquals(8 - orders.stream().filter(o -> findOrder(o).getBoolean("paid")).count(), stock(item));
    ledger.assertConsistent();
  }

  @Test
  @DisplayName("commands delivered again after their sagas finished, twice and newest first, change nothing")
  void commandsReplayedOutOfOrder() throws Exception {
    Duplicator recorder = Duplicator.start(false);
    try {
      String scarce = ledger.item(1, 3);
      String plenty = ledger.item(2, 100);
      String user = ledger.user(1_000);
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        orders.add(ledger.order(user, plenty, 1, scarce, 1));
      }
      List<Future<Reply>> replies = orders.stream().map(o -> TestShop.client().post("/orders/checkout/" + o)).toList();
      Future.join(replies).await();
      for (Future<Reply> reply : replies) {
        assertTrue(Set.of(200, 400).contains(reply.result().status()), reply.result().body()::encode);
      }
      for (String order : orders) {
        awaitSagaFinished(order);
      }
      long paid = orders.stream().filter(o -> findOrder(o).getBoolean("paid")).count();
      assertEquals(3, paid, "three orders get the three scarce units");
      long stockBefore = stock(plenty);
      long creditBefore = credit(user);

      for (int round = 0; round < 2; round++) {
        int since = recorder.replies();
        recorder.awaitReplies(since, recorder.replay(true));
      }
      assertEquals(stockBefore, stock(plenty));
      assertEquals(0, stock(scarce));
      assertEquals(creditBefore, credit(user));
      assertEquals(paid, orders.stream().filter(o -> findOrder(o).getBoolean("paid")).count());
      ledger.assertConsistent();
    } finally {
      recorder.stop();
    }
  }

  @Test
  @DisplayName("replies read again after their sagas finished: a completed saga's change nothing, a compensated "
    + "saga's reservation is released again")
  void repliesReadAgainAfterTheSagasFinished() throws Exception {
    Duplicator recorder = Duplicator.start(false);
    try {
      String item = ledger.item(10, 5);
      String paid = ledger.order(ledger.user(100), item, 1);
      String refused = ledger.order(ledger.user(1), item, 1);
      assertEquals(200, checkout(paid).status());
      assertEquals(400, checkout(refused).status());
      assertEquals("COMPLETED", awaitSagaFinished(paid));
      assertEquals("ABORTED", awaitSagaFinished(refused));
      String completedSaga = sagaOf(paid).getString("saga_id");
      String abortedSaga = sagaOf(refused).getString("saga_id");

      String undone = "reserve-stock:LATE_EFFECT_UNDONE";
      long undoneBefore = events(abortedSaga).stream().filter(undone::equals).count();
      // The completed saga's replies first: one partition, so once the aborted saga's are handled, so are they.
      recorder.replayReplies(List.of(completedSaga, abortedSaga));
      for (int i = 0; i < 200 && events(abortedSaga).stream().filter(undone::equals).count() == undoneBefore; i++) {
        Thread.sleep(50);
      }
      List<String> aborted = events(abortedSaga);
      assertEquals(undoneBefore + 1, aborted.stream().filter(undone::equals).count(), aborted::toString);
      List<String> completed = events(completedSaga);
      assertTrue(completed.stream().noneMatch(event -> event.endsWith("LATE_EFFECT_UNDONE")), completed::toString);
      assertEquals(4, stock(item));
      assertTrue(findOrder(paid).getBoolean("paid"));
      ledger.assertConsistent();
    } finally {
      recorder.stop();
    }
  }

  @Test
  @DisplayName("every command delivered again, oldest first, after more sagas settled on one item and one user than "
    + "their documents remember: nothing is taken twice")
  void commandsReplayedPastWhatDocumentsRemember() throws Exception {
    Duplicator recorder = Duplicator.start(false);
    try {
      int sagas = 1_100;
      String item = ledger.item(1, 2L * sagas);
      String user = ledger.user(2L * sagas);
      List<String> orders = new ArrayList<>();
      for (int i = 0; i < sagas; i++) {
        orders.add(ledger.order(user, item, 1));
      }
      for (int from = 0; from < sagas; from += 50) {
        List<Future<Reply>> replies = orders.subList(from, Math.min(sagas, from + 50)).stream()
          .map(o -> TestShop.client().post("/orders/checkout/" + o)).toList();
        Future.join(replies).await();
        for (Future<Reply> reply : replies) {
          assertEquals(200, reply.result().status(), reply.result().body()::encode);
        }
      }
      // Reserve, charge, mark paid and the two confirmations of each saga.
      recorder.awaitRecorded(5 * sagas);
      awaitCommandsApplied();
      assertEquals(sagas, stock(item));
      assertEquals(sagas, credit(user));

      int since = recorder.replies();
      recorder.awaitReplies(since, recorder.replay(false));
      awaitCommandsApplied();
      assertEquals(sagas, stock(item), "stock taken once");
      assertEquals(sagas, credit(user), "credit taken once");
      ledger.assertConsistent();
    } finally {
      recorder.stop();
    }
  }

  /** Until the stock and payment participants have committed (applied, durably) every command on their topics. */
  private static void awaitCommandsApplied() throws Exception {
    try (Admin admin = Admin.create(new HashMap<String, Object>(KafkaSettings.admin(TestShop.shop().config(), 5_000,
      10_000)))) {
      for (String service : List.of(StockApi.SERVICE, PaymentApi.SERVICE)) {
        String topic = Topics.commands(service);
        long behind = -1;
        for (int i = 0; i < 300 && behind != 0; i++) {
          Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(Participant.group(service)).partitionsToOffsetAndMetadata()
            .get(10, TimeUnit.SECONDS);
          behind = TopicEnds.of(admin, topic).entrySet().stream()
            .mapToLong(end -> end.getValue() - Optional.ofNullable(committed.get(end.getKey()))
              .map(OffsetAndMetadata::offset).orElse(0L))
            .sum();
          if (behind != 0) {
            Thread.sleep(50);
          }
        }
        assertEquals(0, behind, service + " commands not yet applied");
      }
    }
  }

  /**
   * Listens to every participant command topic and to the replies. Echoing: sends each record of commands again at
   * once. Recording: keeps the commands, to be sent again later, one record each; the replies are kept either way.
   */
  private static final class Duplicator {
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final boolean echo;
    private final Set<String> copied = ConcurrentHashMap.newKeySet();
    private final List<KafkaProducerRecord<String, String>> recorded = new ArrayList<>();
    private final List<SagaMessage> recordedReplies = new ArrayList<>();
    private final AtomicInteger duplicated = new AtomicInteger();
    private final AtomicInteger replies = new AtomicInteger();

    private Duplicator(KafkaConsumer<String, String> consumer, KafkaProducer<String, String> producer, boolean echo) {
      this.consumer = consumer;
      this.producer = producer;
      this.echo = echo;
    }

    static Duplicator start(boolean echo) throws Exception {
      JsonObject config = TestShop.shop().config();
      var settings = KafkaSettings.consumer(config, "duplicator", "duplicator-" + System.nanoTime());
      settings.put("auto.offset.reset", "latest");
      KafkaConsumer<String, String> consumer = KafkaConsumer.create(TestShop.shop().vertx(), settings);
      KafkaProducer<String, String> producer = KafkaProducer.create(TestShop.shop().vertx(),
        KafkaSettings.producer(config, "duplicator"));
      Duplicator duplicator = new Duplicator(consumer, producer, echo);
      Promise<Void> assigned = Promise.promise();
      consumer.partitionsAssignedHandler(partitions -> assigned.tryComplete());
      consumer.handler(record -> {
        if (record.topic().equals(Topics.SAGA_REPLIES)) {
          List<SagaMessage> replies = SagaMessage.decodeAll(record.value());
          duplicator.replies.addAndGet(replies.size());
          synchronized (duplicator.recordedReplies) {
            duplicator.recordedReplies.addAll(replies);
          }
        } else if (duplicator.copied.add(record.value())) {
          if (echo) {
            producer.send(KafkaProducerRecord.create(record.topic(), record.key(), record.value()))
              .onSuccess(sent -> duplicator.duplicated.incrementAndGet());
          } else {
            // Each message of a batch on its own, so a replay can reorder them one by one.
            synchronized (duplicator.recorded) {
              SagaMessage.decodeAll(record.value()).forEach(message -> duplicator.recorded.add(
                KafkaProducerRecord.create(record.topic(), message.sagaId(), message.encode())));
            }
          }
        }
      });
      consumer.subscribe(Set.of(Topics.commands(OrderApi.SERVICE), Topics.commands(StockApi.SERVICE),
        Topics.commands(PaymentApi.SERVICE), Topics.SAGA_REPLIES));
      assigned.future().await(30, TimeUnit.SECONDS);
      // Until the first fetch positions the consumer at "latest", commands could slip past it.
      Thread.sleep(500);
      return duplicator;
    }

    int duplicated() {
      return duplicated.get();
    }

    /** Sends every recorded command again, newest or oldest first; returns how many the participants answer. */
    int replay(boolean newestFirst) throws Exception {
      List<KafkaProducerRecord<String, String>> records;
      synchronized (recorded) {
        records = new ArrayList<>(recorded);
      }
      if (newestFirst) {
        Collections.reverse(records);
      }
      // One producer keeps each partition's records in the order sent.
      List<Future<?>> sent = new ArrayList<>();
      int answered = 0;
      for (KafkaProducerRecord<String, String> record : records) {
        sent.add(producer.send(record));
        // What follows the pivot is one-way; a partition is applied in order, so later answers show it applied.
        String type = SagaMessage.decode(record.value()).type();
        if (!Set.of(MessageTypes.CONFIRM_STOCK, MessageTypes.CONFIRM_CREDIT, MessageTypes.MARK_ORDER_PAID)
          .contains(type)) {
          answered++;
        }
      }
      Future.all(sent).await(30, TimeUnit.SECONDS);
      return answered;
    }

    /** Sends every reply seen for these sagas to the coordinator again, saga by saga, each in the order seen. */
    void replayReplies(List<String> sagaIds) throws Exception {
      List<Future<?>> sent = new ArrayList<>();
      synchronized (recordedReplies) {
        for (String sagaId : sagaIds) {
          recordedReplies.stream().filter(reply -> reply.sagaId().equals(sagaId)).forEach(reply -> sent.add(
            producer.send(KafkaProducerRecord.create(Topics.SAGA_REPLIES, reply.sagaId(), reply.encode()))));
        }
      }
      assertFalse(sent.isEmpty(), "no reply recorded for " + sagaIds);
      Future.all(sent).await(30, TimeUnit.SECONDS);
    }

    /** Waits until {@code count} commands were recorded. */
    void awaitRecorded(int count) throws InterruptedException {
      for (int i = 0; i < 300 && recordedCount() < count; i++) {
        Thread.sleep(50);
      }
      // At least: a command sent again (a saga's backoff) is recorded again.
      assertTrue(recordedCount() >= count, () -> recordedCount() + " commands recorded of " + count);
    }

    private int recordedCount() {
      synchronized (recorded) {
        return recorded.size();
      }
    }

    /** Waits until at least {@code count} replies were seen since {@code since}. */
    void awaitReplies(int since, int count) throws InterruptedException {
      for (int i = 0; i < 300 && replies.get() - since < count; i++) {
        Thread.sleep(50);
      }
      assertTrue(replies.get() - since >= count, "participants answered " + (replies.get() - since) + " of " + count
        + " replayed commands");
    }

    int replies() {
      return replies.get();
    }

    void stop() throws Exception {
      consumer.close().await(30, TimeUnit.SECONDS);
      producer.close().await(30, TimeUnit.SECONDS);
    }
  }
}
