package dev.sagashop.messaging;

import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.contracts.Topics;
import dev.sagashop.messaging.supervision.Lifeline;
import dev.sagashop.messaging.SagaProducer.Outgoing;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * A saga participant: consumes its command topic, applies each command through the service's handler and replies
 * to the coordinator. A batch is committed only after its effects are durable and its replies acknowledged, so a
 * crash anywhere means redelivery, which handlers make harmless. A poll is applied in rounds of at most one command
 * per saga, each round in one call (so the service can batch its database work), one saga's commands in order.
 *
 * <p>A message that cannot be parsed or validated goes to the dead-letter topic with the reason (and, when it names
 * a saga, a FAILED reply, so the saga compensates) instead of being retried forever. A command the handler fails on
 * with a bug rather than an unreachable database crashes the verticle (let it crash: the supervisor redeploys it
 * and Kafka redelivers); after {@value #MAX_ATTEMPTS} such crashes the command is dead-lettered and answered FAILED.
 * Redelivered suspects are applied one command at a time, so a poison command takes no innocent one with it.
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

  static final int MAX_ATTEMPTS = 3;

  private static final Logger log = LoggerFactory.getLogger(Participant.class);
  /**
   * Crashes per command (service:saga:step:type). Per process, so the count outlives the instances it crashed;
   * dead-lettered commands stay here, a handful at most, so that their copies are dead-lettered too.
   */
  private static final Map<String, Integer> ATTEMPTS = new ConcurrentHashMap<>();

  private final String service;
  private final CommandHandler handler;
  private final SagaProducer producer;
  private final Lifeline lifeline;
  private MessageLoop loop;

  private Participant(String service, CommandHandler handler, SagaProducer producer, Lifeline lifeline) {
    this.service = service;
    this.handler = handler;
    this.producer = producer;
    this.lifeline = lifeline;
  }

  /** Joins the {@code <service>-participants} consumer group on {@code saga.<service>.commands}. */
  public static Future<Participant> start(Vertx vertx, JsonObject config, Lifeline lifeline, CommandHandler handler) {
    String service = lifeline.service();
    Participant participant = new Participant(service, handler, new SagaProducer(vertx, config),
      lifeline);
    lifeline.onCrash(participant::stop);
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx,
      KafkaSettings.consumer(config, service + "-commands", group(service)));
    return MessageLoop.start(vertx, service + " participant", consumer, List.of(Topics.commands(service)),
        participant::handle)
      .map(loop -> {
        participant.loop = loop;
        return participant;
      });
  }

  /** The consumer group of a service's participants. */
  public static String group(String service) {
    return service + "-participants";
  }

  public Future<Void> stop() {
    return (loop == null ? Future.<Void>succeededFuture() : loop.stop()).eventually(producer::close);
  }

  /** Applies a round; a bug (not an unreachable dependency) crashes the verticle and counts against its commands. */
  private Future<List<SagaMessage>> apply(List<SagaMessage> round) {
    Future<List<SagaMessage>> applied;
    try {
      lifeline.trip();
      applied = handler.apply(round);
    } catch (RuntimeException bug) {
      applied = Future.failedFuture(bug);
    }
    return applied.andThen(result -> {
      if (result.succeeded()) {
        if (!ATTEMPTS.isEmpty()) {
          round.forEach(command -> ATTEMPTS.remove(key(command)));
        }
      } else if (!lifeline.dependencyAway(result.cause())) {
        round.forEach(command -> ATTEMPTS.merge(key(command), 1, Integer::sum));
        lifeline.crash(result.cause());
      }
    });
  }

  private String key(SagaMessage command) {
    return service + ":" + command.sagaId() + ":" + command.step() + ":" + command.type();
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
    boolean suspects = false;
    List<SagaMessage> commands = new ArrayList<>(records.size());
    for (KafkaConsumerRecord<String, String> record : records) {
      try {
        commands.addAll(SagaMessage.decodeAll(record.value()));
      } catch (IllegalArgumentException malformed) {
        deadLetters.add(DeadLetters.send(producer, record, malformed.getMessage()));
      }
    }
    for (SagaMessage command : commands) {
      try {
        handler.validate(command);
      } catch (RuntimeException poison) {
        try (SagaMdc about = SagaMdc.of(command.sagaId(), command.step())) {
          log.error("{}: saga={} step={} {} cannot be applied; dead-lettered: {}", service, command.sagaId(),
            command.step(), command.type(), poison.toString());
        }
        deadLetters.add(DeadLetters.send(producer, command, poison.toString()));
        answer(failed, command, command.reply(Outcome.FAILED, command.type() + " cannot be applied: "
          + poison.getMessage()));
        continue;
      }
      int attempts = ATTEMPTS.isEmpty() ? 0 : ATTEMPTS.getOrDefault(key(command), 0);
      if (attempts >= MAX_ATTEMPTS) {
        // The count stays: a re-sent copy of this command is answered the same way.
        try (SagaMdc about = SagaMdc.of(command.sagaId(), command.step())) {
          log.error("{}: saga={} step={} {} crashed the service {} times; dead-lettered", service, command.sagaId(),
            command.step(), command.type(), attempts);
        }
        deadLetters.add(DeadLetters.send(producer, command, "crashed the " + service + " service " + attempts + " times"));
        answer(failed, command, command.reply(Outcome.FAILED, command.type() + " could not be applied"));
        continue;
      }
      suspects |= attempts > 0;
      int round = roundOfSaga.merge(command.sagaId(), 0, (previous, zero) -> previous + 1);
      if (round == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(round).add(command);
    }
    if (suspects) {
      rounds = rounds.stream().flatMap(List::stream).map(List::of).toList();
    }
    Future<List<SagaMessage>> replies = Future.all(deadLetters).map(sent -> new ArrayList<>(failed));
    for (List<SagaMessage> round : rounds) {
      replies = replies.compose(sofar -> apply(round).map(answered -> {
        for (int i = 0; i < round.size(); i++) {
          answer(sofar, round.get(i), answered.get(i));
        }
        return sofar;
      }));
    }
    // Effects are durable once every round is applied; the batch may be committed once its replies are acknowledged.
    return replies.map(all -> producer.sendAll(all.stream()
      .map(reply -> new Outgoing(Topics.SAGA_REPLIES, reply)).toList()));
  }

  /** Adds the reply to those to send, unless the command is one-way: then one that did not succeed is only logged. */
  private void answer(List<SagaMessage> replies, SagaMessage command, SagaMessage reply) {
    if (!command.oneWay()) {
      replies.add(reply);
    } else if (reply.outcome() != Outcome.DONE) {
      try (SagaMdc about = SagaMdc.of(reply.sagaId(), reply.step())) {
        log.error("{}: saga={} step={} one-way {} {}: {}", service, reply.sagaId(), reply.step(), command.type(),
          reply.outcome(), reply.reason());
      }
    }
  }
}
