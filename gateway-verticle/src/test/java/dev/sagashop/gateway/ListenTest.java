package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How the gateway's and the role servers' HTTP server stops: a real server and client on loopback. */
class ListenTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private record Answer(int status, String connection, String body) {
  }

  private static Future<Answer> get(HttpClient client, int port) {
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/slow")
      .compose(request -> request.send())
      .compose(response -> response.body()
        .map(body -> new Answer(response.statusCode(), response.getHeader("Connection"), body.toString())));
  }

  @Test
  @DisplayName("a draining server answers the request in flight, telling its client to close the connection, and "
    + "takes no new connection")
  void drainAnswersWhatIsInFlight() {
    AtomicInteger arrivals = new AtomicInteger();
    Promise<Void> secondArrived = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/slow").handler(ctx -> {
      if (arrivals.incrementAndGet() == 2) {
        secondArrived.complete();
      }
      vertx.setTimer(500, timer -> ctx.json(new JsonObject().put("answered", true)));
    });
    Listen listen = Listen.on(vertx, router, new JsonObject().put(ConfigKeys.GATEWAY_HOST, "127.0.0.1")
      .put(ConfigKeys.GATEWAY_PORT, 0), ConfigKeys.GATEWAY_PORT, 8000).await();
    HttpClient client = vertx.createHttpClient();

    assertNull(get(client, listen.port()).await().connection(), "before the drain a connection may be kept");
    Future<Answer> inFlight = get(client, listen.port());
    secondArrived.future().await();
    Future<Void> drained = listen.drain();

    Answer answer = inFlight.await();
    assertEquals(200, answer.status());
    assertEquals("close", answer.connection());
    assertEquals(new JsonObject().put("answered", true), new JsonObject(answer.body()));
    drained.await();
    Exception refused = assertThrows(Exception.class, () -> get(vertx.createHttpClient(), listen.port()).await());
    assertInstanceOf(ConnectException.class, refused.getCause() == null ? refused : refused.getCause(),
      refused::toString);
  }
}
