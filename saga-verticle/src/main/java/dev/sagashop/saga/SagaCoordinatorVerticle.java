package dev.sagashop.saga;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Ids;
import dev.sagashop.contracts.MessageTypes;
import dev.sagashop.contracts.SagaApi;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.contracts.Settings;
import dev.sagashop.contracts.Topics;
import dev.sagashop.saga.engine.Command;
import dev.sagashop.saga.engine.JournalEntry;
import dev.sagashop.saga.engine.SagaEngine;
import dev.sagashop.saga.engine.SagaState;
import dev.sagashop.saga.engine.SagaState.Status;
import dev.sagashop.saga.engine.Transition;
import dev.sagashop.saga.journal.Journal;
import dev.sagashop.messaging.DeadLetters;
import dev.sagashop.messaging.KafkaProbe;
import dev.sagashop.messaging.KafkaSettings;
import dev.sagashop.messaging.MessageLoop;
import dev.sagashop.messaging.SagaProducer;
import dev.sagashop.messaging.SagaProducer.Outgoing;
import dev.sagashop.messaging.supervision.Operations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The saga execution coordinator. Consumes checkout requests and participants' replies, and for each poll:
 * runs them through the engine, journals the resulting transitions in one MySQL transaction, and only then sends
 * the commands those transitions call for and commits the poll. Sagas live in memory while unfinished; the
 * instance that owns a partition of {@code saga.replies} owns the sagas whose messages land there, and on gaining
 * a partition it loads them from the journal and re-sends what they wait on. Several instances share the work
 * through the consumer group. A saga that hears nothing for a while has its pending command re-sent, with backoff.
 * A confirming saga is complete once Kafka has acknowledged its confirmations; that is journalled with the next poll
 * (or shortly, when none comes), and until then a restart finds it confirming and delivers them again.
 */
public class SagaCoordinatorVerticle extends VerticleBase {

  public static final String GROUP = "saga-coordinator";
  private static final long COMPLETE_WITHIN_MS = 20;

  private static final Logger log = LoggerFactory.getLogger(SagaCoordinatorVerticle.class);

  private final SagaEngine engine = new SagaEngine(CheckoutSaga.DEFINITION);
  private final Map<String, SagaState> active = new HashMap<>();
  /** Confirming sagas whose confirmations Kafka has acknowledged: complete, once journalled so. */
  private final Map<String, SagaState> delivered = new LinkedHashMap<>();
  /**
   * Per partition of the replies topic: records below this offset may have been handled before — by the member
   * that had the partition, or by this one before a rewind — so a checkout they start is checked against the
   * journal first. Above it, a CheckoutStarted (sent once per saga, after its order was locked) starts a saga no
   * one has seen.
   */
  private final Map<Integer, Long> handledBelow = new HashMap<>();
  /** Journal lines of transitions that sent nothing, to be written with the saga's next transition. */
  private final Map<String, List<JournalEntry>> unjournalled = new HashMap<>();
  private long completionTimer = -1;
  private final String owner = "sec-" + Ids.newId().substring(0, 8);
  private Journal journal;
  private SagaProducer producer;
  private MessageLoop loop;
  private KafkaConsumer<String, String> consumer;
  /** Completes when the sagas of every partition assigned so far are loaded; batches wait for it. */
  private Future<Void> recovered = Future.succeededFuture();
  private Duration resendAfter;
  private long resendTimer;
  private boolean kafkaUp = true;
  private KafkaProbe kafka;

