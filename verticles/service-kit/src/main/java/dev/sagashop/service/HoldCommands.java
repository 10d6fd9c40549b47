package dev.sagashop.service;

import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.service.BalanceStore.HoldResult;
import dev.sagashop.service.messaging.Participant.CommandHandler;
import io.vertx.core.Future;

import java.util.Map;
import java.util.function.Function;

/**
 * A saga participant over a {@link BalanceStore}: its try, confirm and cancel commands become reserve, confirm and
 * release of the amounts the checkout names for this store.
 */
public final class HoldCommands implements CommandHandler {

  private final BalanceStore store;
  private final String reserve;
  private final String release;
  private final String confirm;
  private final Function<Checkout, Map<String, Long>> amounts;

  public HoldCommands(BalanceStore store, String reserve, String release, String confirm,
                      Function<Checkout, Map<String, Long>> amounts) {
    this.store = store;
    this.reserve = reserve;
    this.release = release;
    this.confirm = confirm;
    this.amounts = amounts;
  }

  @Override
  public Future<SagaMessage> apply(SagaMessage command) {
    Map<String, Long> taken = amounts.apply(Checkout.fromJson(command.payload()));
    Future<HoldResult> result;
    if (command.type().equals(reserve)) {
      result = store.reserve(command.sagaId(), taken);
    } else if (command.type().equals(release)) {
      result = store.release(command.sagaId(), taken);
    } else if (command.type().equals(confirm)) {
      result = store.confirm(command.sagaId(), taken);
    } else {
      throw new IllegalArgumentException("unknown command type " + command.type());
    }
    return result.map(outcome -> command.reply(outcome.outcome(), outcome.reason(), outcome.applied()));
  }
}
