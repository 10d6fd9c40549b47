package dev.sagashop.contracts;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One message of a saga on Kafka. {@code step} is the index of the saga step it belongs to; {@code messageId} is
 * unique per message sent (a re-send of a pending command gets a new one), for tracing and dead letters. A
 * {@code oneWay} command is not answered: the saga, which decides that, does not wait for it.
 */
public record SagaMessage(String sagaId, int step, String type, String messageId, JsonObject payload, boolean oneWay) {

  private static final String BATCH = "messages";

  public SagaMessage(String sagaId, int step, String type, String messageId, JsonObject payload) {
    this(sagaId, step, type, messageId, payload, false);
  }

  /** How a participant answers a command. */
  public enum Outcome {
    /** Applied (now or by an earlier delivery). */
    DONE,
    /** A business rule refused it; nothing was changed. */
    REFUSED,
    /** It could not be applied at all (malformed, or failed after retries); an operator may have to look. */
    FAILED
  }

  public static SagaMessage command(String sagaId, int step, String type, JsonObject payload) {
    return new SagaMessage(sagaId, step, type, Ids.newId(), payload);
  }

  /** A command whose participant sends no reply. */
  public static SagaMessage oneWay(String sagaId, int step, String type, JsonObject payload) {
    return new SagaMessage(sagaId, step, type, Ids.newId(), payload, true);
  }

  /** The reply to this command. */
  public SagaMessage reply(Outcome outcome, String reason) {
    return reply(outcome, reason, false);
  }

  /**
   * The reply to this command; {@code applied} says this delivery made the change (rather than finding it made),
   * and then the reply carries the command's payload, so a change the saga no longer wanted can be undone.
   */
  public SagaMessage reply(Outcome outcome, String reason, boolean applied) {
    JsonObject body = new JsonObject().put("command", type).put("outcome", outcome.name());
    if (reason != null) {
      body.put("reason", reason);
    }
    if (applied) {
      body.put("applied", true).put("command_payload", payload);
    }
    return new SagaMessage(sagaId, step, MessageTypes.REPLY, Ids.newId(), body);
  }

  /** For a reply: whether the delivery it answers made the change. */
  public boolean applied() {
    return payload.getBoolean("applied", false);
  }

  public Outcome outcome() {
    return Outcome.valueOf(payload.getString("outcome"));
  }

  public String reason() {
    return payload.getString("reason");
  }

  /** Several encoded messages as one Kafka record's value; {@link #decodeAll} reads it back. */
  public static String encodeBatch(List<String> encoded) {
    return encoded.size() == 1 ? encoded.get(0) : "{\"" + BATCH + "\":[" + String.join(",", encoded) + "]}";
  }

  /** The messages of a record: one message, or a batch of them; anything else is an {@link IllegalArgumentException}. */
  public static List<SagaMessage> decodeAll(String text) {
    JsonObject json = parse(text);
    if (!json.containsKey(BATCH)) {
      return List.of(decode(json, text));
    }
    try {
      List<SagaMessage> messages = new ArrayList<>();
      for (Object message : json.getJsonArray(BATCH)) {
        messages.add(decode((JsonObject) message, text));
      }
      return messages;
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("not a batch of saga messages: " + abbreviate(text), e);
    }
  }

  public String encode() {
    JsonObject json = new JsonObject()
      .put("saga_id", sagaId)
      .put("step", step)
      .put("type", type)
      .put("message_id", messageId)
      .put("payload", payload);
    return (oneWay ? json.put("one_way", true) : json).encode();
  }

  /** Parses a message; anything that is not one is refused with an {@link IllegalArgumentException}. */
  public static SagaMessage decode(String text) {
    return decode(parse(text), text);
  }

  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException | NullPointerException e) {
      throw new IllegalArgumentException("not a saga message: " + abbreviate(text), e);
    }
  }

  private static SagaMessage decode(JsonObject json, String text) {
    try {
      String sagaId = json.getString("saga_id");
      String type = json.getString("type");
      Integer step = json.getInteger("step");
      JsonObject payload = json.getJsonObject("payload");
      if (!Ids.isValid(sagaId) || type == null || step == null || step < 0 || payload == null) {
        throw new IllegalArgumentException("not a saga message: " + abbreviate(text));
      }
      return new SagaMessage(sagaId, step, type, json.getString("message_id", ""), payload,
        json.getBoolean("one_way", false));
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("not a saga message: " + abbreviate(text), e);
    }
  }

  private static String abbreviate(String text) {
    return text == null ? "null" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
