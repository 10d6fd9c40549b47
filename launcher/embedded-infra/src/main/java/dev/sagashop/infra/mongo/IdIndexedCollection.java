package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryMatcher;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

import java.util.List;

/**
 * mongo-java-server uses an index only when a query names exactly the indexed fields, so a conditional update such
 * as {@code {_id: "7", stock: {$gte: 2}}} scans the whole collection. MongoDB answers it from the _id index; so does
 * this collection: when a query pins {@code _id} to a value, only that document is matched against the rest.
 *
 * <p>It keeps no size statistics: the library encodes the old and the new document to BSON on every update only to
 * keep them, and nothing here reads them.
 */
final class IdIndexedCollection extends MemoryCollection {

  private static final String ID = "_id";

  private final QueryMatcher matcher = new DefaultQueryMatcher();

  IdIndexedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
    super(database, name, options, cursors);
  }

  @Override
  protected boolean tracksDataSize() {
    return false;
  }

  /**
   * A single-document update by {@code _id} that {@link InPlaceUpdate} can apply is applied to the stored document
   * in place; anything else, and any collection with more indexes than {@code _id}'s, goes the library's way.
   */
  @Override
  public synchronized Document updateDocuments(Document selector, Document updateQuery, ArrayFilters arrayFilters,
                                               boolean isMulti, boolean isUpsert, Oplog oplog) {
    if (!isMulti && !isUpsert && arrayFilters.isEmpty() && selector.get(ID) instanceof String id
      && getIndexes().size() == 1 && getIndexes().get(0) instanceof UniqueFieldIndex ids && ids.indexes(ID)) {
      InPlaceUpdate update = InPlaceUpdate.of(updateQuery, ID);
      Integer position = update == null ? null : ids.positionOf(id);
      Document document = position == null ? null : getDocument(position);
      if (update != null && (document == null || !matcher.matches(document, selector))) {
        oplog.handleUpdate(getFullName(), selector, updateQuery, List.of());
        return new Document("n", 0).append("nModified", 0);
      }
      if (update != null && update.appliesTo(document)) {
        boolean changed = update.apply(document);
        oplog.handleUpdate(getFullName(), selector, updateQuery, changed ? List.of(id) : List.of());
        return new Document("n", 1).append("nModified", changed ? 1 : 0);
      }
    }
    return super.updateDocuments(selector, updateQuery, arrayFilters, isMulti, isUpsert, oplog);
  }

  @Override
  protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                       Document fieldSelector) {
    Object id = query.get(ID);
    if (query.size() > 1 && (id instanceof String || id instanceof Number)) {
      for (Index<Integer> index : getIndexes()) {
        if (id instanceof String key && index instanceof UniqueFieldIndex unique && unique.indexes(ID)) {
          Integer position = unique.positionOf(key);
          return matchDocuments(query, position == null ? List.of() : List.of(position), orderBy, skip, limit,
            batchSize, fieldSelector);
        }
        Document byId = new Document(ID, id);
        if (index.canHandle(byId)) {
          return matchDocuments(query, index.getPositions(byId), orderBy, skip, limit, batchSize, fieldSelector);
        }
      }
    }
    return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
  }
}
