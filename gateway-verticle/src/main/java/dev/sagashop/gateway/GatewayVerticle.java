package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Amounts;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.OrderApi;
import dev.sagashop.contracts.PaymentApi;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.contracts.StockApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The public HTTP API (docs/API.md). It validates every parameter, composes service calls where one route needs
 * two services, and answers every error as JSON {@code {"error": ...}} with a 4xx for the caller's mistakes.
 * It knows routes and contracts only — never a service's storage.
 */
public class GatewayVerticle extends VerticleBase {


  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private ServiceClient services;
  private long requestTimeoutMs;
  private DeliveryOptions checkoutDeadline;
  private Readiness readiness;
  private CheckoutGate checkoutGate;
  private Listen listen;

  @Override
  public Future<?> start() {
    services = new ServiceClient(vertx, config());
    requestTimeoutMs = Settings.millis(config(), ConfigKeys.REQUEST_TIMEOUT_MS, 10_000);
    checkoutDeadline = new DeliveryOptions()
      .setSendTimeout(Settings.millis(config(), ConfigKeys.CHECKOUT_TIMEOUT_MS, 60_000));
    readiness = new Readiness(vertx, services, List.of(OrderApi.SERVICE, StockApi.SERVICE, PaymentApi.SERVICE,
      SagaApi.SERVICE));
    checkoutGate = new CheckoutGate(vertx, services);
    Router router = Router.router(vertx);

    router.post("/stock/item/create/:price").handler(this::createItem);
    router.post("/stock/batch_init/:n/:starting_stock/:item_price").handler(this::batchInitStock);
    router.get("/stock/find/:item_id").handler(this::findItem);
    router.post("/stock/add/:item_id/:amount").handler(this::addStock);
    router.post("/stock/subtract/:item_id/:amount").handler(this::subtractStock);

    router.post("/payment/create_user").handler(this::createUser);
    router.post("/payment/batch_init/:n/:starting_money").handler(this::batchInitUsers);
    router.get("/payment/find_user/:user_id").handler(this::findUser);
    router.post("/payment/add_funds/:user_id/:amount").handler(this::addFunds);
    router.post("/payment/pay/:user_id/:amount").handler(this::pay);

    router.post("/orders/create/:user_id").handler(this::createOrder);
    router.post("/orders/batch_init/:n/:n_items/:n_users/:item_price").handler(this::batchInitOrders);
    router.get("/orders/find/:order_id").handler(this::findOrder);
    router.post("/orders/addItem/:order_id/:item_id/:quantity").handler(this::addItem);
    router.post("/orders/checkout/:order_id").handler(this::checkout);

    router.get("/sagas").handler(this::querySagas);
    router.get("/sagas/stats").handler(this::sagaStats);
    router.get("/sagas/:saga_id").handler(this::findSaga);
    AdminGuard admin = new AdminGuard(config());
    router.post("/sagas/:saga_id/retry").handler(admin::check).handler(ctx -> adminAction(ctx, SagaApi.RETRY));
    router.post("/sagas/:saga_id/abort").handler(admin::check).handler(ctx -> adminAction(ctx, SagaApi.ABORT));
    // The saga inspector: static files from the jar, calling the routes above.
    router.getWithRegex("/ui").handler(ctx -> ctx.redirect("/ui/"));
    router.get("/ui/*").handler(StaticHandler.create("webroot/ui"));
    router.get("/orders/:order_id/saga").handler(this::findSagaOfOrder);

    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(readiness::handle);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());

    router.route().failureHandler(HttpErrors::fail);
    router.errorHandler(404, ctx -> HttpErrors.error(ctx, 404,
      "no route " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.error(ctx, 405, "method " + ctx.request().method() + " not allowed on "
      + ctx.request().path()));

    return Listen.on(vertx, router, config(), ConfigKeys.GATEWAY_PORT, 8000).onSuccess(listening -> listen = listening);
  }

  @Override
  public Future<?> stop() {
    // The services' clients stay until the requests in flight have their answers.
    return (listen == null ? Future.<Void>succeededFuture() : listen.drain()).eventually(() -> {
      checkoutGate.close();
      services.close();
      return Future.succeededFuture();
    });
  }

  private void createItem(RoutingContext ctx) {
    reply(ctx, services.call(StockApi.CREATE, new JsonObject().put("price", amount(ctx, "price"))));
  }

  private void batchInitStock(RoutingContext ctx) {
    batchInit(ctx, StockApi.BATCH_INIT, new JsonObject()
      .put("starting_stock", amount(ctx, "starting_stock"))
      .put("item_price", amount(ctx, "item_price")));
  }

  private void findItem(RoutingContext ctx) {
    reply(ctx, services.call(StockApi.FIND, ids(ctx, "item_id")));
  }

  private void addStock(RoutingContext ctx) {
    reply(ctx, services.call(StockApi.ADD, ids(ctx, "item_id").put("amount", amount(ctx, "amount"))));
  }

  private void subtractStock(RoutingContext ctx) {
    reply(ctx, services.call(StockApi.SUBTRACT, ids(ctx, "item_id").put("amount", amount(ctx, "amount"))));
  }

