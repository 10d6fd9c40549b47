package dev.sagashop.contracts;

import io.vertx.core.json.JsonObject;

/**
 * Reads the flat configuration every verticle is deployed with. Keys are the environment variable names
 * ({@code MONGO_URL}, {@code GATEWAY_PORT}, ...), so a file and the environment override each other key by key.
 * Values from the environment arrive as text; these readers accept either form.
 */
public final class Settings {

  private Settings() {
  }

  public static String string(JsonObject config, String key, String fallback) {
    Object value = config.getValue(key);
    return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
  }

  public static long number(JsonObject config, String key, long fallback) {
    Object value = config.getValue(key);
    if (value == null || value.toString().isBlank()) {
      return fallback;
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("configuration " + key + " must be a whole number, not '" + value + "'", e);
    }
  }

  public static int integer(JsonObject config, String key, int fallback) {
    return Math.toIntExact(number(config, key, fallback));
  }

  public static boolean flag(JsonObject config, String key, boolean fallback) {
    Object value = config.getValue(key);
    return value == null || value.toString().isBlank() ? fallback : Boolean.parseBoolean(value.toString().trim());
  }
}
