package dev.sagashop.messaging.supervision;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Tells a dependency being away (retry, answer 503, wait for it) from a bug (crash and be redeployed): only the
 * former is worth waiting out. Knows Kafka, the network and Vert.x; a service adds what its own database's driver
 * throws when the database is away ({@link #or}).
 */
public final class Failures {

  /** What every process counts as a dependency being away. */
  public static final Predicate<Throwable> COMMON = Failures::common;

  private Failures() {
  }

  /** {@link #COMMON}, or what {@code isAway} says of the failure or one of its causes. */
  public static Predicate<Throwable> or(Predicate<Throwable> isAway) {
    return failure -> anyCause(failure, cause -> isAway.test(cause) || isCommon(cause));
  }

  private static boolean common(Throwable failure) {
    return anyCause(failure, Failures::isCommon);
  }

  private static boolean isCommon(Throwable cause) {
    return cause instanceof RetriableException || cause instanceof org.apache.kafka.common.errors.TimeoutException
      || cause instanceof IOException || cause instanceof TimeoutException || cause instanceof VertxException
      || cause instanceof ReplyException;
  }

  private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (test.test(cause)) {
        return true;
      }
    }
    return false;
  }
}
