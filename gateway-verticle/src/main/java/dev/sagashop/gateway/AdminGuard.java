package dev.sagashop.gateway;

import dev.sagashop.contracts.ConfigKeys;
import dev.sagashop.contracts.Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Lets a request through to an admin route only with {@code Authorization: Bearer <ADMIN_TOKEN>}: with no token
 * configured the routes are off (403, saying how to turn them on); a missing or wrong token is a 401.
 */
final class AdminGuard {

  private static final String BEARER = "Bearer ";

  /** The token's digest: digests of equal length compare in constant time, whatever was sent. */
  private final byte[] digest;

  AdminGuard(JsonObject config) {
    String token = Settings.string(config, ConfigKeys.ADMIN_TOKEN, "");
    this.digest = token.isBlank() ? null : sha256(token);
  }

  void check(RoutingContext ctx) {
    if (digest == null) {
      HttpErrors.error(ctx, 403, "admin routes are off: start the shop with " + ConfigKeys.ADMIN_TOKEN
        + "=<a secret> and send Authorization: Bearer <that secret>");
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
      ? header.substring(BEARER.length()).trim() : "";
    if (!MessageDigest.isEqual(digest, sha256(given))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpErrors.error(ctx, 401, header == null ? "admin routes need Authorization: Bearer <ADMIN_TOKEN>"
        : "wrong admin token");
      return;
    }
    ctx.next();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JDK has SHA-256", impossible);
    }
  }
}