  @Override
  public Future<?> start() {
    resendAfter = Duration.ofMillis(Settings.number(config(), ConfigKeys.SAGA_RESEND_AFTER_MS, 5_000));
    producer = new SagaProducer(vertx, config());
    kafka = new KafkaProbe(vertx, config());
    return Journal.open(vertx, config(), owner)
      .compose(opened -> {
        journal = opened;
        return Operations.on(vertx)
          .handle(SagaApi.FIND, request -> journal.find(Ids.require("saga_id", request.getString("saga_id"))))
          .handle(SagaApi.FIND_BY_ORDER,
            request -> journal.findByOrder(Ids.require("order_id", request.getString("order_id"))))
          .handle(SagaApi.HEALTH, request -> health())
          .registered();
      })
      .compose(registered -> {
        consumer = KafkaConsumer.create(vertx, KafkaSettings.consumer(config(), owner, GROUP));
        return MessageLoop.start(vertx, "saga coordinator", consumer, List.of(Topics.SAGA_REPLIES), this::handle,
          new MessageLoop.Rebalance() {
            @Override
            public void assigned(Set<TopicPartition> partitions) {
              SagaCoordinatorVerticle.this.assigned(partitions);
            }

            @Override
            public void revoked(Set<TopicPartition> partitions) {
              SagaCoordinatorVerticle.this.revoked(partitions);
            }
          });
      })
      .onSuccess(started -> {
        loop = started;
        resendTimer = vertx.setPeriodic(1_000, tick -> resendStalled());
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(resendTimer);
    vertx.cancelTimer(completionTimer);
    Future<Void> stopped = loop == null ? Future.succeededFuture() : loop.stop();
    return stopped.eventually(producer::close).eventually(kafka::close)
      .eventually(() -> journal == null ? Future.succeededFuture() : journal.close());
  }

  private void assigned(Set<TopicPartition> partitions) {
    List<Integer> numbers = partitions.stream().map(TopicPartition::getPartition).toList();
    // Until the end offsets are known, every checkout on these partitions is checked.
    numbers.forEach(partition -> handledBelow.put(partition, Long.MAX_VALUE));
    recovered = recovered.compose(done -> consumer.endOffsets(partitions)).compose(ends -> {
      ends.forEach((partition, end) -> handledBelow.computeIfPresent(partition.getPartition(), (p, was) -> end));
      return journal.unfinished(numbers);
    }).compose(states -> {
      List<Command> pending = new ArrayList<>();
      Instant now = Instant.now();
      for (SagaState state : states) {
        active.put(state.sagaId(), state.resent(now));
        pending.addAll(engine.pending(state));
        log.info("saga={} recovered in {} at step {}; re-sending what it waits on", state.sagaId(), state.status(),
          state.step());
      }
      return send(states, pending);
    }).onFailure(failure -> log.error("could not recover the sagas of partitions {}", numbers, failure))
      // A failed recovery must not wedge the loop: the re-send timer keeps trying the sagas it did load.
      .recover(failure -> Future.succeededFuture());
  }

  private void revoked(Set<TopicPartition> partitions) {
    Set<Integer> numbers = new HashSet<>();
    partitions.forEach(partition -> numbers.add(partition.getPartition()));
    active.values().removeIf(state -> numbers.contains(state.partition()));
    delivered.values().removeIf(state -> numbers.contains(state.partition()));
    unjournalled.keySet().retainAll(active.keySet());
    handledBelow.keySet().removeAll(numbers);
  }

  private Future<Future<Void>> handle(List<KafkaConsumerRecord<String, String>> records) {
    return recovered.compose(ready -> {
      List<Received> received = new ArrayList<>(records.size());
      Set<String> newCheckouts = new LinkedHashSet<>();
      for (KafkaConsumerRecord<String, String> record : records) {
        try {
          boolean seenBefore = record.offset() < handledBelow.getOrDefault(record.partition(), Long.MAX_VALUE);
          for (SagaMessage message : SagaMessage.decodeAll(record.value())) {
            received.add(new Received(message, record.partition()));
            if (startsCheckout(message) && !active.containsKey(message.sagaId())
              && (seenBefore || !MessageTypes.CHECKOUT_STARTED.equals(message.type()))) {
              newCheckouts.add(message.sagaId());
            }
          }
        } catch (IllegalArgumentException malformed) {
          log.error("dead-lettering a malformed message at {}-{}@{}: {}", record.topic(), record.partition(),
            record.offset(), malformed.getMessage());
          received.add(new Received(null, record.partition()));
          DeadLetters.send(producer, record, malformed.getMessage());
        }
      }
      for (KafkaConsumerRecord<String, String> record : records) {
        handledBelow.computeIfPresent(record.partition(), (partition, below) -> Math.max(below, record.offset() + 1));
      }
      return journal.known(newCheckouts).compose(known -> apply(received, known));
    });
  }

  private static boolean startsCheckout(SagaMessage message) {
    return MessageTypes.CHECKOUT_STARTED.equals(message.type()) || MessageTypes.CHECKOUT_REQUESTED.equals(message.type());
  }

  /**
   * Runs the batch through the engine and journals the transitions (durable: the next batch may be handled); the
   * batch may be committed once the undoing of late effects, which no saga state tracks, is acknowledged.
   */
  private Future<Future<Void>> apply(List<Received> received, Set<String> alreadyStarted) {
    Instant now = Instant.now();
    Changes changes = completeDelivered(now);
    List<Command> undos = new ArrayList<>();
    for (Received in : received) {
      SagaMessage message = in.message();
      if (message == null) {
        continue;
      }
      SagaState current = changes.states.containsKey(message.sagaId()) ? changes.states.get(message.sagaId())
        : active.get(message.sagaId());
      Transition transition = null;
      if (startsCheckout(message)) {
        if (current == null && !alreadyStarted.contains(message.sagaId())) {
          transition = engine.start(message.sagaId(), message.payload(), in.partition(), now);
        }
      } else {
        transition = current == null ? null : engine.onReply(current, message, now).orElse(null);
        if (transition == null) {
          SagaState saga = current;
          engine.undoLateEffect(current, message).ifPresent(undo -> {
            undos.add(undo);
            changes.entries.add(new JournalEntry(message.sagaId(), engine.definition().step(message.step()).name(),
              "LATE_EFFECT_UNDONE", undo.message().type(), now));
            log.warn("saga={} step={} was applied again after the saga moved on ({}); sending {}", message.sagaId(),
              message.step(), saga == null ? "finished" : saga.status(), undo.message().type());
          });
        }
      }
      if (transition != null) {
        changes.add(transition);
      }
    }
    if (changes.entries.isEmpty()) {
      return Future.succeededFuture(Future.succeededFuture());
    }
    // Write-ahead: the journal holds every transition before any command it leads to is sent.
    return journal(changes).map(journalled -> {
      // Journalled is durable: if a send fails now, the re-send timer (or the next owner's recovery) sends it.
      send(changes.states.values(), changes.commands);
      return deliver(undos);
    });
  }

  /**
   * Journals the changes in one transaction, then makes them the sagas' current states. A transition that sends
   * nothing and ends nothing (one reply of a stage in, another still out) needs no write ahead of it: after a crash
   * the saga sends again what the journal says it waits on, and is answered again. It takes effect at once, and its
   * lines are written with the saga's next transition.
   */
  private Future<Void> journal(Changes changes) {
    Set<String> sending = new HashSet<>();
    changes.commands.forEach(command -> sending.add(command.message().sagaId()));
    Map<String, SagaState> written = new LinkedHashMap<>();
    Set<String> fresh = new HashSet<>();
    for (SagaState state : changes.states.values()) {
      boolean journalled = active.containsKey(state.sagaId());
      if (journalled && !sending.contains(state.sagaId()) && !state.status().finished()) {
        active.put(state.sagaId(), state);
      } else {
        written.put(state.sagaId(), state);
        if (!journalled) {
          fresh.add(state.sagaId());
        }
      }
    }
    List<JournalEntry> lines = new ArrayList<>();
    for (JournalEntry entry : changes.entries) {
      if (changes.states.containsKey(entry.sagaId()) && !written.containsKey(entry.sagaId())) {
        unjournalled.computeIfAbsent(entry.sagaId(), id -> new ArrayList<>()).add(entry);
      } else {
        List<JournalEntry> earlier = unjournalled.remove(entry.sagaId());
        if (earlier != null) {
          lines.addAll(earlier);
        }
        lines.add(entry);
      }
    }
    if (lines.isEmpty()) {
      return Future.succeededFuture();
    }
    return journal.record(written.values(), lines, fresh).onSuccess(journalled -> {
      for (SagaState state : written.values()) {
        if (state.status().finished()) {
          active.remove(state.sagaId());
          log.debug("saga={} {}{}", state.sagaId(), state.status(), state.reason() == null ? "" : ": " + state.reason());
        } else {
          active.put(state.sagaId(), state);
        }
      }
    });
  }

  /** Sends commands of these (journalled) states; confirming sagas whose confirmations went out are complete. */
  private Future<Void> send(Collection<SagaState> states, List<Command> commands) {
    return deliver(commands)
      .onSuccess(sent -> {
        kafkaUp = true;
        for (SagaState state : states) {
          SagaState current = active.get(state.sagaId());
          if (current != null && current.status() == Status.CONFIRMING) {
            delivered.put(current.sagaId(), current);
          }
        }
        if (!delivered.isEmpty() && completionTimer < 0) {
          // Normally the next poll journals the completions; this is for when none comes.
          completionTimer = vertx.setTimer(COMPLETE_WITHIN_MS, timer -> {
            completionTimer = -1;
            Changes changes = completeDelivered(Instant.now());
            if (!changes.entries.isEmpty()) {
              journal(changes).onFailure(failure -> log.warn("could not journal {} completed sagas; their "
                + "confirmations will be delivered again: {}", changes.states.size(), failure.toString()));
            }
          });
        }
      })
      .onFailure(failure -> {
        kafkaUp = false;
        log.warn("could not send {} commands; they will be re-sent: {}", commands.size(), failure.toString());
      });
  }

  /** Sends each command on its participant's command topic; completes once Kafka has acknowledged them all. */
  private Future<Void> deliver(List<Command> commands) {
    return producer.sendAll(commands.stream()
      .map(command -> new Outgoing(Topics.commands(command.participant()), command.message())).toList());
  }

  /** The completions of the sagas whose confirmations are delivered (taken: the caller journals them). */
  private Changes completeDelivered(Instant now) {
    Changes changes = new Changes();
    delivered.values().forEach(state -> changes.add(engine.delivered(state, now)));
    delivered.clear();
    return changes;
  }

  /** Re-sends what silent sagas wait on: after {@code resendAfter}, then doubling up to a minute. */
  private void resendStalled() {
    Instant now = Instant.now();
    List<Command> pending = new ArrayList<>();
    List<SagaState> resent = new ArrayList<>();
    for (SagaState state : List.copyOf(active.values())) {
      Duration wait = resendAfter.multipliedBy(1L << Math.min(state.attempts(), 4));
      if (Duration.between(state.sentAt(), now).compareTo(wait) >= 0) {
        log.info("saga={} heard nothing for {} ms in {} at step {}; re-sending", state.sagaId(), wait.toMillis(),
          state.status(), state.step());
        active.put(state.sagaId(), state.resent(now));
        resent.add(state);
        pending.addAll(engine.pending(state));
      }
    }
    if (!pending.isEmpty()) {
      send(resent, pending);
    }
  }

  private Future<JsonObject> health() {
    return journal.ping()
      .recover(failure -> Future.failedFuture(ServiceException.unavailable("the saga journal (MySQL) is unreachable: "
        + failure.getMessage())))
      .compose(up -> kafka.check())
      .compose(up -> kafkaUp ? Future.succeededFuture(new JsonObject().put("journal", "UP").put("kafka", "UP")
          .put("active_sagas", active.size()))
        : Future.failedFuture(ServiceException.unavailable("Kafka is unreachable: commands are waiting to be sent")));
  }

  /** A message and the partition it came from (null message: a malformed record, already dead-lettered). */
  private record Received(SagaMessage message, int partition) {
  }

  /** What one poll (or one round of completions) does to the sagas: new states, journal lines, commands to send. */
  private static final class Changes {
    final Map<String, SagaState> states = new LinkedHashMap<>();
    final List<JournalEntry> entries = new ArrayList<>();
    final List<Command> commands = new ArrayList<>();

    void add(Transition transition) {
      states.put(transition.state().sagaId(), transition.state());
      entries.addAll(transition.entries());
      commands.addAll(transition.commands());
    }
  }
}
