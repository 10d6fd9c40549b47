package dev.sagashop.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code --name value} and {@code --flag} options of a bench command, checked against what the command accepts as
 * they are read: a misspelt option or a malformed value is refused before anything starts, instead of a default
 * run (a half-hour soak) going ahead without it.
 */
final class Options {

  /** What an option's value must be. */
  enum Kind {
    /** No value: present or not. */
    FLAG,
    TEXT,
    /** An http:// or https:// address with a host. */
    URL,
    /** A whole number of at least 1. */
    COUNT,
    /** A whole number (64-bit). */
    NUMBER,
    /** Whole numbers separated by commas. */
    NUMBERS,
    /** "30s", "2m", "500ms" or plain seconds; more than zero, a day at most. */
    DURATION,
    /** As {@link #DURATION}, zero allowed. */
    DURATION_OR_ZERO
  }

  /** A command line the command cannot run with; says why. */
  static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  private static final Duration LONGEST = Duration.ofDays(1);

  private final Map<String, String> values = new HashMap<>();

  Options(String[] args, int from, Map<String, Kind> accepted) {
    for (int i = from; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new Invalid("unexpected argument " + args[i]);
      }
      String name = args[i].substring(2);
      Kind kind = accepted.get(name);
      if (kind == null) {
        throw new Invalid("unknown option --" + name + " (this command takes --"
          + String.join(", --", new TreeSet<>(accepted.keySet())) + ")");
      }
      if (kind == Kind.FLAG) {
        values.put(name, "true");
        continue;
      }
      if (i + 1 == args.length || args[i + 1].startsWith("--")) {
        throw new Invalid("--" + name + " needs a value");
      }
      String value = args[++i];
      check(name, kind, value);
      values.put(name, value);
    }
  }

  private static void check(String name, Kind kind, String value) {
    try {
      switch (kind) {
        case COUNT -> Integer.parseInt(value);
        case NUMBER -> Long.parseLong(value);
        case NUMBERS -> numbers(value);
        case DURATION, DURATION_OR_ZERO -> parseDuration(value);
        case URL -> {
          URI uri = URI.create(value);
          if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("not an http address");
          }
        }
        case FLAG, TEXT -> {
        }
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new Invalid("--" + name + " takes " + switch (kind) {
        case URL -> "an address such as http://127.0.0.1:8000";
        case COUNT -> "a whole number of at least 1";
        case NUMBER -> "a whole number";
        case NUMBERS -> "whole numbers separated by commas";
        default -> "a duration such as 30s, 2m or 500ms";
      } + ", not " + value);
    }
    if (kind == Kind.COUNT && Integer.parseInt(value) < 1) {
      throw new Invalid("--" + name + " must be at least 1, not " + value);
    }
    if (kind == Kind.DURATION || kind == Kind.DURATION_OR_ZERO) {
      Duration duration = parseDuration(value);
      if (duration.isNegative() || (kind == Kind.DURATION && duration.isZero()) || duration.compareTo(LONGEST) > 0) {
        throw new Invalid("--" + name + " must be " + (kind == Kind.DURATION ? "longer than zero" : "zero or more")
          + " and a day at most, not " + value);
      }
    }
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
  }

  long number(String name, long fallback) {
    return values.containsKey(name) ? Long.parseLong(values.get(name)) : fallback;
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
    return text == null ? List.of() : numbers(text);
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  Duration duration(String name, Duration fallback) {
    String text = values.get(name);
    return text == null ? fallback : parseDuration(text);
  }

  private static List<Long> numbers(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(part -> !part.isEmpty()).map(Long::parseLong)
      .toList();
  }

  private static Duration parseDuration(String text) {
    if (text.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    if (text.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
  }
}
