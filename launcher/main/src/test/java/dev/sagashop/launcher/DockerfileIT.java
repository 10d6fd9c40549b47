package dev.sagashop.launcher;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No Docker engine here, so the Dockerfile is held to the build it claims to repeat: same command, same jar. */
class DockerfileIT {

  private static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "../.."));

  @Test
  @DisplayName("The Dockerfile builds with the README's command and copies the jar that command produced")
  void matchesTheBuild() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Matcher build = Pattern.compile("(?m)^RUN (mvn .*package)$").matcher(dockerfile);
    assertTrue(build.find(), "the build stage runs Maven");
    assertTrue(Files.readString(ROOT.resolve("README.md")).contains(build.group(1)),
      "the README builds with the same command: " + build.group(1));

    Matcher copy = Pattern.compile("(?m)^COPY --from=build /src/(\\S+) /app/saga-shop.jar$").matcher(dockerfile);
    assertTrue(copy.find(), "the run stage copies the fat jar from the build stage");
    assertTrue(Files.isRegularFile(ROOT.resolve(copy.group(1))), copy.group(1) + " is what `package` built");

    List<String> stages = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile).results().map(m -> m.group(1)).toList();
    assertEquals(2, stages.size(), "a build stage and a run stage");
    assertTrue(stages.get(1).contains("-jre"), "the run stage is a JRE image: " + stages.get(1));
    assertTrue(Pattern.compile("(?m)^USER (?!root|0\\b)").matcher(dockerfile).find(), "runs as a non-root user");
    assertTrue(dockerfile.contains("HEALTHCHECK"), "has a health check");
  }
}
