package dev.sagashop.infra.mongo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.IndexOptions;
import io.vertx.ext.mongo.MongoClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedMongoTest {

  @TempDir
  Path dataDir;
  private Vertx vertx;
  private final List<EmbeddedMongo> servers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    servers.forEach(EmbeddedMongo::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private MongoClient start() {
    return start(EmbeddedMongo.start(dataDir, 0));
  }

  private MongoClient start(EmbeddedMongo mongo) {
    servers.add(mongo);
    return MongoClient.create(vertx, new JsonObject()
      .put("connection_string", mongo.connectionString()).put("db_name", "shop"));
  }

  /** Leaves the server's file and port as a killed process would: nothing flushed or closed on the way out. */
  private void abandon() {
    EmbeddedMongo last = servers.remove(servers.size() - 1);
    last.abandonForTest();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 10 s", e);
    }
  }

  @Test
  @DisplayName("an acknowledged write is there after the process dies without closing anything")
  void acknowledgedWritesSurviveAnAbandonedServer() {
    MongoClient client = start();
    await(client.insert("items", new JsonObject().put("_id", "a").put("stock", 5L)));
    await(client.findOneAndUpdate("items", new JsonObject().put("_id", "a"),
      new JsonObject().put("$inc", new JsonObject().put("stock", 3L))));
    abandon();

    MongoClient reopened = start();
    assertEquals(8L, await(reopened.findOne("items", new JsonObject().put("_id", "a"), null)).getLong("stock"));
  }

  @Test
  @DisplayName("a torn record at the end of the log is cut off and the data before it kept")
  void tornTailIsCutOff() throws Exception {
    MongoClient client = start();
    await(client.insert("items", new JsonObject().put("_id", "a").put("stock", 1L)));
    abandon();
    Files.write(dataDir.resolve("commands.log"), new byte[] {0, 0, 1, 0, 42, 42}, StandardOpenOption.APPEND);

    MongoClient reopened = start();
    assertNotNull(await(reopened.findOne("items", new JsonObject().put("_id", "a"), null)));
    await(reopened.insert("items", new JsonObject().put("_id", "b").put("stock", 2L)));
    abandon();
    assertEquals(2, await(start().count("items", new JsonObject())));
  }

  @Test
  @DisplayName("a conditional update on _id applies only while its condition holds, and survives a restart")
  void conditionalUpdatesOnIdHonourTheirCondition() {
    MongoClient client = start();
    await(client.insert("items", new JsonObject().put("_id", "a").put("stock", 2L)));
    JsonObject takeTwo = new JsonObject().put("$inc", new JsonObject().put("stock", -2L));
    JsonObject whileEnough = new JsonObject().put("_id", "a").put("stock", new JsonObject().put("$gte", 2L));

    assertNotNull(await(client.findOneAndUpdate("items", whileEnough, takeTwo)));
    assertNull(await(client.findOneAndUpdate("items", whileEnough, takeTwo)));
    abandon();
    assertEquals(0L, await(start().findOne("items", new JsonObject().put("_id", "a"), null)).getLong("stock"));
  }

  @Test
  @DisplayName("200 concurrent conditional decrements of stock 100 take exactly 100")
  void concurrentConditionalDecrementsNeverOversell() {
    MongoClient client = start();
    await(client.insert("items", new JsonObject().put("_id", "a").put("stock", 100L)));
    List<Future<JsonObject>> attempts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      attempts.add(client.findOneAndUpdate("items",
        new JsonObject().put("_id", "a").put("stock", new JsonObject().put("$gte", 1L)),
        new JsonObject().put("$inc", new JsonObject().put("stock", -1L))));
    }
    await(Future.join(attempts));
    assertEquals(100, attempts.stream().filter(f -> f.result() != null).count());
    assertEquals(0L, await(client.findOne("items", new JsonObject().put("_id", "a"), null)).getLong("stock"));
  }

  @Test
  @DisplayName("reads racing updates never see half an update, so optimistic read-modify-write loses nothing")
  void readsSeeWholeUpdates() {
    MongoClient client = start();
    await(client.insert("orders", counter(0)));
    AtomicInteger stored = new AtomicInteger();
    AtomicInteger torn = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      workers.add(increment(client, 150, stored, torn));
    }
    await(Future.all(workers));
    assertEquals(0, torn.get(), "reads that saw only part of an update");
    assertEquals(stored.get(), await(client.findOne("orders", new JsonObject().put("_id", "o"), null))
      .getInteger("version"), "every increment told stored is there");
  }

  /** A document whose every field is its version, so a read that saw part of an update shows it. */
  private static JsonObject counter(int version) {
    JsonObject document = new JsonObject().put("_id", "o");
    for (int field = 0; field < 40; field++) {
      document.put("f" + field, version);
    }
    return document.put("version", version);
  }

  /** Reads the counter and replaces it with the next version if nobody got there first, {@code times} times. */
  private static Future<Void> increment(MongoClient client, int times, AtomicInteger stored, AtomicInteger torn) {
    if (times == 0) {
      return Future.succeededFuture();
    }
    return client.findOne("orders", new JsonObject().put("_id", "o"), null).compose(read -> {
      int version = read.getInteger("version");
      for (int field = 0; field < 40; field++) {
        if (read.getInteger("f" + field) != version) {
          torn.incrementAndGet();
          break;
        }
      }
      return client.findOneAndReplace("orders", new JsonObject().put("_id", "o").put("version", version),
        counter(version + 1));
    }).compose(previous -> {
      if (previous != null) {
        stored.incrementAndGet();
      }
      return increment(client, times - 1, stored, torn);
    });
  }

  @Test
  @DisplayName("a restart compacts the log yet keeps documents and unique indexes")
  void compactionKeepsDocumentsAndIndexes() throws Exception {
    MongoClient client = start();
    await(client.createIndexWithOptions("users", new JsonObject().put("email", 1), new IndexOptions().unique(true)));
    for (int i = 0; i < 2500; i++) {
      await(client.save("users", new JsonObject().put("_id", "u" + (i % 10)).put("email", "u" + (i % 10) + "@x")
        .put("visits", (long) i)));
    }
    abandon();
    long before = Files.size(dataDir.resolve("commands.log"));

    MongoClient reopened = start();
    assertTrue(Files.size(dataDir.resolve("commands.log")) < before / 10, "the log was rewritten as a snapshot");
    assertEquals(10, await(reopened.count("users", new JsonObject())));
    assertEquals(2499L, await(reopened.findOne("users", new JsonObject().put("_id", "u9"), null)).getLong("visits"));
    Future<String> duplicate = reopened.insert("users", new JsonObject().put("_id", "other").put("email", "u1@x"));
    assertTrue(await(duplicate.transform(Future::succeededFuture)).failed(),
      "the unique index came back with the data");
  }

  @Test
  @DisplayName("a snapshot holds every document left, over several batches, and none of those removed")
  void snapshotLeavesOutRemovedDocuments() throws Exception {
    MongoClient client = start();
    int documents = 2_345;
    for (int i = 0; i < documents; i++) {
      await(client.insert("users", new JsonObject().put("_id", "u" + i).put("n", i)));
    }
    await(client.removeDocuments("users", new JsonObject().put("n", new JsonObject().put("$mod", List.of(3, 0)))));
    abandon();

    MongoClient reopened = start();
    assertEquals(documents - 782, await(reopened.count("users", new JsonObject())));
    assertNull(await(reopened.findOne("users", new JsonObject().put("_id", "u2343"), null)), "removed");
    assertEquals(2344, await(reopened.findOne("users", new JsonObject().put("_id", "u2344"), null)).getInteger("n"));
  }

  @Test
  @DisplayName("writes applied while the log is compacted are all there after the process dies")
  void writesDuringCompactionSurvive() throws Exception {
    int documents = 20;
    int workers = 16;
    int incrementsEach = 150;
    MongoClient client = start(EmbeddedMongo.start(dataDir, 0, 32 * 1024));
    List<JsonObject> initial = new ArrayList<>();
    for (int i = 0; i < documents; i++) {
      initial.add(new JsonObject().put("_id", "d" + i).put("count", 0L).put("padding", "x".repeat(200)));
    }
    await(client.bulkWrite("counters", initial.stream().map(BulkOperation::createInsert).toList()));
    List<Future<Void>> chains = new ArrayList<>();
    for (int worker = 0; worker < workers; worker++) {
      chains.add(incrementEach(client, worker, incrementsEach, documents));
    }
    await(Future.all(chains));
    abandon();
    long logged = Files.size(dataDir.resolve("commands.log"));
    assertTrue(logged < workers * incrementsEach * 100L, "the log was compacted while written (" + logged + " bytes)");

    MongoClient reopened = start();
    long total = 0;
    for (JsonObject counter : await(reopened.find("counters", new JsonObject()))) {
      total += counter.getLong("count");
    }
    assertEquals((long) workers * incrementsEach, total, "every acknowledged increment is there");
    assertEquals(documents, await(reopened.count("counters", new JsonObject())));
  }

  @Test
  @DisplayName("small updates of a large document are compacted away for what they would cost to replay")
  void updatesOfLargeDocumentsCountForTheirReplay() throws Exception {
    int updates = 300;
    MongoClient client = start(EmbeddedMongo.start(dataDir, 0, 64 * 1024));
    await(client.insert("items", new JsonObject().put("_id", "popular").put("count", 0L)
      .put("settled", "x".repeat(100_000))));
    JsonObject id = new JsonObject().put("_id", "popular");
    for (int i = 0; i < updates; i++) {
      await(client.updateCollection("items", id, new JsonObject().put("$inc", new JsonObject().put("count", 1L))));
    }
    abandon();

    // Counted by their bytes of log alone, the updates (about 45 KB) would stay behind the 100 KB snapshot until
    // the log doubled it; counted for the document each one stores, they are compacted every few updates.
    long logged = Files.size(dataDir.resolve("commands.log"));
    assertTrue(logged < 115_000, "the log holds the snapshot and few updates after it (" + logged + " bytes)");
    MongoClient reopened = start();
    assertEquals((long) updates, await(reopened.findOne("items", id, null)).getLong("count"));
  }

  /** One increment after another of the documents in turn, {@code times} times. */
  private static Future<Void> incrementEach(MongoClient client, int worker, int times, int documents) {
    if (times == 0) {
      return Future.succeededFuture();
    }
    JsonObject id = new JsonObject().put("_id", "d" + ((worker + times) % documents));
    return client.updateCollection("counters", id, new JsonObject().put("$inc", new JsonObject().put("count", 1L)))
      .compose(result -> result.getDocModified() == 1 ? incrementEach(client, worker, times - 1, documents)
        : Future.failedFuture("the increment of " + id + " matched nothing"));
  }
}