  private void createUser(RoutingContext ctx) {
    reply(ctx, services.call(PaymentApi.CREATE_USER, new JsonObject()));
  }

  private void batchInitUsers(RoutingContext ctx) {
    batchInit(ctx, PaymentApi.BATCH_INIT, new JsonObject().put("starting_money", amount(ctx, "starting_money")));
  }

  private void findUser(RoutingContext ctx) {
    reply(ctx, services.call(PaymentApi.FIND_USER, ids(ctx, "user_id")));
  }

  private void addFunds(RoutingContext ctx) {
    reply(ctx, services.call(PaymentApi.ADD_FUNDS, ids(ctx, "user_id").put("amount", amount(ctx, "amount"))));
  }

  private void pay(RoutingContext ctx) {
    reply(ctx, services.call(PaymentApi.PAY, ids(ctx, "user_id").put("amount", amount(ctx, "amount"))));
  }

  /** The user must exist; the payment service is the one that knows. */
  private void createOrder(RoutingContext ctx) {
    JsonObject user = ids(ctx, "user_id");
    reply(ctx, services.call(PaymentApi.FIND_USER, user).compose(found -> services.call(OrderApi.CREATE, user)));
  }

  private void batchInitOrders(RoutingContext ctx) {
    batchInit(ctx, OrderApi.BATCH_INIT, new JsonObject()
      .put("n_items", amount(ctx, "n_items"))
      .put("n_users", amount(ctx, "n_users"))
      .put("item_price", amount(ctx, "item_price")));
  }

  private void findOrder(RoutingContext ctx) {
    reply(ctx, services.call(OrderApi.FIND, ids(ctx, "order_id")));
  }

  /** An item's cost is its price when added, which the stock service knows. */
  private void addItem(RoutingContext ctx) {
    JsonObject request = ids(ctx, "order_id", "item_id")
      .put("quantity", Amounts.parsePositive("quantity", ctx.pathParam("quantity")));
    reply(ctx, services.call(StockApi.FIND, new JsonObject().put("item_id", request.getString("item_id")))
      .compose(item -> services.call(OrderApi.ADD_ITEM, request.put("price", item.getLong("price")))));
  }

  /** 200 once the order is paid, stock taken and credit charged; 4xx with the reason if it cannot be. */
  private void checkout(RoutingContext ctx) {
    JsonObject order = ids(ctx, "order_id");
    reply(ctx, checkoutGate.admit().compose(open -> services.call(OrderApi.CHECKOUT, order, checkoutDeadline)));
  }

  private void findSaga(RoutingContext ctx) {
    reply(ctx, services.call(SagaApi.FIND, ids(ctx, "saga_id")));
  }

  private void querySagas(RoutingContext ctx) {
    reply(ctx, services.call(SagaApi.QUERY, queryParameters(ctx)));
  }

  private void sagaStats(RoutingContext ctx) {
    reply(ctx, services.call(SagaApi.STATS, queryParameters(ctx)));
  }

  /** 202: the saga's owner takes the action in turn with the saga's replies, and its journal shows it. */
  private void adminAction(RoutingContext ctx, String operation) {
    JsonObject request = ids(ctx, "saga_id").put("by", "admin@" + ctx.request().remoteAddress().hostAddress());
    services.call(operation, request)
      .onSuccess(accepted -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
        .end(accepted.toBuffer()))
      .onFailure(ctx::fail);
  }

  /** The query string as {name: value}; a parameter given twice is a 400 (the saga service checks the rest). */
  private static JsonObject queryParameters(RoutingContext ctx) {
    JsonObject parameters = new JsonObject();
    for (String name : ctx.queryParams().names()) {
      List<String> values = ctx.queryParams().getAll(name);
      if (values.size() > 1) {
        throw ServiceException.badRequest("parameter " + name + " given " + values.size() + " times");
      }
      parameters.put(name, values.get(0));
    }
    return parameters;
  }

  private void findSagaOfOrder(RoutingContext ctx) {
    reply(ctx, services.call(SagaApi.FIND_BY_ORDER, ids(ctx, "order_id")));
  }

  private void live(RoutingContext ctx) {
    ctx.json(new JsonObject().put("status", "UP"));
  }

  private static JsonObject ids(RoutingContext ctx, String... names) {
    JsonObject request = new JsonObject();
    for (String name : names) {
      request.put(name, Ids.require(name, ctx.pathParam(name)));
    }
    return request;
  }

  private static long amount(RoutingContext ctx, String name) {
    return Amounts.parse(name, ctx.pathParam(name));
  }

  /** A batch_init of {@code n} records, with a deadline that grows with {@code n}. */
  private void batchInit(RoutingContext ctx, String operation, JsonObject request) {
    long n = Amounts.parseAtMost("n", ctx.pathParam("n"), Amounts.MAX_BATCH);
    reply(ctx, services.call(operation, request.put("n", n),
      new DeliveryOptions().setSendTimeout(ServiceClient.batchTimeoutMs(requestTimeoutMs, n))));
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> result) {
    result.onSuccess(ctx::json).onFailure(ctx::fail);
  }
}
