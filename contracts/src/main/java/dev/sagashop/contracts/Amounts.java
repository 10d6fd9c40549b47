package dev.sagashop.contracts;

/**
 * Amounts, prices, stock and credit are non-negative 64-bit integers. Parsing refuses signs, fractions, exponents
 * and anything beyond {@link Long#MAX_VALUE}; arithmetic refuses overflow instead of wrapping.
 */
public final class Amounts {

  /** Bounds one batch_init request, so a typo cannot ask for a billion records; bigger sets take several calls. */
  public static final long MAX_BATCH = 1_000_000;

  private Amounts() {
  }

  /** Parses a path parameter as a non-negative 64-bit integer, or throws a 400 naming it. */
  public static long parse(String name, String text) {
    if (text == null || text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw outOfRange(name);
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw outOfRange(name);
    }
  }

  /** Like {@link #parse} but also refuses 0. */
  public static long parsePositive(String name, String text) {
    long value = parse(name, text);
    if (value == 0) {
      throw ServiceException.badRequest(name + " must be at least 1");
    }
    return value;
  }

  /** Like {@link #parse} but also refuses values above {@code max}. */
  public static long parseAtMost(String name, String text, long max) {
    long value = parse(name, text);
    if (value > max) {
      throw ServiceException.badRequest(name + " must be at most " + max);
    }
    return value;
  }

  public static long add(long a, long b, String what) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw ServiceException.badRequest(what + " would exceed " + Long.MAX_VALUE);
    }
  }

  public static long multiply(long a, long b, String what) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw ServiceException.badRequest(what + " would exceed " + Long.MAX_VALUE);
    }
  }

  /** Reads a required non-negative long from a JSON field of a service request. */
  public static long field(io.vertx.core.json.JsonObject body, String name) {
    Object value = body.getValue(name);
    if (!(value instanceof Long || value instanceof Integer) || ((Number) value).longValue() < 0) {
      throw ServiceException.badRequest(name + " must be a non-negative 64-bit integer");
    }
    return ((Number) value).longValue();
  }

  private static ServiceException outOfRange(String name) {
    return ServiceException.badRequest(name + " must be a whole number from 0 to " + Long.MAX_VALUE);
  }
}
