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
import dev.sagashop.saga.journal.JournalPruner;
import dev.sagashop.saga.journal.SagaQuery;
import dev.sagashop.messaging.DeadLetters;
import dev.sagashop.messaging.KafkaProbe;
import dev.sagashop.messaging.KafkaSettings;
import dev.sagashop.messaging.MessageLoop;
import dev.sagashop.messaging.SagaMdc;
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
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The saga execution coordinator. Consumes checkout requests and participants' replies, and for each poll:
 * runs them through the engine, journals the resulting transitions in one MySQL transaction, and only then sends
 * the commands those transitions call for and commits the poll. Sagas live in memory while unfinished; the
 * instance that owns a partition of {@code saga.replies} owns the sagas whose messages land there, and on gaining
 * a partition it loads them from the journal and re-sends what they wait on. Several instances share the work
 * through the consumer group. A saga that hears nothing for a while has its pending command re-sent, with backoff.
 * A confirming saga is complete once Kafka has acknowledged its confirmations; that is journalled with the next poll
 * (or shortly, when none comes), and until then a restart finds it confirming and delivers them again. A saga
 * before its pivot that hears nothing within the step deadline compensates. An operator's abort or retry reaches
 * the owner as a message on the saga's partition, so it is handled in turn with the saga's replies. The owner of
 * partition 0 also deletes finished sagas past the journal's retention ({@link JournalPruner}).
 */
public class SagaCoordinatorVerticle extends VerticleBase {

  public static final String GROUP = "saga-coordinator";
  private static final long COMPLETE_WITHIN_MS = 20;
  private static final Duration STATS_WINDOW = Duration.ofHours(1);
  /**
   * The journal's retention is applied every minute (a minute's finished sagas at a time, not an hour's in one
   * burst), by whichever instance holds partition 0.
   */
  private static final long PRUNE_EVERY_MS = 60_000;

  private static final Logger log = LoggerFactory.getLogger(SagaCoordinatorVerticle.class);

  private final SagaEngine engine = new SagaEngine(CheckoutSaga.DEFINITION);
  private final Map<String, SagaState> active = new HashMap<>();
  private final Completions completions = new Completions();
  /**
   * Per partition of the replies topic this instance owns: records below this offset may have been handled before —
   * by the member that had the partition, or by this one before a rewind — so a checkout they start is checked
   * against the journal first. Above it, a CheckoutStarted (sent once per saga, after its order was locked) starts a
   * saga no one has seen.
   */
  private final Map<Integer, Long> handledBelow = new HashMap<>();
  /** Journal lines of transitions that sent nothing, to be written with the saga's next transition. */
  private final Map<String, List<JournalEntry>> unjournalled = new HashMap<>();
  private long completionTimer = -1;
  private final String owner = "sec-" + Ids.newId().substring(0, 8);
  private final SagaMetrics metrics = new SagaMetrics(active);
  private Journal journal;
  private SagaProducer producer;
  private MessageLoop loop;
  private KafkaConsumer<String, String> consumer;
  private Duration resendAfter;
  private Duration stepDeadline;
  /**
   * Polls, deadlines, completions and recoveries change sagas one at a time: each starts once the one before is
   * journalled.
   */
  private Future<?> turn = Future.succeededFuture();
  private long resendTimer;
  private long pruneTimer;
  private boolean kafkaUp = true;
  private KafkaProbe kafka;
  private Operations operations;

