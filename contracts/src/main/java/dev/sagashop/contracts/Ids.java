package dev.sagashop.contracts;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Ids are short strings of letters, digits, '-' and '_'. Anything else (dots, '$', spaces, braces) is refused
 * before it gets near a database query or a document field name.
 */
public final class Ids {

  public static final int MAX_LENGTH = 64;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0," + (MAX_LENGTH - 1) + "}");

  private Ids() {
  }

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
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
