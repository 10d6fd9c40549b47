package dev.sagashop.service.messaging;

import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.contracts.Topics;
import dev.sagashop.service.messaging.SagaProducer.Outgoing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saga participant: consumes its command topic, applies each command through the service's handler and replies
 * to the coordinator. A batch is committed only after its effects are durable and its replies acknowledged, so a
 * crash anywhere means redelivery, which handlers make harmless. Commands of one saga are applied in order;
 * different sagas concurrently.
 *
 * <p>A message that cannot be parsed, or whose command the handler throws on, goes to the dead-letter topic with the
 * reason (and, when it names a saga, a FAILED reply), instead of being retried forever.
 */
public final class Participant {

  /** Applies one command; the reply it completes with is sent once its effect is durable. */
  @FunctionalInterface
  public interface CommandHandler {
    Future<SagaMessage> apply(SagaMessage command);
  }

  private static final Logger log = LoggerFactory.getLogger(Participant.class);

  private final String service;
  private final CommandHandler handler;
  private final SagaProducer producer;
  private MessageLoop loop;

  private Participant(String service, CommandHandler handler, SagaProducer producer) {
    this.service = service;
    this.handler = handler;
    this.producer = producer;
  }

  /** Joins the {@code <service>-participants} consumer group on {@code saga.<service>.commands}. */
  public static Future<Participant> start(Vertx vertx, JsonObject config, String service, CommandHandler handler) {
    Participant participant = new Participant(service, handler, new SagaProducer(vertx, config, service + "-replies"));
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx,
      KafkaSettings.consumer(config, service + "-commands", service + "-participants"));
    return MessageLoop.start(vertx, service + " participant", consumer, List.of(Topics.commands(service)),
        participant::handle)
      .map(loop -> {
        participant.loop = loop;
        return participant;
      });
  }

  public Future<Void> stop() {
    return (loop == null ? Future.<Void>succeededFuture() : loop.stop()).eventually(producer::close);
  }

  private Future<Void> handle(List<KafkaConsumerRecord<String, String>> records) {
    Map<String, List<SagaMessage>> bySaga = new LinkedHashMap<>();
    List<Future<Void>> deadLetters = new ArrayList<>();
    for (KafkaConsumerRecord<String, String> record : records) {
      try {
        SagaMessage command = SagaMessage.decode(record.value());
        bySaga.computeIfAbsent(command.sagaId(), id -> new ArrayList<>()).add(command);
      } catch (IllegalArgumentException malformed) {
        deadLetters.add(DeadLetters.send(producer, record, malformed.getMessage()));
      }
    }
    List<Future<List<SagaMessage>>> sagas = new ArrayList<>();
    for (List<SagaMessage> commands : bySaga.values()) {
      sagas.add(applyInOrder(commands));
    }
    return Future.all(deadLetters).compose(sent -> Future.all(sagas)).compose(all -> {
      List<Outgoing> replies = new ArrayList<>();
      for (Future<List<SagaMessage>> saga : sagas) {
        saga.result().forEach(reply -> replies.add(new Outgoing(Topics.SAGA_REPLIES, reply)));
      }
      return producer.sendAll(replies);
    });
  }

  private Future<List<SagaMessage>> applyInOrder(List<SagaMessage> commands) {
    Future<List<SagaMessage>> chain = Future.succeededFuture(new ArrayList<>());
    for (SagaMessage command : commands) {
      chain = chain.compose(replies -> applyOne(command).map(reply -> {
        replies.add(reply);
        return replies;
      }));
    }
    return chain;
  }

  private Future<SagaMessage> applyOne(SagaMessage command) {
    Future<SagaMessage> reply;
    try {
      reply = handler.apply(command);
    } catch (RuntimeException poison) {
      // Thrown before any effect (malformed payload, unknown type): no retry can fix it.
      log.error("{}: saga={} step={} {} cannot be applied; dead-lettered: {}", service, command.sagaId(),
        command.step(), command.type(), poison.toString());
      return DeadLetters.send(producer, command, poison.toString())
        .map(sent -> command.reply(Outcome.FAILED, command.type() + " cannot be applied: " + poison.getMessage()));
    }
    return reply;
  }
}
