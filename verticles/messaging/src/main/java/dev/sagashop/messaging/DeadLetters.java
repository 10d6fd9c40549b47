package dev.sagashop.messaging;

import dev.sagashop.contracts.Meters;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.Topics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;

/** Puts a message nobody can apply on the dead-letter topic, with where it came from and why. */
public final class DeadLetters {

  private DeadLetters() {
  }

  /** A record that could not even be parsed: its bytes as they came, and where they came from. */
  public static Future<Void> send(SagaProducer producer, KafkaConsumerRecord<String, String> record, String reason) {
    JsonObject letter = new JsonObject()
      .put("reason", reason)
      .put("topic", record.topic())
      .put("partition", record.partition())
      .put("offset", record.offset())
      .put("value", record.value());
    counted(record.topic());
    return producer.sendRaw(Topics.DEAD_LETTERS, record.key(), letter.encode());
  }

  /** A message that could be parsed but not applied. */
  public static Future<Void> send(SagaProducer producer, SagaMessage message, String reason) {
    JsonObject letter = new JsonObject().put("reason", reason).put("value", message.encode());
    counted(message.type());
    return producer.sendRaw(Topics.DEAD_LETTERS, message.sagaId(), letter.encode());
  }

  private static void counted(String what) {
    Meters.registry().counter(Meters.DEAD_LETTERS, "of", what).increment();
  }
}
