package dev.sagashop.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Clients of every gateway, as a load balancer with retries in front of them: each request goes to the gateway with
 * the fewest requests outstanding (ties in turn), so one that hangs gets no new requests while another answers, and
 * a request that a dead gateway could not take is retried by its caller on the next.
 */
final class Gateways {

  private record Gateway(ShopClient client, AtomicInteger outstanding) {
  }

  private final List<Gateway> all;
  private final AtomicInteger turn = new AtomicInteger();

  Gateways(Vertx vertx, List<String> urls, int connections, long timeoutMs) {
    this.all = urls.stream().map(url -> new Gateway(new ShopClient(vertx, url, connections, timeoutMs),
      new AtomicInteger())).toList();
  }

  Future<ShopClient.Reply> get(String path) {
    return send(client -> client.get(path));
  }

  Future<ShopClient.Reply> post(String path) {
    return send(client -> client.post(path));
  }

  Future<Integer> postForStatus(String path) {
    return send(client -> client.postForStatus(path));
  }

  private <T> Future<T> send(Function<ShopClient, Future<T>> request) {
    int first = Math.floorMod(turn.getAndIncrement(), all.size());
    Gateway chosen = all.get(first);
    for (int at = 1; at < all.size(); at++) {
      Gateway candidate = all.get((first + at) % all.size());
      if (candidate.outstanding().get() < chosen.outstanding().get()) {
        chosen = candidate;
      }
    }
    Gateway gateway = chosen;
    gateway.outstanding().incrementAndGet();
    return request.apply(gateway.client()).andThen(done -> gateway.outstanding().decrementAndGet());
  }

  /** The first client whose gateway answers. */
  ShopClient live() {
    for (Gateway gateway : all) {
      try {
        if (gateway.client().await(gateway.client().get("/health/live")).status() == 200) {
          return gateway.client();
        }
      } catch (Exception down) {
        // try the next gateway
      }
    }
    throw new IllegalStateException("no gateway answers");
  }

  void close() {
    all.forEach(gateway -> gateway.client().close());
  }
}
