package dev.sagashop.messaging;

import org.slf4j.MDC;

/**
 * The saga and step a log line is about, in the logging MDC ({@code saga_id}, {@code step}) while it is written, so
 * JSON log lines carry them as fields: {@code try (SagaMdc about = SagaMdc.of(sagaId, step)) { log.warn(...); }}.
 * An event loop runs one thing at a time, so a scope around the log call is exact.
 */
public final class SagaMdc implements AutoCloseable {

  public static final String SAGA_ID = "saga_id";
  public static final String STEP = "step";
  private static final SagaMdc SCOPE = new SagaMdc();

  private SagaMdc() {
  }

  /** {@code step} may be null: a line about the saga as a whole. */
  public static SagaMdc of(String sagaId, Object step) {
    MDC.put(SAGA_ID, sagaId);
    if (step != null) {
      MDC.put(STEP, String.valueOf(step));
    }
    return SCOPE;
  }

  @Override
  public void close() {
    MDC.remove(SAGA_ID);
    MDC.remove(STEP);
  }
}
