package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.exception.MeridianException;
import dev.meridian.core.residency.Jurisdiction;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A control change refused by {@link ControlChangeRules}: it would leave a jurisdiction without an ON region. The
 * message names the jurisdictions and how to force the change.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class ControlChangeRefusedException extends MeridianException {
    private static final long serialVersionUID = 1L;

    private final transient Set<Jurisdiction> jurisdictions;

    public ControlChangeRefusedException(String message, Set<Jurisdiction> jurisdictions) {
        super(message);
        this.jurisdictions = Set.copyOf(jurisdictions);
    }

    /** The jurisdictions the change would leave without an ON region. */
    public Set<Jurisdiction> jurisdictions() {
        return jurisdictions;
    }
}
