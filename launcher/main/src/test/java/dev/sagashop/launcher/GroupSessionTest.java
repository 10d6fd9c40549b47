package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.LoopbackPorts;
import dev.sagashop.messaging.GroupSession;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The consumer groups' session timeout: how long a SIGKILLed replica's partitions stand still. */
class GroupSessionTest {

  @Test
  @DisplayName("against a broker that allows short sessions (the embedded one), consumers ask for 3 s, and the shop "
    + "runs with that")
  void shortWhereTheBrokerAllows() throws Exception {
    JsonObject config = TestShop.shop().config().copy();
    config.remove(ConfigKeys.KAFKA_SESSION_TIMEOUT_MS);
    assertEquals(3_000L, GroupSession.resolve(TestShop.shop().vertx(), config).await(30, TimeUnit.SECONDS));
    assertEquals(3_000L, TestShop.shop().config().getLong(ConfigKeys.KAFKA_SESSION_TIMEOUT_MS));
  }

  @Test
  @DisplayName("a session timeout that is set is used as it is; a broker that will not say gets a stock broker's "
    + "minimum, 6 s")
  void setOrStock() throws Exception {
    JsonObject config = TestShop.shop().config().copy().put(ConfigKeys.KAFKA_SESSION_TIMEOUT_MS, 4_500);
    assertEquals(4_500L, GroupSession.resolve(TestShop.shop().vertx(), config).await(30, TimeUnit.SECONDS));
    JsonObject nobody = new JsonObject().put(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS,
      "127.0.0.1:" + LoopbackPorts.orFree(0));
    assertEquals(6_000L, GroupSession.resolve(TestShop.shop().vertx(), nobody).await(60, TimeUnit.SECONDS));
  }
}
