package dev.sagashop.order;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.contracts.Topics;
import dev.sagashop.messaging.KafkaProbe;
import dev.sagashop.messaging.KafkaSettings;
import dev.sagashop.messaging.Participant;
import dev.sagashop.messaging.SagaProducer;
import dev.sagashop.messaging.supervision.Lifeline;
import dev.sagashop.messaging.supervision.Operations;
import dev.sagashop.service.ServiceMongo;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The order service: orders and their items, in its own database. */
public class OrderVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(OrderVerticle.class);
  /** Concurrent addItem calls on one order retry their conditional update this often before answering 409. */
  private static final int ADD_ITEM_ATTEMPTS = 8;

  private MongoClient mongo;
  private MongoClient sagaMongo;
  private OrderStore orders;
  private SagaProducer producer;
  private Checkouts checkouts;
  private Participant participant;
  private KafkaConsumer<String, String> outcomes;
  private long sweepTimer;
  private KafkaProbe kafka;
  private Operations operations;

  @Override
  public Future<?> start() {
    mongo = ServiceMongo.client(vertx, config(), OrderApi.SERVICE);
    orders = new OrderStore(mongo);
    sagaMongo = ServiceMongo.sagaClient(vertx, config(), OrderApi.SERVICE);
    String instance = OrderApi.SERVICE + "-" + Ids.newId().substring(0, 8);
    producer = new SagaProducer(vertx, config());
    boolean broadcast = Settings.flag(config(), ConfigKeys.ORDER_OUTCOME_BROADCAST, false);
    checkouts = new Checkouts(orders, new CheckoutLocks(orders, ServiceMongo.timeoutMs(config())),
      new OrderStore(sagaMongo), producer, broadcast);
    kafka = new KafkaProbe(vertx, config());
    Lifeline lifeline = new Lifeline(OrderApi.SERVICE, config(), ServiceMongo.DEPENDENCY_AWAY);
    operations = Operations.on(vertx).supervisedBy(lifeline)
      .handle(OrderApi.CREATE, this::create)
      .handle(OrderApi.FIND, this::find)
      .handle(OrderApi.ADD_ITEM, this::addItem)
      .handle(OrderApi.BATCH_INIT, this::batchInit)
      .handle(OrderApi.CHECKOUT, request -> checkouts.checkout(Ids.require("order_id", request.getString("order_id"))))
      // A checkout needs Kafka as well as the database: readiness (and the gateway's checkout gate) say so.
      .handle(OrderApi.HEALTH, request -> ServiceMongo.ping(mongo, OrderApi.SERVICE)
        .compose(database -> kafka.check().map(database::mergeIn)));
    return operations.registered()
      .compose(registered -> broadcast ? listenForOutcomes(instance) : Future.<Void>succeededFuture())
      .compose(listening -> Participant.start(vertx, config(), lifeline, checkouts))
      .onSuccess(started -> {
        participant = started;
        sweepTimer = vertx.setPeriodic(Checkouts.READ_BACK_AFTER.toMillis() / 2, tick -> checkouts.sweep());
        checkouts.recover().onFailure(failure -> log.warn("could not re-announce locked orders", failure));
      });
  }

  /** Every replica reads every outcome (a group of its own, from now on): it may hold the caller's request. */
  private Future<Void> listenForOutcomes(String instance) {
    Map<String, String> settings = KafkaSettings.consumer(config(), instance + "-outcomes", instance);
    settings.put("auto.offset.reset", "latest");
    settings.put("enable.auto.commit", "true");
    outcomes = KafkaConsumer.create(vertx, settings);
    Timer heard = Timer.builder(Meters.OUTCOME_HEARD)
      .description("From a checkout outcome's broadcast to its answer on the order replica holding the caller")
      .register(Meters.registry());
    outcomes.handler(record -> {
      try {
        for (SagaMessage settled : SagaMessage.decodeAll(record.value())) {
          if (checkouts.onBroadcast(settled)) {
            heard.record(Math.max(0, System.currentTimeMillis() - record.timestamp()), TimeUnit.MILLISECONDS);
          }
        }
      } catch (RuntimeException malformed) {
        log.warn("ignoring a malformed checkout outcome: {}", malformed.getMessage());
      }
    });
    return outcomes.subscribe(Topics.ORDER_OUTCOMES);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    Future<Void> closed = operations.close();
    checkouts.abandon();
    return closed
      .eventually(() -> participant == null ? Future.succeededFuture() : participant.stop())
      .eventually(() -> outcomes == null ? Future.succeededFuture() : outcomes.close())
      .eventually(producer::close)
      .eventually(kafka::close)
      .eventually(mongo::close)
      .eventually(sagaMongo::close);
  }

  private Future<JsonObject> create(JsonObject request) {
    Order order = Order.open(Ids.newId(), Ids.require("user_id", request.getString("user_id")));
    return orders.insert(order).map(done -> new JsonObject().put("order_id", order.id()));
  }

  private Future<JsonObject> find(JsonObject request) {
    return orders.find(Ids.require("order_id", request.getString("order_id"))).map(Order::toApi);
  }

  private Future<JsonObject> addItem(JsonObject request) {
    String orderId = Ids.require("order_id", request.getString("order_id"));
    String itemId = Ids.require("item_id", request.getString("item_id"));
    long quantity = Amounts.field(request, "quantity");
    if (quantity == 0) {
      throw ServiceException.badRequest("quantity must be at least 1");
    }
    long price = Amounts.field(request, "price");
    return addItem(orderId, itemId, quantity, price, 1).map(Order::toApi);
  }

  private Future<Order> addItem(String orderId, String itemId, long quantity, long price, int attempt) {
    return orders.find(orderId).compose(order -> {
      if (order.status() != Order.Status.OPEN) {
        return Future.failedFuture(ServiceException.conflict("order " + orderId + (order.status() == Order.Status.PAID
          ? " is already paid" : " is being checked out") + "; items can no longer be added"));
      }
      Order changed = order.withItem(itemId, quantity, price);
      return orders.replaceIfUnchanged(changed, order.version()).compose(stored -> {
        if (stored) {
          return Future.succeededFuture(changed);
        }
        if (attempt < ADD_ITEM_ATTEMPTS) {
          return addItem(orderId, itemId, quantity, price, attempt + 1);
        }
        return Future.failedFuture(ServiceException.conflict("order " + orderId + " is being changed concurrently"));
      });
    });
  }

  /** Orders "0".."n-1", each for a random user holding two random items (quantity 1 each). */
  private Future<JsonObject> batchInit(JsonObject request) {
    long n = Amounts.field(request, "n");
    long items = Amounts.field(request, "n_items");
    long users = Amounts.field(request, "n_users");
    long price = Amounts.field(request, "item_price");
    if (n > Amounts.MAX_BATCH) {
      throw ServiceException.badRequest("n must be at most " + Amounts.MAX_BATCH);
    }
    if (n > 0 && (items == 0 || users == 0)) {
      throw ServiceException.badRequest("n_items and n_users must be at least 1");
    }
    return orders.replaceAll(n, i -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      return Order.open(Long.toString(i), Long.toString(random.nextLong(users)))
        .withItem(Long.toString(random.nextLong(items)), 1, price)
        .withItem(Long.toString(random.nextLong(items)), 1, price);
    }).map(done -> new JsonObject().put("msg", "Batch init for " + n + " orders successful"));
  }
}
