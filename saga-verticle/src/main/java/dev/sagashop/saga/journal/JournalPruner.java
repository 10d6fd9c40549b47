package dev.sagashop.saga.journal;

import dev.sagashop.contracts.Meters;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Deletes the journal's completed and aborted sagas once {@link JournalRetention} lets them go, asking again at every
 * pass. One pass at a time; counts what it deleted, and says why when a pass may delete nothing.
 */
public final class JournalPruner {

  /**
   * Sagas one pass deletes at most: a journal that has grown for months before retention was turned on is worked
   * off a pass at a time, not in one long burst of deletes beside the checkouts.
   */
  private static final long MOST_PER_PASS = 200_000;

  private static final Logger log = LoggerFactory.getLogger(JournalPruner.class);

  private final Vertx vertx;
  private final JsonObject config;
  private final Journal journal;
  private final Counter pruned = Counter.builder(Meters.JOURNAL_PRUNED)
    .description("Finished sagas deleted from the journal past its retention").register(Meters.registry());
  private Future<Long> running;
  /** Why the last pass deleted nothing (or failed), so that is not logged again every minute. */
  private String lastKept;

  public JournalPruner(Vertx vertx, JsonObject config, Journal journal) {
    this.vertx = vertx;
    this.config = config;
    this.journal = journal;
  }

  /** Deletes what the retention allows at {@code now}; completes with how many went. A pass in progress is joined. */
  public Future<Long> pass(Instant now) {
    if (running != null) {
      return running;
    }
    Future<Long> pass = JournalRetention.at(vertx, config, now)
      .compose(retention -> {
        if (!retention.prunes()) {
          if (!retention.why().equals(lastKept)) {
            log.info("the journal keeps every finished saga for now: {}", retention.why());
          }
          lastKept = retention.why();
          return Future.succeededFuture(0L);
        }
        lastKept = null;
        return journal.prune(retention.before(), MOST_PER_PASS).onSuccess(count -> {
          pruned.increment(count);
          log.debug("deleted {} sagas finished before {} from the journal ({})", count, retention.before(),
            retention.why());
        });
      })
      .onFailure(failure -> {
        if (!failure.toString().equals(lastKept)) {
          log.warn("journal retention: nothing deleted until the broker and MySQL answer ({})", failure.toString());
        }
        lastKept = failure.toString();
      });
    if (!pass.isComplete()) {
      running = pass;
      pass.onComplete(done -> running = null);
    }
    return pass;
  }
}
