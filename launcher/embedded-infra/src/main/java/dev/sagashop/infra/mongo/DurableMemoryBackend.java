package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * mongo-java-server's memory backend made durable by a {@link CommandLog}: every write command is logged in the
 * order it was applied and reaches the OS before its reply is sent; on start the log is replayed and rewritten as a
 * compact snapshot. (The library's H2 backend spends its time in Java serialization and grows its file by a chunk
 * per commit, so it is not used; README, "The embedded MongoDB-protocol server".)
 *
 * <p>Replay is faithful only for deterministic commands: clients must set {@code _id} themselves, and use no
 * time-dependent update operators. The shop's services do both.
 */
final class DurableMemoryBackend extends MemoryBackend {

  private static final Logger log = LoggerFactory.getLogger(DurableMemoryBackend.class);
  private static final Set<String> WRITES = Set.of(
    "insert", "update", "delete", "findandmodify", "create", "createindexes", "drop", "dropindexes",
    "dropdatabase", "renamecollection");
  /** Per-connection fields that mean nothing on replay. */
  private static final Set<String> UNLOGGED = Set.of("lsid", "$clusterTime", "txnNumber", "$readPreference");
  private static final int SNAPSHOT_BATCH = 1000;

  private final CommandLog commandLog;
  private final long compactAbove;
  private volatile long compactedSize;
  private boolean replaying;

  DurableMemoryBackend(CommandLog commandLog, long compactAbove) {
    this.commandLog = commandLog;
    this.compactAbove = compactAbove;
  }

  /** Rebuilds the data from the log, then rewrites the log as a snapshot of it. */
  void recover() throws IOException {
    Channel replayChannel = new EmbeddedChannel();
    long[] commands = {0};
    replaying = true;
    try {
      commandLog.replay((database, command) -> {
        commands[0]++;
        try {
          super.handleCommand(replayChannel, database, command.keySet().iterator().next(), command);
        } catch (RuntimeException e) {
          log.debug("replayed command failed again, as it did when first applied: {}", e.getMessage());
        }
      });
    } finally {
      replaying = false;
      handleClose(replayChannel);
    }
    log.info("Mongo command log: replayed {} commands", commands[0]);
    compact();
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new MemoryDatabase(databaseName, getCursorRegistry()) {
      @Override
      protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        return new IdIndexedCollection(this, collectionName, options, cursorRegistry);
      }

      @Override
      protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                       boolean sparse) {
        return new UniqueFieldIndex(indexName, keys, sparse);
      }
    };
  }

  /**
   * Reads are applied between writes and answered once every write before them is in the log, so no reply shows a
   * write that a crash could still undo. Replies carry documents decoded for them ({@link EncodedCollection}), so
   * none shares a document with the store, and none can show half of a later update (MongoDB never does).
   */
  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    if (replaying) {
      return super.handleCommand(channel, database, command, query);
    }
    if (!WRITES.contains(command.toLowerCase(Locale.ROOT))) {
      return commandLog.read(() -> super.handleCommand(channel, database, command, query));
    }
    Document result = commandLog.applyLogged(database, loggable(query),
      () -> super.handleCommand(channel, database, command, query));
    if (grown()) {
      compactIfGrown();
    }
    return result;
  }

  /** Rewrites the log as the current data: one insert per batch of documents, plus the secondary indexes. */
  synchronized void compact() throws IOException {
    long before = commandLog.size();
    long started = System.nanoTime();
    commandLog.rewrite(writer -> {
      for (String databaseName : listDatabaseNames()) {
        MongoDatabase database = resolveDatabase(databaseName);
        for (String collectionName : collectionNames(databaseName)) {
          MongoCollection<?> collection = database.resolveCollection(collectionName, false);
          if (collection != null) {
            writeCollection(writer, databaseName, collection);
          }
        }
      }
    });
    compactedSize = commandLog.size();
    log.info("Mongo command log compacted from {} KB to {} KB in {} ms", before / 1024, compactedSize / 1024,
      (System.nanoTime() - started) / 1_000_000);
  }

  private boolean grown() {
    return commandLog.size() > Math.max(compactAbove, 2 * compactedSize);
  }

  /** Several writers may see the log grown at once: the first compacts, the others find it done. */
  private synchronized void compactIfGrown() {
    if (!grown()) {
      return;
    }
    try {
      compact();
    } catch (IOException e) {
      log.error("could not compact the Mongo command log; it keeps growing", e);
    }
  }

  private List<String> collectionNames(String databaseName) {
    Document listing = super.handleCommand(new EmbeddedChannel(), databaseName, "listCollections",
      new Document("listCollections", 1));
    List<String> names = new ArrayList<>();
    for (Object entry : (List<?>) ((Document) listing.get("cursor")).get("firstBatch")) {
      names.add((String) ((Document) entry).get("name"));
    }
    return names;
  }

  private static void writeCollection(CommandLog.SnapshotWriter writer, String database, MongoCollection<?> collection) {
    String name = collection.getCollectionName();
    writer.write(database, new Document("create", name));
    for (Index<?> index : collection.getIndexes()) {
      if (!index.getName().equals("_id_")) {
        Document keys = new Document();
        for (IndexKey key : index.getKeys()) {
          keys.append(key.getKey(), key.isAscending() ? 1 : -1);
        }
        writer.write(database, new Document("createIndexes", name)
          .append("indexes", List.of(new Document("name", index.getName()).append("key", keys).append("unique", true))));
      }
    }
    List<Document> batch = new ArrayList<>(SNAPSHOT_BATCH);
    collection.queryAllAsStream().forEach(document -> {
      batch.add(document);
      if (batch.size() == SNAPSHOT_BATCH) {
        writer.write(database, insert(name, batch));
        batch.clear();
      }
    });
    if (!batch.isEmpty()) {
      writer.write(database, insert(name, batch));
    }
  }

  private static Document insert(String collection, List<Document> documents) {
    return new Document("insert", collection).append("documents", new ArrayList<>(documents)).append("ordered", true);
  }

  private static Document loggable(Document query) {
    Document copy = new Document();
    query.forEach((key, value) -> {
      if (!UNLOGGED.contains(key)) {
        copy.put(key, value);
      }
    });
    return copy;
  }

  @Override
  public void close() {
    super.close();
    try {
      commandLog.close();
    } catch (IOException e) {
      log.warn("could not close the Mongo command log cleanly", e);
    }
  }
}
