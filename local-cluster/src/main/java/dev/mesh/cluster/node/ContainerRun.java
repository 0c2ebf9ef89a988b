package dev.mesh.cluster.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/** One container of a running pod: its current process, restart count, readiness and state for the pod's status. */
final class ContainerRun {

    final String name;
    final JsonNode spec;
    final boolean init;
    final Path log;
    /** Runs for the pod's life although declared an init container (a native sidecar, restartPolicy Always). */
    final boolean nativeSidecar;

    Process process;
    Instant startedAt;
    int restartCount;
    boolean ready;
    int probeSuccesses;
    int probeFailures;
    /** Set while the container waits (ContainerCreating, CrashLoopBackOff, ErrImagePull, ...). */
    String waitingReason = "ContainerCreating";
    String waitingMessage;
    /** The current state when terminated (init containers that completed, restartPolicy Never). */
    Terminated terminated;
    /** The previous run, for {@code lastState}. */
    Terminated lastTerminated;
    ScheduledFuture<?> probeTask;
    ScheduledFuture<?> restartTask;

    /** How a run ended. */
    record Terminated(int exitCode, String reason, Instant startedAt, Instant finishedAt) {
    }

    ContainerRun(String name, JsonNode spec, boolean init, Path log) {
        this.name = name;
        this.spec = spec;
        this.init = init;
        this.log = log;
        this.nativeSidecar = init && "Always".equals(spec.path("restartPolicy").asText());
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    void cancelTasks() {
        if (probeTask != null) {
            probeTask.cancel(false);
            probeTask = null;
        }
        if (restartTask != null) {
            restartTask.cancel(false);
            restartTask = null;
        }
    }
}
