package dev.sagashop.bench;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients of every gateway, taken in turn for each request, as a load balancer with retries would: a request that a
 * dead gateway could not take is retried, and the retry goes to the next one.
 */
final class Gateways {

  private final List<ShopClient> all;
  private final AtomicInteger turn = new AtomicInteger();

  Gateways(Vertx vertx, List<String> urls, int connections, long timeoutMs) {
    this.all = urls.stream().map(url -> new ShopClient(vertx, url, connections, timeoutMs)).toList();
  }

  ShopClient next() {
    return all.get(Math.floorMod(turn.getAndIncrement(), all.size()));
  }

  /** The first client whose gateway answers. */
  ShopClient live() {
    for (ShopClient client : all) {
      try {
        if (client.await(client.get("/health/live")).status() == 200) {
          return client;
        }
      } catch (Exception down) {
        // try the next gateway
      }
    }
    throw new IllegalStateException("no gateway answers");
  }

  void close() {
    all.forEach(ShopClient::close);
  }
}
