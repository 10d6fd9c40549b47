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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A saga participant: consumes its command topic, applies each command through the service's handler and replies
 * to the coordinator. A batch is committed only after its effects are durable and its replies acknowledged, so a
 * crash anywhere means redelivery, which handlers make harmless. A poll is applied in rounds of at most one command
 * per saga, each round in one call (so the service can batch its database work), one saga's commands in order.
 *
 * <p>A message that cannot be parsed, or whose command the handler throws on, goes to the dead-letter topic with the
 * reason (and, when it names a saga, a FAILED reply), instead of being retried forever.
 */
public final class Participant {

  /** Applies commands to the service's data; replies are sent once their effects are durable. */
  public interface CommandHandler {
    /**
     * Throws {@link IllegalArgumentException} for a command that can never be applied (malformed payload, unknown
     * type): it is dead-lettered and answered FAILED instead of retried.
     */
    void validate(SagaMessage command);

    /** Applies commands of distinct sagas together; completes with their replies, in the same order. */
    Future<List<SagaMessage>> apply(List<SagaMessage> commands);
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

  /**
   * Splits the batch into rounds holding at most one command per saga (a saga's later command waits for the round
   * after its earlier one), applies each round as one call, and sends every reply.
   */
  private Future<Future<Void>> handle(List<KafkaConsumerRecord<String, String>> records) {
    List<List<SagaMessage>> rounds = new ArrayList<>();
    Map<String, Integer> roundOfSaga = new HashMap<>();
    List<SagaMessage> failed = new ArrayList<>();
    List<Future<Void>> deadLetters = new ArrayList<>();
    for (KafkaConsumerRecord<String, String> record : records) {
      SagaMessage command;
      try {
        command = SagaMessage.decode(record.value());
      } catch (IllegalArgumentException malformed) {
        deadLetters.add(DeadLetters.send(producer, record, malformed.getMessage()));
        continue;
      }
      try {
        handler.validate(command);
      } catch (RuntimeException poison) {
        log.error("{}: saga={} step={} {} cannot be applied; dead-lettered: {}", service, command.sagaId(),
          command.step(), command.type(), poison.toString());
        deadLetters.add(DeadLetters.send(producer, command, poison.toString()));
        failed.add(command.reply(Outcome.FAILED, command.type() + " cannot be applied: " + poison.getMessage()));
        continue;
      }
      int round = roundOfSaga.merge(command.sagaId(), 0, (previous, zero) -> previous + 1);
      if (round == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(round).add(command);
    }
    Future<List<SagaMessage>> replies = Future.all(deadLetters).map(sent -> new ArrayList<>(failed));
    for (List<SagaMessage> round : rounds) {
      replies = replies.compose(sofar -> handler.apply(round).map(answered -> {
        sofar.addAll(answered);
        return sofar;
      }));
    }
    // Effects are durable once every round is applied; the batch may be committed once its replies are acknowledged.
    return replies.map(all ->
      producer.sendAll(all.stream().map(reply -> new Outgoing(Topics.SAGA_REPLIES, reply)).toList()));
  }
}
