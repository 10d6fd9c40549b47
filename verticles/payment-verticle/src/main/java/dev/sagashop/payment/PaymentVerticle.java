package dev.sagashop.payment;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.service.BalanceOperations;
import dev.sagashop.service.BalanceStore;
import dev.sagashop.service.HoldCommands;
import dev.sagashop.messaging.supervision.Lifeline;
import dev.sagashop.messaging.supervision.Operations;
import dev.sagashop.service.ServiceMongo;
import dev.sagashop.messaging.Participant;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;

import java.util.Map;

/** The payment service: users and their credit, in its own database. */
public class PaymentVerticle extends VerticleBase {

  static final String USERS = "users";

  private MongoClient mongo;
  private MongoClient sagaMongo;
  private Participant participant;
  private Operations operations;
  private BalanceOperations users;

  @Override
  public Future<?> start() {
    mongo = ServiceMongo.client(vertx, config(), PaymentApi.SERVICE);
    sagaMongo = ServiceMongo.sagaClient(vertx, config(), PaymentApi.SERVICE);
    BalanceStore store = new BalanceStore(mongo, USERS, "credit", "user");
    users = new BalanceOperations(store, "user_id");
    Lifeline lifeline = new Lifeline(PaymentApi.SERVICE, config(), ServiceMongo.DEPENDENCY_AWAY);
    operations = Operations.on(vertx).supervisedBy(lifeline)
      .handle(PaymentApi.CREATE_USER, this::createUser)
      .handle(PaymentApi.FIND_USER, users.find(PaymentVerticle::view))
      .handle(PaymentApi.ADD_FUNDS, users.add())
      .handle(PaymentApi.PAY, users.subtract())
      .handle(PaymentApi.BATCH_INIT, this::batchInit)
      .handle(PaymentApi.HEALTH, request -> ServiceMongo.ping(mongo, PaymentApi.SERVICE));
    return operations.registered()
      .compose(registered -> Participant.start(vertx, config(), lifeline, new HoldCommands(store.holds(sagaMongo),
        MessageTypes.CHARGE_CREDIT, MessageTypes.REFUND_CREDIT, MessageTypes.CONFIRM_CREDIT, checkout -> Map.of(checkout.userId(), checkout.totalCost()))))
      .onSuccess(started -> participant = started);
  }

  @Override
  public Future<?> stop() {
    return operations.close()
      .eventually(() -> participant == null ? Future.succeededFuture() : participant.stop())
      .eventually(mongo::close)
      .eventually(sagaMongo::close);
  }

  private Future<JsonObject> createUser(JsonObject request) {
    String id = Ids.newId();
    return mongo.insert(USERS, new JsonObject().put("_id", id).put("credit", 0L))
      .map(done -> new JsonObject().put("user_id", id));
  }

  private Future<JsonObject> batchInit(JsonObject request) {
    long money = Amounts.field(request, "starting_money");
    return users.batchInit(Amounts.field(request, "n"), id -> new JsonObject().put("credit", money));
  }

  private static JsonObject view(JsonObject user) {
    return new JsonObject().put("user_id", user.getString("_id")).put("credit", user.getLong("credit"));
  }
}
