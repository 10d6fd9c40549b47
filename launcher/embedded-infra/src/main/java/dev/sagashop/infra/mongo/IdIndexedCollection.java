package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server uses an index only when a query names exactly the indexed fields, so a conditional update such
 * as {@code {_id: "7", stock: {$gte: 2}}} scans the whole collection. MongoDB answers it from the _id index; so does
 * this collection: when a query pins {@code _id} to a plain value, only that document is matched against the rest.
 */
final class IdIndexedCollection extends MemoryCollection {

  private static final String ID = "_id";

  IdIndexedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
    super(database, name, options, cursors);
  }

  @Override
  protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                       Document fieldSelector) {
    Object id = query.get(ID);
    if (query.size() > 1 && (id instanceof String || id instanceof Number)) {
      Document byId = new Document(ID, id);
      for (Index<Integer> index : getIndexes()) {
        if (index.canHandle(byId)) {
          return matchDocuments(query, index.getPositions(byId), orderBy, skip, limit, batchSize, fieldSelector);
        }
      }
    }
    return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
  }
}
