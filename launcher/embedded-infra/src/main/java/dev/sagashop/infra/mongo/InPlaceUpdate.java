package dev.sagashop.infra.mongo;

import de.bwaldvogel.mongo.backend.NumericUtils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The updates the shop's services send — {@code $set}, {@code $unset}, {@code $inc} and {@code $push} (a value, or
 * {@code $each} with an optional {@code $sort} of whole elements and {@code $slice}) on a field or a field of a
 * sub-document — applied to a document in place, as MongoDB defines them. mongo-java-server applies any update by
 * cloning the document, walking every path through streams and regular expressions, and comparing the clone with
 * the original; for these it was most of the embedded server's time. Anything else (other operators, deeper or
 * positional paths, paths that overlap, values of another type along a path) is left to the library, which also
 * gives its errors.
 */
final class InPlaceUpdate {

  private enum Operator { SET, UNSET, INC, PUSH }

  /**
   * One field change: {@code parent} is null for a top-level field; {@code order}, of a push, sorts the array
   * (MongoDB's order of values, the library's comparator) before {@code slice} cuts it.
   */
  private record Change(Operator operator, String parent, String field, Object value, List<Object> each, Integer slice,
                        ValueComparator order) {
  }

  private final List<Change> changes;

  private InPlaceUpdate(List<Change> changes) {
    this.changes = changes;
  }

