package dev.sagashop.launcher;

import dev.sagashop.contracts.ConfigKeys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShopConfigTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("a configuration file overrides the defaults key by key, and the command line overrides it")
  void layers() throws Exception {
    Path file = Files.writeString(dir.resolve("shop.yaml"), "ROLES: order\nGATEWAY_PORT: 8123\n");

    JsonObject config = ShopConfig.load(file.toString(), new JsonObject().put(ConfigKeys.ROLES, "stock"));

    assertEquals("stock", config.getValue(ConfigKeys.ROLES));
    assertEquals(8123, config.getInteger(ConfigKeys.GATEWAY_PORT));
    assertTrue(config.containsKey(ConfigKeys.KAFKA_PARTITIONS), "the defaults are still there: " + config);
  }

  @Test
  @DisplayName("a configuration file that is missing or not YAML is refused, naming it")
  void refusesAnUnreadableFile() throws Exception {
    Path missing = dir.resolve("missing.yaml");
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "ROLES: [order\n");

    assertEquals("cannot read the configuration file " + missing, assertThrows(IllegalArgumentException.class,
      () -> ShopConfig.load(missing.toString(), new JsonObject())).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ShopConfig.load(broken.toString(), new JsonObject()))
      .getMessage().startsWith("the configuration file " + broken + " is not valid YAML: "));
  }
}
