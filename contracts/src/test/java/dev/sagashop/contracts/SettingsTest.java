package dev.sagashop.contracts;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SettingsTest {

  private static String refusal(JsonObject config, String key) {
    return assertThrows(IllegalArgumentException.class, () -> Settings.port(config, key, 8000)).getMessage();
  }

  @Test
  @DisplayName("a number comes as text from the environment or as a number from a file; absent or blank: the default")
  void readsEitherForm() {
    JsonObject config = new JsonObject().put("A", "8123").put("B", 8124).put("C", " ");
    assertEquals(8123, Settings.port(config, "A", 8000));
    assertEquals(8124, Settings.port(config, "B", 8000));
    assertEquals(8000, Settings.port(config, "C", 8000));
    assertEquals(8000, Settings.port(config, "D", 8000));
  }

  @Test
  @DisplayName("a value out of its range, not whole, or not a number is refused naming the key")
  void refusesWhatItCannotUse() {
    assertEquals("configuration GATEWAY_PORT must be from 0 to 65535, not 99999",
      refusal(new JsonObject().put("GATEWAY_PORT", "99999"), "GATEWAY_PORT"));
    assertEquals("configuration GATEWAY_PORT must be from 0 to 65535, not -1",
      refusal(new JsonObject().put("GATEWAY_PORT", -1), "GATEWAY_PORT"));
    assertEquals("configuration GATEWAY_PORT must be a whole number, not '80.5'",
      refusal(new JsonObject().put("GATEWAY_PORT", 80.5), "GATEWAY_PORT"));
    assertEquals("configuration GATEWAY_PORT must be a whole number, not 'http'",
      refusal(new JsonObject().put("GATEWAY_PORT", "http"), "GATEWAY_PORT"));
    assertEquals("configuration GATEWAY_PORT must be a whole number, not '99999999999999999999'",
      refusal(new JsonObject().put("GATEWAY_PORT", "99999999999999999999"), "GATEWAY_PORT"));
    assertEquals("configuration CHECKOUT_TIMEOUT_MS must be at least 1, not 0", assertThrows(
      IllegalArgumentException.class, () -> Settings.millis(new JsonObject().put("CHECKOUT_TIMEOUT_MS", "0"),
        "CHECKOUT_TIMEOUT_MS", 60_000)).getMessage());
  }
}
