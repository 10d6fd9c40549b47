# syntax=docker/dockerfile:1
# The saga-shop image: one fat jar that runs any role (ROLES=gateway|order|stock|payment|saga|infra, or all).
#   docker build -t saga-shop:1.0.0 .
#   docker run -p 8000:8000 saga-shop:1.0.0                 # all-in-one demo, embedded Kafka/Mongo/MariaDB
#   docker run -e ROLES=stock -e KAFKA_BOOTSTRAP_SERVERS=... -e MONGO_URL=... saga-shop:1.0.0

# Build stage: the README's build command, unchanged; tests run in CI, not in the image build.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests package

# Run stage: a JRE on Ubuntu 22.04, whose libraries the embedded MariaDB binaries link against.
FROM eclipse-temurin:17-jre-jammy
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 shop \
 && useradd --system --uid 10001 --gid shop --create-home --home-dir /home/shop shop \
 && mkdir -p /app /data && chown shop:shop /data
COPY --from=build /src/launcher/main/target/saga-shop.jar /app/saga-shop.jar
# Heap from the container's memory limit, not the node's; die on OOM so the orchestrator restarts the pod; long-lived
# data promoted after one young collection (what `java -jar` gets by default, docs/PERFORMANCE.md).
ENV JAVA_OPTS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -XX:MaxTenuringThreshold=1" \
    ROLES=all \
    DATA_DIR=/data \
    GATEWAY_PORT=8000
USER 10001:10001
WORKDIR /home/shop
VOLUME /data
EXPOSE 8000 8080
# The gateway (and all-in-one) answers on GATEWAY_PORT; a lone role process on ROLE_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${GATEWAY_PORT}/health/live" || curl -fsS "http://127.0.0.1:${ROLE_PORT:-8080}/health/live" || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/saga-shop.jar \"$@\"", "saga-shop"]
