package dev.sagashop.contracts;

import java.util.HexFormat;
import java.util.UUID;

/**
 * Ids are short strings of letters, digits, '-' and '_'. Anything else (dots, '$', spaces, braces) is refused
 * before it gets near a database query or a document field name.
 */
public final class Ids {

  public static final int MAX_LENGTH = 64;
  private static final HexFormat HEX = HexFormat.of();

  private Ids() {
  }

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  /**
   * A unique id that sorts, as a string, by the time it was made (to the millisecond, by this machine's clock) and
   * after every {@link #newId()} id, whose first character is a hex digit: {@code s}, 12 hex digits of the epoch
   * millisecond, {@code -}, 32 random hex digits. Saga ids are these, because a document's hold ledger forgets the
   * oldest sagas first and refuses what it has forgotten.
   */
  public static String newOrderedId() {
    UUID random = UUID.randomUUID();
    return "s" + HEX.toHexDigits(System.currentTimeMillis()).substring(4) + "-"
      + HEX.toHexDigits(random.getMostSignificantBits()) + HEX.toHexDigits(random.getLeastSignificantBits());
  }

  /** {@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}}, checked by hand: it runs for every id of every message. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || !letterOrDigit(id.charAt(0))) {
      return false;
    }
    for (int i = 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!letterOrDigit(c) && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  private static boolean letterOrDigit(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }

  /** Returns the id, or throws a 400 naming the parameter. */
  public static String require(String name, String id) {
    if (!isValid(id)) {
      throw ServiceException.badRequest(name + " must be 1-" + MAX_LENGTH
        + " letters, digits, '-' or '_' (starting with a letter or digit)");
    }
    return id;
  }
}
