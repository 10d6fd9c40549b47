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

  /** A whole number from {@code min} to {@code max}; anything else is refused naming the key. */
  public static long number(JsonObject config, String key, long fallback, long min, long max) {
    Object value = config.getValue(key);
    if (value == null || value.toString().isBlank()) {
      return fallback;
    }
    long number;
    if (value instanceof Integer || value instanceof Long) {
      number = ((Number) value).longValue();
    } else {
      try {
        number = Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("configuration " + key + " must be a whole number, not '" + value + "'", e);
      }
    }
    if (number < min || number > max) {
      throw new IllegalArgumentException("configuration " + key + " must be "
        + (max == Long.MAX_VALUE ? "at least " + min : "from " + min + " to " + max) + ", not " + number);
    }
    return number;
  }

  public static int integer(JsonObject config, String key, int fallback, int min, int max) {
    return (int) number(config, key, fallback, min, max);
  }

  /** A TCP port; 0 picks a free one. */
  public static int port(JsonObject config, String key, int fallback) {
    return integer(config, key, fallback, 0, 65_535);
  }

  /** A duration in milliseconds, at least 1. */
  public static long millis(JsonObject config, String key, long fallback) {
    return number(config, key, fallback, 1, Long.MAX_VALUE);
  }

  public static boolean flag(JsonObject config, String key, boolean fallback) {
    Object value = config.getValue(key);
    return value == null || value.toString().isBlank() ? fallback : Boolean.parseBoolean(value.toString().trim());
  }
}
