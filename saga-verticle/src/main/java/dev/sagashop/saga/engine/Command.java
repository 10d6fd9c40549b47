package dev.sagashop.saga.engine;

import dev.sagashop.contracts.SagaMessage;

/** A command the engine wants sent to a participant (a service name); how it travels is the coordinator's business. */
public record Command(String participant, SagaMessage message) {
}
