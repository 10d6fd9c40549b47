package dev.sagashop.messaging;

import dev.sagashop.contracts.SagaMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

import java.util.List;

/**
 * Sends saga messages keyed by saga id, so one saga's messages keep their order. Every verticle of a process shares
 * one Kafka producer: one send queue and one network thread instead of one each, and the messages of all of them
 * travel in the same produce requests.
 */
public final class SagaProducer {

  private static final String SHARED = "saga-shop-producer";

  /** A message and where it goes. */
  public record Outgoing(String topic, SagaMessage message) {
  }

  private final KafkaProducer<String, String> producer;

  public SagaProducer(Vertx vertx, JsonObject config) {
    this.producer = KafkaProducer.createShared(vertx, SHARED,
      KafkaSettings.producer(config, SHARED + "-" + ProcessHandle.current().pid()));
  }

  public Future<Void> send(String topic, SagaMessage message) {
    return producer.send(KafkaProducerRecord.create(topic, message.sagaId(), message.encode())).mapEmpty();
  }

  /** Completes once every message is acknowledged by the broker. */
  public Future<Void> sendAll(List<Outgoing> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(messages.stream().map(out -> send(out.topic(), out.message())).toList()).mapEmpty();
  }

  /** Sends a raw record as it is (a dead letter keeps the bytes it came with). */
  public Future<Void> sendRaw(String topic, String key, String value) {
    return producer.send(KafkaProducerRecord.create(topic, key, value)).mapEmpty();
  }

  /** Lets go of the shared producer; it closes with its last user. */
  public Future<Void> close() {
    return producer.close();
  }
}
