package dev.sagashop.contracts;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SagaMessageTest {

  private final SagaMessage first = SagaMessage.command("s1", 1, MessageTypes.RESERVE_STOCK,
    new JsonObject().put("order_id", "o1"));
  private final SagaMessage second = SagaMessage.oneWay("s2", 3, MessageTypes.MARK_ORDER_PAID,
    new JsonObject().put("order_id", "o2"));

  @Test
  @DisplayName("a batch of messages reads back as the same messages in the same order; one message is its own batch")
  void batchesReadBack() {
    assertEquals(List.of(first, second), SagaMessage.decodeAll(SagaMessage.encodeBatch(
      List.of(first.encode(), second.encode()))));
    assertEquals(List.of(first), SagaMessage.decodeAll(first.encode()));
    assertEquals(first.encode(), SagaMessage.encodeBatch(List.of(first.encode())));
  }

  @Test
  @DisplayName("a record that is not a message or a batch of them is refused")
  void malformedIsRefused() {
    for (String text : List.of("not json", "{}", "{\"messages\": 5}", "{\"messages\": [{\"saga_id\": \"s1\"}]}",
      "{\"messages\": [" + first.encode() + ", 7]}")) {
      assertThrows(IllegalArgumentException.class, () -> SagaMessage.decodeAll(text), text);
    }
  }
}
