package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryMatcher;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * mongo-java-server uses an index only when a query names exactly the indexed fields, so a conditional update such
 * as {@code {_id: "7", stock: {$gte: 2}}} scans the whole collection. MongoDB answers it from the _id index; so does
 * this collection: when a query pins {@code _id} to a value, only that document is matched against the rest.
 */
final class IdIndexedCollection extends EncodedCollection {

  private static final String ID = "_id";

  private final QueryMatcher matcher = new DefaultQueryMatcher();

  IdIndexedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors,
                      LongAdder stored) {
    super(database, name, options, cursors, stored);
  }

  /**
   * A single-document update by {@code _id} that {@link InPlaceUpdate} can apply is applied to the document as read
   * and stored back; anything else, and any collection with more indexes than {@code _id}'s, goes the library's way.
   */
  @Override
  public synchronized Document updateDocuments(Document selector, Document updateQuery, ArrayFilters arrayFilters,
                                               boolean isMulti, boolean isUpsert, Oplog oplog) {
    InPlaceUpdate update = !isMulti && !isUpsert && arrayFilters.isEmpty() ? inPlace(selector, updateQuery) : null;
    if (update != null) {
      Integer position = byId(selector);
      Document document = position == null ? null : getDocument(position);
      if (document == null || !matches(document, selector)) {
        oplog.handleUpdate(getFullName(), selector, updateQuery, List.of());
        return new Document("n", 0).append("nModified", 0);
      }
      if (update.appliesTo(document)) {
        boolean changed = update.apply(document);
        // Stored even when unchanged as MongoDB counts it: a number may have changed its type (5 to 5L).
        handleUpdate(position, null, document);
        oplog.handleUpdate(getFullName(), selector, updateQuery, changed ? List.of(selector.get(ID)) : List.of());
        return new Document("n", 1).append("nModified", changed ? 1 : 0);
      }
    }
    return super.updateDocuments(selector, updateQuery, arrayFilters, isMulti, isUpsert, oplog);
  }

  /**
   * The same for a findAndModify of one document by {@code _id} that returns it whole (old or new). Its sort, if
   * any, has nothing to order: the Java driver sends an empty one whenever its caller gave one, as the Vert.x
   * client always does.
   */
  @Override
  public synchronized Document findAndModify(Document command) {
    Object fields = command.get("fields");
    boolean plain = !Utils.isTrue(command.get("remove")) && !Utils.isTrue(command.get("upsert"))
      && !command.containsKey("arrayFilters") && (fields == null || fields instanceof Document none && none.isEmpty())
      && command.get("query") instanceof Document && command.get("update") instanceof Document;
    InPlaceUpdate update = plain ? inPlace((Document) command.get("query"), (Document) command.get("update")) : null;
    if (update != null) {
      Document query = (Document) command.get("query");
      Integer position = byId(query);
      Document document = position == null ? null : getDocument(position);
      if (document == null || !matches(document, query)) {
        return new Document("value", null).append("ok", 1.0);
      }
      if (update.appliesTo(document)) {
        Document old = Utils.isTrue(command.get("new")) ? null : getDocument(position);
        update.apply(document);
        handleUpdate(position, null, document);
        return new Document("lastErrorObject", new Document("updatedExisting", Boolean.TRUE).append("n", 1))
          .append("value", old == null ? document : old).append("ok", 1.0);
      }
    }
    return super.findAndModify(command);
  }

  /** The in-place form of an update of the one document {@code selector} pins by {@code _id}, or null. */
  private InPlaceUpdate inPlace(Document selector, Document update) {
    return selector.get(ID) instanceof String && idIndex() != null ? InPlaceUpdate.of(update, ID) : null;
  }

  /** Where the document {@code selector} pins by {@code _id} is stored, or null. */
  private Integer byId(Document selector) {
    return idIndex().positionOf((String) selector.get(ID));
  }

  /** Whether the document pinned by {@code selector}'s {@code _id} matches the rest of it. */
  private boolean matches(Document document, Document selector) {
    Document rest = selector;
    for (Map.Entry<String, Object> condition : selector.entrySet()) {
      Boolean answer = answered(document, condition.getKey(), condition.getValue());
      if (answer != null) {
        if (!answer) {
          return false;
        }
        if (rest == selector) {
          rest = selector.clone();
        }
        rest.remove(condition.getKey());
      }
    }
    return matcher.matches(document, rest);
  }

  /**
   * A condition of the hold ledger's answered here, as the library would: {@code {field: {$ne: "text"}}}, and an
   * {@code $or} of {@link #atPosition positional} conditions. Null for anything else, which the library answers.
   */
  private static Boolean answered(Document document, String key, Object condition) {
    if (condition instanceof Document operator && operator.size() == 1 && operator.get("$ne") instanceof String unwanted
      && plainField(key)) {
      return differs(document.get(key), unwanted);
    }
    if (!key.equals("$or") || !(condition instanceof List<?> branches) || branches.isEmpty()) {
      return null;
    }
    boolean any = false;
    for (Object branch : branches) {
      Boolean one = branch instanceof Document single ? atPosition(document, single) : null;
      if (one == null) {
        return null;
      }
      any |= one;
    }
    return any;
  }

  /**
   * {@code {"field.N": {$exists: true|false}}} or {@code {"field.N": {$lt: "text"}}} where the field is an array (or
   * missing) and its element N, if any, is text: whether a hold ledger's list is full, and where it starts. The
   * library compiles a regular expression for every positional path it reads; this is a reserve's every document.
   */
  private static Boolean atPosition(Document document, Document condition) {
    if (condition.size() != 1) {
      return null;
    }
    Map.Entry<String, Object> only = condition.entrySet().iterator().next();
    String path = only.getKey();
    int dot = path.indexOf('.');
    String name = dot > 0 ? path.substring(0, dot) : null;
    if (name == null || !plainField(name) || !position(path, dot + 1)
      || !(only.getValue() instanceof Document operator) || operator.size() != 1) {
      return null;
    }
    Object field = document.get(name);
    if (field != null && !(field instanceof List)) {
      return null;
    }
    List<?> list = (List<?>) field;
    int index = Integer.parseInt(path.substring(dot + 1));
    boolean present = list != null && index < list.size();
    Object element = present ? list.get(index) : null;
    if (present && !(element instanceof String)) {
      return null;
    }
    Object exists = operator.get("$exists");
    if (exists instanceof Boolean wanted) {
      return present == wanted;
    }
    if (operator.get("$lt") instanceof String bound) {
      return present && ((String) element).compareTo(bound) < 0;
    }
    return null;
  }

  /** Digits from {@code from} to the end, an index no greater than an int holds. */
  private static boolean position(String path, int from) {
    if (from >= path.length() || path.length() - from > 9) {
      return false;
    }
    for (int i = from; i < path.length(); i++) {
      if (path.charAt(i) < '0' || path.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code {field: {$ne: "text"}}} as MongoDB reads it: the field is missing, or is not that text and, if an array,
   * holds no element that is. The library compares every element through its general matcher; a hold ledger's list
   * of settled sagas, asked this on every reserve, is a thousand elements long on a popular item.
   */
  private static boolean differs(Object value, String unwanted) {
    return !unwanted.equals(value) && !(value instanceof List<?> elements && elements.contains(unwanted));
  }

  private static boolean plainField(String name) {
    return !name.isEmpty() && !name.startsWith("$") && name.indexOf('.') < 0;
  }

  /** The {@code _id} index, when it is the collection's only one (updates made here maintain no other). */
  private UniqueFieldIndex idIndex() {
    List<Index<Integer>> indexes = getIndexes();
    return indexes.size() == 1 && indexes.get(0) instanceof UniqueFieldIndex ids && ids.indexes(ID) ? ids : null;
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
