package dev.sagashop.launcher;

import dev.sagashop.bench.ShopClient;
import dev.sagashop.bench.ShopClient.Reply;
import dev.sagashop.contracts.LoopbackPorts;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.UUID;

/**
 * One whole shop — every role, embedded Kafka, Mongo-protocol and MariaDB servers — started once per test JVM on
 * loopback and shared by the in-process system tests, which keep to records they create themselves.
 */
final class TestShop {

  /** Long past any pause of a participant that other tests make, short enough to wait out in one. */
  static final long STEP_DEADLINE_MS = 20_000;
  static final String ADMIN_TOKEN = "test-admin-token";

  private static Shop shop;
  private static ShopClient client;

  private TestShop() {
  }

  static synchronized Shop shop() {
    if (shop == null) {
      try {
        Path data = Files.createDirectories(Path.of("target", "test-shop", UUID.randomUUID().toString()));
        JsonObject config = new JsonObject()
          .put("DATA_DIR", data.toString())
          .put("GATEWAY_HOST", "127.0.0.1")
          .put("GATEWAY_PORT", LoopbackPorts.orFree(0))
          .put("GATEWAY_INSTANCES", 2)
          .put("SAGA_RESEND_AFTER_MS", 2000)
          .put("STEP_DEADLINE_MS", STEP_DEADLINE_MS)
          .put("ADMIN_TOKEN", ADMIN_TOKEN)
          // The fault switch exists in test configuration only.
          .put("FAULTS_ENABLED", true);
        shop = Shop.start(config, EnumSet.copyOf(Role.all()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            shop.close();
          } catch (Exception e) {
            e.printStackTrace();
          }
        }));
      } catch (Exception e) {
        throw new IllegalStateException("the test shop did not start", e);
      }
    }
    return shop;
  }

  static synchronized ShopClient client() {
    if (client == null) {
      client = new ShopClient(shop().vertx(), "http://127.0.0.1:" + shop().gatewayPort(), 256, 60_000);
    }
    return client;
  }

  static Reply post(String path) {
    return client().await(client().post(path));
  }

  static Reply get(String path) {
    return client().await(client().get(path));
  }
}
