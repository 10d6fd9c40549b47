package dev.sagashop.saga.engine;

import java.time.Instant;

/** One line of a saga's journal: a step (or "saga") and what happened to it. */
public record JournalEntry(String sagaId, String step, String event, String detail, Instant at) {
}
