package dev.sagashop.stock;

import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.StockApi;
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

/** The stock service: items with a price and a stock level, in its own database. */
public class StockVerticle extends VerticleBase {

  static final String ITEMS = "items";

  private MongoClient mongo;
  private MongoClient sagaMongo;
  private Participant participant;
  private Operations operations;
  private BalanceOperations items;

  @Override
  public Future<?> start() {
    mongo = ServiceMongo.client(vertx, config(), StockApi.SERVICE);
    sagaMongo = ServiceMongo.sagaClient(vertx, config(), StockApi.SERVICE);
    BalanceStore store = new BalanceStore(mongo, ITEMS, "stock", "item");
    items = new BalanceOperations(store, "item_id");
    Lifeline lifeline = new Lifeline(StockApi.SERVICE, config(), ServiceMongo.DEPENDENCY_AWAY);
    operations = Operations.on(vertx).supervisedBy(lifeline)
      .handle(StockApi.CREATE, this::create)
      .handle(StockApi.FIND, items.find(StockVerticle::view))
      .handle(StockApi.ADD, items.add())
      .handle(StockApi.SUBTRACT, items.subtract())
      .handle(StockApi.BATCH_INIT, this::batchInit)
      .handle(StockApi.HEALTH, request -> ServiceMongo.ping(mongo, StockApi.SERVICE));
    return operations.registered()
      .compose(registered -> Participant.start(vertx, config(), lifeline, new HoldCommands(store.holds(sagaMongo),
        MessageTypes.RESERVE_STOCK, MessageTypes.RELEASE_STOCK, MessageTypes.CONFIRM_STOCK, Checkout::quantities)))
      .onSuccess(started -> participant = started);
  }

  @Override
  public Future<?> stop() {
    return operations.close()
      .eventually(() -> participant == null ? Future.succeededFuture() : participant.stop())
      .eventually(mongo::close)
      .eventually(sagaMongo::close);
  }

  private Future<JsonObject> create(JsonObject request) {
    String id = Ids.newId();
    JsonObject item = new JsonObject().put("_id", id).put("stock", 0L).put("price", Amounts.field(request, "price"));
    return mongo.insert(ITEMS, item).map(done -> new JsonObject().put("item_id", id));
  }

  private Future<JsonObject> batchInit(JsonObject request) {
    long stock = Amounts.field(request, "starting_stock");
    long price = Amounts.field(request, "item_price");
    return items.batchInit(Amounts.field(request, "n"), id -> new JsonObject().put("stock", stock).put("price", price));
  }

  private static JsonObject view(JsonObject item) {
    return new JsonObject()
      .put("item_id", item.getString("_id"))
      .put("stock", item.getLong("stock"))
      .put("price", item.getLong("price"));
  }
}