  /** The update, or null if it uses anything this class leaves to the library. */
  static InPlaceUpdate of(Document update, String idField) {
    if (update.isEmpty()) {
      return null;
    }
    List<Change> changes = new ArrayList<>();
    Set<String> roots = new HashSet<>();
    Set<String> paths = new HashSet<>();
    for (Map.Entry<String, Object> entry : update.entrySet()) {
      Operator operator = switch (entry.getKey()) {
        case "$set" -> Operator.SET;
        case "$unset" -> Operator.UNSET;
        case "$inc" -> Operator.INC;
        case "$push" -> Operator.PUSH;
        default -> null;
      };
      if (operator == null || !(entry.getValue() instanceof Document fields) || fields.isEmpty()) {
        return null;
      }
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        String path = field.getKey();
        int dot = path.indexOf('.');
        String root = dot < 0 ? path : path.substring(0, dot);
        String leaf = dot < 0 ? path : path.substring(dot + 1);
        if (!plain(root) || !plain(leaf) || root.equals(idField) || !paths.add(path)
          || (dot < 0 ? roots.contains(root) || paths.stream().anyMatch(other -> other.startsWith(root + "."))
            : paths.contains(root))) {
          return null;
        }
        roots.add(root);
        Change change = change(operator, dot < 0 ? null : root, leaf, field.getValue());
        if (change == null) {
          return null;
        }
        changes.add(change);
      }
    }
    return new InPlaceUpdate(changes);
  }

  /** Whether every change can be made to this document as it is: sub-documents and fields of the right type. */
  boolean appliesTo(Document document) {
    for (Change change : changes) {
      Object parent = change.parent() == null ? document : document.get(change.parent());
      if (parent == null) {
        if (change.parent() != null && document.containsKey(change.parent())) {
          return false;
        }
        continue;
      }
      if (!(parent instanceof Document fields)) {
        return false;
      }
      Object value = fields.get(change.field());
      boolean present = fields.containsKey(change.field());
      if (present && (change.operator() == Operator.INC && !(value instanceof Number)
        || change.operator() == Operator.PUSH && !(value instanceof List))) {
        return false;
      }
    }
    return true;
  }

  /** Makes the changes; returns whether the document changed. Call only after {@link #appliesTo} said it can. */
  boolean apply(Document document) {
    boolean changed = false;
    for (Change change : changes) {
      Document parent = document;
      if (change.parent() != null) {
        parent = (Document) document.get(change.parent());
        if (parent == null) {
          if (change.operator() == Operator.UNSET) {
            continue;
          }
          parent = new Document();
          document.put(change.parent(), parent);
          changed = true;
        }
      }
      changed |= switch (change.operator()) {
        case SET -> {
          // As MongoDB does, a value equal to the one there (1 and 1.0 are equal) leaves the field as it is.
          if (parent.containsKey(change.field()) && sameValue(parent.get(change.field()), change.value())) {
            yield false;
          }
          parent.put(change.field(), change.value());
          yield true;
        }
        case UNSET -> {
          boolean present = parent.containsKey(change.field());
          parent.remove(change.field());
          yield present;
        }
        case INC -> {
          Object old = parent.get(change.field());
          yield replace(parent, change.field(),
            NumericUtils.addNumbers(old == null ? Integer.valueOf(0) : (Number) old, (Number) change.value()));
        }
        case PUSH -> {
          @SuppressWarnings("unchecked")
          List<Object> old = (List<Object>) parent.get(change.field());
          List<Object> pushed = pushed(old == null ? List.of() : old, change.each(), change.slice(), change.order());
          parent.put(change.field(), pushed);
          yield old == null || !sameElements(old, pushed);
        }
      };
    }
    return changed;
  }

  private static Change change(Operator operator, String parent, String field, Object value) {
    return switch (operator) {
      case SET, UNSET -> new Change(operator, parent, field, value, null, null, null);
      case INC -> value instanceof Number ? new Change(operator, parent, field, value, null, null, null) : null;
      case PUSH -> {
        if (!(value instanceof Document push) || push.keySet().stream().noneMatch(key -> key.startsWith("$"))) {
          yield new Change(operator, parent, field, null, Collections.singletonList(value), null, null);
        }
        Object each = push.get("$each");
        Object slice = push.get("$slice");
        Object sort = push.get("$sort");
        ValueComparator order = sort == null ? null : Integer.valueOf(1).equals(sort) ? ValueComparator.asc()
          : Integer.valueOf(-1).equals(sort) ? ValueComparator.desc() : null;
        boolean known = push.keySet().stream().allMatch(key -> key.equals("$each") || key.equals("$slice")
          || key.equals("$sort") && order != null);
        yield known && each instanceof List<?> values && (slice == null || slice instanceof Integer)
          ? new Change(operator, parent, field, null, new ArrayList<>(values), (Integer) slice, order) : null;
      }
    };
  }

  /** Puts the field's new value; returns whether it differs from the old one. */
  private static boolean replace(Document parent, String field, Object value) {
    boolean same = parent.containsKey(field) && sameValue(parent.get(field), value);
    parent.put(field, value);
    return !same;
  }

  /** Equal as MongoDB compares values: numbers by value whatever their type, documents and arrays element-wise. */
  private static boolean sameValue(Object a, Object b) {
    return Objects.equals(normalized(a), normalized(b));
  }

  private static Object normalized(Object value) {
    if (value instanceof Long whole && (long) (double) whole != whole) {
      return whole;
    }
    if (value instanceof Number number) {
      double real = number.doubleValue();
      return real == -0.0 ? 0.0 : real;
    }
    if (value instanceof Map<?, ?> map) {
      Document normal = new Document();
      map.forEach((key, element) -> normal.put((String) key, normalized(element)));
      return normal;
    }
    if (value instanceof List<?> list) {
      List<Object> normal = new ArrayList<>(list.size());
      list.forEach(element -> normal.add(normalized(element)));
      return normal;
    }
    return value;
  }

  /**
   * {@code old} with {@code each} appended, sorted by {@code order} if given, and then {@code slice} applied; without
   * a sort built in one pass: a list kept at its {@code $slice} bound (a hold ledger's settled sagas) is as long as
   * the bound, and copying it whole twice per push made every update of a popular document cost that much more.
   */
  private static List<Object> pushed(List<Object> old, List<Object> each, Integer slice, ValueComparator order) {
    if (order != null) {
      List<Object> all = new ArrayList<>(old.size() + each.size());
      all.addAll(old);
      all.addAll(each);
      // Stable, as the library's: values that compare equal (5 and 5.0) keep their order.
      all.sort(order);
      return pushed(all, List.of(), slice, null);
    }
    int total = old.size() + each.size();
    int from = slice == null || slice >= 0 ? 0 : Math.max(0, total + slice);
    int to = slice == null || slice < 0 ? total : Math.min(slice, total);
    List<Object> pushed = new ArrayList<>(Math.max(0, to - from));
    for (int i = from; i < to; i++) {
      pushed.add(i < old.size() ? old.get(i) : each.get(i - old.size()));
    }
    return pushed;
  }

  /** Equal element by element as MongoDB compares values; stops at the first difference. */
  private static boolean sameElements(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!sameValue(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** A field name with nothing MongoDB reads as an operator, a position or a further path. */
  private static boolean plain(String name) {
    if (name.isEmpty() || name.startsWith("$") || name.contains(".")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return true;
      }
    }
    return false;
  }
}
