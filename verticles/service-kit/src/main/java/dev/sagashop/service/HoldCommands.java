package dev.sagashop.service;

import dev.sagashop.contracts.Checkout;
import dev.sagashop.contracts.SagaMessage;
import dev.sagashop.service.HoldLedger.HoldRequest;
import dev.sagashop.service.HoldLedger.HoldResult;
import dev.sagashop.service.HoldLedger.Move;
import dev.sagashop.messaging.Participant.CommandHandler;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A saga participant over a {@link HoldLedger}: its try, confirm and cancel commands become reserve, confirm and
 * release of the amounts the checkout names for this service.
 */
public final class HoldCommands implements CommandHandler {

  private final HoldLedger ledger;
  private final String reserve;
  private final String release;
  private final String confirm;
  private final Function<Checkout, Map<String, Long>> amounts;

  public HoldCommands(HoldLedger ledger, String reserve, String release, String confirm,
                      Function<Checkout, Map<String, Long>> amounts) {
    this.ledger = ledger;
    this.reserve = reserve;
    this.release = release;
    this.confirm = confirm;
    this.amounts = amounts;
  }

  @Override
  public void validate(SagaMessage command) {
    amounts.apply(Checkout.fromJson(command.payload()));
    move(command.type());
  }

  @Override
  public Future<List<SagaMessage>> apply(List<SagaMessage> commands) {
    List<HoldRequest> requests = commands.stream().map(command -> new HoldRequest(command.sagaId(),
      move(command.type()), amounts.apply(Checkout.fromJson(command.payload())))).toList();
    return ledger.apply(requests).map(results -> {
      List<SagaMessage> replies = new ArrayList<>(commands.size());
      for (int i = 0; i < commands.size(); i++) {
        HoldResult result = results.get(i);
        replies.add(commands.get(i).reply(result.outcome(), result.reason(), result.applied()));
      }
      return replies;
    });
  }

  private Move move(String type) {
    if (type.equals(reserve)) {
      return Move.RESERVE;
    }
    if (type.equals(release)) {
      return Move.RELEASE;
    }
    if (type.equals(confirm)) {
      return Move.CONFIRM;
    }
    throw new IllegalArgumentException("unknown command type " + type);
  }
}
