package dev.sagashop.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} and {@code --flag} options of a bench command. */
final class Options {

  private final Map<String, String> values = new HashMap<>();

  Options(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String name = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        values.put(name, args[++i]);
      } else {
        values.put(name, "true");
      }
    }
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
  }

  /** "a,b,c"; none if absent. */
  List<String> strings(String name) {
    String text = values.get(name);
    return text == null || text.isBlank() ? List.of()
      : Arrays.stream(text.split(",")).map(String::trim).filter(part -> !part.isEmpty()).toList();
  }

  /** "1,2,3"; none if absent. */
  List<Long> longs(String name) {
    String text = values.get(name);
    return text == null || text.isBlank() ? List.of()
      : Arrays.stream(text.split(",")).map(String::trim).map(Long::parseLong).toList();
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  /** "30s", "2m", "500ms" or plain seconds. */
  Duration duration(String name, Duration fallback) {
    String text = values.get(name);
    if (text == null) {
      return fallback;
    }
    if (text.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    if (text.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
  }
}
