package dev.sagashop.service;

import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import io.vertx.core.VertxException;
import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a dependency being away (retry, answer 503, wait for it) from a bug (crash and be redeployed): only the
 * former is worth waiting out.
 */
public final class Failures {

  private Failures() {
  }

  public static boolean transientFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof MongoSocketException || cause instanceof MongoTimeoutException
        || cause instanceof MongoNotPrimaryException || cause instanceof MongoNodeIsRecoveringException
        || cause instanceof RetriableException || cause instanceof org.apache.kafka.common.errors.TimeoutException
        || cause instanceof IOException || cause instanceof TimeoutException || cause instanceof VertxException
        || cause instanceof io.vertx.core.eventbus.ReplyException) {
        return true;
      }
    }
    return false;
  }
}