  @Override
  public Future<?> start() {
    resendAfter = Duration.ofMillis(Settings.millis(config(), ConfigKeys.SAGA_RESEND_AFTER_MS, 5_000));
    stepDeadline = Duration.ofMillis(Settings.millis(config(), ConfigKeys.STEP_DEADLINE_MS, 180_000));
    producer = new SagaProducer(vertx, config());
    kafka = new KafkaProbe(vertx, config());
    return Journal.open(vertx, config(), owner)
      .compose(opened -> {
        journal = opened;
        operations = Operations.on(vertx)
          .handle(SagaApi.FIND, request -> journal.find(Ids.require("saga_id", request.getString("saga_id"))))
          .handle(SagaApi.FIND_BY_ORDER,
            request -> journal.findByOrder(Ids.require("order_id", request.getString("order_id"))))
          .handle(SagaApi.QUERY, request -> journal.query(SagaQuery.parse(request), Instant.now(), stepDeadline))
          .handle(SagaApi.STATS, this::stats)
          .handle(SagaApi.ABORT, request -> admin(request, MessageTypes.ADMIN_ABORT))
          .handle(SagaApi.RETRY, request -> admin(request, MessageTypes.ADMIN_RETRY))
          .handle(SagaApi.HEALTH, request -> health());
        return operations.registered();
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
        resendTimer = vertx.setPeriodic(1_000, tick -> inTurn(this::tick));
        JournalPruner pruner = new JournalPruner(vertx, config(), journal);
        pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, tick -> {
          if (handledBelow.containsKey(0)) {
            pruner.pass(Instant.now());
          }
        });
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(resendTimer);
    vertx.cancelTimer(pruneTimer);
    vertx.cancelTimer(completionTimer);
    metrics.close();
    Future<Void> stopped = (operations == null ? Future.<Void>succeededFuture() : operations.close())
      .eventually(() -> loop == null ? Future.succeededFuture() : loop.stop());
    return stopped.eventually(producer::close).eventually(kafka::close)
      .eventually(() -> journal == null ? Future.succeededFuture() : journal.close());
  }

  private void assigned(Set<TopicPartition> partitions) {
    List<Integer> numbers = partitions.stream().map(TopicPartition::getPartition).toList();
    // Until the end offsets are known, every checkout on these partitions is checked.
    numbers.forEach(partition -> handledBelow.put(partition, Long.MAX_VALUE));
    // In turn, so the journal is read after any write still in flight (from before a revocation of these same
    // partitions) has landed, and batches that follow wait for the sagas to be loaded.
    inTurn(() -> consumer.endOffsets(partitions).compose(ends -> {
      ends.forEach((partition, end) -> handledBelow.computeIfPresent(partition.getPartition(), (p, was) -> end));
      return journal.unfinished(numbers);
    }).compose(states -> {
      List<Command> pending = new ArrayList<>();
      Instant now = Instant.now();
      for (SagaState state : states) {
        active.put(state.sagaId(), state.resent(now));
        pending.addAll(engine.pending(state));
        try (SagaMdc about = SagaMdc.of(state.sagaId(), state.step())) {
          log.info("saga={} recovered in {} at step {}; re-sending what it waits on", state.sagaId(), state.status(),
            state.step());
        }
      }
      return send(states, pending);
    }).onFailure(failure -> log.error("could not recover the sagas of partitions {}", numbers, failure))
      // A failed recovery must not wedge the loop: the re-send timer keeps trying the sagas it did load.
      .recover(failure -> Future.succeededFuture()));
  }

  private void revoked(Set<TopicPartition> partitions) {
    Set<Integer> numbers = new HashSet<>();
    partitions.forEach(partition -> numbers.add(partition.getPartition()));
    active.values().removeIf(state -> numbers.contains(state.partition()));
    completions.forget(numbers);
    unjournalled.keySet().retainAll(active.keySet());
    handledBelow.keySet().removeAll(numbers);
  }

  /**
   * Whether this instance owns the sagas of a partition. A revocation may come while a write is in flight (a poll's,
   * a deadline's, a completion's): the states that write brings back must not stay here, where their re-send and
   * deadline timers would act on sagas the new owner runs, nor may replies of those sagas handled after it be
   * applied. (The write's own commands still go out, as a frozen coordinator's late ones would.)
   */
  private boolean owns(int partition) {
    return handledBelow.containsKey(partition);
  }

  /** Runs {@code work} once every change to the sagas started before it is done. */
  private <T> Future<T> inTurn(Supplier<Future<T>> work) {
    Future<T> done = turn.transform(previous -> work.get());
    turn = done;
    return done;
  }

  private Future<Future<Void>> handle(List<KafkaConsumerRecord<String, String>> records) {
    return inTurn(() -> {
      List<Received> received = new ArrayList<>(records.size());
      Set<String> toLookUp = new LinkedHashSet<>();
      for (KafkaConsumerRecord<String, String> record : records) {
        try {
          boolean seenBefore = record.offset() < handledBelow.getOrDefault(record.partition(), Long.MAX_VALUE);
          for (SagaMessage message : SagaMessage.decodeAll(record.value())) {
            String unjournallable = startsCheckout(message) ? unjournallable(message, record.value()) : null;
            if (unjournallable != null) {
              // Its first row would fail the poll's whole transaction, again on every retry, holding every saga.
              String reason = "saga " + message.sagaId() + ": " + unjournallable;
              log.error("dead-lettering {}", reason);
              received.add(new Received(null, record.partition()));
              DeadLetters.send(producer, message, reason);
              continue;
            }
            received.add(new Received(message, record.partition()));
            boolean inactive = !active.containsKey(message.sagaId());
            if (inactive && (startsCheckout(message)
              ? seenBefore || !MessageTypes.CHECKOUT_STARTED.equals(message.type()) : engine.freshEffect(message))) {
              toLookUp.add(message.sagaId());
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
      return journal.statusesOf(toLookUp).compose(statuses -> apply(received, statuses));
    });
  }

  private static boolean isAdmin(SagaMessage message) {
    return MessageTypes.ADMIN_ABORT.equals(message.type()) || MessageTypes.ADMIN_RETRY.equals(message.type());
  }

  /**
   * An operator's abort (compensates a saga not past its pivot) or retry (re-sends what it waits on now, the backoff
   * starting over); the request is journalled either way, with whether it took effect.
   */
  private Transition adminAction(SagaState current, SagaMessage message, Instant now, List<JournalEntry> entries) {
    boolean abort = MessageTypes.ADMIN_ABORT.equals(message.type());
    String by = message.payload().getString("by", "an operator");
    String event = abort ? "ABORT_REQUESTED" : "RETRY_REQUESTED";
    if (current == null) {
      entries.add(new JournalEntry(message.sagaId(), SagaEngine.SAGA, event, "by " + by + "; not taken: finished", now));
      return null;
    }
    if (abort) {
      Transition aborted = engine.abort(current, event, "aborted by an operator: " + by, now).orElse(null);
      if (aborted == null) {
        entries.add(new JournalEntry(message.sagaId(), SagaEngine.SAGA, event, "by " + by + "; not taken: "
          + current.status() + (current.status() == Status.CONFIRMING ? ", past the pivot" : ""), now));
      }
      return aborted;
    }
    try (SagaMdc about = SagaMdc.of(current.sagaId(), current.step())) {
      log.info("saga={} re-sending what it waits on at {}'s request", current.sagaId(), by);
    }
    return new Transition(current.retried(now), engine.pending(current),
      List.of(new JournalEntry(current.sagaId(), SagaEngine.SAGA, event, "by " + by, now)));
  }

  /** Why a saga asked for by {@code message} cannot have a journal row, or null if it can. */
  private String unjournallable(SagaMessage message, String carriedIn) {
    String keyField = engine.definition().keyField();
    if (!(message.payload().getValue(keyField) instanceof String key) || !Ids.isValid(key)) {
      return "no valid " + keyField + " in its payload";
    }
    return Journal.holds(message.payload(), carriedIn) ? null : "a payload larger than the journal holds";
  }

  private static boolean startsCheckout(SagaMessage message) {
    return MessageTypes.CHECKOUT_STARTED.equals(message.type()) || MessageTypes.CHECKOUT_REQUESTED.equals(message.type());
  }

  /**
   * Runs the batch through the engine and journals the transitions (durable: the next batch may be handled); the
   * batch may be committed once the undoing of late effects, which no saga state tracks, is acknowledged.
   * {@code inJournal} holds the status of each saga the batch starts or has a fresh effect for while none is active.
   */
  private Future<Future<Void>> apply(List<Received> received, Map<String, Status> inJournal) {
    Instant now = Instant.now();
    Changes changes = completeDelivered(now);
    List<Command> undos = new ArrayList<>();
    for (Received in : received) {
      SagaMessage message = in.message();
      if (message == null || !owns(in.partition())) {
        continue;
      }
      SagaState current = changes.states.containsKey(message.sagaId()) ? changes.states.get(message.sagaId())
        : active.get(message.sagaId());
      Transition transition = null;
      if (startsCheckout(message)) {
        if (current == null && !inJournal.containsKey(message.sagaId())) {
          transition = engine.start(message.sagaId(), message.payload(), in.partition(), now);
          metrics.started();
        }
      } else if (isAdmin(message)) {
        transition = adminAction(current, message, now, changes.entries);
      } else {
        transition = current == null ? null : engine.onReply(current, message, now).orElse(null);
        if (transition != null) {
          metrics.replied(current, engine.definition().step(message.step()).name(), message, now);
        } else if (current != null || inJournal.get(message.sagaId()) != Status.COMPLETED) {
          // A saga is journalled COMPLETED once Kafka holds its confirmations, which settle it at its participants
          // (their ledgers refuse its actions from then on): a reply saying one was applied is a copy read again (a
          // partition gained, a rewind), and its compensation would find nothing to undo.
          SagaState saga = current;
          engine.undoLateEffect(current, message).ifPresent(undo -> {
            undos.add(undo);
            changes.entries.add(new JournalEntry(message.sagaId(), engine.definition().step(message.step()).name(),
              "LATE_EFFECT_UNDONE", undo.message().type(), now));
            try (SagaMdc about = SagaMdc.of(message.sagaId(), message.step())) {
              log.warn("saga={} step={} was applied again after the saga moved on ({}); sending {}", message.sagaId(),
                message.step(), saga == null ? "finished" : saga.status(), undo.message().type());
            }
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
          metrics.finished(state, Instant.now());
          try (SagaMdc about = SagaMdc.of(state.sagaId(), null)) {
            log.debug("saga={} {}{}", state.sagaId(), state.status(), state.reason() == null ? "" : ": " + state.reason());
          }
        } else if (owns(state.partition())) {
          active.put(state.sagaId(), state);
        }
      }
    });
  }

  /**
   * Sends the commands made from these (journalled) states; confirming sagas whose confirmations went out are
   * complete.
   */
  private Future<Void> send(Collection<SagaState> states, List<Command> commands) {
    Completions.Send send = Completions.sending(states);
    return deliver(commands)
      .onSuccess(sent -> {
        kafkaUp = true;
        completions.acknowledged(send, active);
        if (!completions.isEmpty() && completionTimer < 0) {
          // Normally the next poll journals the completions; this is for when none comes.
          completionTimer = vertx.setTimer(COMPLETE_WITHIN_MS, timer -> inTurn(() -> {
            completionTimer = -1;
            Changes changes = completeDelivered(Instant.now());
            if (changes.entries.isEmpty()) {
              return Future.succeededFuture();
            }
            return journal(changes).onFailure(failure -> log.warn("could not journal {} completed sagas; their "
              + "confirmations will be delivered again: {}", changes.states.size(), failure.toString()));
          }));
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
    completions.take().forEach(state -> changes.add(engine.delivered(state, now)));
    return changes;
  }

  /**
   * Compensates the sagas whose stage before the pivot is past its deadline (journalled first, like any transition),
   * and re-sends what other silent sagas wait on: after {@code resendAfter}, then doubling up to a minute.
   */
  private Future<Void> tick() {
    Instant now = Instant.now();
    Changes expired = new Changes();
    for (SagaState state : active.values()) {
      engine.deadlinePassed(state, stepDeadline, now).ifPresent(transition -> {
        try (SagaMdc about = SagaMdc.of(state.sagaId(), state.step())) {
          log.warn("saga={} {}; compensating", state.sagaId(), transition.state().reason());
        }
        expired.add(transition);
      });
    }
    if (expired.entries.isEmpty()) {
      resendStalled(now);
      return Future.succeededFuture();
    }
    return journal(expired).map(journalled -> {
      send(expired.states.values(), expired.commands);
      resendStalled(now);
      return null;
    });
  }

  private void resendStalled(Instant now) {
    List<Command> pending = new ArrayList<>();
    List<SagaState> resent = new ArrayList<>();
    for (SagaState state : List.copyOf(active.values())) {
      Duration wait = resendAfter.multipliedBy(1L << Math.min(state.attempts(), 4));
      if (Duration.between(state.sentAt(), now).compareTo(wait) >= 0) {
        try (SagaMdc about = SagaMdc.of(state.sagaId(), state.step())) {
          log.info("saga={} heard nothing for {} ms in {} at step {}; re-sending", state.sagaId(), wait.toMillis(),
            state.status(), state.step());
        }
        active.put(state.sagaId(), state.resent(now));
        resent.add(state);
        List<Command> commands = engine.pending(state);
        pending.addAll(commands);
        // Written with the saga's next transition: a re-send changes nothing a recovery would need.
        List<JournalEntry> lines = unjournalled.computeIfAbsent(state.sagaId(), id -> new ArrayList<>());
        commands.forEach(command -> lines.add(new JournalEntry(state.sagaId(),
          engine.definition().step(command.message().step()).name(), "RESENT", command.message().type(), now)));
      }
    }
    if (!pending.isEmpty()) {
      metrics.resent(pending.size());
      send(resent, pending);
    }
  }

  /**
   * Checks an operator's request against the journal (404 unknown, 409 if it cannot apply) and hands it to the
   * saga's owner through the saga's partition; the owner journals it and what it did.
   */
  private Future<JsonObject> admin(JsonObject request, String type) {
    String sagaId = Ids.require("saga_id", request.getString("saga_id"));
    boolean abort = MessageTypes.ADMIN_ABORT.equals(type);
    return journal.find(sagaId).compose(saga -> {
      Status status = Status.valueOf(saga.getString("status"));
      if (status.finished()) {
        return Future.failedFuture(ServiceException.conflict("saga " + sagaId + " is " + status + " already"));
      }
      if (abort && status != Status.RUNNING) {
        return Future.failedFuture(ServiceException.conflict("saga " + sagaId + " is " + status
          + (status == Status.CONFIRMING ? ": past its pivot it can only go forward" : " already")));
      }
      JsonObject payload = new JsonObject().put("by", request.getString("by", "an operator"));
      return producer.send(Topics.SAGA_REPLIES, new SagaMessage(sagaId, 0, type, Ids.newId(), payload))
        .map(sent -> new JsonObject().put("saga_id", sagaId).put("requested", abort ? "abort" : "retry")
          .put("status", status.name()));
    });
  }

  /** Counts over {@code since} (default: an hour before {@code until}) to {@code until} (default: now). */
  private Future<JsonObject> stats(JsonObject request) {
    for (String name : request.fieldNames()) {
      if (!name.equals("since") && !name.equals("until")) {
        throw ServiceException.badRequest("unknown parameter " + name + "; known: since, until");
      }
    }
    Instant now = Instant.now();
    Instant until = Objects.requireNonNullElse(SagaQuery.time("until", request.getString("until")), now);
    Instant since = Objects.requireNonNullElse(SagaQuery.time("since", request.getString("since")),
      until.minus(STATS_WINDOW));
    if (since.isAfter(until)) {
      throw ServiceException.badRequest("since must not be after until");
    }
    return journal.stats(since, until, now);
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
