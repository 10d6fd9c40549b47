package dev.sagashop.saga.engine;

import java.util.List;

/** What an event does to a saga: its next state, the commands to send, the journal lines to write first. */
public record Transition(SagaState state, List<Command> commands, List<JournalEntry> entries) {
}
