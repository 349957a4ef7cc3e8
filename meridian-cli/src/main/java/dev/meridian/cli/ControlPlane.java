package dev.meridian.cli;

import java.util.Collection;
import java.util.Map;

/** Where region states live: the control table or ARC routing controls. */
interface ControlPlane extends AutoCloseable {
    /** Every region the control plane knows, by region id, read now (consistently where the store allows). */
    Map<String, RegionState> regions();

    /**
     * Writes the changed states, all or nothing where the store allows, each conditioned on the version it was read
     * at where the store has one, and so are the unchanged states the change was judged on (the safety rule's).
     *
     * @param changed  the states to write
     * @param judgedOn the other states the change was judged on, as read
     * @throws CliFailure {@link ExitCodes#CONFLICT} when a state changed since it was read, or
     *                    {@link ExitCodes#UNREACHABLE} when the store cannot be reached
     */
    void write(Collection<RegionState> changed, Collection<RegionState> judgedOn, String by);

    /** Whether region weights can be stored (ARC routing controls are ON/OFF only). */
    boolean supportsWeights();

    /** What is read and written, for messages. */
    String describe();

    @Override
    void close();
}
