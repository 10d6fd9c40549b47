package dev.sagashop.service;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.SagaMessage.Outcome;
import dev.sagashop.contracts.ServiceException;
import dev.sagashop.service.HoldLedger.HoldRequest;
import dev.sagashop.service.HoldLedger.HoldResult;
import dev.sagashop.service.HoldLedger.Move;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hold ledger's try / confirm / cancel against a Mongo-protocol server in this JVM (no Kafka, no saga). */
class HoldLedgerTest {

  private static MongoServer server;
  private static Vertx vertx;
  private static MongoClient mongo;
  private BalanceStore store;
  private HoldLedger ledger;

  @BeforeAll
  static void startServer() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    vertx = Vertx.vertx();
    mongo = ServiceMongo.client(vertx, new JsonObject().put(ConfigKeys.MONGO_URL,
      "mongodb://127.0.0.1:" + address.getPort()), "stock");
  }

  @AfterAll
  static void stopServer() {
    mongo.close().await();
    vertx.close().await();
    server.shutdownNow();
  }

  @BeforeEach
  void twoItems() {
    store = new BalanceStore(mongo, "items", "stock", "item");
    ledger = store.holds(mongo);
    mongo.removeDocuments("items", new JsonObject()).await();
    store.replaceAll(2, i -> new JsonObject().put("_id", Long.toString(i)).put("stock", 10L)).await();
  }

  private HoldResult apply(String saga, Move move, Map<String, Long> amounts) {
    return ledger.apply(List.of(new HoldRequest(saga, move, amounts))).await().get(0);
  }

  private long stock(String id) {
    return store.find(id).await().getLong("stock");
  }

  /** Read as stored: the store's own reads leave the holds out. */
  private JsonObject holds(String id) {
    return mongo.findOne("items", new JsonObject().put("_id", id), null).await()
      .getJsonObject(HoldLedger.HOLDS, new JsonObject());
  }

  @Test
  @DisplayName("a read of a document shows its balance, not the sagas' holds and settlements")
  void readsLeaveTheLedgerOut() {
    apply("s1", Move.RESERVE, Map.of("0", 3L));
    apply("s2", Move.RESERVE, Map.of("0", 1L));
    apply("s1", Move.CONFIRM, Map.of("0", 3L));
    JsonObject read = store.find("0").await();
    assertEquals(new JsonObject().put("_id", "0").put("stock", 6L), read);
    assertEquals(1, holds("0").size(), "the hold of s2 is still stored");
  }

  @Test
  @DisplayName("a reserve takes the amounts and records a hold of its saga on each document")
  void reserveTakesAndHolds() {
    HoldResult result = apply("s1", Move.RESERVE, Map.of("0", 3L, "1", 4L));
    assertEquals(Outcome.DONE, result.outcome());
    assertTrue(result.applied(), "this call took the amounts");
    assertEquals(7, stock("0"));
    assertEquals(6, stock("1"));
    assertEquals(3, holds("0").getJsonObject("s1").getLong("q"));
  }

  @Test
  @DisplayName("the same reserve delivered again takes nothing more and says it changed nothing")
  void duplicateReserveIsHarmless() {
    apply("s1", Move.RESERVE, Map.of("0", 3L));
    HoldResult again = apply("s1", Move.RESERVE, Map.of("0", 3L));
    assertEquals(Outcome.DONE, again.outcome());
    assertFalse(again.applied(), "a copy must not be taken for a fresh effect");
    assertEquals(7, stock("0"));
  }

  @Test
  @DisplayName("a reserve that cannot take every amount takes none (all or nothing) and is refused")
  void partialReserveIsUndone() {
    HoldResult result = apply("s1", Move.RESERVE, Map.of("0", 3L, "1", 11L));
    assertEquals(Outcome.REFUSED, result.outcome());
    assertTrue(result.reason().contains("insufficient stock"), result.reason());
    assertEquals(10, stock("0"));
    assertEquals(10, stock("1"));
    assertTrue(holds("0").isEmpty());
  }

  @Test
  @DisplayName("a release gives the amount back once; a reserve arriving after it takes nothing")
  void releaseThenStaleReserve() {
    apply("s1", Move.RESERVE, Map.of("0", 3L));
    assertEquals(Outcome.DONE, apply("s1", Move.RELEASE, Map.of("0", 3L)).outcome());
    assertEquals(Outcome.DONE, apply("s1", Move.RELEASE, Map.of("0", 3L)).outcome(), "released twice");
    assertEquals(10, stock("0"));
    HoldResult stale = apply("s1", Move.RESERVE, Map.of("0", 3L));
    assertEquals(Outcome.REFUSED, stale.outcome(), "the saga was settled here");
    assertEquals(10, stock("0"));
  }

  @Test
  @DisplayName("a saga's reserve and confirm delivered again after hundreds of later sagas settled on the same "
    + "document take nothing: a hot item's memory of settled sagas outlasts a redelivery")
  void replayAfterManySettlementsTakesNothing() {
    settleThenBury("first", "later-", 300);
    HoldResult replayed = replay("first");
    assertEquals(Outcome.REFUSED, replayed.outcome(), "the saga was settled here");
    assertEquals(1_000_000L - 2 - 300, stock("hot"), "taken once");
  }

  @Test
  @DisplayName("a saga's reserve and confirm delivered again after more later sagas settled on the document than "
    + "it remembers take nothing: the saga fell off the list because it sorts below every saga on it")
  void replayAfterTheListOverflowedTakesNothing() {
    settleThenBury("a-first", "b-later-", HoldLedger.SETTLED_KEPT + 76);
    HoldResult replayed = replay("a-first");
    assertEquals(Outcome.REFUSED, replayed.outcome(), "the saga was forgotten, and is refused for it");
    assertTrue(replayed.reason().contains("older than every saga item hot remembers"), replayed.reason());
    assertEquals(1_000_000L - 2 - HoldLedger.SETTLED_KEPT - 76, stock("hot"), "taken once");
  }

  @Test
  @DisplayName("a saga settled before more sagas than the list keeps, all sorting below it, is still remembered: "
    + "the list keeps the greatest ids, not the latest settled")
  void theGreatestIdsAreKept() {
    settleThenBury("z-settled-early", "m-", HoldLedger.SETTLED_KEPT + 10);
    assertEquals(Outcome.REFUSED, replay("z-settled-early").outcome());
    assertEquals(1_000_000L - 2 - HoldLedger.SETTLED_KEPT - 10, stock("hot"), "taken once");
  }

  @Test
  @DisplayName("on a document whose list is full, a saga sorting above its first entry reserves; one below it that "
    + "never reserved there is refused, takes nothing, and is told why")
  void aFullListStillTakesNewSagas() {
    store.replaceAll(1, i -> new JsonObject().put("_id", "hot").put("stock", 1_000_000L)).await();
    settleOnHot("m-", HoldLedger.SETTLED_KEPT + 10);
    long before = stock("hot");
    assertEquals(Outcome.DONE, apply("n-new", Move.RESERVE, Map.of("hot", 1L)).outcome());
    assertEquals(before - 1, stock("hot"));
    HoldResult old = apply("a-old", Move.RESERVE, Map.of("hot", 1L));
    assertEquals(Outcome.REFUSED, old.outcome());
    assertTrue(old.reason().contains("item hot"), old.reason());
    assertEquals(before - 1, stock("hot"));
  }

  @Test
  @DisplayName("a release of a saga that never reserved marks it settled, so its late reserve is refused")
  void releaseBeforeReserve() {
    assertEquals(Outcome.DONE, apply("s1", Move.RELEASE, Map.of("0", 3L)).outcome());
    assertEquals(Outcome.REFUSED, apply("s1", Move.RESERVE, Map.of("0", 3L)).outcome());
    assertEquals(10, stock("0"));
  }

  @Test
  @DisplayName("a confirm drops the hold and keeps the amount taken; a release after it gives nothing back")
  void confirmMakesItFinal() {
    apply("s1", Move.RESERVE, Map.of("0", 3L));
    assertEquals(Outcome.DONE, apply("s1", Move.CONFIRM, Map.of("0", 3L)).outcome());
    assertNull(holds("0").getJsonObject("s1"));
    assertEquals(7, stock("0"));
    assertEquals(Outcome.DONE, apply("s1", Move.CONFIRM, Map.of("0", 3L)).outcome(), "confirmed twice");
    apply("s1", Move.RELEASE, Map.of("0", 3L));
    assertEquals(7, stock("0"));
  }

  @Test
  @DisplayName("an add that would leave no room to give a held amount back is refused, so every release can be "
    + "applied: the balance and what sagas hold never pass 2^63-1 together")
  void addLeavesRoomForHolds() {
    apply("s1", Move.RESERVE, Map.of("0", 3L));
    apply("s2", Move.RESERVE, Map.of("0", 2L));
    ServiceException refused = assertThrows(ServiceException.class,
      () -> store.add("0", Long.MAX_VALUE - 5).await());
    assertEquals(400, refused.status());
    assertTrue(refused.getMessage().contains("held"), refused.getMessage());
    assertEquals(5, stock("0"), "the refused add changed nothing");

    assertEquals(Long.MAX_VALUE - 5, store.add("0", Long.MAX_VALUE - 10).await(), "up to the room the holds leave");
    assertEquals(Outcome.DONE, apply("s1", Move.RELEASE, Map.of("0", 3L)).outcome());
    assertEquals(Outcome.DONE, apply("s2", Move.CONFIRM, Map.of("0", 2L)).outcome());
    assertEquals(Long.MAX_VALUE - 2, stock("0"), "the release gave its 3 back");
    assertEquals(Long.MAX_VALUE, store.add("0", 2).await(), "a confirmed hold leaves no claim on the room");
  }

  @Test
  @DisplayName("moves of several sagas in one call each get their own outcome")
  void severalSagasAtOnce() {
    List<HoldResult> results = ledger.apply(List.of(
      new HoldRequest("a", Move.RESERVE, Map.of("0", 6L)),
      new HoldRequest("b", Move.RESERVE, Map.of("0", 6L)),
      new HoldRequest("c", Move.RESERVE, Map.of("1", 1L)))).await();
    assertEquals(List.of(Outcome.DONE, Outcome.REFUSED, Outcome.DONE), results.stream().map(HoldResult::outcome)
      .toList());
    assertEquals(4, stock("0"));
    assertEquals(9, stock("1"));
  }

  /** A document "hot" of 1,000,000 where {@code saga} took 2 for good, then {@code later} sagas 1 each. */
  private void settleThenBury(String saga, String laterPrefix, int later) {
    store.replaceAll(1, i -> new JsonObject().put("_id", "hot").put("stock", 1_000_000L)).await();
    apply(saga, Move.RESERVE, Map.of("hot", 2L));
    apply(saga, Move.CONFIRM, Map.of("hot", 2L));
    settleOnHot(laterPrefix, later);
    assertEquals(1_000_000L - 2 - later, stock("hot"));
  }

  /** The saga's reserve and confirm on "hot" delivered again; what the reserve came to. */
  private HoldResult replay(String saga) {
    HoldResult reserve = apply(saga, Move.RESERVE, Map.of("hot", 2L));
    apply(saga, Move.CONFIRM, Map.of("hot", 2L));
    return reserve;
  }

  /** Reserves and confirms {@code count} sagas of one unit each on "hot", ids {@code prefix} + a sortable number. */
  private void settleOnHot(String prefix, int count) {
    for (int from = 0; from < count; from += 100) {
      List<HoldRequest> reserves = new ArrayList<>();
      List<HoldRequest> confirms = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + 100); i++) {
        String saga = prefix + String.format("%05d", i);
        reserves.add(new HoldRequest(saga, Move.RESERVE, Map.of("hot", 1L)));
        confirms.add(new HoldRequest(saga, Move.CONFIRM, Map.of("hot", 1L)));
      }
      ledger.apply(reserves).await();
      ledger.apply(confirms).await();
    }
  }
}
