package dev.sagashop.saga.journal;

import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.saga.engine.SagaState.Status;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * A search of the journal's sagas, newest first, from the raw parameters of {@code GET /sagas}; each is checked
 * here, and a bad one is a 400. Pages follow an opaque cursor: the creation time and id of the last saga shown.
 */
public record SagaQuery(Status status, String orderId, String reason, Instant since, Instant until, int limit,
                        Cursor after) {

  public static final Set<String> PARAMETERS = Set.of("status", "order_id", "reason", "since", "until", "limit",
    "after");
  public static final int MAX_LIMIT = 500;
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_REASON = 200;

  /** Where a page ended: the next page holds the sagas older than this one. */
  public record Cursor(long createdAtMillis, String sagaId) {

    public String encode() {
      return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAtMillis + ":" + sagaId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        String sagaId = plain.substring(colon + 1);
        if (colon <= 0 || !Ids.isValid(sagaId)) {
          throw new IllegalArgumentException(plain);
        }
        return new Cursor(Long.parseLong(plain.substring(0, colon)), sagaId);
      } catch (IllegalArgumentException | IndexOutOfBoundsException malformed) {
        throw ServiceException.badRequest("after must be the cursor a previous page gave as next");
      }
    }
  }

  /** The parameters as the gateway passed them on: strings, any of them absent. */
  public static SagaQuery parse(JsonObject params) {
    for (String name : params.fieldNames()) {
      if (!PARAMETERS.contains(name)) {
        throw ServiceException.badRequest("unknown parameter " + name + "; known: " + String.join(", ",
          PARAMETERS.stream().sorted().toList()));
      }
    }
    String status = params.getString("status");
    String orderId = params.getString("order_id");
    String reason = params.getString("reason");
    if (reason != null && (reason.isEmpty() || reason.length() > MAX_REASON)) {
      throw ServiceException.badRequest("reason must be 1 to " + MAX_REASON + " characters (the start of a reason)");
    }
    Instant since = time("since", params.getString("since"));
    Instant until = time("until", params.getString("until"));
    if (since != null && until != null && since.isAfter(until)) {
      throw ServiceException.badRequest("since must not be after until");
    }
    String after = params.getString("after");
    return new SagaQuery(status == null ? null : status(status),
      orderId == null ? null : Ids.require("order_id", orderId), reason, since, until, limit(params.getString("limit")),
      after == null ? null : Cursor.decode(after));
  }

  /** An instant in ISO-8601 ({@code 2026-12-05T10:00:00Z}) or epoch milliseconds. */
  public static Instant time(String name, String text) {
    if (text == null) {
      return null;
    }
    try {
      return text.chars().allMatch(Character::isDigit) && !text.isEmpty() && text.length() <= 15
        ? Instant.ofEpochMilli(Long.parseLong(text)) : Instant.parse(text);
    } catch (DateTimeException | NumberFormatException malformed) {
      throw ServiceException.badRequest(name + " must be an ISO-8601 instant (2026-12-05T10:00:00Z) or epoch "
        + "milliseconds, not '" + text + "'");
    }
  }

  private static Status status(String text) {
    try {
      return Status.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      throw ServiceException.badRequest("status must be one of " + Arrays.toString(Status.values())
        + ", not '" + text + "'");
    }
  }

  private static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException malformed) {
      // reported below
    }
    throw ServiceException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
  }
}
