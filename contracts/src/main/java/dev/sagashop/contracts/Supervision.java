package dev.sagashop.contracts;

/** Event-bus addresses of supervision, local to one process. */
public final class Supervision {

  /** {} → {status: "UP"}; fails (500) once the service has crashed. Answered without touching any database. */
  public static String ping(String service) {
    return service + ".ping";
  }

  /** {throw: n}: the service's next n handler calls throw. Registered only with FAULTS_ENABLED=true (tests). */
  public static String fault(String service) {
    return service + ".fault";
  }

  /** {} → {verticles: {name: {state, restarts, last_failure}}}: what this process's supervisor sees. */
  public static final String STATUS = "supervisor.status";

  /** A supervised verticle's state, as {@link #STATUS} names it. */
  public enum State { STARTING, RUNNING, RESTARTING, PAUSED }

  private Supervision() {
  }
}
